"""The huvudbok upload: checked in the request, read by the worker with its progress on the page,
previewed with every problem as a row message, then imported whole or not at all. A broken file is
a Swedish message on the upload, never a 500 and never an upload left running."""

from __future__ import annotations

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ekonomi.models import LedgerImport, LedgerUpload
from ekonomi.selectors.outcome import ledger_amounts
from ekonomi.services.outcome import (
    ledger_upload_discard,
    ledger_upload_import,
    ledger_upload_parse,
    ledger_upload_start,
    ledger_uploads_remove,
)
from finsam.broker import BROKER_DOWN_MESSAGE
from forbund.models import ActivityEvent, Role
from tests.factories import AccountMappingFactory, CostCategoryFactory, LockedPeriodFactory, user_with_role

from .test_ledger_import import HEADER, months_of, truncated, xlsx

D = datetime.date
Kind = Role.Kind
U = LedgerUpload.Status
ALLOWED = [Kind.SAMORDNARE, Kind.EKONOM]
REFUSED = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE]
UPLOAD_DIR = "huvudbok/uppladdat"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ekonom(forbund):
    return user_with_role(forbund, Kind.EKONOM)


@pytest.fixture
def mapped(forbund):
    category = CostCategoryFactory(forbund=forbund, name="Samordnare")
    AccountMappingFactory(forbund=forbund, account="4010", category=category)
    return category


def kept_files(media) -> list[str]:
    folder = media / UPLOAD_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def start(forbund, by, data: bytes, filename="huvudbok.xlsx", rows_total=0) -> LedgerUpload:
    return ledger_upload_start(
        forbund=forbund, by=by, file=io.BytesIO(data), filename=filename, rows_total=rows_total
    )


def url(name: str, forbund, **kwargs) -> str:
    return reverse(f"ekonomi:{name}", kwargs={"forbund": forbund.slug, **kwargs})


# The service, step by step (the worker test below runs the same steps through Celery) ------------


@pytest.mark.django_db
def test_an_upload_is_queued_then_read_to_a_summary_with_its_row_errors(forbund, ekonom, mapped, media):
    rows = [*months_of(2021, range(1, 4), "4010", 100), ["4010", D(2021, 4, 1), "", "", "tio"]]
    upload = start(forbund, ekonom, xlsx([HEADER, *rows]), filename="jan-apr.xlsx", rows_total=5)
    assert upload.status == U.I_KO and upload.progress == "Väntar på att läsas"
    assert len(kept_files(media)) == 1

    read = ledger_upload_parse(upload_id=upload.pk)

    assert read.status == U.KLAR and read.finished_at is not None and read.progress == ""
    assert read.rows_read == 5
    assert read.summary["line_count"] == 3 and read.summary["year"] == 2021
    assert read.errors == [
        {"message": "'tio' är inte ett belopp.", "sheet": "Huvudbok", "row": 5, "column": "E"}
    ]
    assert ledger_upload_parse(upload_id=upload.pk) is None  # read once only


@pytest.mark.django_db
def test_a_truncated_sheet_ends_klar_with_a_swedish_problem(forbund, ekonom, client):
    data = truncated(xlsx([HEADER, *months_of(2021, range(1, 13), "4010", 100) * 20]))
    upload = ledger_upload_parse(upload_id=start(forbund, ekonom, data).pk)
    assert upload.status == U.KLAR
    client.force_login(ekonom)
    page = client.get(url("ledger_upload", forbund, pk=upload.pk))
    assert page.status_code == 200
    assert "Filen är skadad och gick inte att läsa till slut" in page.content.decode()
    assert "Bekräfta och läs in" not in page.content.decode()


@pytest.mark.django_db
def test_a_file_gone_from_storage_ends_misslyckad_not_running(forbund, ekonom, client, media):
    upload = start(forbund, ekonom, xlsx([HEADER, *months_of(2021, range(1, 2), "4010", 1)]))
    (media / upload.file.name).unlink()

    failed = ledger_upload_parse(upload_id=upload.pk)

    assert failed.status == U.MISSLYCKAD and not failed.is_running
    assert failed.error.startswith("Filen kunde inte läsas.")
    client.force_login(ekonom)
    assert (
        "Filen kunde inte läsas." in client.get(url("ledger_upload", forbund, pk=upload.pk)).content.decode()
    )


