"""Sending the notice (kallelse): the agenda and its papers are frozen as a new `NoticeVersion`, the
board is e-mailed with a calendar file, and the meeting takes the automatic step to kallat (a new
version is the step kallat → kallat, so the history shows each version)."""

from __future__ import annotations

from email.utils import formataddr

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from finsam import access, audit, broker, concurrency, workflow
from forbund.models import AgendaItem, MeetingStatus, NoticeVersion, Styrelsemote, User

from ..selectors.notice import ics_filename, meeting_ics, notice_email, notice_recipients, notice_snapshot


@transaction.atomic
def notice_send(
    *,
    meeting: Styrelsemote,
    by: User,
    notice_text: str | None = None,
    opened_version: int | None = None,
) -> NoticeVersion:
    """Freeze the agenda and papers as a new notice version, e-mail it with a calendar file to
    every ledamot and ersättare with an e-mail address, and mark the meeting kallat. Refused when
    the meeting changed (date, place, status) since the page was opened on `opened_version`."""
    current = concurrency.lock_current(meeting, opened_version)
    access.require("send_notice", by, current)
    meeting = current
    if notice_text is not None and notice_text.strip() != meeting.notice_text:
        before = audit.values(meeting)
        meeting.notice_text = notice_text.strip()
        meeting.lock_version += 1
        meeting.save(update_fields=["notice_text", "lock_version"])
        audit.changed(forbund=meeting.forbund, actor=by, obj=meeting, before=before)
    if not AgendaItem.objects.filter(meeting=meeting).exists():
        raise ValidationError("Dagordningen är tom. Lägg till punkter innan kallelsen skickas.")
    recipients = notice_recipients(meeting)
    version = (meeting.notices.aggregate(last=Max("version"))["last"] or 0) + 1
    notice = NoticeVersion.objects.create(
        meeting=meeting,
        version=version,
        sent_by=by,
        recipients="\n".join(formataddr((p.name, p.email)) for p in recipients),
        snapshot=notice_snapshot(meeting),
    )
    audit.created(
        forbund=meeting.forbund,
        actor=by,
        obj=notice,
        description=f"{meeting}: skickade kallelse version {version} till {len(recipients)} mottagare",
    )
    workflow.transition(
        meeting, to=MeetingStatus.KALLAT, by=by, comment=f"Kallelse version {version}", automatic=True
    )
    ics = meeting_ics(meeting, sequence=version - 1)
    filename = ics_filename(meeting)
    for person in recipients:
        subject, body = notice_email(meeting=meeting, notice=notice, person=person)
        message = {"subject": subject, "body": body, "to": [person.email], "ics": ics, "filename": filename}
        # Queued inside the transaction: a broker that is down raises BrokerUnavailable and the
        # notice is not recorded as sent.
        broker.send("finsam.tasks.send_email_with_ics", kwargs=message)
    return notice
