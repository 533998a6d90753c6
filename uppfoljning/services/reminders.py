"""E-mail reminders to project owners about tertial and annual reports: one before the due date and
one when the report is late, each sent at most once per report and kept in `ReminderLog`.

Beat runs `send_report_reminders` several times a day; running it again sends nothing new."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from finsam import audit, broker
from forbund.models import Role

from ..models import OPEN_REPORT_STATUSES, ReminderLog, Tertialrapport

logger = logging.getLogger(__name__)

S = Tertialrapport.Status
Kind = ReminderLog.Kind
LATE_NOTICE_DAYS = 60


def send_report_reminders(*, today: datetime.date | None = None) -> int:
    """Queue the reminders that are due today in every förbund; returns how many e-mails were queued.

    Before the due date: reports still open (utkast or returnerad) from `reminder_days` days before
    the due date up to and including it. After it: a late notice for every report still open, for
    up to LATE_NOTICE_DAYS after the due date (older reports are chased by the samordnare, not by
    a first e-mail months later)."""
    today = today or timezone.localdate()
    sent = 0
    for report in _open_reports():
        due = report.period.due_date
        if due - datetime.timedelta(days=report.period.reminder_days) <= today <= due:
            kind = Kind.BEFORE_DUE
        elif due < today <= due + datetime.timedelta(days=LATE_NOTICE_DAYS):
            kind = Kind.LATE
        else:
            continue
        if kind in report.sent_kinds:
            continue
        sent += _remind(report=report, kind=kind, today=today)
    return sent


def _open_reports() -> list[Tertialrapport]:
    reports = list(
        Tertialrapport.objects.filter(status__in=OPEN_REPORT_STATUSES)
        .select_related("period__forbund", "insats__owner")
        .prefetch_related("reminders")
        .order_by("period__forbund_id", "period__due_date", "pk")
    )
    for report in reports:
        report.sent_kinds = {log.kind for log in report.reminders.all()}
    return reports


def project_owner_emails(report: Tertialrapport) -> list[str]:
    """The addresses of the active users who are projektägare in the report's förbund for the member
    organisation that owns the insats."""
    emails = (
        Role.objects.filter(
            forbund_id=report.period.forbund_id,
            kind=Role.Kind.PROJEKTAGARE,
            medlem_id=report.insats.owner_id,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _remind(*, report: Tertialrapport, kind: str, today: datetime.date) -> int:
    recipients = project_owner_emails(report)
    if not recipients:
        logger.warning("Ingen projektägare med e-post att påminna om rapport %s (%s)", report.pk, kind)
        return 0
    with transaction.atomic():
        # The lock makes a second run wait here; it then finds the log row this run wrote.
        status = (
            Tertialrapport.objects.select_for_update().filter(pk=report.pk).values_list("status", flat=True)
        ).first()
        if status not in OPEN_REPORT_STATUSES:
            return 0
        log, created = ReminderLog.objects.get_or_create(
            report=report, kind=kind, defaults={"sent_to": ", ".join(recipients)}
        )
        if not created:
            return 0
        audit.created(
            forbund=report.period.forbund,
            actor=None,
            obj=log,
            description=f"{log.get_kind_display()} skickad till projektägarna: {report}",
        )
        subject, body = reminder_message(report=report, kind=kind, today=today)
        mail = {"subject": subject, "body": body, "to": recipients}
        transaction.on_commit(lambda: _queue_mail(log, mail))
    return 1


def _queue_mail(log: ReminderLog, mail: dict) -> None:
    """Queue the committed reminder. If the broker is down, say so in the log and drop the log row,
    so that the next run (beat runs this several times a day) sends the reminder after all."""
    try:
        broker.send("finsam.tasks.send_email", kwargs=mail)
    except broker.BrokerUnavailable:
        logger.error("Påminnelsen %s kunde inte köas (kön svarar inte); den skickas vid nästa körning", log)
        ReminderLog.objects.filter(pk=log.pk).delete()


# The message ------------------------------------------------------------------------------------


def report_url(report: Tertialrapport) -> str:
    return settings.FINSAM_BASE_URL.rstrip("/") + report.get_absolute_url()


def _days_left(days: int) -> str:
    if days == 0:
        return "i dag"
    if days == 1:
        return "i morgon"
    return f"om {days} dagar"


def reminder_message(*, report: Tertialrapport, kind: str, today: datetime.date) -> tuple[str, str]:
    """The subject and body of a reminder, in Swedish."""
    period, insats, forbund = report.period, report.insats, report.period.forbund
    due = f"{period.due_date:%Y-%m-%d}"
    span = f"{period.start:%Y-%m-%d}–{period.end:%Y-%m-%d}"
    returned = (
        "Rapporten har returnerats för komplettering och behöver skickas in igen.\n\n"
        if report.status == S.RETURNERAD
        else ""
    )
    if kind == Kind.BEFORE_DUE:
        subject = f"Påminnelse: {period} för {insats.name} ska lämnas senast {due}"
        lead = (
            f"Rapporten {period} ({span}) för insatsen {insats.name} ska lämnas till {forbund} "
            f"senast {due}, det vill säga {_days_left((period.due_date - today).days)}."
        )
        action = "Fyll i och skicka in rapporten här:"
    else:
        subject = f"Rapporten är sen: {period} för {insats.name}"
        lead = (
            f"Rapporten {period} ({span}) för insatsen {insats.name} skulle ha lämnats till {forbund} "
            f"senast {due} och är inte inskickad."
        )
        action = "Skicka in rapporten så snart som möjligt här:"
    body = (
        f"Hej!\n\n{lead}\n\n{returned}{action}\n{report_url(report)}\n\n"
        f"Du får det här meddelandet för att du är projektägare för {insats.owner} i {forbund}. "
        "Meddelandet skickas automatiskt av finsam och går inte att svara på.\n"
    )
    return subject, body
