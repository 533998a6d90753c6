"""Checks for uploaded files, in one place.

- `LimitedUploadHandler` (first in `FILE_UPLOAD_HANDLERS`) keeps at most `FILE_UPLOAD_MAX_BYTES` of
  a file: past that (or when CONTENT_LENGTH already says the body is larger) the rest of the file is
  read and dropped, never buffered to memory or disk, and the form receives a `RefusedUpload` that
  its validator turns into "Filen är för stor". The other fields of the form still arrive, so
  nothing typed is lost and the CSRF token is read as usual.
- `UploadValidator(kinds, max_bytes)` on a form field: the file's content must match its extension
  (magic bytes, and for Office/OpenDocument files the zip structure), whatever the name claims.
- `check_spreadsheet(file)` looks at an .xlsx without parsing it: total uncompressed size from the
  zip's central directory, compression ratio, number of sheets and number of rows (counted by
  streaming the sheet XML with a cap), so a zip bomb is refused before openpyxl sees it.

Every refusal is a `ValidationError` with a Swedish message naming the file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.deconstruct import deconstructible

MB = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy Office formats (.doc, .xls, .ppt)
PDF_SEARCH_BYTES = 1024  # a PDF's header must be within its first kilobyte
XML_CHUNK = 64 * 1024
SMALL_PART_MAX = 1 * MB  # workbook.xml, mimetype: read at most this much

ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet[\s/>]")

TOO_BIG_MESSAGE = "Filen är för stor: högst {limit}."

KIND_NAMES = {
    "pdf": "en PDF",
    "png": "en PNG-bild",
    "jpg": "en JPG-bild",
    "jpeg": "en JPG-bild",
    "doc": "ett Word-dokument",
    "docx": "ett Word-dokument",
    "xls": "en Excelfil",
    "xlsx": "en Excelfil",
    "ppt": "en PowerPoint-presentation",
    "pptx": "en PowerPoint-presentation",
    "odt": "ett OpenDocument-dokument",
    "ods": "ett OpenDocument-kalkylark",
    "odp": "en OpenDocument-presentation",
}
OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
ODF_MIMETYPE = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}


def megabytes(size: int) -> str:
    """A size as "40 MB" or "2,5 MB": whole megabytes from ten up, else one decimal if there is one."""
    value = size / MB
    if value >= 10 or round(value, 1).is_integer():
        return f"{value:.0f} MB"
    return f"{value:.1f} MB".replace(".", ",")


def extension(name: str) -> str:
    return posixpath.splitext(name or "")[1].lower().lstrip(".")


# Cutting off over-size uploads ---------------------------------------------------------------------


class RefusedUpload(UploadedFile):
    """What the form receives for a file the handler cut off: its name, the size it reached and why
    it was refused. Its content is empty; `UploadValidator` refuses it before anything can save it."""

    def __init__(self, *, name: str, size: int, content_type: str | None, reason: str):
        super().__init__(BytesIO(b""), name=name, content_type=content_type, size=size)
        self.refusal = reason


class LimitedUploadHandler(FileUploadHandler):
    """Keeps no more than `settings.FILE_UPLOAD_MAX_BYTES` of any file. It must come first among the
    handlers: returning None for a chunk stops the chunk reaching the memory and temporary-file
    handlers after it."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.FILE_UPLOAD_MAX_BYTES
        self.body_too_big = False
        self.received = 0
        self.cut_off = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # The body is larger than any file may be (plus a margin for the other fields): refuse
        # every file in it from its first byte.
        self.body_too_big = content_length > self.limit + SMALL_PART_MAX
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.cut_off = self.body_too_big

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.cut_off = True
        return None if self.cut_off else raw_data

    def file_complete(self, file_size):
        if not self.cut_off:
            return None  # the next handler has the whole file
        self._close_later_handlers()
        return RefusedUpload(
            name=self.file_name or "fil",
            size=max(self.received, self.limit + 1),
            content_type=self.content_type,
            reason=TOO_BIG_MESSAGE.format(limit=megabytes(self.limit)),
        )

    def _close_later_handlers(self) -> None:
        # The handlers after this one hold the part they got before the cut: drop it now.
        for handler in getattr(self.request, "upload_handlers", []):
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()


# Content checks ------------------------------------------------------------------------------------


