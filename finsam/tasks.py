"""Tasks that belong to no single app."""

from celery import shared_task
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None) -> int:
    return send_mail(subject, body, from_email, to)
