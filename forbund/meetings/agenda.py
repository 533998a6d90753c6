"""The agenda (dagordning), the notice (kallelse) and the register of delegationsbeslut.

Agenda items are one ordered list per meeting, validated and renumbered in one atomic operation
(`agenda_reorder`). The notice freezes the agenda and its papers as a `NoticeVersion`, e-mails the
board with a calendar file and moves the meeting to kallat through `meeting_transition`.
"""

from __future__ import annotations

import datetime
import hashlib
from email.utils import formataddr, getaddresses

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from finsam import access
from finsam.tasks import send_email_with_ics
from forbund.models import (
    AgendaAttachment,
    AgendaItem,
    AgendaKind,
    AgendaTemplateItem,
    Delegationsbeslut,
    Forbund,
    MeetingStatus,
    NoticeVersion,
    Person,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)
from forbund.services import activity_log

from .services import meeting_transition

LOCKED_STATUSES = frozenset({MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT})
MEETING_LENGTH = datetime.timedelta(hours=3)

# The usual standard items, seeded when a förbund has no template of its own.
DEFAULT_TEMPLATE = [
    {"title": "Mötets öppnande", "proposal": "", "at_end": False},
    {
        "title": "Val av justerare",
        "proposal": "Styrelsen väljer en ledamot att jämte ordföranden justera protokollet.",
        "at_end": False,
    },
    {
        "title": "Godkännande av dagordningen",
        "proposal": "Styrelsen godkänner dagordningen.",
        "at_end": False,
    },
    {"title": "Mötets avslutande", "proposal": "", "at_end": True},
]

DELEGATION_TITLE = "Anmälan av delegationsbeslut"
DELEGATION_PROPOSAL = "Styrelsen lägger anmälan av delegationsbesluten till handlingarna."


# --- Rules -------------------------------------------------------------------------------------


def agenda_lock_reason(meeting: Styrelsemote) -> str:
    """Why the agenda can no longer change, or "" when it can."""
    if meeting.status == MeetingStatus.JUSTERING:
        return "Protokollet är låst för justering; dagordningen kan inte ändras."
    if meeting.status == MeetingStatus.JUSTERAT:
        return "Protokollet är justerat; dagordningen kan inte längre ändras."
    return ""


def _require_manager(by: User, forbund: Forbund) -> None:
    verdict = access.can_manage_meetings(by, forbund)
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _lock_meeting(meeting: Styrelsemote) -> Styrelsemote:
    """The meeting's row, locked for this transaction, refused when its agenda is closed."""
    locked = Styrelsemote.objects.select_for_update().get(pk=meeting.pk)
    reason = agenda_lock_reason(locked)
    if reason:
        raise ValidationError(reason)
    return locked


def _renumber(meeting: Styrelsemote, ids: list[int]) -> None:
    items = {item.pk: item for item in AgendaItem.objects.filter(meeting=meeting)}
    changed = []
    for number, pk in enumerate(ids, start=1):
        item = items[pk]
        if item.order != number:
            item.order = number
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["order"])


def _ordered_ids(meeting: Styrelsemote) -> list[int]:
    return list(
        AgendaItem.objects.filter(meeting=meeting).order_by("order", "id").values_list("pk", flat=True)
    )


# --- The standard items ------------------------------------------------------------------------


@transaction.atomic
def agenda_template_ensure(*, forbund: Forbund) -> list[AgendaTemplateItem]:
    """The förbund's standard items; the usual four are seeded when it has none."""
    items = list(AgendaTemplateItem.objects.filter(forbund=forbund))
    if items:
        return items
    for order, row in enumerate(DEFAULT_TEMPLATE, start=1):
        AgendaTemplateItem.objects.create(forbund=forbund, order=order, kind=AgendaKind.FORMALIA, **row)
    return list(AgendaTemplateItem.objects.filter(forbund=forbund))


@transaction.atomic
def agenda_template_item_save(
    *, forbund: Forbund, instance: AgendaTemplateItem, by: User
) -> AgendaTemplateItem:
    _require_manager(by, forbund)
    created = instance.pk is None
    instance.forbund = forbund
    instance.full_clean()
    instance.save()
    verb = "Lade till" if created else "Ändrade"
    activity_log(forbund=forbund, actor=by, description=f"{verb} standardpunkten {instance.title}")
    return instance


@transaction.atomic
def agenda_template_item_delete(*, instance: AgendaTemplateItem, by: User) -> None:
    _require_manager(by, instance.forbund)
    instance.delete()
    activity_log(forbund=instance.forbund, actor=by, description=f"Tog bort standardpunkten {instance.title}")


def _end_titles(forbund: Forbund) -> set[str]:
    return {t.title for t in AgendaTemplateItem.objects.filter(forbund=forbund, at_end=True)}


