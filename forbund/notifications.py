"""Notifications: the one way the app tells people that something concerns them.

`notify(kind=…, forbund=…, recipients=…, title=…, url=…)` is called by the services (and the
workflow receivers in `forbund.notifications_events`) when something happens. It

- creates one in-app `Notification` per recipient in the caller's transaction (so an event that is
  rolled back leaves no notice behind), never for the one who acted (`actor`) and never twice for
  the same person;
- decides per recipient, from their `NotificationPreference` for that kind (none means *Direkt*),
  whether the notification is e-mailed at once, waits for the daily summary, or is not e-mailed;
- after commit hands the e-mails to the worker (`broker.send`). If the broker is down the
  notifications stay as they are, marked to be sent, and the beat sweep
  (`forbund.tasks.send_pending_notification_emails`) sends them when the worker is back.

E-mails are plain Swedish text with absolute links built from `settings.FINSAM_BASE_URL`. Sending
locks the rows it sends (`select_for_update(skip_locked=True)`), so the task for one event and the
sweep never send the same notification twice.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from finsam import broker
from forbund.models import Delivery, Forbund, Notification, NotificationKind, NotificationPreference, User

logger = logging.getLogger(__name__)

Kind = NotificationKind

SEND_TASK = "forbund.tasks.send_notification_emails"

# Off while `without_email()` runs: history loaded in bulk (the demo) is shown in the app only.
_email_on: ContextVar[bool] = ContextVar("notification_email_on", default=True)


@contextlib.contextmanager
def without_email() -> Iterator[None]:
    """Notifications made inside are shown in the app but not e-mailed: for loading history that
    happened long ago (the demo), where an e-mail about each step would only be noise."""
    token = _email_on.set(False)
    try:
        yield
    finally:
        _email_on.reset(token)


_EMAIL_STATE = {
    Delivery.IMMEDIATELY: Notification.Email.PENDING,
    Delivery.DIGEST: Notification.Email.DIGEST,
    Delivery.OFF: Notification.Email.NONE,
}


def absolute(url: str) -> str:
    """A path in finsam as a link that works from an e-mail."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.FINSAM_BASE_URL.rstrip("/") + "/" + url.lstrip("/")


def deliveries(user: User) -> dict[str, str]:
    """The user's choice per kind, every kind present (no row means *Direkt*)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.IMMEDIATELY) for kind in Kind.values}


def notify(
    *,
    kind: str,
    forbund: Forbund,
    recipients: Iterable[User],
    title: str,
    url: str,
    body: str = "",
    actor: User | None = None,
    email: bool = True,
) -> list[Notification]:
    """Tell `recipients` that something of `kind` happened in `forbund`; returns the notifications.
    `email=False` when the caller sends its own e-mail for the event (the notice with its calendar
    file, the request to confirm an application): the notification is then shown in the app only."""
    kind = Kind(kind)
    people: dict[int, User] = {}
    for user in recipients:
        if user is None or user.pk is None or not user.is_active:
            continue
        if actor is not None and user.pk == actor.pk:
            continue  # nobody is told about what they did themselves
        people.setdefault(user.pk, user)
    if not people:
        return []
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=list(people), kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    created = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            forbund=forbund,
            kind=kind,
            title=title[:300],
            body=body,
            url=url,
            actor=actor,
            email=(
                _EMAIL_STATE[chosen.get(user.pk, Delivery.IMMEDIATELY)]
                if user.email and email and _email_on.get()
                else Notification.Email.NONE
            ),
        )
        for user in people.values()
    )
    pending = [item.pk for item in created if item.email == Notification.Email.PENDING]
    if pending:
        transaction.on_commit(lambda: _queue(pending))
    return created


def _queue(ids: list[int]) -> None:
    try:
        broker.send(SEND_TASK, kwargs={"ids": ids})
    except broker.BrokerUnavailable:
        # The notifications are in the app already; the beat sweep e-mails them later.
        logger.warning("Notiserna %s kunde inte köas för e-post; de skickas vid nästa svep", ids)


# Reading and marking ------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def for_user(user: User):
    """The user's notifications, unread first, newest first."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("forbund", "actor")
        .annotate(is_unread=Q(read_at__isnull=True))
        .order_by("-is_unread", "-created_at", "-pk")
    )


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    items = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        items = items.filter(pk__in=list(ids))
    return items.update(read_at=timezone.now())


