"""The meeting packet: one PDF made by a real Celery worker on Redis (bookmarks per item, "sida x av y"
on every page, an uploaded PDF merged in), the same content as a page, and who may read it."""

from __future__ import annotations

import datetime
import io
import re
import time

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from finsam import rendering
from forbund.models import AgendaAttachment, AgendaItem, Dokumentjobb, NoticeVersion, Role, Styrelsemote
from tests.factories import (
    BudgetLineFactory,
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    StyrelsemoteFactory,
    user_with_role,
)

Kind = Role.Kind

NOTICE = "Välkomna till styrelsens andra möte för året. Fika från 12.30."
ATTACHMENT_TEXT = "Revisorernas granskning av årsredovisningen"


def attachment_pdf(pages: int = 2) -> bytes:
    """A small PDF made the way a förbund's own papers are: here with WeasyPrint, in Letter size
    and with its own text, so the merge must scale it and keep the text."""
    from weasyprint import HTML

    body = "".join(
        f'<section style="break-before: page"><h1>{ATTACHMENT_TEXT}</h1><p>Bilagans sida {n}.</p></section>'
        for n in range(1, pages + 1)
    )
    return HTML(string=f"<style>@page {{ size: letter; }}</style>{body}").write_pdf()


@pytest.fixture
def meeting_setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    forbund = ForbundFactory(name="Samordningsförbundet Söderslätt")
    owner = MedlemFactory(forbund=forbund, name="Region Skåne")
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    meeting = StyrelsemoteFactory(
        forbund=forbund,
        date=datetime.date(2021, 3, 17),
        start_time=datetime.time(13, 0),
        place="Kommunhuset, sal Ljus",
        notice_text=NOTICE,
        status=Styrelsemote.Status.KALLAT,
    )
    insats = InsatsFactory(
        forbund=forbund, owner=owner, name="Vägen till arbete", description="Stöd till unga vuxna."
    )
    BudgetLineFactory(insats=insats, description="Projektledare", amounts={2021: 450_000, 2022: 460_000})
    revision = AgendaItem.objects.create(
        meeting=meeting,
        order=1,
        kind=AgendaItem.Kind.INFORMATION,
        title="Revisionsrapport 2020",
        presenter="Karin Revisor",
    )
    AgendaAttachment.objects.create(
        item=revision,
        title="Revisionsrapporten",
        file=ContentFile(attachment_pdf(), name="revisionsrapport.pdf"),
        uploaded_by=samordnare,
    )
    application = AgendaItem.objects.create(
        meeting=meeting,
        order=2,
        kind=AgendaItem.Kind.BESLUT,
        title="Ansökan: Vägen till arbete",
        proposal="Styrelsen beviljar insatsen 450 000 kr för 2021.",
        presenter="Anna Samordnare",
        insats=insats,
    )
    information = AgendaItem.objects.create(
        meeting=meeting,
        order=3,
        kind=AgendaItem.Kind.INFORMATION,
        title="Information från kansliet",
        presenter="Anna Samordnare",
        added_late=True,
    )
    AgendaAttachment.objects.create(
        item=information,
        title="Budgetuppföljning",
        file=ContentFile(b"PK\x03\x04 not really excel", name="budgetuppfoljning.xlsx"),
        uploaded_by=samordnare,
    )
    NoticeVersion.objects.create(
        meeting=meeting, version=2, sent_by=samordnare, recipients="ledamot@example.se", snapshot={}
    )
    return {
        "forbund": forbund,
        "meeting": meeting,
        "samordnare": samordnare,
        "items": [revision, application, information],
    }


def wait_until_done(job: Dokumentjobb, seconds: float = 90) -> Dokumentjobb:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            return job
        time.sleep(0.2)
    pytest.fail(f"Dokumentjobbet blev inte klart: {job.status} {job.progress}")


def clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_makes_one_packet_pdf_with_bookmarks_stamps_and_merged_attachment(
    meeting_setup, celery_worker, capsys
):
    forbund, meeting = meeting_setup["forbund"], meeting_setup["meeting"]
    ledamot = user_with_role(forbund, Kind.STYRELSELEDAMOT)

    started = time.monotonic()
    job = rendering.document_request(
        forbund=forbund, kind="motespaket", year=2021, by=ledamot, meeting=meeting
    )
    assert job.meeting == meeting
    job = wait_until_done(job)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nmötespaket med 3 punkter: {elapsed:.2f} s")
    assert job.status == Dokumentjobb.Status.KLAR, job.error
    assert job.filename.startswith("motespaket-2021-03-17-")

    with job.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pages = [clean(page.extract_text()) for page in reader.pages]
    total = len(pages)

    # "sida x av y" on every page: the cover, the reserved pages under the attachment, all of them.
    for number, text in enumerate(pages, start=1):
        assert f"sida {number} av {total}" in text, (number, text[:200])

    # One bookmark per item, at the page where the item begins; the merged paper beneath its item.
    top = [entry for entry in reader.outline if not isinstance(entry, list)]
    assert [entry.title for entry in top] == [
        "1. Revisionsrapport 2020",
        "2. Ansökan: Vägen till arbete",
        "3. Information från kansliet",
    ]
    first_pages = [reader.get_destination_page_number(entry) for entry in top]
    for entry, page in zip(top, first_pages, strict=True):
        assert entry.title in pages[page]
    children = reader.outline[1]
    assert isinstance(children, list) and children[0].title == "Bilaga: Revisionsrapporten"

    # The attachment's two pages follow its item, with their own text.
    attachment_page = reader.get_destination_page_number(children[0])
    assert ATTACHMENT_TEXT in pages[attachment_page]
    assert "Bilagans sida 1" in pages[attachment_page]
    assert "Bilagans sida 2" in pages[attachment_page + 1]
    assert first_pages[1] == attachment_page + 2

    # The agenda's page numbers count the merged pages.
    agenda = pages[1]
    for entry, page in zip(top, first_pages, strict=True):
        assert re.search(re.escape(entry.title) + r"[^0-9]*?\.+ ?" + str(page + 1) + r"\b", agenda), agenda

    text = " ".join(pages)
    for expected in [
        NOTICE,
        "Kommunhuset, sal Ljus",
        "kl. 13.00",
        "Handlingarna motsvarar kallelse version 2",
        "Förslag till beslut",
        "Styrelsen beviljar insatsen 450 000 kr för 2021.",
        "Föredragande: Karin Revisor",
        "Underlag: insatsen Vägen till arbete",
        "Projektägare Region Skåne",
        "Projektledare",
        "450 000 kr",
        "Tillkommen efter kallelsen",
        "Bilaga som inte kan visas i PDF: budgetuppfoljning",
    ]:
        assert expected in text, expected


@pytest.fixture
def member_client(client, meeting_setup):
    def _client(kind, forbund=None):
        client.force_login(user_with_role(forbund or meeting_setup["forbund"], kind))
        return client

    return _client


def packet_urls(meeting):
    kwargs = {"forbund": meeting.forbund.slug, "pk": meeting.pk}
    return reverse("forbund:motespaket_html", kwargs=kwargs), reverse("forbund:motespaket", kwargs=kwargs)


def test_board_member_reads_the_same_sections_as_a_page(meeting_setup, member_client):
    meeting = meeting_setup["meeting"]
    html_url, pdf_url = packet_urls(meeting)
    response = member_client(Kind.STYRELSELEDAMOT).get(html_url)
    assert response.status_code == 200
    content = clean(response.content.decode())
    for expected in [
        NOTICE,
        "Handlingarna motsvarar kallelse version 2",
        "1. Revisionsrapport 2020",
        "2. Ansökan: Vägen till arbete",
        "3. Information från kansliet",
        "Styrelsen beviljar insatsen 450 000 kr för 2021.",
        "Underlag: insatsen Vägen till arbete",
        "Projektledare",
        "Tillkommen efter kallelsen",
        "Revisionsrapporten",
        "Budgetuppföljning",
        pdf_url,
    ]:
        assert expected in content, expected
    attachment = AgendaAttachment.objects.get(title="Revisionsrapporten")
    download = reverse(
        "forbund:agenda_attachment",
        kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk, "attachment_pk": attachment.pk},
    )
    assert download in content
    file_response = member_client(Kind.STYRELSELEDAMOT).get(download)
    assert file_response.status_code == 200
    assert b"".join(file_response.streaming_content).startswith(b"%PDF")


def test_board_member_orders_the_pdf_and_lands_on_the_job_page(meeting_setup, member_client, monkeypatch):
    queued = []
    monkeypatch.setattr(rendering, "_enqueue", queued.append)
    meeting = meeting_setup["meeting"]
    _, pdf_url = packet_urls(meeting)
    client = member_client(Kind.ERSATTARE)
    response = client.post(pdf_url)
    job = Dokumentjobb.objects.get()
    assert (job.kind, job.meeting, job.year) == ("motespaket", meeting, 2021)
    assert response.url == reverse("uppfoljning:job", kwargs={"forbund": meeting.forbund.slug, "pk": job.pk})
    assert client.get(response.url).status_code == 200
    # Asked again while it is queued: the same job, one per meeting.
    client.post(pdf_url)
    assert Dokumentjobb.objects.count() == 1
    other = StyrelsemoteFactory(forbund=meeting.forbund, status=Styrelsemote.Status.KALLAT)
    client.post(packet_urls(other)[1])
    assert Dokumentjobb.objects.count() == 2
    assert len(queued) == 2


@pytest.mark.parametrize("kind", [Kind.PROJEKTAGARE])
def test_projektagare_is_refused_the_packet(meeting_setup, member_client, kind):
    client = member_client(kind)
    html_url, pdf_url = packet_urls(meeting_setup["meeting"])
    assert client.get(html_url).status_code == 403
    assert client.post(pdf_url).status_code == 403
    assert not Dokumentjobb.objects.exists()


