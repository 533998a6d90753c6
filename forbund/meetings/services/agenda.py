"""Writes to the agenda (dagordning): the förbund's standard items, a meeting's items, their order and
papers, and the register of delegationsbeslut reported in them.

Agenda items are one ordered list per meeting, validated and renumbered in one atomic operation
(`agenda_reorder`). Every write locks the meeting's row and asks `edit_agenda` about it as stored,
so nothing on the agenda changes once the minutes are locked for justering or justerat.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam import access, audit, concurrency
from forbund.models import (
    AgendaAttachment,
    AgendaItem,
    AgendaKind,
    AgendaTemplateItem,
    Delegationsbeslut,
    Forbund,
    MeetingStatus,
    Styrelsemote,
    User,
)

from ..selectors.agenda import delegationsbeslut_unreported, ordered_item_ids

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

# What the agenda item form changes; the rest of an item (decision, votes, §) belongs to the minutes.
AGENDA_FIELDS = [
    "kind",
    "title",
    "proposal",
    "presenter",
    "insats",
    "tertialrapport",
    "budget",
    "dokumentjobb",
    "lock_version",
]

DELEGATION_TITLE = "Anmälan av delegationsbeslut"
DELEGATION_PROPOSAL = "Styrelsen lägger anmälan av delegationsbesluten till handlingarna."


def lock_meeting(meeting: Styrelsemote, by: User, rule: str) -> Styrelsemote:
    """The meeting's row, locked for this transaction, once `rule` allows `by` to change it as it is
    stored now (not as the caller loaded it)."""
    current = (
        Styrelsemote.objects.select_for_update(of=("self",)).select_related("forbund").get(pk=meeting.pk)
    )
    access.require(rule, by, current)
    return current


def _renumber(meeting: Styrelsemote, ids: list[int]) -> None:
    items = {item.pk: item for item in AgendaItem.objects.filter(meeting=meeting)}
    changed = []
    for number, pk in enumerate(ids, start=1):
        item = items[pk]
        if item.order != number:
            item.order = number
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["order"])


def _titles(meeting: Styrelsemote) -> str:
    return "; ".join(
        AgendaItem.objects.filter(meeting=meeting).order_by("order", "id").values_list("title", flat=True)
    )


# --- The standard items ------------------------------------------------------------------------


@transaction.atomic
def agenda_template_ensure(*, forbund: Forbund, by: User) -> list[AgendaTemplateItem]:
    """The förbund's standard items; the usual four are seeded when it has none."""
    items = list(AgendaTemplateItem.objects.filter(forbund=forbund))
    if items:
        return items
    access.require("manage_meetings", by, forbund)
    for order, row in enumerate(DEFAULT_TEMPLATE, start=1):
        item = AgendaTemplateItem.objects.create(
            forbund=forbund, order=order, kind=AgendaKind.FORMALIA, **row
        )
        audit.created(forbund=forbund, actor=by, obj=item, description=f"Lade till standardpunkten {item}")
    return list(AgendaTemplateItem.objects.filter(forbund=forbund))


@transaction.atomic
def agenda_template_item_save(
    *, forbund: Forbund, instance: AgendaTemplateItem, by: User
) -> AgendaTemplateItem:
    access.require("manage_meetings", by, forbund)
    instance.forbund = forbund
    return concurrency.save_record(
        instance,
        by=by,
        forbund=forbund,
        created=f"Lade till standardpunkten {instance}",
        changed=f"Ändrade standardpunkten {instance}",
    )


@transaction.atomic
def agenda_template_item_delete(*, instance: AgendaTemplateItem, by: User) -> None:
    access.require("manage_meetings", by, instance.forbund)
    audit.deleted(
        forbund=instance.forbund, actor=by, obj=instance, description=f"Tog bort standardpunkten {instance}"
    )
    instance.delete()


def _end_titles(forbund: Forbund) -> set[str]:
    return {t.title for t in AgendaTemplateItem.objects.filter(forbund=forbund, at_end=True)}


def _insert_standard_items(meeting: Styrelsemote, by: User) -> int:
    template = agenda_template_ensure(forbund=meeting.forbund, by=by)
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
        audit.created(
            forbund=meeting.forbund,
            actor=by,
            obj=item,
            description=f"{meeting}: lade till standardpunkten {item}",
        )
        (tail if standard.at_end else head).append(item.pk)
    ids = ordered_item_ids(meeting)
    middle = [pk for pk in ids if pk not in head and pk not in tail]
    _renumber(meeting, head + middle + tail)
    return len(head) + len(tail)


@transaction.atomic
def agenda_standard_items_insert(*, meeting: Styrelsemote, by: User) -> int:
    """Put the förbund's standard items that are missing on the agenda: opening items first,
    closing items last. Returns how many were added."""
    meeting = lock_meeting(meeting, by, "edit_agenda")
    return _insert_standard_items(meeting, by)


