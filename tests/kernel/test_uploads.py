"""Uploads are checked before anything reads them: the content must match the extension, a
spreadsheet is measured from its zip directory (a zip bomb is refused without being unpacked), and
a file over the size limit is cut off while it arrives, never buffered whole."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.urls import reverse

from ekonomi.forms.outcome import InvoiceForm, LedgerUploadForm
from ekonomi.models import LedgerUpload
from finsam import uploads
from forbund.models import Role
from insatser.forms import AttachmentForm
from tests.factories import BeslutFactory, InsatsFactory, user_with_role

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def workbook(rows: int = 3, sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Huvudbok"
    for number in range(rows):
        book.active.append(["4010", "2021-01-01", number])
    for number in range(1, sheets):
        book.create_sheet(f"Blad{number + 1}").append(["x"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part replaced (or added), compressed as hard as zlib can."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info))
        target.writestr(name, content)
    return buffer.getvalue()


def office_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(name: str, data: bytes, kinds) -> str:
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload(name, data), kinds=kinds)
    return error.value.messages[0]


# Content must match the extension -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("faktura.pdf", PDF),
        ("bild.png", PNG),
        ("bild.jpg", JPEG),
        ("huvudbok.xlsx", workbook()),
        (
            "brev.docx",
            office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
        ),
        (
            "brev.odt",
            office_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""}),
        ),
        ("gammal.doc", uploads.OLE2_MAGIC + b"\x00" * 64),
    ],
)
def test_files_whose_content_matches_their_extension_are_accepted(name, data):
    uploads.check_upload(upload(name, data), kinds=["pdf", "png", "jpg", "xlsx", "docx", "odt", "doc"])


def test_a_pdf_renamed_xlsx_is_refused_naming_the_file():
    assert refusal("huvudbok.xlsx", PDF, ["xlsx"]) == (
        "Filen huvudbok.xlsx är inte en Excelfil: innehållet stämmer inte med filändelsen .xlsx. "
        "Spara om filen i rätt format och ladda upp den igen."
    )


@pytest.mark.parametrize("data", [EXE, HTML, PNG])
def test_a_program_or_web_page_renamed_pdf_is_refused(data):
    assert refusal("faktura.pdf", data, ["pdf", "png"]).startswith("Filen faktura.pdf är inte en PDF:")


def test_a_zip_that_is_not_a_word_document_is_refused_as_docx():
    other_zip = office_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    assert refusal("brev.docx", other_zip, ["docx"]).startswith("Filen brev.docx är inte ett Word-dokument:")


def test_an_extension_not_allowed_is_named():
    assert refusal("program.exe", EXE, ["pdf", "png", "jpg"]) == (
        "Filen program.exe ska vara en PDF, en PNG-bild eller en JPG-bild."
    )


@pytest.mark.django_db
def test_invoice_attachment_exe_renamed_pdf_is_refused(forbund):
    insats = InsatsFactory(forbund=forbund)
    data = {"insats": insats.pk, "number": "F-1", "amount": "100", "received_on": "2021-05-02"}
    data |= {"period_start": "2021-03-01", "period_end": "2021-04-30", "note": ""}
    form = InvoiceForm(data, {"attachment": upload("faktura.pdf", EXE)}, forbund=forbund)
    assert not form.is_valid()
    assert form.errors["attachment"][0].startswith("Filen faktura.pdf är inte en PDF:")

    good = InvoiceForm(data, {"attachment": upload("faktura.pdf", PDF)}, forbund=forbund)
    assert good.is_valid(), good.errors


@pytest.mark.django_db
def test_insats_attachment_html_renamed_pdf_is_refused():
    form = AttachmentForm({"description": "Rapport"}, {"file": upload("rapport.pdf", HTML)})
    assert not form.is_valid()
    assert form.errors["file"][0].startswith("Filen rapport.pdf är inte en PDF:")
    assert AttachmentForm({"description": "Rapport"}, {"file": upload("rapport.pdf", PDF)}).is_valid()


def test_meeting_paper_with_wrong_content_is_refused():
    from forbund.meetings.forms.agenda import AgendaItemForm

    validators = AgendaItemForm.base_fields["attachment_file"].validators
    with pytest.raises(ValidationError, match="är inte ett Word-dokument"):
        for validator in validators:
            validator(upload("handling.docx", HTML))


# Spreadsheets are measured before they are parsed -------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory_quickly_and_without_unpacking(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 5 * MB
    # 40 MB of sheet XML that packs to a few tens of kilobytes.
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    sheet = b"<worksheet><sheetData>" + row * (40 * MB // len(row)) + b"</sheetData></worksheet>"
    bomb = with_part(workbook(), "xl/worksheets/sheet1.xml", sheet)
    del sheet
    assert len(bomb) < 200 * 1024

    tracemalloc.start()
    started = time.monotonic()
    form = LedgerUploadForm({}, {"file": upload("huvudbok.xlsx", bomb)})
    valid = form.is_valid()
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert not valid
    [message] = form.errors["file"]
    assert message.startswith(
        "Filen huvudbok.xlsx packas upp till 40 MB, mer än de 5 MB som en huvudbok får vara."
    )
    assert elapsed < 2
    assert peak < 5 * MB


def test_a_hard_packed_part_is_refused_even_under_the_size_limit():
    sheet = b"<worksheet><sheetData>" + b" " * (4 * MB) + b"</sheetData></worksheet>"
    with pytest.raises(ValidationError, match="ovanligt hårt packad"):
        uploads.check_spreadsheet(io.BytesIO(with_part(workbook(), "xl/worksheets/sheet1.xml", sheet)))


def test_too_many_rows_are_refused_before_parsing(settings):
    settings.XLSX_MAX_ROWS = 50
    assert uploads.check_spreadsheet(io.BytesIO(workbook(rows=50))).rows == 50
    with pytest.raises(ValidationError) as error:
        uploads.check_spreadsheet(io.BytesIO(workbook(rows=51)), name="stor.xlsx")
    assert error.value.messages == [
        "Filen stor.xlsx har fler än 50 rader; dela upp den i flera filer, t.ex. en per tertial."
    ]


def test_rows_are_counted_across_chunk_boundaries():
    row = b'<row r="1" spans="1:3"><c r="A1"><v>1</v></c></row>'
    xml = b"<worksheet><sheetData>" + row * 10_000 + b"</sheetData></worksheet>"
    for size in (7, 64, 1000, uploads.XML_CHUNK):
        part = io.BytesIO(xml)
        original_read = part.read
        part.read = lambda n, read=original_read, size=size: read(min(n, size))
        assert uploads.count_rows(part, cap=100_000, name="x") == 10_000


def test_too_many_sheets_are_refused(settings):
    settings.XLSX_MAX_SHEETS = 3
    assert uploads.check_spreadsheet(io.BytesIO(workbook(sheets=3))).sheets == 3
    with pytest.raises(ValidationError, match=r"Filen filen har 4 blad; högst 3 går att läsa in\."):
        uploads.check_spreadsheet(io.BytesIO(workbook(sheets=4)))


def test_a_file_that_is_not_a_zip_renamed_xlsx_gets_a_swedish_message():
    form = LedgerUploadForm({}, {"file": upload("huvudbok.xlsx", b"Konto;Datum;Belopp\n4010;2021-01-01;5\n")})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "Filen huvudbok.xlsx är inte en Excelfil: innehållet stämmer inte med filändelsen .xlsx. "
        "Spara om filen i rätt format och ladda upp den igen."
    ]


def test_a_zip_whose_directory_lies_is_refused_as_damaged(settings):
    """A part that claims to be small but unpacks to more: zipfile stops at the claimed size and the
    checksum fails, so the file is damaged, not read on and on."""
    name = b"xl/worksheets/sheet1.xml"
    data = bytearray(with_part(workbook(), name.decode(), b"<row>" * 50_000))
    # The claimed size sits at byte 24 of the central directory entry (name at 46) and at byte 22
    # of the local header (name at 30): claim 100 bytes in both.
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = data.find(signature)
        while start != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = (100).to_bytes(4, "little")
            start = data.find(signature, start + 4)
    with pytest.raises(ValidationError, match="skadad"):
        uploads.check_spreadsheet(io.BytesIO(bytes(data)))


# Over-size uploads are cut off while they arrive -------------------------------------------------


class ProbeHandler(TemporaryFileUploadHandler):
    """The temporary-file handler, recording how many bytes of each file reached it."""

    received: list[int] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        ProbeHandler.received.append(0)

    def receive_data_chunk(self, raw_data, start):
        ProbeHandler.received[-1] += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


@pytest.fixture
def probed(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1 * MB
    settings.FILE_UPLOAD_HANDLERS = ["finsam.uploads.LimitedUploadHandler", f"{__name__}.ProbeHandler"]
    ProbeHandler.received = []
    return ProbeHandler


@pytest.mark.django_db
@pytest.mark.parametrize("size", [int(1.5 * MB), 6 * MB])
def test_an_over_size_upload_is_cut_off_with_a_swedish_message(forbund, client, probed, size):
    """1,5 MB: the file is cut at the limit as it arrives. 6 MB: CONTENT_LENGTH already says it is
    too large, so none of it is kept. Either way the form says why, in Swedish, and keeps nothing."""
    client.force_login(user_with_role(forbund, Role.Kind.EKONOM))
    big = upload("huvudbok.xlsx", b"PK\x03\x04" + b"\x00" * size)

    response = client.post(reverse("ekonomi:ledger_import", kwargs={"forbund": forbund.slug}), {"file": big})

    assert response.status_code == 200
    assert "Filen är för stor: högst 1 MB." in response.content.decode()
    assert probed.received and max(probed.received) <= 1 * MB
    if size > 2 * MB:
        assert probed.received == [0]
    assert not LedgerUpload.objects.exists()


@pytest.mark.django_db
def test_an_upload_under_the_limit_arrives_whole(forbund, client, probed):
    client.force_login(user_with_role(forbund, Role.Kind.EKONOM))
    data = PDF + b"\x00" * (MB // 2)
    insats = InsatsFactory(forbund=forbund)
    BeslutFactory(insats=insats, amounts={2021: 500_000})  # an invoice is taken only against a grant
    form_data = {"insats": insats.pk, "number": "F-1", "amount": "100", "received_on": "2021-05-02"}
    form_data |= {"period_start": "2021-03-01", "period_end": "2021-04-30", "note": ""}
    response = client.post(
        reverse("ekonomi:invoice_create", kwargs={"forbund": forbund.slug}),
        {**form_data, "attachment": upload("faktura.pdf", data)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert probed.received == [len(data)]
