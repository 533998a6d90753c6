"""A file gone from the media directory gives the user a Swedish 404, never a 500, in every download
view; `manage.py check_media` lists such records beforehand."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from forbund.models import AgendaAttachment, AgendaItem, Dokumentjobb, Faststallelse, Role
from tests.factories import (
    AgendaItemFactory,
    AttachmentFactory,
    InsatsFactory,
    InvoiceFactory,
    LedgerImportFactory,
    StyrelsemoteFactory,
    user_with_role,
)

MISSING = "Filen finns inte längre i arkivet. Kontakta samordnaren."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Role.Kind.SAMORDNARE)


def finished_document(forbund, by, kind=Dokumentjobb.Kind.VERKSAMHETSPLAN) -> Dokumentjobb:
    job = Dokumentjobb.objects.create(
        forbund=forbund, kind=kind, year=2021, status=Dokumentjobb.Status.KLAR, requested_by=by
    )
    job.file.save("verksamhetsplan.pdf", ContentFile(b"%PDF-1.4 plan"))
    return job


def agenda_attachment(forbund, by) -> tuple[AgendaAttachment, str]:
    item = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=forbund))
    attachment = AgendaAttachment(item=item, title="Lägesbild", uploaded_by=by)
    attachment.file.save("lagesbild.pdf", ContentFile(b"%PDF-1.4 lagesbild"))
    url = reverse(
        "forbund:agenda_attachment",
        kwargs={"forbund": forbund.slug, "pk": item.meeting.pk, "attachment_pk": attachment.pk},
    )
    return attachment, url


def insats_attachment(forbund, by):
    attachment = AttachmentFactory(insats=InsatsFactory(forbund=forbund), uploaded_by=by)
    url = reverse(
        "insatser:attachment",
        kwargs={"forbund": forbund.slug, "pk": attachment.insats.pk, "attachment_pk": attachment.pk},
    )
    return attachment, url


def invoice_attachment(forbund, by):
    invoice = InvoiceFactory(
        insats=InsatsFactory(forbund=forbund), attachment=ContentFile(b"%PDF-1.4 faktura", name="faktura.pdf")
    )
    return invoice, reverse("ekonomi:invoice_attachment", kwargs={"forbund": forbund.slug, "pk": invoice.pk})


def ledger_file(forbund, by):
    ledger = LedgerImportFactory(forbund=forbund, imported_by=by)
    return ledger, reverse("ekonomi:ledger_file", kwargs={"forbund": forbund.slug, "pk": ledger.pk})


def document_download(forbund, by):
    job = finished_document(forbund, by, kind=Dokumentjobb.Kind.ARSREDOVISNING)
    return job, reverse("uppfoljning:job_download", kwargs={"forbund": forbund.slug, "pk": job.pk})


def public_plan(forbund, by):
    """A fastställd edition, as the worker leaves it once the adopting minutes are justerade."""
    job = finished_document(forbund, by)
    item = AgendaItem.objects.create(meeting=StyrelsemoteFactory(forbund=forbund), title="Plan", paragraph=4)
    adopted = Faststallelse.objects.create(
        forbund=forbund,
        dokumentjobb=job,
        kind=job.kind,
        year=job.year,
        checksum=job.checksum,
        item=item,
        adopted_on=item.meeting.date,
        recorded_by=by,
        published_at=timezone.now(),
    )
    adopted.published_file.save("vp.pdf", ContentFile(b"%PDF-1.7 faststalld"))
    return adopted, reverse("public_verksamhetsplan", kwargs={"forbund": forbund.slug, "pk": adopted.pk})


def stored_file(record):
    for field in ("file", "attachment", "published_file"):
        if hasattr(record, field):
            return getattr(record, field)
    raise AssertionError(record)


DOWNLOADS = {
    "handling till ett möte": agenda_attachment,
    "bilaga till en insats": insats_attachment,
    "faktura": invoice_attachment,
    "huvudbok": ledger_file,
    "dokument": document_download,
    "publicerad verksamhetsplan": public_plan,
}


@pytest.mark.parametrize("make", DOWNLOADS.values(), ids=DOWNLOADS.keys())
def test_download_gives_the_file_while_it_is_there(make, forbund, samordnare, login):
    record, url = make(forbund, samordnare)

    response = login(samordnare).get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_file(record).open("rb").read()


@pytest.mark.parametrize("make", DOWNLOADS.values(), ids=DOWNLOADS.keys())
def test_download_of_a_missing_file_is_a_swedish_404(make, forbund, samordnare, login, caplog):
    record, url = make(forbund, samordnare)
    os.remove(stored_file(record).path)

    response = login(samordnare).get(url)

    assert response.status_code == 404
    assert MISSING in response.content.decode()
    assert f"{record._meta.label} {record.pk}" in caplog.text


def test_the_404_page_keeps_djangos_english_lookup_message_from_users(forbund, samordnare, login):
    url = reverse("insatser:attachment", kwargs={"forbund": forbund.slug, "pk": 999999, "attachment_pk": 1})

    response = login(samordnare).get(url)

    assert response.status_code == 404
    assert "matches the given query" not in response.content.decode()
    assert "Adressen kan vara felskriven" in response.content.decode()


def check_media(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_media", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_check_media_is_content_when_every_file_is_there(forbund, samordnare):
    insats_attachment(forbund, samordnare)
    ledger_file(forbund, samordnare)

    output, error = check_media()

    assert error is None
    assert "saknar" not in output
    assert "Alla 2 filer finns" in output


def test_check_media_lists_the_record_whose_file_is_gone_and_fails(forbund, samordnare):
    kept, _ = ledger_file(forbund, samordnare)
    gone, _ = agenda_attachment(forbund, samordnare)
    os.remove(gone.file.path)

    output, error = check_media()

    assert error is not None and error.returncode != 0
    assert str(error) == "1 fil saknas."
    assert f"Handling {gone.pk} ({forbund.name}): fält fil, sökväg {gone.file.name}" in output
    assert kept.file.name not in output


def test_check_media_lists_files_no_record_refers_to_with_orphans(forbund, samordnare, media):
    ledger_file(forbund, samordnare)
    stray = media / "huvudbok" / "kvarglomd.xlsx"
    stray.write_bytes(b"PK")

    plain, _ = check_media()
    with_orphans, error = check_media("--orphans")

    assert "kvarglomd" not in plain
    assert error is None, "orphans are information, not an error"
    assert "1 fil i MEDIA_ROOT hör inte till någon post" in with_orphans
    assert "  huvudbok/kvarglomd.xlsx" in with_orphans


def test_check_media_finds_every_model_with_a_file():
    from finsam.management.commands.check_media import forbund_path, project_file_fields

    found = {
        f"{model._meta.label}.{field.name}": forbund_path(model) for model, field in project_file_fields()
    }

    assert found["forbund.AgendaAttachment.file"] == "item__meeting__forbund"
    assert found["insatser.Attachment.file"] == "insats__forbund"
    assert found["ekonomi.Invoice.attachment"] == "forbund"
    assert found["ekonomi.LedgerImport.file"] == "forbund"
    assert found["forbund.Dokumentjobb.file"] == "forbund"


def test_no_file_field_is_without_a_forbund():
    from finsam.management.commands.check_media import forbund_path, project_file_fields

    assert [model for model, _ in project_file_fields() if forbund_path(model) is None] == []
