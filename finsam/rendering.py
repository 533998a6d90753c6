"""The one service that turns a template into a stored PDF, used by every document.

A page asks for a document with `document_request`, which creates a `Dokumentjobb` row and queues
the Celery task; the worker calls `document_render`, which renders the document's template with
WeasyPrint and stores the file with its checksum. Pages poll the row, never Celery's results.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from finsam import access
from forbund.models import Dokumentjobb, Forbund, Styrelsemote, User

logger = logging.getLogger(__name__)

RENDER_TASK = "finsam.tasks.render_document"
PDF_VARIANT = "pdf/a-3b"  # archivable: a förbund's documents are allmänna handlingar
STALE_AFTER = timedelta(minutes=10)


class TransientRenderError(Exception):
    """A failure worth retrying (a file system hiccup, a lost connection)."""


# Rendering ------------------------------------------------------------------------------------


def local_url_fetcher():
    """A WeasyPrint fetcher that reads static and media URLs from disk and refuses everything else:
    a document never fetches anything from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme in {"http", "https"} and parsed.netloc == LOCAL_HOST:
                file_path = _local_file(unquote(parsed.path))
                if file_path is not None:
                    mime_type, _ = mimetypes.guess_type(str(file_path))
                    return URLFetcherResponse(
                        url,
                        body=file_path.read_bytes(),
                        headers={"Content-Type": mime_type or "application/octet-stream"},
                    )
            raise ValueError(f"Dokumentet får inte hämta {url}: bara lokala filer används.")

    return LocalOnlyFetcher(allowed_protocols=["http", "https", "data"])


LOCAL_HOST = "finsam.local"


def _local_file(path: str) -> Path | None:
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    media_prefix = "/" + settings.MEDIA_URL.lstrip("/")
    if path.startswith(static_prefix):
        found = finders.find(path[len(static_prefix) :])
        return Path(found) if found else None
    if path.startswith(media_prefix):
        candidate = (Path(settings.MEDIA_ROOT) / path[len(media_prefix) :]).resolve()
        if candidate.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) and candidate.is_file():
            return candidate
    return None


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template to an archivable PDF."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=f"http://{LOCAL_HOST}/", url_fetcher=local_url_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


# Documents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentType:
    """A kind of document. `context(forbund, year)` gives the template's context; a document tied to
    one meeting (`per_meeting`) gets `context(forbund, year, meeting)`. `postprocess(pdf, job)`, when
    given, returns the final PDF (merged attachments, bookmarks, page stamps)."""

    template: str
    context: Callable[..., dict]
    rule: str  # the access rule, about the förbund, that may request it
    per_meeting: bool = False
    postprocess: Callable[[bytes, Dokumentjobb], bytes] | None = None


DOCUMENT_TYPES: dict[str, DocumentType] = {}


def register(
    kind: str,
    *,
    template: str,
    context: Callable,
    rule: str,
    per_meeting: bool = False,
    postprocess: Callable[[bytes, Dokumentjobb], bytes] | None = None,
) -> None:
    DOCUMENT_TYPES[kind] = DocumentType(
        template=template,
        context=context,
        rule=rule,
        per_meeting=per_meeting,
        postprocess=postprocess,
    )


def _enqueue(job: Dokumentjobb) -> None:
    # By name, so that this module does not import the tasks that import it.
    from finsam.celery import app

    transaction.on_commit(lambda: app.send_task(RENDER_TASK, args=[job.pk]))


@transaction.atomic
def document_request(
    *, forbund: Forbund, kind: str, year: int, by: User, meeting: Styrelsemote | None = None
) -> Dokumentjobb:
    """Queue a document. Asking again while one is queued or running returns that job instead.
    A meeting's documents (packet, minutes) name their meeting, which must be the förbund's."""
    document_type = DOCUMENT_TYPES[kind]
    access.require(document_type.rule, by, forbund)
    if document_type.per_meeting and meeting is None:
        raise PermissionDenied("Dokumentet hör till ett möte och beställs från mötets sida.")
    if meeting is not None and not document_type.per_meeting:
        raise ValueError(f"Dokumentet {kind} hör inte till något möte.")
    if meeting is not None and meeting.forbund_id != forbund.pk:
        raise PermissionDenied("Mötet hör till ett annat förbund.")
    Forbund.objects.select_for_update().get(pk=forbund.pk)  # one request at a time per förbund
    running = Dokumentjobb.objects.filter(
        forbund=forbund,
        kind=kind,
        year=year,
        meeting=meeting,
        status__in=[Dokumentjobb.Status.I_KO, Dokumentjobb.Status.PAGAR],
    ).first()
    if running is not None:
        return running
    job = Dokumentjobb.objects.create(forbund=forbund, kind=kind, year=year, meeting=meeting, requested_by=by)
    _enqueue(job)
    return job