def _insert_standard_items(meeting: Styrelsemote) -> int:
    template = agenda_template_ensure(forbund=meeting.forbund)
    present = set(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True))
    late = meeting.notices.exists()
    head, tail = [], []
    for standard in template:
        if standard.title in present:
            continue
        item = AgendaItem(
            meeting=meeting,
            kind=standard.kind,
            title=standard.title,
            proposal=standard.proposal,
            added_late=late,
        )
        item.full_clean()
        item.save()
        (tail if standard.at_end else head).append(item.pk)
    ids = _ordered_ids(meeting)
    middle = [pk for pk in ids if pk not in head and pk not in tail]
    _renumber(meeting, head + middle + tail)
    return len(head) + len(tail)


@transaction.atomic
def agenda_standard_items_insert(*, meeting: Styrelsemote, by: User) -> int:
    """Put the förbund's standard items that are missing on the agenda: opening items first,
    closing items last. Returns how many were added."""
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    added = _insert_standard_items(meeting)
    if added:
        activity_log(
            forbund=meeting.forbund, actor=by, description=f"{meeting}: lade in {added} standardpunkter"
        )
    return added


# --- Items -------------------------------------------------------------------------------------


def _place_new_item(meeting: Styrelsemote, item: AgendaItem) -> None:
    """A new item goes last, but before the closing standard items."""
    ids = [pk for pk in _ordered_ids(meeting) if pk != item.pk]
    titles = dict(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "title"))
    end_titles = _end_titles(meeting.forbund)
    position = len(ids)
    while position > 0 and titles[ids[position - 1]] in end_titles:
        position -= 1
    ids.insert(position, item.pk)
    _renumber(meeting, ids)


def _add_item(meeting: Styrelsemote, item: AgendaItem) -> AgendaItem:
    if not AgendaItem.objects.filter(meeting=meeting).exists():
        _insert_standard_items(meeting)
    item.meeting = meeting
    item.added_late = meeting.notices.exists()
    item.order = 0
    item.full_clean()
    item.save()
    _place_new_item(meeting, item)
    item.refresh_from_db(fields=["order"])
    return item