# --- Items -------------------------------------------------------------------------------------


def _place_new_item(meeting: Styrelsemote, item: AgendaItem) -> None:
    """A new item goes last, but before the closing standard items."""
    ids = [pk for pk in ordered_item_ids(meeting) if pk != item.pk]
    titles = dict(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "title"))
    end_titles = _end_titles(meeting.forbund)
    position = len(ids)
    while position > 0 and titles[ids[position - 1]] in end_titles:
        position -= 1
    ids.insert(position, item.pk)
    _renumber(meeting, ids)


def _add_item(meeting: Styrelsemote, item: AgendaItem, by: User) -> AgendaItem:
    if not AgendaItem.objects.filter(meeting=meeting).exists():
        _insert_standard_items(meeting, by)
        if item.kind != AgendaKind.DELEGATION:
            # The agenda is being made: decisions on applications taken under delegation since the
            # last meeting are reported in it without anyone having to remember them. (Other
            # delegationsbeslut are reported with the agenda's "Anmäl delegationsbeslut" button.)
            waiting = delegationsbeslut_unreported(meeting.forbund, before=meeting.date)
            _report_delegationsbeslut(meeting, waiting.filter(insats_beslut__isnull=False), by)
    item.meeting = meeting
    item.added_late = meeting.notices.exists()
    item.order = 0
    item.full_clean()
    item.save()
    _place_new_item(meeting, item)
    item.refresh_from_db(fields=["order"])
    audit.created(
        forbund=meeting.forbund, actor=by, obj=item, description=f"{meeting}: lade till punkten {item}"
    )
    return item


def _attach(item: AgendaItem, title: str, file, by: User) -> AgendaAttachment:
    attachment = AgendaAttachment(item=item, title=title.strip() or file.name, file=file, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    audit.created(
        forbund=item.meeting.forbund,
        actor=by,
        obj=attachment,
        description=f"{item.meeting}: laddade upp handlingen {attachment} till punkten {item}",
    )
    return attachment


@transaction.atomic
def agenda_item_save(
    *,
    meeting: Styrelsemote,
    item: AgendaItem,
    by: User,
    opened_version: int | None = None,
    attachment_title: str = "",
    attachment_file=None,
) -> AgendaItem:
    """Add or change an agenda item, with an optional uploaded paper. The first item brings the
    standard items with it; an item added after the notice is marked as added late. A change is
    refused (`StaleEdit`) when someone saved the item after the form was opened on `opened_version`."""
    meeting = lock_meeting(meeting, by, "edit_agenda")
    if item.pk is None:
        item = _add_item(meeting, item, by)
    else:
        if item.meeting_id != meeting.pk:
            raise ValidationError("Punkten hör till ett annat möte.")
        current = concurrency.lock_current(item, opened_version)
        before = audit.values(current)
        item.meeting = meeting
        item.lock_version = current.lock_version + 1
        item.full_clean()
        item.save(update_fields=AGENDA_FIELDS)  # the decision and § are the minutes', not the agenda's
        audit.changed(
            forbund=meeting.forbund,
            actor=by,
            obj=item,
            before=before,
            description=f"{meeting}: ändrade punkten {item}",
        )
    if attachment_file is not None:
        _attach(item, attachment_title, attachment_file, by)
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    meeting = lock_meeting(item.meeting, by, "edit_agenda")
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.paragraph is not None:
        raise ValidationError("Punkten har fått en paragraf i protokollet och kan inte tas bort.")
    for attachment in item.attachments.all():
        audit.deleted(forbund=meeting.forbund, actor=by, obj=attachment)
    audit.deleted(
        forbund=meeting.forbund, actor=by, obj=item, description=f"{meeting}: tog bort punkten {item}"
    )
    item.delete()
    _renumber(meeting, ordered_item_ids(meeting))


@transaction.atomic
def agenda_reorder(*, meeting: Styrelsemote, order: list[int], by: User) -> None:
    """Set the whole agenda's order at once: `order` must name every item exactly once."""
    meeting = lock_meeting(meeting, by, "edit_agenda")
    current = ordered_item_ids(meeting)
    if len(order) != len(set(order)) or set(order) != set(current):
        raise ValidationError(
            "Ordningen stämmer inte med dagordningens punkter. Ladda om sidan och försök igen."
        )
    before = _titles(meeting)
    _renumber(meeting, list(order))
    audit.record(
        forbund=meeting.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=meeting,
        description=f"{meeting}: ändrade dagordningens ordning",
        changes=[audit.Change("items", "dagordningens ordning", before, _titles(meeting))],
    )


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, by: User) -> None:
    """Move an item one step up ("upp") or down ("ner")."""
    lock_meeting(item.meeting, by, "edit_agenda")
    ids = ordered_item_ids(item.meeting)
    index = ids.index(item.pk)
    target = index - 1 if direction == "upp" else index + 1
    if direction not in ("upp", "ner") or not 0 <= target < len(ids):
        raise ValidationError("Punkten kan inte flyttas längre åt det hållet.")
    ids[index], ids[target] = ids[target], ids[index]
    agenda_reorder(meeting=item.meeting, order=ids, by=by)