@transaction.atomic
def document_retry(*, job: Dokumentjobb, by: User) -> Dokumentjobb:
    """Try a failed document again, as a new job (the failed one stays with its error)."""
    return document_request(forbund=job.forbund, kind=job.kind, year=job.year, by=by, meeting=job.meeting)


def _claim(job_id: int) -> Dokumentjobb | None:
    with transaction.atomic():
        job = (
            Dokumentjobb.objects.select_for_update(of=("self", "forbund"))
            .select_related("forbund", "meeting")
            .get(pk=job_id)
        )
        if job.status in {Dokumentjobb.Status.KLAR, Dokumentjobb.Status.MISSLYCKAD}:
            return None
        job.status = Dokumentjobb.Status.PAGAR
        job.started_at = timezone.now()
        job.attempts += 1
        job.progress = "Hämtar uppgifterna ur databasen"
        job.save(update_fields=["status", "started_at", "attempts", "progress"])
        return job


def _progress(job: Dokumentjobb, text: str) -> None:
    Dokumentjobb.objects.filter(pk=job.pk).update(progress=text)


def document_render(*, job_id: int) -> Dokumentjobb | None:
    """Render one queued job (called by the worker). A transient failure is raised for Celery to
    retry; any other failure ends the job as misslyckad with the reason."""
    job = _claim(job_id)
    if job is None:
        return None
    document_type = DOCUMENT_TYPES[job.kind]
    try:
        if document_type.per_meeting:
            context = document_type.context(job.forbund, job.year, job.meeting)
            context["meeting"] = job.meeting
        else:
            context = document_type.context(job.forbund, job.year)
        context.update(job=job, forbund=job.forbund, year=job.year, generated_at=timezone.now())
        _progress(job, "Sätter dokumentet")
        pdf = render_pdf(document_type.template, context)
        if document_type.postprocess is not None:
            _progress(job, "Lägger till bilagor och sidnummer")
            pdf = document_type.postprocess(pdf, job)
        _progress(job, "Sparar filen")
        job.file.save(job.filename, ContentFile(pdf), save=False)
    except (OSError, TransientRenderError) as error:
        Dokumentjobb.objects.filter(pk=job.pk).update(
            status=Dokumentjobb.Status.I_KO,
            progress="Försöker igen efter ett tillfälligt fel",
            error=str(error),
        )
        raise TransientRenderError(str(error)) from error
    except Exception as error:
        logger.exception("Dokumentjobb %s misslyckades", job.pk)
        Dokumentjobb.objects.filter(pk=job.pk).update(
            status=Dokumentjobb.Status.MISSLYCKAD,
            finished_at=timezone.now(),
            progress="",
            error=f"Dokumentet kunde inte skapas: {error}",
        )
        return Dokumentjobb.objects.get(pk=job.pk)
    job.checksum = hashlib.sha256(pdf).hexdigest()
    job.status = Dokumentjobb.Status.KLAR
    job.finished_at = timezone.now()
    job.progress = ""
    job.error = ""
    job.save(update_fields=["file", "checksum", "status", "finished_at", "progress", "error"])
    return job


def document_fail_exhausted(*, job_id: int, error: str) -> None:
    """After the last retry of a transient failure the job is marked as failed."""
    Dokumentjobb.objects.filter(pk=job_id).exclude(status=Dokumentjobb.Status.KLAR).update(
        status=Dokumentjobb.Status.MISSLYCKAD,
        finished_at=timezone.now(),
        progress="",
        error=f"Dokumentet kunde inte skapas efter flera försök: {error}",
    )


def requeue_stale_jobs(*, now=None) -> int:
    """Queue again the jobs whose worker died: running too long, or never picked up."""
    now = now or timezone.now()
    stale = Dokumentjobb.objects.filter(
        status=Dokumentjobb.Status.PAGAR, started_at__lt=now - STALE_AFTER
    ) | Dokumentjobb.objects.filter(status=Dokumentjobb.Status.I_KO, requested_at__lt=now - STALE_AFTER)
    count = 0
    for job in stale:
        Dokumentjobb.objects.filter(pk=job.pk).update(status=Dokumentjobb.Status.I_KO, progress="Köas om")
        _enqueue(job)
        count += 1
    return count
