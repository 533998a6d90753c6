"""Tasks that belong to no single app. Thin: load by id, call a service."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.core.mail import EmailMessage, send_mail
from django.db import connection

from finsam import health, rendering

logger = logging.getLogger(__name__)

# A render task may reach the worker before the web request's transaction commits its row.
UNSEEN_JOB_RETRIES = 5


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    return send_mail(subject, body, from_email, to)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_with_ics(
    *, subject: str, body: str, to: list[str], ics: str, filename: str, from_email: str | None = None
) -> int:
    """A plain-text e-mail with a calendar file (.ics) attached, e.g. a meeting's notice."""
    message = EmailMessage(subject, body, from_email, to)
    message.attach(filename, ics, "text/calendar")
    return message.send()


@shared_task(bind=True, max_retries=max(rendering.MAX_ATTEMPTS, UNSEEN_JOB_RETRIES))
def render_document(self, job_id: int) -> None:
    try:
        rendering.document_render(job_id=job_id)
    except rendering.JobNotVisible as error:
        if self.request.retries >= UNSEEN_JOB_RETRIES:
            logger.warning("%s: ges upp (raden skapades aldrig)", error)
            return
        raise self.retry(exc=error, countdown=1) from error
    except rendering.TransientRenderError as error:
        if self.request.retries >= rendering.MAX_ATTEMPTS:
            rendering.document_fail_exhausted(job_id=job_id, error=str(error))
            return
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task
def requeue_stale_documents() -> int:
    return rendering.requeue_stale_jobs()


@shared_task(bind=True)
def worker_heartbeat(self) -> None:
    """Run by beat every 30 s: the worker that takes it proves the queue is being worked."""
    health.record_worker_heartbeat(self.request.hostname or "okänd")


@worker_ready.connect
def _heartbeat_on_start(sender, **kwargs) -> None:
    """A worker counts as up for /halsa/ from the start, not only after beat's first heartbeat."""
    try:
        health.record_worker_heartbeat(sender.hostname)
    except Exception:  # the worker must start even when the database is not there yet
        logger.warning("Kunde inte skriva workerns livstecken", exc_info=True)
    finally:
        connection.close()  # not carried into the pool's processes