def _attach(item: AgendaItem, title: str, file, by: User) -> AgendaAttachment:
    attachment = AgendaAttachment(item=item, title=title.strip() or file.name, file=file, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def agenda_item_save(
    *,
    meeting: Styrelsemote,
    item: AgendaItem,
    by: User,
    attachment_title: str = "",
    attachment_file=None,
) -> AgendaItem:
    """Add or change an agenda item, with an optional uploaded paper. The first item brings the
    standard items with it; an item added after the notice is marked as added late."""
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    created = item.pk is None
    if created:
        item = _add_item(meeting, item)
    else:
        if item.meeting_id != meeting.pk:
            raise ValidationError("Punkten hör till ett annat möte.")
        item.meeting = meeting
        item.full_clean()
        item.save()
    if attachment_file is not None:
        _attach(item, attachment_title, attachment_file, by)
    verb = "lade till" if created else "ändrade"
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: {verb} punkten {item.title}")
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    meeting = item.meeting
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    if item.paragraph is not None:
        raise ValidationError("Punkten har fått en paragraf i protokollet och kan inte tas bort.")
    title = item.title
    item.delete()
    _renumber(meeting, _ordered_ids(meeting))
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: tog bort punkten {title}")


@transaction.atomic
def agenda_reorder(*, meeting: Styrelsemote, order: list[int], by: User) -> None:
    """Set the whole agenda's order at once: `order` must name every item exactly once."""
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    current = _ordered_ids(meeting)
    if len(order) != len(set(order)) or set(order) != set(current):
        raise ValidationError(
            "Ordningen stämmer inte med dagordningens punkter. Ladda om sidan och försök igen."
        )
    _renumber(meeting, list(order))
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: ändrade dagordningens ordning")


def agenda_item_move(*, item: AgendaItem, direction: str, by: User) -> None:
    """Move an item one step up ("upp") or down ("ner")."""
    ids = _ordered_ids(item.meeting)
    index = ids.index(item.pk)
    target = index - 1 if direction == "upp" else index + 1
    if direction not in ("upp", "ner") or not 0 <= target < len(ids):
        raise ValidationError("Punkten kan inte flyttas längre åt det hållet.")
    ids[index], ids[target] = ids[target], ids[index]
    agenda_reorder(meeting=item.meeting, order=ids, by=by)


@transaction.atomic
def agenda_attachment_delete(*, attachment: AgendaAttachment, by: User) -> None:
    meeting = attachment.item.meeting
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    title = attachment.title
    attachment.delete()
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: tog bort handlingen {title}")


# --- Delegationsbeslut -------------------------------------------------------------------------


def delegationsbeslut_unreported(forbund: Forbund, before: datetime.date | None = None):
    decisions = Delegationsbeslut.objects.filter(forbund=forbund, reported_in__isnull=True)
    if before is not None:
        decisions = decisions.filter(decided_on__lte=before)
    return decisions.select_related("decided_by").order_by("decided_on", "id")


@transaction.atomic
def delegationsbeslut_save(*, forbund: Forbund, instance: Delegationsbeslut, by: User) -> Delegationsbeslut:
    _require_manager(by, forbund)
    created = instance.pk is None
    if not created:
        stored = Delegationsbeslut.objects.select_related("reported_in__meeting").get(pk=instance.pk)
        if stored.reported_in and stored.reported_in.meeting.status in LOCKED_STATUSES:
            raise ValidationError(
                "Beslutet är anmält i ett protokoll som är låst eller justerat och kan inte ändras."
            )
    else:
        instance.recorded_by = by
    instance.forbund = forbund
    instance.check_same_forbund(decided_by=instance.decided_by if instance.decided_by_id else None)
    instance.full_clean()
    instance.save()
    verb = "Registrerade" if created else "Ändrade"
    activity_log(forbund=forbund, actor=by, description=f"{verb} delegationsbeslut: {instance}")
    return instance


@transaction.atomic
def agenda_delegation_item_add(*, meeting: Styrelsemote, by: User) -> AgendaItem:
    """An item "Anmälan av delegationsbeslut" listing every unreported decision taken up to the
    meeting's date; those decisions are marked reported in it. An existing such item on the agenda
    takes the new decisions instead."""
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    decisions = list(delegationsbeslut_unreported(meeting.forbund, before=meeting.date).select_for_update())
    if not decisions:
        raise ValidationError("Det finns inga oanmälda delegationsbeslut att anmäla.")
    item = AgendaItem.objects.filter(meeting=meeting, kind=AgendaKind.DELEGATION).first()
    if item is None:
        item = _add_item(
            meeting,
            AgendaItem(kind=AgendaKind.DELEGATION, title=DELEGATION_TITLE, proposal=DELEGATION_PROPOSAL),
        )
    Delegationsbeslut.objects.filter(pk__in=[d.pk for d in decisions]).update(reported_in=item)
    activity_log(
        forbund=meeting.forbund,
        actor=by,
        description=f"{meeting}: anmälde {len(decisions)} delegationsbeslut",
    )
    return item


# --- The notice --------------------------------------------------------------------------------


def meeting_starts_at(meeting: Styrelsemote) -> datetime.datetime:
    """The meeting's start as an aware datetime (midnight when no time is set)."""
    naive = datetime.datetime.combine(meeting.date, meeting.start_time or datetime.time(0, 0))
    return timezone.make_aware(naive, timezone.get_default_timezone())


def meeting_is_past(meeting: Styrelsemote, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if meeting.start_time is None:
        return meeting.date < timezone.localdate(now)
    return meeting_starts_at(meeting) <= now


def notice_recipients(meeting: Styrelsemote) -> list[Person]:
    """Every ledamot and ersättare on the board at the meeting's date who has an e-mail address,
    each once, ledamöter first."""
    uppdrag = (
        Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id, start__lte=meeting.date)
        .exclude(end__lt=meeting.date)
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
    path = reverse("forbund:mote", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})
    return f"{settings.FINSAM_BASE_URL}{path}"


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
        start = meeting_starts_at(meeting)
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


@transaction.atomic
def notice_send(*, meeting: Styrelsemote, by: User, notice_text: str | None = None) -> NoticeVersion:
    """Freeze the agenda and papers as a new notice version, e-mail it with a calendar file to
    every ledamot and ersättare with an e-mail address, and mark the meeting kallat."""
    _require_manager(by, meeting.forbund)
    meeting = _lock_meeting(meeting)
    if meeting.status not in (MeetingStatus.PLANERAT, MeetingStatus.KALLAT):
        raise ValidationError(
            f"Mötet är {meeting.get_status_display().lower()}; en kallelse kan inte längre skickas."
        )
    if meeting_is_past(meeting):
        raise ValidationError(
            f"Mötet den {meeting.date:%Y-%m-%d} har redan varit; en kallelse kan bara skickas före mötet."
        )
    if notice_text is not None:
        meeting.notice_text = notice_text.strip()
        meeting.save(update_fields=["notice_text"])
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
    meeting_transition(
        meeting=meeting, to=MeetingStatus.KALLAT, by=by, comment=f"Kallelse version {version}", automatic=True
    )
    ics = meeting_ics(meeting, sequence=version - 1)
    filename = ics_filename(meeting)
    for person in recipients:
        subject, body = notice_email(meeting=meeting, notice=notice, person=person)
        message = {"subject": subject, "body": body, "to": [person.email], "ics": ics, "filename": filename}
        transaction.on_commit(lambda message=message: send_email_with_ics.delay(**message))
    activity_log(
        forbund=meeting.forbund,
        actor=by,
        description=f"{meeting}: skickade kallelse version {version} till {len(recipients)} mottagare",
    )
    return notice


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