def test_another_forbunds_board_member_gets_404(meeting_setup, member_client):
    meeting = meeting_setup["meeting"]
    other = ForbundFactory()
    client = member_client(Kind.STYRELSELEDAMOT, forbund=other)
    html_url, pdf_url = packet_urls(meeting)
    assert client.get(html_url).status_code == 404
    assert client.post(pdf_url).status_code == 404
    # Nor under their own förbund's address.
    kwargs = {"forbund": other.slug, "pk": meeting.pk}
    assert client.get(reverse("forbund:motespaket_html", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("forbund:motespaket", kwargs=kwargs)).status_code == 404
    assert not Dokumentjobb.objects.exists()


def test_papers_before_the_notice_are_marked_as_a_draft(meeting_setup, member_client):
    meeting = meeting_setup["meeting"]
    Styrelsemote.objects.filter(pk=meeting.pk).update(status=Styrelsemote.Status.PLANERAT)
    NoticeVersion.objects.filter(meeting=meeting).delete()
    html_url, _ = packet_urls(meeting)
    for kind in (Kind.STYRELSELEDAMOT, Kind.REVISOR, Kind.SAMORDNARE):
        response = member_client(kind).get(html_url)
        assert response.status_code == 200
        assert "Kallelsen är inte skickad ännu; handlingarna är ett utkast." in response.content.decode()


def test_minutes_pdf_only_for_justerat_minutes(meeting_setup, member_client, monkeypatch):
    monkeypatch.setattr(rendering, "_enqueue", lambda job: None)
    meeting = meeting_setup["meeting"]
    url = reverse("forbund:motesprotokoll_pdf", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})
    client = member_client(Kind.STYRELSELEDAMOT)
    assert client.post(url).status_code == 403
    panel = render_to_string(
        "forbund/meetings/packet_panel.html",
        {"meeting": meeting, "forbund": meeting.forbund},
    )
    assert "Skapa PDF med alla handlingar" in panel and url not in panel

    Styrelsemote.objects.filter(pk=meeting.pk).update(status=Styrelsemote.Status.JUSTERAT)
    meeting.refresh_from_db()
    response = client.post(url)
    job = Dokumentjobb.objects.get(kind="protokoll")
    assert job.meeting == meeting and response.status_code == 302
    panel = render_to_string(
        "forbund/meetings/packet_panel.html",
        {"meeting": meeting, "forbund": meeting.forbund},
    )
    assert url in panel and "Protokoll" in panel
    # A finished PDF of justerat minutes is reused, not made again.
    Dokumentjobb.objects.filter(pk=job.pk).update(status=Dokumentjobb.Status.KLAR)
    client.post(url)
    assert Dokumentjobb.objects.filter(kind="protokoll").count() == 1


def test_meeting_documents_are_registered_and_the_verksamhetsplan_is_unchanged():
    packet_type = rendering.DOCUMENT_TYPES["motespaket"]
    assert packet_type.per_meeting and packet_type.postprocess is not None
    assert rendering.DOCUMENT_TYPES["protokoll"].per_meeting
    assert rendering.DOCUMENT_TYPES["protokoll"].template == "forbund/meetings/pdf/minutes.html"
    plan = rendering.DOCUMENT_TYPES["verksamhetsplan"]
    assert not plan.per_meeting and plan.postprocess is None


def test_justerat_minutes_render_through_the_rendering_service(meeting_setup, monkeypatch):
    monkeypatch.setattr(rendering, "_enqueue", lambda job: None)
    meeting = meeting_setup["meeting"]
    Styrelsemote.objects.filter(pk=meeting.pk).update(
        status=Styrelsemote.Status.JUSTERAT, announced_on=datetime.date(2021, 3, 24)
    )
    meeting.refresh_from_db()
    job = rendering.document_request(
        forbund=meeting.forbund, kind="protokoll", year=2021, by=meeting_setup["samordnare"], meeting=meeting
    )
    job = rendering.document_render(job_id=job.pk)
    assert job.status == Dokumentjobb.Status.KLAR, job.error
    with job.file.open("rb") as handle:
        text = clean(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages))
    assert "Ansökan: Vägen till arbete" in text


def test_a_meeting_document_is_ordered_from_its_meeting(meeting_setup):
    with pytest.raises(rendering.PermissionDenied):
        rendering.document_request(
            forbund=meeting_setup["forbund"], kind="motespaket", year=2021, by=meeting_setup["samordnare"]
        )
    other_meeting = StyrelsemoteFactory(forbund=ForbundFactory())
    with pytest.raises(rendering.PermissionDenied):
        rendering.document_request(
            forbund=meeting_setup["forbund"],
            kind="motespaket",
            year=2021,
            by=meeting_setup["samordnare"],
            meeting=other_meeting,
        )
    assert not Dokumentjobb.objects.exists()
