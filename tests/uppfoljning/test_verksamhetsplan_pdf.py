"""The verksamhetsplan rendered to PDF by a real Celery worker on Redis, read back as text."""

import io
import time

import pytest
from pypdf import PdfReader

from finsam import rendering
from finsam.demo import load_demo
from forbund.models import Dokumentjobb, Forbund, User

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

HEADINGS = [
    "1. Inledning",
    "2. Förbundets uppdrag",
    "3. Verksamhetsidé och mål",
    "4. Organisation",
    "5. Styrelsens möten 2021",
    "6. Beslutade insatser 2021",
    "7. Insatser som diskuteras",
    "8. Uppföljning och utvärdering",
    "9. Utmaningar",
    "10. Planerade aktiviteter 2021",
    "11. Inriktning för kommande år",
    "12. Budget 2021",
]
MEETINGS = ["10 februari", "17 mars", "19 maj", "15 september", "19 oktober", "17 november"]
FIGURES = ["2 000 tkr", "603 tkr", "3 045 tkr", "3 648 tkr", "1 893 tkr", "−1 648 tkr", "2 665 tkr"]


def wait_until_done(job: Dokumentjobb, seconds: float = 90) -> Dokumentjobb:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            return job
        time.sleep(0.2)
    pytest.fail(f"Dokumentjobbet blev inte klart: {job.status} {job.progress}")


def pdf_text(job: Dokumentjobb) -> str:
    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split())


def test_worker_renders_trelleborg_2021_verksamhetsplan_from_the_database(settings, tmp_path, celery_worker):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    samordnare = User.objects.get(username="samordnare")

    job = rendering.document_request(forbund=trelleborg, kind="verksamhetsplan", year=2021, by=samordnare)
    again = rendering.document_request(forbund=trelleborg, kind="verksamhetsplan", year=2021, by=samordnare)
    assert again.pk == job.pk or again.status == Dokumentjobb.Status.KLAR

    job = wait_until_done(job)
    assert job.status == Dokumentjobb.Status.KLAR, job.error
    assert len(job.checksum) == 64
    text = pdf_text(job)
    for heading in [*HEADINGS, *MEETINGS, "Unga Vuxna", "Yrkeskedjor", *FIGURES]:
        assert heading in text, heading
    assert "sida 2 av" in text