@transaction.atomic
def agenda_attachment_delete(*, attachment: AgendaAttachment, by: User) -> None:
    meeting = lock_meeting(attachment.item.meeting, by, "edit_agenda")
    audit.deleted(
        forbund=meeting.forbund,
        actor=by,
        obj=attachment,
        description=f"{meeting}: tog bort handlingen {attachment}",
    )
    attachment.delete()


# --- Delegationsbeslut -------------------------------------------------------------------------


@transaction.atomic
def delegationsbeslut_save(
    *, forbund: Forbund, instance: Delegationsbeslut, by: User, opened_version: int | None = None
) -> Delegationsbeslut:
    """Register a delegationsbeslut, or change one: a decision reported in minutes that are locked or
    justerat is part of them and does not change (`edit_agenda` on that meeting)."""
    access.require("manage_meetings", by, forbund)
    instance.forbund = forbund
    instance.check_same_forbund(decided_by=instance.decided_by if instance.decided_by_id else None)
    if instance.pk is None:
        instance.recorded_by = by
        instance.full_clean()
        instance.save()
        audit.created(
            forbund=forbund, actor=by, obj=instance, description=f"Registrerade delegationsbeslut: {instance}"
        )
        return instance
    current = concurrency.lock_current(instance, opened_version)
    if current.reported_in_id is not None:
        access.require("edit_agenda", by, Styrelsemote.objects.get(items=current.reported_in_id))
    before = audit.values(current)
    instance.reported_in_id = current.reported_in_id  # reported only through the agenda
    instance.lock_version = current.lock_version + 1
    instance.full_clean()
    instance.save()
    audit.changed(
        forbund=forbund,
        actor=by,
        obj=instance,
        before=before,
        description=f"Ändrade delegationsbeslut: {instance}",
    )
    return instance


def _report_delegationsbeslut(meeting: Styrelsemote, decisions, by: User) -> AgendaItem | None:
    """Mark `decisions` reported in the meeting's "Anmälan av delegationsbeslut", made when missing."""
    decisions = list(decisions.select_for_update(of=("self",)))
    if not decisions:
        return None
    item = AgendaItem.objects.filter(meeting=meeting, kind=AgendaKind.DELEGATION).first()
    if item is None:
        item = _add_item(
            meeting,
            AgendaItem(kind=AgendaKind.DELEGATION, title=DELEGATION_TITLE, proposal=DELEGATION_PROPOSAL),
            by,
        )
    for decision in decisions:
        before = audit.values(decision)
        decision.reported_in = item
        decision.lock_version += 1
        decision.save(update_fields=["reported_in", "lock_version"])
        audit.changed(
            forbund=meeting.forbund,
            actor=by,
            obj=decision,
            before=before,
            description=f"{meeting}: anmälde delegationsbeslutet {decision}",
        )
    return item


def next_reporting_meeting(decision: Delegationsbeslut) -> Styrelsemote | None:
    """The first meeting on or after the decision whose agenda can still change."""
    return (
        Styrelsemote.objects.filter(forbund_id=decision.forbund_id, date__gte=decision.decided_on)
        .exclude(status__in=[MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT])
        .order_by("date", "start_time", "id")
        .first()
    )


@transaction.atomic
def delegationsbeslut_report_to_next_meeting(*, decision: Delegationsbeslut, by: User) -> AgendaItem | None:
    """Report a new delegationsbeslut to the next meeting whose agenda is open. With no such meeting
    yet the decision waits in the register and is reported when that meeting's agenda is made."""
    meeting = next_reporting_meeting(decision)
    if meeting is None:
        return None
    meeting = lock_meeting(meeting, by, "edit_agenda")
    return _report_delegationsbeslut(meeting, Delegationsbeslut.objects.filter(pk=decision.pk), by)


@transaction.atomic
def agenda_delegation_item_add(*, meeting: Styrelsemote, by: User) -> AgendaItem:
    """An item "Anmälan av delegationsbeslut" listing every unreported decision taken up to the
    meeting's date; those decisions are marked reported in it. An existing such item on the agenda
    takes the new decisions instead."""
    meeting = lock_meeting(meeting, by, "edit_agenda")
    item = _report_delegationsbeslut(
        meeting, delegationsbeslut_unreported(meeting.forbund, before=meeting.date), by
    )
    if item is None:
        raise ValidationError("Det finns inga oanmälda delegationsbeslut att anmäla.")
    return item
