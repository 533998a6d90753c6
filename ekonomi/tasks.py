"""Economy tasks. Thin: call a service."""

from celery import shared_task

from .models import LedgerUpload
from .services.outcome import ledger_upload_parse, ledger_uploads_remove


@shared_task(bind=True, max_retries=10, soft_time_limit=600, time_limit=660)
def parse_ledger_upload(self, upload_id: int) -> None:
    try:
        ledger_upload_parse(upload_id=upload_id)
    except LedgerUpload.DoesNotExist as error:
        # Queued inside the request's transaction: the row may not be committed yet (or was
        # discarded; then the retries run out quietly).
        raise self.retry(countdown=0.5, exc=error) from error


@shared_task
def remove_abandoned_ledger_uploads() -> int:
    return ledger_uploads_remove()
