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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(ids: list[int]) -> int:
    from forbund import notifications

    return notifications.send_immediate(ids=ids)


@shared_task
def send_pending_notification_emails() -> int:
    """The sweep: e-mails notifications whose task never reached the worker (broker down)."""
    from forbund import notifications

    return notifications.send_immediate()


@shared_task
def send_notification_digests() -> int:
    from forbund import notifications

    return notifications.send_digests()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(self, invitation_id: int, token: str) -> bool:
    """E-mail an invitation's link. The token travels only in this message (the database keeps its
    hash). Queued inside the transaction that saves the invitation, so the row may not be visible
    yet: retried briefly."""
    from forbund.accounts import emails
    from forbund.models import Invitation

    if not Invitation.objects.filter(pk=invitation_id).exists():
        raise self.retry(countdown=1, max_retries=10)
    return emails.send_invitation(invitation_id=invitation_id, token=token)
