"""Reads for the notice (kallelse): who gets it, what a version freezes, the e-mail to each board
member, the calendar file (iCalendar, RFC 5545) and who received which version."""

from __future__ import annotations

import datetime
import hashlib
from email.utils import getaddresses

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from forbund.models import AgendaItem, NoticeVersion, Person, Styrelsemote, Styrelseuppdrag

MEETING_LENGTH = datetime.timedelta(hours=3)


def notice_recipients(meeting: Styrelsemote) -> list[Person]:
    """Every ledamot and ersättare on the board at the meeting's date who has an e-mail address,
    each once, ledamöter first."""
    uppdrag = (
        Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id, start__lte=meeting.date)
        .exclude(end__lt=meeting.date)
        .exclude(medlem__left__lt=meeting.date)
        .exclude(person__email="")
        .select_related("person")
        .order_by("role", "person__name")  # "ersattare" < "ledamot"
    )
    people: dict[int, Person] = {}
    for role in (Styrelseuppdrag.Role.LEDAMOT, Styrelseuppdrag.Role.ERSATTARE):
        for u in uppdrag:
            if u.role == role and u.person.email:
                people.setdefault(u.person_id, u.person)
    return list(people.values())


def _sha256(field_file) -> str:
    digest = hashlib.sha256()
    with field_file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def notice_snapshot(meeting: Styrelsemote) -> dict:
    """The agenda and its papers as they stand: what a notice version freezes."""
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "insats", "tertialrapport__insats", "tertialrapport__period", "budget", "dokumentjobb"
        )
        .prefetch_related("attachments", "delegationsbeslut")
        .order_by("order", "id")
    )
    return {
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
        "place": meeting.place,
        "video_link": meeting.video_link,
        "notice_text": meeting.notice_text,
        "items": [
            {
                "id": item.pk,
                "number": number,
                "kind": item.kind,
                "kind_label": item.get_kind_display(),
                "title": item.title,
                "proposal": item.proposal,
                "presenter": item.presenter,
                "added_late": item.added_late,
                "linked": str(item.linked) if item.linked else "",
                "attachments": [
                    {
                        "title": a.title,
                        "file_name": a.file.name.rsplit("/", 1)[-1],
                        "sha256": _sha256(a.file),
                    }
                    for a in item.attachments.all()
                ],
                "delegationsbeslut": [str(d) for d in item.delegationsbeslut.all()],
            }
            for number, item in enumerate(items, start=1)
        ],
    }


def meeting_url(meeting: Styrelsemote) -> str:
    return f"{settings.FINSAM_BASE_URL}{meeting.get_absolute_url()}"


def ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 asks (continuations start with a space)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: Styrelsemote, *, sequence: int = 0, now: datetime.datetime | None = None) -> str:
    """A calendar file (iCalendar, RFC 5545) with the meeting as one event, times in UTC."""
    location = meeting.place or meeting.video_link
    description = f"Kallelse och handlingar: {meeting_url(meeting)}"
    if meeting.place and meeting.video_link:
        description += f"\nVideolänk: {meeting.video_link}"
    if meeting.start_time:
        start = meeting.starts_at
        when = [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(start + MEETING_LENGTH)}"]
    else:
        when = [
            f"DTSTART;VALUE=DATE:{meeting.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{meeting.date + datetime.timedelta(days=1):%Y%m%d}",
        ]
    host = settings.FINSAM_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "finsam"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//finsam//Styrelsemöte//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:styrelsemote-{meeting.pk}@{host}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        *when,
        f"SUMMARY:{ics_escape(f'Styrelsemöte, {meeting.forbund.name}')}",
        f"LOCATION:{ics_escape(location)}",
        f"DESCRIPTION:{ics_escape(description)}",
        f"URL:{meeting_url(meeting)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def ics_filename(meeting: Styrelsemote) -> str:
    return f"styrelsemote-{meeting.date:%Y-%m-%d}.ics"


def notice_email(*, meeting: Styrelsemote, notice: NoticeVersion, person: Person) -> tuple[str, str]:
    """The subject and the plain text of the notice to one board member."""
    snapshot = notice.snapshot
    subject = f"Kallelse till styrelsemöte {meeting.date:%Y-%m-%d}, {meeting.forbund.name}"
    if notice.version > 1:
        subject = f"Ny version ({notice.version}) av kallelse till styrelsemöte {meeting.date:%Y-%m-%d}"
    body = render_to_string(
        "forbund/meetings/email_notice.txt",
        {
            "person": person,
            "meeting": meeting,
            "forbund": meeting.forbund,
            "notice": notice,
            "notice_text": snapshot["notice_text"],
            "items": snapshot["items"],
            "link": meeting_url(meeting),
        },
    )
    return subject, body


def notice_recipient_list(notice: NoticeVersion) -> list[tuple[str, str]]:
    """(name, e-mail) of everyone a notice version was sent to."""
    return [(name, email) for name, email in getaddresses(notice.recipients.splitlines()) if email]


def notice_recipient_table(meeting: Styrelsemote) -> tuple[list[NoticeVersion], list[dict]]:
    """Who received which notice version: one row per recipient, with the versions they got."""
    notices = list(meeting.notices.select_related("sent_by").order_by("version"))
    rows: dict[str, dict] = {}
    for notice in notices:
        for name, email in notice_recipient_list(notice):
            row = rows.setdefault(email.lower(), {"name": name, "email": email, "versions": set()})
            row["versions"].add(notice.version)
    table = []
    for row in sorted(rows.values(), key=lambda r: r["name"]):
        table.append(
            {
                **row,
                "received": [n.version in row["versions"] for n in notices],
                "latest": max(row["versions"]),
            }
        )
    return notices, table
