"""The one service that turns a template into a stored PDF, used by every document.

A page asks for a document with `document_request`, which creates a `Dokumentjobb` row and queues
the Celery task in the same transaction (a broker that is down raises `BrokerUnavailable` and leaves
no row); the worker calls `document_render`, which renders the document's template with WeasyPrint
and stores the file with its checksum. Pages poll the row, never Celery's results.

A worker can die mid-render (killed, out of memory, the machine restarted). While it renders it
writes a heartbeat on the row every `HEARTBEAT_EVERY` seconds; beat's sweep (`requeue_stale_jobs`,
every 30 s) queues again a running job whose heartbeat is older than `HEARTBEAT_STALE` and a queued
job nobody picked up in that time, so the document is made within two minutes by another worker.
After `MAX_ATTEMPTS` interrupted attempts the job is misslyckad. Deliveries may repeat (acks_late,
the sweep): `_claim` takes a job only when it is queued or its worker has gone quiet, and only the
attempt that holds the claim may finish it.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from finsam import access, broker
from forbund.models import Dokumentjobb, Forbund, Styrelsemote, User

logger = logging.getLogger(__name__)

RENDER_TASK = "finsam.tasks.render_document"
PDF_VARIANT = "pdf/a-3b"  # archivable: a förbund's documents are allmänna handlingar
HEARTBEAT_EVERY = 10.0  # seconds between a rendering worker's heartbeats
HEARTBEAT_STALE = timedelta(seconds=60)  # a running job this quiet has lost its worker
MAX_ATTEMPTS = 3  # interrupted attempts before a job counts as misslyckad


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


STAMP_HTML = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; font-family: "DejaVu Sans", sans-serif; }}
p {{ position: absolute; left: 22mm; bottom: 9mm; margin: 0; font-size: 8.5pt; font-weight: bold;
     color: #0b3d6e; }}
</style></head><body><p>{line}</p></body></html>"""


def stamp_pages(pdf: bytes, line: str) -> bytes:
    """Print `line` in the footer band of every page of `pdf` (a fastställd edition's adoption
    line): a one-page stamp rendered by WeasyPrint, drawn over each page as one shared form."""
    from django.utils.html import escape

    return _overlay_every_page(pdf, STAMP_HTML.format(line=escape(line)))


DRAFT_HTML = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 0; }
body { margin: 0; font-family: "DejaVu Sans", sans-serif; }
.utkast { position: absolute; top: 120mm; left: 0; width: 210mm; text-align: center;
  transform: rotate(-45deg); font-size: 110pt; font-weight: bold;
  color: rgba(180, 30, 30, 0.16); margin: 0; }