@pytest.mark.django_db
def test_confirm_imports_whole_and_removes_the_upload(
    forbund, ekonom, mapped, media, django_capture_on_commit_callbacks
):
    upload = start(
        forbund, ekonom, xlsx([HEADER, *months_of(2021, range(1, 3), "4010", 250)]), "jan-feb.xlsx"
    )
    ledger_upload_parse(upload_id=upload.pk)

    with django_capture_on_commit_callbacks(execute=True):
        imported = ledger_upload_import(forbund=forbund, by=ekonom, upload_id=upload.pk)

    assert imported.filename == "jan-feb.xlsx" and (imported.first_month, imported.last_month) == (1, 2)
    assert ledger_amounts(forbund, 2021) == {("4010", 1): Decimal(250), ("4010", 2): Decimal(250)}
    assert imported.file.read().startswith(b"PK")
    assert not LedgerUpload.objects.exists() and kept_files(media) == []
    with pytest.raises(Exception, match="gått ut"):
        ledger_upload_import(forbund=forbund, by=ekonom, upload_id=upload.pk)
    assert LedgerImport.objects.count() == 1


@pytest.mark.django_db
def test_confirm_rechecks_and_saves_nothing_when_the_year_was_locked_meanwhile(
    forbund, ekonom, mapped, media, django_capture_on_commit_callbacks
):
    upload = start(forbund, ekonom, xlsx([HEADER, *months_of(2021, range(1, 3), "4010", 250)]))
    ledger_upload_parse(upload_id=upload.pk)
    LockedPeriodFactory(forbund=forbund, year=2021)
    events = ActivityEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception) as error:
        ledger_upload_import(forbund=forbund, by=ekonom, upload_id=upload.pk)

    assert error.value.messages == ["År 2021 är låst: huvudboken för ett låst år kan inte läsas in."]
    assert not LedgerImport.objects.exists() and ActivityEvent.objects.count() == events
    assert not LedgerUpload.objects.exists() and kept_files(media) == []


@pytest.mark.django_db
def test_discard_removes_row_and_file(forbund, ekonom, media, django_capture_on_commit_callbacks):
    upload = start(forbund, ekonom, xlsx([HEADER]))
    with django_capture_on_commit_callbacks(execute=True):
        ledger_upload_discard(forbund=forbund, by=ekonom, upload_id=upload.pk)
    assert not LedgerUpload.objects.exists() and kept_files(media) == []


