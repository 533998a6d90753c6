"""Follow-up tasks. Thin: call a service."""

from celery import shared_task

from .services import reminders


@shared_task
def send_report_reminders() -> int:
    return reminders.send_report_reminders()