.rad { position: absolute; left: 22mm; bottom: 9mm; margin: 0; font-size: 8.5pt; color: #8a1c1c; }
</style></head><body><p class="utkast">UTKAST</p><p class="rad">Utkast – inte fastställt</p></body></html>"""


def mark_draft(pdf: bytes) -> bytes:
    """The draft edition of an adoptable document: its master with UTKAST across every page and
    "Utkast – inte fastställt" in the footer band, drawn as one shared form. The worker used to set
    the whole document a second time for this; the text and pages are the master's either way."""
    return _overlay_every_page(pdf, DRAFT_HTML)


def _overlay_every_page(pdf: bytes, stamp_html: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    from finsam import pdfoverlay

    stamp_pdf = HTML(string=stamp_html).write_pdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    stamp = pdfoverlay.form_xobject(writer, PdfReader(io.BytesIO(stamp_pdf)).pages[0])
    for page in writer.pages:
        pdfoverlay.draw(writer, page, stamp)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


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
    access.DOCUMENT_RULES[kind] = rule
    DOCUMENT_TYPES[kind] = DocumentType(
        template=template,
        context=context,
        rule=rule,
        per_meeting=per_meeting,
        postprocess=postprocess,
    )


def _enqueue(job: Dokumentjobb) -> None:
    """Publish now, inside the caller's transaction: `BrokerUnavailable` rolls the row back."""
    broker.send(RENDER_TASK, args=[job.pk])


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
    job = Dokumentjobb.objects.create(
        forbund=forbund,
        kind=kind,
        year=year,
        meeting=meeting,
        requested_by=by,
        heartbeat_at=timezone.now(),
    )
    _enqueue(job)
    return job


INTERRUPTED = "Arbetet med dokumentet avbröts: bakgrundstjänsten slutade svara."


@transaction.atomic
def document_retry(*, job: Dokumentjobb, by: User) -> Dokumentjobb:
    """Try a failed document again, as a new job (the failed one stays with its error). A job whose
    worker has been silent for `Dokumentjobb.STALLED_AFTER` may be retried too: it is closed as
    misslyckad first, so the new request does not return it."""
    job = (
        Dokumentjobb.objects.select_for_update(of=("self",))
        .select_related("forbund", "meeting")
        .get(pk=job.pk)
    )
    access.require("retry_document", by, job)
    if job.is_running:
        Dokumentjobb.objects.filter(pk=job.pk).update(
            status=Dokumentjobb.Status.MISSLYCKAD, finished_at=timezone.now(), progress="", error=INTERRUPTED
        )
    return document_request(forbund=job.forbund, kind=job.kind, year=job.year, by=by, meeting=job.meeting)


class JobNotVisible(Exception):
    """The task arrived before the transaction that created its row was committed (or it was rolled
    back): the worker tries again shortly."""


def _claim(job_id: int) -> Dokumentjobb | None:
    """Take the job for this attempt, or None when it needs no work: finished, failed, or running
    in a worker that is still alive (a repeated delivery)."""
    now = timezone.now()
    with transaction.atomic():
        try:
            job = (
                Dokumentjobb.objects.select_for_update(of=("self", "forbund"))
                .select_related("forbund", "meeting")
                .get(pk=job_id)
            )
        except Dokumentjobb.DoesNotExist as error:
            raise JobNotVisible(f"Dokumentjobb {job_id} finns inte (ännu)") from error
        if job.status in {Dokumentjobb.Status.KLAR, Dokumentjobb.Status.MISSLYCKAD}:
            return None
        if job.status == Dokumentjobb.Status.PAGAR and not _quiet(job, now):
            return None
        job.status = Dokumentjobb.Status.PAGAR
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        job.progress = "Hämtar uppgifterna ur databasen"
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "progress"])
        return job


def _quiet(job: Dokumentjobb, now) -> bool:
    return (job.heartbeat_at or job.requested_at) < now - HEARTBEAT_STALE


def _mine(job: Dokumentjobb):
    """The row as long as this attempt holds it (another worker may have taken over a quiet job)."""
    return Dokumentjobb.objects.filter(pk=job.pk, status=Dokumentjobb.Status.PAGAR, attempts=job.attempts)


def _progress(job: Dokumentjobb, text: str) -> None:
    _mine(job).update(progress=text, heartbeat_at=timezone.now())


class _Heartbeat:
    """Beats on the job's row from a thread while the worker renders (WeasyPrint can take a while
    between progress steps). The thread has its own database connection and closes it."""

    def __init__(self, job: Dokumentjobb):
        self.job = job
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"dokumentjobb-{job.pk}", daemon=True)

    def _run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_EVERY):
                try:
                    _mine(self.job).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning(
                        "Dokumentjobb %s: kunde inte skriva livstecken", self.job.pk, exc_info=True
                    )
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=2)


def document_render(*, job_id: int) -> Dokumentjobb | None:
    """Render one queued job (called by the worker). A transient failure is raised for Celery to
    retry; any other failure ends the job as misslyckad with the reason. Returns the job as stored,
    or None when there was nothing to do (a repeated delivery)."""
    job = _claim(job_id)
    if job is None:
        return None
    with _Heartbeat(job):
        return _render_claimed(job)


