"""The förbund's background tasks. Thin: load by id, call a service."""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def publish_adoption(adoption_id: int) -> None:
    from forbund.meetings.services import adoption

    adoption.publish(adoption_id=adoption_id)


@shared_task
def publish_waiting_adoptions() -> int:
    from forbund.meetings.services import adoption

    return adoption.publish_waiting()