@pytest.mark.django_db
def test_abandoned_uploads_are_removed_and_dead_reads_end_misslyckad(
    forbund, ekonom, media, django_capture_on_commit_callbacks
):
    now = timezone.now()
    old = start(forbund, ekonom, xlsx([HEADER]))
    stuck = start(forbund, ekonom, xlsx([HEADER]))
    fresh = start(forbund, ekonom, xlsx([HEADER]))
    LedgerUpload.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=2))
    LedgerUpload.objects.filter(pk=stuck.pk).update(
        status=U.PAGAR, created_at=now - datetime.timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert ledger_uploads_remove(now=now) == 1

    assert set(LedgerUpload.objects.values_list("pk", "status")) == {
        (stuck.pk, U.MISSLYCKAD),
        (fresh.pk, U.I_KO),
    }
    assert LedgerUpload.objects.get(pk=stuck.pk).error == "Läsningen av filen avbröts. Ladda upp den igen."
    assert len(kept_files(media)) == 2


# The pages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_upload_form_queues_the_file_and_shows_its_page(forbund, ekonom, client, media):
    client.force_login(ekonom)
    data = xlsx([HEADER, *months_of(2021, range(1, 4), "4010", 100)])

    response = client.post(url("ledger_import", forbund), {"file": SimpleUploadedFile("q1.xlsx", data)})

    upload = LedgerUpload.objects.get()
    assert response.status_code == 302 and response.url == url("ledger_upload", forbund, pk=upload.pk)
    assert (upload.filename, upload.rows_total, upload.uploaded_by) == ("q1.xlsx", 4, ekonom)
    page = client.get(response.url).content.decode()
    assert "Läs in huvudboken q1.xlsx" in page
    assert 'hx-get="' + url("ledger_upload_status", forbund, pk=upload.pk) + '"' in page
    assert "Väntar på att läsas" in page


@pytest.mark.django_db
def test_the_status_fragment_shows_the_row_reached(forbund, ekonom, client):
    upload = start(forbund, ekonom, xlsx([HEADER]), rows_total=5000)
    LedgerUpload.objects.filter(pk=upload.pk).update(
        status=U.PAGAR, progress="Läser rad 1\xa0200 av 5\xa0000"
    )
    client.force_login(ekonom)
    fragment = client.get(url("ledger_upload_status", forbund, pk=upload.pk)).content.decode()
    assert "Läser rad 1\xa0200 av 5\xa0000" in fragment and "hx-trigger" in fragment


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_in_the_request_and_nothing_is_kept(forbund, ekonom, client, media, settings):
    from tests.kernel.test_uploads import with_part

    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    sheet = b"<worksheet><sheetData>" + b"<row/>" * 1_000_000 + b"</sheetData></worksheet>"
    bomb = with_part(xlsx([HEADER]), "xl/worksheets/sheet1.xml", sheet)
    client.force_login(ekonom)

    response = client.post(url("ledger_import", forbund), {"file": SimpleUploadedFile("bomb.xlsx", bomb)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Filen bomb.xlsx packas upp till 5,7 MB, mer än de 1 MB som en huvudbok får vara." in page
    assert not LedgerUpload.objects.exists() and kept_files(media) == []


@pytest.mark.django_db
def test_broker_down_shows_the_swedish_message_and_keeps_nothing(forbund, ekonom, client, media, broker_down):
    client.force_login(ekonom)
    data = xlsx([HEADER, *months_of(2021, range(1, 2), "4010", 100)])

    response = client.post(url("ledger_import", forbund), {"file": SimpleUploadedFile("jan.xlsx", data)})

    assert response.status_code == 200
    assert BROKER_DOWN_MESSAGE in response.content.decode()
    assert not LedgerUpload.objects.exists()
    assert kept_files(media) == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ALLOWED + REFUSED)
def test_upload_pages_by_role(forbund, ekonom, user_in, client, kind):
    upload = ledger_upload_parse(upload_id=start(forbund, ekonom, xlsx([HEADER])).pk)
    client.force_login(user_in(forbund, kind))
    expected = 200 if kind in ALLOWED else 403
    assert client.get(url("ledger_upload", forbund, pk=upload.pk)).status_code == expected
    assert client.get(url("ledger_upload_status", forbund, pk=upload.pk)).status_code == expected
    confirm = client.post(url("ledger_confirm", forbund, pk=upload.pk), {"avbryt": "1"})
    assert confirm.status_code == (302 if kind in ALLOWED else 403)
    assert LedgerUpload.objects.exists() == (kind not in ALLOWED)


@pytest.mark.django_db
def test_another_forbunds_upload_is_404(forbund, other_forbund, ekonom, client):
    upload = start(forbund, ekonom, xlsx([HEADER]))
    # A user of the other förbund, by either förbund's address.
    client.force_login(user_with_role(other_forbund, Kind.SAMORDNARE))
    for slug_forbund in (forbund, other_forbund):
        assert client.get(url("ledger_upload", slug_forbund, pk=upload.pk)).status_code == 404
        assert client.get(url("ledger_upload_status", slug_forbund, pk=upload.pk)).status_code == 404
    response = client.post(url("ledger_confirm", other_forbund, pk=upload.pk), {})
    assert response.status_code == 302 and LedgerUpload.objects.filter(pk=upload.pk).exists()
    response = client.post(url("ledger_confirm", forbund, pk=upload.pk), {})
    assert response.status_code == 404


# A real worker ------------------------------------------------------------------------------------


def wait_until_read(upload_pk: int, seconds: float = 30) -> LedgerUpload:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        upload = LedgerUpload.objects.get(pk=upload_pk)
        if not upload.is_running:
            return upload
        time.sleep(0.2)
    raise AssertionError("Arbetaren läste inte filen i tid.")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_reads_the_upload_and_the_preview_shows_row_errors_then_confirm_imports(
    forbund, celery_worker, client, media
):
    ekonom = user_with_role(forbund, Kind.EKONOM)
    AccountMappingFactory(forbund=forbund, account="4010", category=CostCategoryFactory(forbund=forbund))
    client.force_login(ekonom)
    bad = [*months_of(2021, range(1, 13), "4010", 100) * 100, ["4010", D(2021, 5, 1), "", "", "tio"]]

    response = client.post(
        url("ledger_import", forbund), {"file": SimpleUploadedFile("fel.xlsx", xlsx([HEADER, *bad]))}
    )

    assert response.status_code == 302
    upload = wait_until_read(LedgerUpload.objects.get().pk)
    assert upload.status == U.KLAR and upload.rows_read == upload.rows_total == 1202
    fragment = client.get(url("ledger_upload_status", forbund, pk=upload.pk)).content.decode()
    assert "Rad 1202, kolumn E: &#x27;tio&#x27; är inte ett belopp." in fragment
    assert "hx-trigger" not in fragment and "Bekräfta och läs in" not in fragment

    good = xlsx([HEADER, *months_of(2021, range(1, 4), "4010", 300)])
    response = client.post(url("ledger_import", forbund), {"file": SimpleUploadedFile("q1.xlsx", good)})
    upload = wait_until_read(LedgerUpload.objects.latest("pk").pk)
    page = client.get(response.url).content.decode()
    assert "Granska huvudboken innan den läses in" in page and "Bekräfta och läs in" in page

    confirmed = client.post(url("ledger_confirm", forbund, pk=upload.pk), {})

    assert confirmed.status_code == 302 and confirmed.url.endswith("?ar=2021")
    assert ledger_amounts(forbund, 2021) == {("4010", month): Decimal(300) for month in (1, 2, 3)}