def _render_claimed(job: Dokumentjobb) -> Dokumentjobb:
    document_type = DOCUMENT_TYPES[job.kind]
    try:
        if document_type.per_meeting:
            context = document_type.context(job.forbund, job.year, job.meeting)
            context["meeting"] = job.meeting
        else:
            context = document_type.context(job.forbund, job.year)
        context.update(job=job, forbund=job.forbund, year=job.year, generated_at=timezone.now())
        _progress(job, "Sätter dokumentet")
        pdf = render_pdf(document_type.template, {**context, "draft": False})
        master = None
        if job.is_adoptable:  # the master is what a fastställd edition is stamped onto
            _progress(job, "Märker utkastet")
            master, pdf = pdf, mark_draft(pdf)
        if document_type.postprocess is not None:
            _progress(job, "Lägger till bilagor och sidnummer")
            pdf = document_type.postprocess(pdf, job)
        _progress(job, "Sparar filen")
        job.file.save(job.filename, ContentFile(pdf), save=False)
        if master is not None:
            job.master_file.save(job.filename, ContentFile(master), save=False)
    except (OSError, TransientRenderError) as error:
        _mine(job).update(
            status=Dokumentjobb.Status.I_KO,
            progress="Försöker igen efter ett tillfälligt fel",
            error=str(error),
            heartbeat_at=timezone.now(),
        )
        raise TransientRenderError(str(error)) from error
    except Exception as error:
        logger.exception("Dokumentjobb %s misslyckades", job.pk)
        _mine(job).update(
            status=Dokumentjobb.Status.MISSLYCKAD,
            finished_at=timezone.now(),
            progress="",
            error=f"Dokumentet kunde inte skapas: {error}",
        )
        return Dokumentjobb.objects.get(pk=job.pk)
    finished = _mine(job).update(
        file=job.file.name,
        checksum=hashlib.sha256(pdf).hexdigest(),
        master_file=job.master_file.name or "",
        master_checksum=hashlib.sha256(master).hexdigest() if master is not None else "",
        status=Dokumentjobb.Status.KLAR,
        finished_at=timezone.now(),
        progress="",
        error="",
    )
    if not finished:  # the job was taken over or closed while this worker was silent: its file is not used
        logger.warning("Dokumentjobb %s blev klart i ett försök som inte längre gällde", job.pk)
        job.file.delete(save=False)
        if job.master_file:
            job.master_file.delete(save=False)
    return Dokumentjobb.objects.select_related("forbund", "meeting").get(pk=job.pk)


def document_fail_exhausted(*, job_id: int, error: str) -> None:
    """After the last retry of a transient failure the job is marked as failed."""
    Dokumentjobb.objects.filter(pk=job_id).exclude(status=Dokumentjobb.Status.KLAR).update(
        status=Dokumentjobb.Status.MISSLYCKAD,
        finished_at=timezone.now(),
        progress="",
        error=f"Dokumentet kunde inte skapas efter flera försök: {error}",
    )


def requeue_stale_jobs(*, now=None) -> int:
    """Queue again the jobs whose worker vanished (running, but no heartbeat for `HEARTBEAT_STALE`)
    and the queued jobs no worker picked up in that time; a job interrupted `MAX_ATTEMPTS` times is
    misslyckad instead. Returns how many jobs were queued again."""
    now = now or timezone.now()
    cutoff = now - HEARTBEAT_STALE
    stale = Dokumentjobb.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, requested_at__lt=cutoff),
        status__in=[Dokumentjobb.Status.I_KO, Dokumentjobb.Status.PAGAR],
    )
    count = 0
    for job_id in stale.values_list("pk", flat=True):
        try:
            count += _requeue(job_id, now)
        except broker.BrokerUnavailable:
            logger.warning("Dokumentjobb %s kunde inte köas om: kön svarar inte", job_id)
    return count


@transaction.atomic
def _requeue(job_id: int, now) -> int:
    job = Dokumentjobb.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
    if job is None or not job.is_running or not _quiet(job, now):
        return 0  # finished, or a worker took it, since the sweep looked
    if job.status == Dokumentjobb.Status.PAGAR and job.attempts >= MAX_ATTEMPTS:
        logger.warning("Dokumentjobb %s avbröts %s gånger och räknas som misslyckat", job.pk, job.attempts)
        Dokumentjobb.objects.filter(pk=job.pk).update(
            status=Dokumentjobb.Status.MISSLYCKAD,
            finished_at=now,
            progress="",
            error=f"{INTERRUPTED} Det avbröts {job.attempts} gånger.",
        )
        return 0
    progress = "Köas om: arbetet avbröts" if job.status == Dokumentjobb.Status.PAGAR else "Köas om"
    Dokumentjobb.objects.filter(pk=job.pk).update(
        status=Dokumentjobb.Status.I_KO, progress=progress, heartbeat_at=now
    )
    _enqueue(job)
    return 1
