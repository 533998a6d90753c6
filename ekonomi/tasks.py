"""Economy tasks. Thin: call a service."""

from celery import shared_task

from .services.outcome import staged_ledgers_remove


@shared_task
def remove_abandoned_ledger_uploads() -> int:
    return staged_ledgers_remove()
