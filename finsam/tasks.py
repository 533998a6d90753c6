"""Tasks that belong to no single app. Thin: load by id, call a service."""

from celery import shared_task
from django.core.mail import EmailMessage, send_mail

from finsam import rendering


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


@shared_task(bind=True, max_retries=3)
def render_document(self, job_id: int) -> None:
    try:
        rendering.document_render(job_id=job_id)
    except rendering.TransientRenderError as error:
        if self.request.retries >= self.max_retries:
            rendering.document_fail_exhausted(job_id=job_id, error=str(error))
            return
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task
def requeue_stale_documents() -> int:
    return rendering.requeue_stale_jobs()
