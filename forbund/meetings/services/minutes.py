"""Writes about what happened at a meeting: attendance, decisions with votes and jäv, justerare, the
§ numbers, the minutes' status, justering and rättelser.

Every write locks the meeting's row and asks the access module about the meeting as stored:
`edit_minutes` for attendance, decisions, jäv and justerare (refused once the minutes are locked for
justering, and for ever once they are justerat), `approve_minutes` for a justering and
`correct_minutes` for a rättelse, the only change a justerat protokoll takes. Status changes go
through the workflow engine (`forbund.meetings.workflow`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from finsam import access, audit, concurrency, workflow
from forbund.models import (
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    MeetingStatus,
    MeetingStatusChange,
    MinutesApproval,
    Person,
    Rattelse,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)

from ..selectors.minutes import (
    Quorum,
    approvers,
    board_in_office,
    item_quorum,
    presiding_by_rule,
    presidium,
    quorum,
    voting_person_ids,
)
from . import adoption
from .agenda import lock_meeting

# Attendance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    person: Person
    role: str
    present: bool
    replaces: Person | None = None


def _seat_members(meeting: Styrelsemote) -> dict[tuple[int, str], set[int]]:
    """(person, ledamot/ersattare) → the members whose seat of that kind the person holds."""
    members: dict[tuple[int, str], set[int]] = {}
    for seat in board_in_office(meeting):
        members.setdefault((seat.person_id, seat.role), set()).add(seat.medlem_id)
    return members


def _check_own_member(meeting: Styrelsemote, entry: AttendanceEntry, members) -> None:
    """An ersättare serves for a ledamot appointed by their own member, unless the förbundsordning
    makes the ersättare shared (`Forbund.ersattare_shared`)."""
    if meeting.forbund.ersattare_shared:
        return
    own = members.get((entry.person.pk, Styrelseuppdrag.Role.ERSATTARE), set())
    theirs = members.get((entry.replaces.pk, Styrelseuppdrag.Role.LEDAMOT), set())
    if not own & theirs:
        raise ValidationError(
            f"{entry.person} är ersättare för en annan medlem än {entry.replaces} och kan inte tjänstgöra "
            "för hen: i förbundet tjänstgör en ersättare bara för en ledamot från sin egen medlem."
        )


def _check_attendance(meeting: Styrelsemote, entries: list[AttendanceEntry]) -> None:
    members = _seat_members(meeting)
    seats = set(members)
    ledamot_ids = {person_id for person_id, role in seats if role == Styrelseuppdrag.Role.LEDAMOT}
    absent_ids = {e.person.pk for e in entries if e.role == Attendance.Role.LEDAMOT and not e.present}
    listed: dict[int, AttendanceEntry] = {}
    replaced: set[int] = set()
    for entry in entries:
        if entry.person.forbund_id != meeting.forbund_id:
            raise ValidationError("Personen hör till ett annat förbund.")
        if entry.person.pk in listed:
            if entry.role == listed[entry.person.pk].role == Attendance.Role.TJANSTGORANDE:
                # One person, one vote: an ersättare named for two ledamöter serves for one of them.
                raise ValidationError(
                    f"{entry.person} kan bara tjänstgöra för en ledamot åt gången, inte för både "
                    f"{listed[entry.person.pk].replaces} och {entry.replaces}."
                )
            raise ValidationError(f"{entry.person} står två gånger i närvarolistan.")
        listed[entry.person.pk] = entry
        if entry.role == Attendance.Role.LEDAMOT and entry.person.pk not in ledamot_ids:
            raise ValidationError(f"{entry.person} är inte ledamot på mötets datum.")
        if entry.role == Attendance.Role.TJANSTGORANDE:
            if entry.replaces is None:
                raise ValidationError(f"Ange vem {entry.person} tjänstgör för.")
            if not entry.present:
                raise ValidationError(f"{entry.person} kan inte tjänstgöra utan att vara närvarande.")
            if (entry.person.pk, Styrelseuppdrag.Role.ERSATTARE) not in seats:
                raise ValidationError(f"{entry.person} är inte ersättare på mötets datum.")
            if entry.replaces.pk not in absent_ids:
                raise ValidationError(
                    f"{entry.person} kan bara tjänstgöra för en ledamot som är frånvarande, "
                    f"inte för {entry.replaces}."
                )
            if entry.replaces.pk in replaced:
                raise ValidationError(f"Bara en ersättare kan tjänstgöra för {entry.replaces}.")
            _check_own_member(meeting, entry, members)
            replaced.add(entry.replaces.pk)
        elif entry.replaces is not None:
            raise ValidationError("Bara en tjänstgörande ersättare tjänstgör för någon.")


def _presiding(meeting: Styrelsemote, entries: list[AttendanceEntry], chosen: Person | None) -> Person | None:
    """Who presides: the board's ordförande if present, else the vice ordförande if present, else
    the ledamot (or serving ersättare) the samordnare chose among those present with a vote."""
    voting = {
        e.person.pk
        for e in entries
        if e.present and e.role in (Attendance.Role.LEDAMOT, Attendance.Role.TJANSTGORANDE)
    }
    by_rule, title = presiding_by_rule(presidium(meeting), voting)
    if by_rule is not None:
        if chosen is not None and chosen.pk != by_rule.pk:
            raise ValidationError(
                f"{by_rule} är styrelsens {title} och närvarande och är därför ordförande vid "
                f"sammanträdet, inte {chosen}."
            )
        return by_rule
    if chosen is not None:
        if chosen.pk not in voting:
            raise ValidationError(
                f"{chosen} är inte närvarande ledamot och kan inte vara ordförande vid sammanträdet."
            )
        return chosen
    if voting:
        raise ValidationError(
            "Varken ordföranden eller vice ordföranden är närvarande. Välj vilken av de närvarande "
            "ledamöterna som är ordförande vid sammanträdet."
        )
    return None


def _save_ordforande(meeting: Styrelsemote, person: Person | None, by: User) -> None:
    if meeting.ordforande_id == (person.pk if person else None):
        return
    if person is not None and meeting.justerare.filter(pk=person.pk).exists():
        raise ValidationError(
            f"{person} är vald justerare och kan inte samtidigt vara ordförande vid sammanträdet. "
            "Välj en annan justerare i protokollet först."
        )
    before = audit.values(meeting)
    meeting.ordforande = person
    meeting.lock_version += 1
    meeting.save(update_fields=["ordforande", "lock_version"])
    audit.changed(
        forbund=meeting.forbund,
        actor=by,
        obj=meeting,
        before=before,
        description=f"{meeting}: ordförande vid sammanträdet är {person or 'inte angiven'}",
    )


@transaction.atomic
def attendance_save(
    *,
    meeting: Styrelsemote,
    by: User,
    entries: list[AttendanceEntry],
    ordforande: Person | None = None,
) -> None:
    """Record who attended, all at once, and who presided. A tjänstgörande ersättare serves for one
    absent ledamot of their own member (any absent ledamot when the förbund's ersättare are shared).
    `ordforande` is the samordnare's choice, needed only when neither the ordförande nor the vice
    ordförande is present."""
    meeting = lock_meeting(meeting, by, "edit_minutes")
    _check_attendance(meeting, entries)
    _save_ordforande(meeting, _presiding(meeting, entries, ordforande), by)
    records = {record.person_id: record for record in meeting.attendance.select_related("person", "replaces")}
    for entry in entries:
        record = records.get(entry.person.pk)
        if record is None:
            record = Attendance(
                meeting=meeting,
                person=entry.person,
                role=entry.role,
                present=entry.present,
                replaces=entry.replaces,
            )
            record.full_clean()
            record.save()
            audit.created(
                forbund=meeting.forbund, actor=by, obj=record, description=f"{meeting}: närvaro för {record}"
            )
            continue
        before = audit.values(record)
        record.role, record.present, record.replaces = entry.role, entry.present, entry.replaces
        if audit.diff(before, audit.values(record)):
            record.full_clean()
            record.save(update_fields=["role", "present", "replaces"])
            audit.changed(
                forbund=meeting.forbund,
                actor=by,
                obj=record,
                before=before,
                description=f"{meeting}: ändrade närvaron för {record.person}",
            )


@transaction.atomic
def attendance_add(*, meeting: Styrelsemote, by: User, person: Person, role: str) -> Attendance:
    """Add a tjänsteperson or a guest who is not on the list already."""
    meeting = lock_meeting(meeting, by, "edit_minutes")
    if role not in {Attendance.Role.PERSONAL, Attendance.Role.GAST}:
        raise ValidationError("Här läggs bara tjänstepersoner och gäster till.")
    if person.forbund_id != meeting.forbund_id:
        raise ValidationError("Personen hör till ett annat förbund.")
    if meeting.attendance.filter(person=person).exists():
        raise ValidationError(f"{person} finns redan i närvarolistan.")
    record = Attendance.objects.create(meeting=meeting, person=person, role=role, present=True)
    audit.created(
        forbund=meeting.forbund, actor=by, obj=record, description=f"{meeting}: närvaro för {record}"
    )
    return record


# Decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDecision:
    item: AgendaItem
    decision: str = ""
    votes_yes: int | None = None
    votes_no: int | None = None
    votes_abstain: int | None = None
    chair_casting_vote: str = ""
    reservations: str = ""
    conflicts: tuple[Person, ...] = ()
    opened_version: int | None = None  # the item's version when the form was opened
    document_action: str | None = None  # adopt/withdraw the item's document (None: no such choice)

    @property
    def has_vote(self) -> bool:
        return any(v is not None for v in (self.votes_yes, self.votes_no, self.votes_abstain))


class StaleDecision(concurrency.StaleEdit):
    """Someone saved this item's decision after the minutes page was opened."""

    def __init__(self, error: concurrency.StaleEdit, item: AgendaItem) -> None:
        super().__init__(error.message, current_version=error.current_version)
        self.item = item


DECISION_FIELDS = ["decision", "votes_yes", "votes_no", "votes_abstain", "chair_casting_vote", "reservations"]


def _check_votes(entry: ItemDecision, state: Quorum) -> None:
    title = entry.item.title
    if not entry.has_vote:
        if entry.chair_casting_vote:
            raise ValidationError(f"{title}: utslagsröst förutsätter en omröstning.")
        return
    yes, no, abstain = (entry.votes_yes or 0), (entry.votes_no or 0), (entry.votes_abstain or 0)
    if yes + no + abstain > state.voting_present:
        raise ValidationError(
            f"{title}: {yes + no + abstain} röster, men bara {state.voting_present} har rösträtt."
        )
    if yes == no and not entry.chair_casting_vote:
        raise ValidationError(f"{title}: lika röstetal – ange ordförandens utslagsröst.")
    if yes != no and entry.chair_casting_vote:
        raise ValidationError(f"{title}: utslagsröst används bara vid lika röstetal.")


def _require_quorum(state: Quorum, entry: ItemDecision, voting: set[int]) -> None:
    if state.quorate:
        return
    javiga = [person for person in entry.conflicts if person.pk in voting]
    if javiga:
        raise ValidationError(
            f"Styrelsen är inte beslutför i ärendet {entry.item.title}: {_names(javiga)} deltar inte på "
            f"grund av jäv, så {state.voting_present} av {state.ledamoter} ledamöter med rösträtt deltar, "
            f"det behövs minst {state.needed}. Ärendet kan inte beslutas; töm beslutstexten."
        )
    raise ValidationError(
        f"Styrelsen är inte beslutför: {state.voting_present} av {state.ledamoter} ledamöter med "
        f"rösträtt är närvarande, det behövs minst {state.needed}. Registrera närvaron eller en "
        "tjänstgörande ersättare."
    )


def _names(persons) -> str:
    return ", ".join(sorted(str(person) for person in persons))


def _save_decision(meeting: Styrelsemote, entry: ItemDecision, by: User) -> None:
    """One item's decision and jäv, recorded with the values before and after when they changed."""
    try:
        item = concurrency.lock_current(entry.item, entry.opened_version)
    except concurrency.StaleEdit as error:
        raise StaleDecision(error, entry.item) from None
    before = audit.values(item)
    had_conflicts = {c.person_id: c.person for c in item.conflicts.select_related("person")}
    item.decision = entry.decision.strip()
    votes = (entry.votes_yes or 0, entry.votes_no or 0, entry.votes_abstain or 0)
    item.votes_yes, item.votes_no, item.votes_abstain = votes if entry.has_vote else (None, None, None)
    item.chair_casting_vote = entry.chair_casting_vote
    item.reservations = entry.reservations.strip()
    changes = audit.diff(before, audit.values(item))
    wanted = {person.pk: person for person in entry.conflicts}
    if set(wanted) != set(had_conflicts):
        changes.append(
            audit.Change("conflicts", "jäv", _names(had_conflicts.values()), _names(wanted.values()))
        )
        item.conflicts.exclude(person_id__in=wanted).delete()
        ConflictOfInterest.objects.bulk_create(
            ConflictOfInterest(item=item, person_id=pk) for pk in set(wanted) - set(had_conflicts)
        )
    if not changes:
        return
    item.lock_version += 1
    item.full_clean()
    item.save(update_fields=[*DECISION_FIELDS, "lock_version"])
    audit.record(
        forbund=meeting.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=item,
        description=f"{meeting}: protokollet för punkten {item}",
        changes=changes,
    )


def _save_justerare(meeting: Styrelsemote, justerare: list[Person], by: User) -> None:
    had = list(meeting.justerare.all())
    if {p.pk for p in had} == {p.pk for p in justerare}:
        return
    meeting.justerare.set(justerare)
    audit.record(
        forbund=meeting.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=meeting,
        description=f"{meeting}: justerare valda",
        changes=[audit.Change("justerare", "justerare", _names(had), _names(justerare))],
    )


MAX_JUSTERARE = 2


def _check_justerare(meeting: Styrelsemote, justerare: list[Person], present_ids: set[int]) -> None:
    """One or two justerare, among those present, besides the meeting's ordförande (who justerar
    as ordförande)."""
    if len(justerare) > MAX_JUSTERARE:
        raise ValidationError("Välj en eller två justerare.")
    for person in justerare:
        if person.pk not in present_ids:
            raise ValidationError(f"{person} är inte närvarande och kan inte justera protokollet.")
        if person.pk == meeting.ordforande_id:
            raise ValidationError(
                f"{person} är ordförande vid sammanträdet och justerar som ordförande; välj någon annan "
                "som justerare."
            )


@transaction.atomic
def minutes_save(
    *,
    meeting: Styrelsemote,
    by: User,
    decisions: list[ItemDecision],
    justerare: list[Person] | None = None,
) -> None:
    """Record the decisions (with votes, reservations and jäv) and the justerare, all or nothing.
    A decision on an item can only be recorded when the board is quorate for that item, counting
    those present with a vote less those with jäv on it. A decision someone else saved after
    the page was opened is not overwritten (`StaleDecision`)."""
    meeting = lock_meeting(meeting, by, "edit_minutes")
    voting = voting_person_ids(meeting)
    state = quorum(meeting, voting)
    present_ids = set(meeting.attendance.filter(present=True).values_list("person_id", flat=True))
    for entry in decisions:
        if entry.item.meeting_id != meeting.pk:
            raise ValidationError("Punkten hör till ett annat möte.")
        for person in entry.conflicts:
            if person.pk not in present_ids:
                raise ValidationError(
                    f"{entry.item.title}: {person} är inte närvarande och kan inte anmäla jäv."
                )
        # Quorum is checked per item: those with jäv on it take no part in it.
        item_state = item_quorum(state, voting, {person.pk for person in entry.conflicts})
        if entry.decision.strip():
            _require_quorum(item_state, entry, voting)
        _check_votes(entry, item_state)
    if justerare is not None:
        _check_justerare(meeting, justerare, present_ids)
        _save_justerare(meeting, justerare, by)
    for entry in decisions:
        _save_decision(meeting, entry, by)
    for entry in decisions:
        if entry.document_action is not None:
            adoption.record_document_decision(
                meeting=meeting, item=entry.item, action=entry.document_action, by=by
            )


# The minutes' status ---------------------------------------------------------------------------


def _number_paragraphs(meeting: Styrelsemote, by: User) -> None:
    """§ numbers follow the meetings' dates through the calendar year across the förbund's meetings,
    whatever order they were planned in; the first meeting of a year starts at § 1. Called inside
    the lock's transaction."""
    year_meetings = list(
        Styrelsemote.objects.select_for_update()
        .filter(forbund_id=meeting.forbund_id, date__year=meeting.date.year)
        .order_by("date", "start_time", "pk")
    )
    position = next(i for i, m in enumerate(year_meetings) if m.pk == meeting.pk)
    earlier = [m.pk for m in year_meetings[:position]]
    later = [m.pk for m in year_meetings[position + 1 :]]
    previous = AgendaItem.objects.filter(meeting_id__in=earlier).aggregate(n=Max("paragraph"))["n"] or 0
    items = list(meeting.items.order_by("order", "id"))
    AgendaItem.objects.filter(meeting=meeting).update(paragraph=None)
    first_later = (
        AgendaItem.objects.filter(meeting_id__in=later, paragraph__isnull=False)
        .select_related("meeting")
        .order_by("paragraph")
        .first()
    )
    if first_later is not None and previous + len(items) >= first_later.paragraph:
        raise ValidationError(
            f"Paragraferna skulle krocka med § {first_later.paragraph} i protokollet från "
            f"{first_later.meeting.date:%Y-%m-%d}. Lås protokollen i den ordning mötena hölls."
        )
    for number, item in enumerate(items, start=previous + 1):
        item.paragraph = number
    AgendaItem.objects.bulk_update(items, ["paragraph"])
    if items:
        audit.event(
            forbund=meeting.forbund,
            actor=by,
            obj=meeting,
            description=f"{meeting}: paragraferna numrerade § {previous + 1}–{previous + len(items)}",
        )


@transaction.atomic
def minutes_lock(*, meeting: Styrelsemote, by: User, comment: str = "") -> MeetingStatusChange:
    """Lock the minutes for justering: number the items (§) and move the meeting on."""
    current = (
        Styrelsemote.objects.select_for_update(of=("self",)).select_related("forbund").get(pk=meeting.pk)
    )
    if current.status != MeetingStatus.GENOMFORT:
        raise ValidationError("Bara protokollet från ett genomfört möte kan låsas för justering.")
    _number_paragraphs(current, by)  # undone with the transaction if the engine refuses the step
    return workflow.transition(meeting, to=MeetingStatus.JUSTERING, by=by, comment=comment)


@transaction.atomic
def minutes_unlock(*, meeting: Styrelsemote, by: User, comment: str = "") -> MeetingStatusChange:
    """Open the minutes for corrections again, but only before anyone has approved them."""
    change = workflow.transition(meeting, to=MeetingStatus.GENOMFORT, by=by, comment=comment)
    AgendaItem.objects.filter(meeting=meeting).update(paragraph=None)
    return change


def meeting_transition(*, meeting: Styrelsemote, to: str, by: User, comment: str = "") -> MeetingStatusChange:
    """The minutes page's status buttons: locking numbers the §, unlocking clears them; any other
    step is the engine's alone."""
    if to == MeetingStatus.JUSTERING:
        return minutes_lock(meeting=meeting, by=by, comment=comment)
    if to == MeetingStatus.GENOMFORT and meeting.status == MeetingStatus.JUSTERING:
        return minutes_unlock(meeting=meeting, by=by, comment=comment)
    return workflow.transition(meeting, to=to, by=by, comment=comment)


# Justering and rättelse ------------------------------------------------------------------------


@transaction.atomic
def minutes_approve(*, meeting: Styrelsemote, by: User) -> MinutesApproval:
    """The meeting's ordförande or a justerare approves, each logged in with their own account; the
    last approval makes the minutes justerat and sets the announcement date (anslag), which starts
    the three weeks for an appeal."""
    current = lock_meeting(meeting, by, "approve_minutes")
    person = access.person_of(by, current.forbund)
    is_chair = person.pk == current.ordforande_id
    role = MinutesApproval.Role.ORDFORANDE if is_chair else MinutesApproval.Role.JUSTERARE
    approval = MinutesApproval.objects.create(meeting=current, person=person, role=role, user=by)
    audit.created(
        forbund=current.forbund,
        actor=by,
        obj=approval,
        description=f"{current}: protokollet justerat av {person} ({approval.get_role_display().lower()})",
    )
    if all(a.approval is not None for a in approvers(current)):
        workflow.transition(
            meeting,
            to=MeetingStatus.JUSTERAT,
            by=by,
            automatic=True,
            changes={"announced_on": timezone.localdate()},
        )
        adoption.publish_when_justerat(current)
    return approval


@transaction.atomic
def minutes_correct(
    *,
    meeting: Styrelsemote,
    by: User,
    correction: str,
    reason: str,
    item: AgendaItem | None = None,
    concerns: str = "",
) -> Rattelse:
    """Record a rättelse of justerade minutes: which § (or what else), how it should read and why.
    The minutes themselves stay as they were justerade; the rättelse is shown beside them."""
    current = lock_meeting(meeting, by, "correct_minutes")
    rattelse = Rattelse(
        meeting=current,
        item=item,
        concerns=concerns.strip(),
        correction=correction.strip(),
        reason=reason.strip(),
        made_by=by,
    )
    rattelse.full_clean()
    rattelse.save()
    shown = audit.values(rattelse)
    audit.record(
        forbund=current.forbund,
        actor=by,
        kind=audit.Kind.CORRECTION,
        obj=rattelse,
        description=f"{current}: rättelse av {rattelse.where}",
        changes=[audit.Change(name, label, "", value) for name, (label, value) in shown.items() if value],
    )
    return rattelse