def _head(file: IO[bytes], size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _zip(file: IO[bytes]) -> zipfile.ZipFile | None:
    try:
        file.seek(0)
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with archive.open(name) as part:
        return part.read(cap)


def _content_matches(file: IO[bytes], kind: str) -> bool:
    head = _head(file, PDF_SEARCH_BYTES)
    if kind == "pdf":
        return b"%PDF-" in head
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if kind in {"doc", "xls", "ppt"}:
        return head.startswith(OLE2_MAGIC)
    if not head.startswith(b"PK\x03\x04"):
        return False
    archive = _zip(file)
    if archive is None:
        return False
    try:
        names = set(archive.namelist())
        if kind in OOXML_MAIN_PART:
            return "[Content_Types].xml" in names and OOXML_MAIN_PART[kind] in names
        if kind in ODF_MIMETYPE:
            mimetype = _read_capped(archive, "mimetype", 200) if "mimetype" in names else b""
            return mimetype.strip() == ODF_MIMETYPE[kind]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    finally:
        archive.close()
        file.seek(0)
    return False


def _kinds_text(kinds: Iterable[str]) -> str:
    names = list(dict.fromkeys(KIND_NAMES.get(kind, kind) for kind in kinds))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " eller " + names[-1]


def check_upload(
    file, *, kinds: Iterable[str], max_bytes: int | None = None, check_extension: bool = True
) -> None:
    """Refuse a file cut off by the handler, one that is too large, one whose extension is not
    allowed, and one whose content is not what its extension says. With `check_extension=False` a
    file with another extension is left to the field's own FileExtensionValidator."""
    kinds = [kind.lower() for kind in kinds]
    name = getattr(file, "name", "") or "fil"
    refusal = getattr(file, "refusal", None)
    if refusal:
        raise ValidationError(refusal, code="too_big")
    if max_bytes is not None and file.size > max_bytes:
        raise ValidationError(TOO_BIG_MESSAGE.format(limit=megabytes(max_bytes)), code="too_big")
    kind = extension(name)
    if kind not in kinds:
        if not check_extension:
            return
        raise ValidationError(f"Filen {name} ska vara {_kinds_text(kinds)}.", code="extension")
    if not _content_matches(file, kind):
        raise ValidationError(
            f"Filen {name} är inte {KIND_NAMES.get(kind, kind)}: innehållet stämmer inte med "
            f"filändelsen .{kind}. Spara om filen i rätt format och ladda upp den igen.",
            code="content",
        )


@deconstructible
class UploadValidator:
    """A form (or model) field validator: `validators=[UploadValidator(["pdf"], max_bytes=10 * MB)]`.
    A stored file that is not a new upload (an edit form showing the current file) is left alone."""

    def __init__(self, kinds: Iterable[str], *, max_bytes: int | None = None, check_extension: bool = True):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes
        self.check_extension = check_extension

    def __call__(self, file) -> None:
        if not isinstance(file, UploadedFile):
            return
        check_upload(file, kinds=self.kinds, max_bytes=self.max_bytes, check_extension=self.check_extension)

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and (
            self.kinds,
            self.max_bytes,
            self.check_extension,
        ) == (other.kinds, other.max_bytes, other.check_extension)


# Spreadsheets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadsheetFacts:
    sheets: int
    rows: int
    uncompressed: int


def check_spreadsheet(file: IO[bytes], *, name: str = "") -> SpreadsheetFacts:
    """Check an .xlsx before anything parses it. Reads the central directory, workbook.xml (capped)
    and streams the sheets' XML counting rows until the limit is passed; memory stays small
    whatever the file claims."""
    name = name or getattr(file, "name", "") or "filen"
    archive = _zip(file)
    if archive is None:
        raise ValidationError(f"Filen {name} går inte att läsa som en Excelfil (.xlsx).", code="not_zip")
    try:
        return _spreadsheet_facts(archive, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as error:
        raise ValidationError(
            f"Filen {name} är skadad och går inte att läsa som en Excelfil (.xlsx).", code="damaged"
        ) from error
    finally:
        archive.close()
        file.seek(0)


def _spreadsheet_facts(archive: zipfile.ZipFile, name: str) -> SpreadsheetFacts:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ValidationError(f"Filen {name} är inte en Excelfil (.xlsx).", code="content")
    uncompressed = sum(info.file_size for info in infos)
    if uncompressed > settings.XLSX_MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(
            f"Filen {name} packas upp till {megabytes(uncompressed)}, mer än de "
            f"{megabytes(settings.XLSX_MAX_UNCOMPRESSED_BYTES)} som en huvudbok får vara. "
            "Dela upp den i flera filer, t.ex. en per tertial.",
            code="uncompressed",
        )
    for info in infos:
        if info.file_size > SMALL_PART_MAX and info.file_size > settings.XLSX_MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise ValidationError(
                f"Filen {name} är ovanligt hårt packad ({info.filename}) och läses inte in av säkerhetsskäl. "
                "Spara om den i Excel och försök igen.",
                code="ratio",
            )
    sheets = len(SHEET_TAG.findall(_read_capped(archive, "xl/workbook.xml", SMALL_PART_MAX)))
    if sheets > settings.XLSX_MAX_SHEETS:
        raise ValidationError(
            f"Filen {name} har {sheets} blad; högst {settings.XLSX_MAX_SHEETS} går att läsa in. "
            "Ta bort de blad som inte behövs.",
            code="sheets",
        )
    rows = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            with archive.open(info) as part:
                rows += count_rows(part, cap=settings.XLSX_MAX_ROWS - rows, name=name)
    return SpreadsheetFacts(sheets=sheets, rows=rows, uncompressed=uncompressed)


def count_rows(part: IO[bytes], *, cap: int, name: str) -> int:
    """Count `<row>` elements by streaming the XML; refuse as soon as there are more than `cap`."""
    rows = 0
    tail = b""
    while chunk := part.read(XML_CHUNK):
        data = tail + chunk
        # A tag cut by the chunk's end is counted with the next chunk.
        cut = data.rfind(b"<")
        if cut == -1 or b">" in data[cut:]:
            complete, tail = data, b""
        else:
            complete, tail = data[:cut], data[cut:]
        rows += len(ROW_TAG.findall(complete))
        if rows > cap:
            limit = f"{settings.XLSX_MAX_ROWS:,}".replace(",", "\u00a0")
            raise ValidationError(
                f"Filen {name} har fler än {limit} rader; dela upp den i flera filer, t.ex. en per tertial.",
                code="rows",
            )
    return rows
