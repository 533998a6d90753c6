"""Stored files handed to the browser.

Every download view answers through `file_response`, so a record whose file has gone from the
media directory (a lost volume, a restore without media, a hand-deleted file) gives the user a
Swedish 404 that says what happened, and the log names the record, instead of a 500.
`manage.py check_media` lists such records ahead of time.
"""

from __future__ import annotations

import logging

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)

MISSING_FILE_MESSAGE = "Filen finns inte längre i arkivet. Kontakta samordnaren."


def file_response(field_file: FieldFile, *, filename: str, as_attachment: bool = True) -> FileResponse:
    """The stored file as a download, or Http404 with a Swedish message when it cannot be read."""
    if not field_file:
        _log_missing(field_file, "inget filnamn")
        raise Http404(MISSING_FILE_MESSAGE)
    try:
        handle = field_file.open("rb")
    except OSError as error:
        _log_missing(field_file, error.strerror or type(error).__name__)
        raise Http404(MISSING_FILE_MESSAGE) from error
    return FileResponse(handle, as_attachment=as_attachment, filename=filename)


def _log_missing(field_file: FieldFile, reason: str) -> None:
    record = field_file.instance
    logger.warning(
        "Filen saknas för %s %s (fält %s, sökväg %r): %s",
        record._meta.label,
        record.pk,
        field_file.field.name,
        field_file.name,
        reason,
    )