def set_deliveries(*, user: User, chosen: dict[str, str]) -> None:
    """Store the user's choice per kind."""
    with transaction.atomic():
        for kind, delivery in chosen.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=Kind(kind), defaults={"delivery": Delivery(delivery)}
            )


# E-mail -------------------------------------------------------------------------------------------


def _footer() -> str:
    return (
        "\n\n-- \nDet här meddelandet kommer från finsam. Du väljer själv vilka notiser du får med "
        "e-post, direkt eller som en daglig sammanfattning:\n"
        f"{absolute(reverse('notifications:preferences'))}\n"
    )


def email_message(notification: Notification) -> tuple[str, str]:
    """The subject and body of the e-mail for one notification."""
    lines = [f"Hej {notification.recipient}!", "", notification.title]
    if notification.body:
        lines += ["", notification.body]
    lines += ["", f"Öppna i finsam: {absolute(notification.url)}"]
    subject = f"{notification.title} – {notification.forbund}"
    return subject[:200], "\n".join(lines) + _footer()


def digest_message(user: User, items: list[Notification]) -> tuple[str, str]:
    """One e-mail with the user's waiting notifications, oldest first."""
    count = len(items)
    subject = f"finsam: {count} {'ny notis' if count == 1 else 'nya notiser'} sedan i går"
    lines = [f"Hej {user}!", "", "Det här har hänt i finsam som rör dig:"]
    for item in items:
        when = timezone.localtime(item.created_at)
        lines += ["", f"{when:%Y-%m-%d %H:%M} – {item.forbund}: {item.title}"]
        if item.body:
            lines += [f"  {line}" for line in item.body.splitlines()]
        lines.append(f"  {absolute(item.url)}")
    lines += ["", f"Alla dina notiser: {absolute(reverse('notifications:list'))}"]
    return subject, "\n".join(lines) + _footer()


def send_immediate(*, ids: Iterable[int] | None = None) -> int:
    """E-mail the notifications waiting to be sent at once (those in `ids`, or all of them); returns
    how many were sent. A row another run is sending is skipped, so nothing goes out twice."""
    sent = 0
    waiting = Notification.objects.filter(email=Notification.Email.PENDING)
    if ids is not None:
        waiting = waiting.filter(pk__in=list(ids))
    for pk in waiting.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            item = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "forbund")
                .filter(pk=pk, email=Notification.Email.PENDING)
                .first()
            )
            if item is None:
                continue
            if item.recipient.email and item.recipient.is_active:
                subject, body = email_message(item)
                send_mail(subject, body, None, [item.recipient.email])
                item.email, item.emailed_at = Notification.Email.SENT, timezone.now()
                sent += 1
            else:
                item.email = Notification.Email.NONE
            item.save(update_fields=["email", "emailed_at"])
    return sent


def send_digests() -> int:
    """One e-mail per person with their notifications waiting for the daily summary; returns how many
    e-mails were sent. Everything waiting is included, so a day beat missed is not lost."""
    sent = 0
    waiting = defaultdict(list)
    for pk, recipient_id in (
        Notification.objects.filter(email=Notification.Email.DIGEST)
        .order_by("created_at", "pk")
        .values_list("pk", "recipient_id")
    ):
        waiting[recipient_id].append(pk)
    for pks in waiting.values():
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient", "forbund")
                .filter(pk__in=pks, email=Notification.Email.DIGEST)
                .order_by("created_at", "pk")
            )
            if not items:
                continue
            user = items[0].recipient
            now = timezone.now()
            if user.email and user.is_active:
                subject, body = digest_message(user, items)
                send_mail(subject, body, None, [user.email])
                sent += 1
                Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                    email=Notification.Email.SENT, emailed_at=now
                )
            else:
                Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                    email=Notification.Email.NONE
                )
    return sent
