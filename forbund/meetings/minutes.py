"""Attendance, decisions, § numbers, justering and the announcement of a meeting's minutes.

Every write here checks that the minutes may still change: not while they are locked for justering
(unlock first), and never after they are justerat. Status changes go through `meeting_transition`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone

from finsam import access
from forbund.models import (
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Kansliuppdrag,
    MeetingStatus,
    MinutesApproval,
    Person,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)
from forbund.services import activity_log

from .services import Quorum, meeting_transition, quorum, require_quorum

ANNOUNCEMENT_DAYS = 21  # the anslag stays up three weeks
EDITABLE = frozenset({MeetingStatus.PLANERAT, MeetingStatus.KALLAT, MeetingStatus.GENOMFORT})


# Reads ----------------------------------------------------------------------------------------


def in_office_q(day: datetime.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def board_in_office(meeting: Styrelsemote):
    """The board's seats on the meeting's date, ledamöter first, with person and member."""
    return (
        Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id)
        .filter(in_office_q(meeting.date))
        .select_related("person", "medlem")
    )


def chairs(meeting: Styrelsemote) -> list[Person]:
    return [
        seat.person
        for seat in board_in_office(meeting).filter(presidium=Styrelseuppdrag.Presidium.ORDFORANDE)
    ]


def minutes_refusal(meeting: Styrelsemote) -> str:
    """Why the attendance, decisions and justerare can no longer change ('' when they can)."""
    if meeting.status == MeetingStatus.JUSTERAT:
        return "Protokollet är justerat och kan inte längre ändras."
    if meeting.status == MeetingStatus.JUSTERING:
        return "Protokollet är låst för justering. Lås upp det för att rätta något."
    return ""


def _require_editable(meeting: Styrelsemote) -> None:
    reason = minutes_refusal(meeting)
    if reason:
        raise ValidationError(reason)


def _require_manager(by: User, meeting: Styrelsemote) -> None:
    verdict = access.can_manage_meetings(by, meeting.forbund)
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _locked_meeting(meeting: Styrelsemote) -> Styrelsemote:
    return Styrelsemote.objects.select_for_update().select_related("forbund").get(pk=meeting.pk)


@dataclass
class AttendanceRow:
    """One line of the attendance list: someone expected at the meeting, and what is recorded."""

    person: Person
    role: str  # the seat: ledamot, ersattare, personal, gast
    seat: Styrelseuppdrag | None = None
    record: Attendance | None = None
    suggested_for: Person | None = None  # an absent ledamot this ersättare could serve for

    @property
    def present(self) -> bool:
        return self.record.present if self.record else self.role in {"ledamot", "ersattare", "personal"}

    @property
    def replaces(self) -> Person | None:
        return self.record.replaces if self.record else None

    @property
    def label(self) -> str:
        if self.record:
            return self.record.get_role_display()
        return dict(Attendance.Role.choices).get(self.role, self.role)


def attendance_rows(meeting: Styrelsemote) -> list[AttendanceRow]:
    """The board in office, the kansli in office, then anyone else recorded (guests), each with what
    is recorded; an ersättare whose member's ledamot is absent is suggested to serve for them."""
    records = {
        record.person_id: record
        for record in meeting.attendance.select_related("person", "replaces").order_by("person__name")
    }
    seats = sorted(
        board_in_office(meeting), key=lambda s: (s.role != "ledamot", s.medlem.name, s.person.name)
    )
    rows: list[AttendanceRow] = []
    seen: set[int] = set()
    for seat in seats:
        if seat.person_id in seen:
            continue
        seen.add(seat.person_id)
        rows.append(AttendanceRow(seat.person, seat.role, seat=seat, record=records.get(seat.person_id)))
    staff = (
        Kansliuppdrag.objects.filter(forbund_id=meeting.forbund_id)
        .filter(in_office_q(meeting.date))
        .select_related("person")
        .order_by("person__name")
    )
    for uppdrag in staff:
        if uppdrag.person_id not in seen:
            seen.add(uppdrag.person_id)
            rows.append(AttendanceRow(uppdrag.person, "personal", record=records.get(uppdrag.person_id)))
    for person_id, record in records.items():
        if person_id not in seen:
            seen.add(person_id)
            rows.append(AttendanceRow(record.person, record.role, record=record))

    # Suggest: a ledamot recorded absent, with no one serving for them, gets their own member's
    # ersättare (present and not already serving) as tjänstgörande ersättare.
    served = {row.replaces.pk for row in rows if row.replaces}
    absent = [
        row
        for row in rows
        if row.role == "ledamot" and row.record and not row.present and row.person.pk not in served
    ]
    for row in absent:
        for candidate in rows:
            if (
                candidate.role == "ersattare"
                and candidate.seat is not None
                and candidate.seat.medlem_id == row.seat.medlem_id
                and candidate.present
                and candidate.replaces is None
                and candidate.suggested_for is None
            ):
                candidate.suggested_for = row.person
                break
    return rows


def quorum_text(state: Quorum) -> str:
    counted = f"{state.voting_present} av {state.ledamoter} ledamöter med rösträtt närvarande"
    if state.quorate:
        return f"Beslutför: {counted}."
    return f"Inte beslutför: {counted}, minst {state.needed} behövs."


@dataclass
class Approver:
    person: Person
    role: str
    approval: MinutesApproval | None = None


@dataclass
class MinutesState:
    """What the minutes panel shows about a meeting, for one user."""

    quorum: Quorum
    quorum_text: str
    approvers: list[Approver] = field(default_factory=list)
    may_approve: access.Verdict = access.ALLOWED
    announced_on: datetime.date | None = None
    announced_until: datetime.date | None = None


def announcement_end(meeting: Styrelsemote) -> datetime.date | None:
    if meeting.announced_on is None:
        return None
    return meeting.announced_on + datetime.timedelta(days=ANNOUNCEMENT_DAYS)


def approvers(meeting: Styrelsemote) -> list[Approver]:
    """The ordförande and every chosen justerare, each with their approval if given."""
    given = {a.person_id: a for a in meeting.approvals.select_related("person", "user")}
    result: list[Approver] = []
    for person in chairs(meeting):
        result.append(Approver(person, MinutesApproval.Role.ORDFORANDE, given.get(person.pk)))
    chair_ids = {a.person.pk for a in result}
    for person in meeting.justerare.order_by("name"):
        if person.pk not in chair_ids:
            result.append(Approver(person, MinutesApproval.Role.JUSTERARE, given.get(person.pk)))
    return result


def minutes_state(meeting: Styrelsemote, user: User) -> MinutesState:
    state = quorum(meeting)
    return MinutesState(
        quorum=state,
        quorum_text=quorum_text(state),
        approvers=approvers(meeting),
        may_approve=access.can_approve_minutes(user, meeting),
        announced_on=meeting.announced_on,
        announced_until=announcement_end(meeting),
    )


def minutes_items(meeting: Styrelsemote):
    return meeting.items.prefetch_related(
        Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("person"))
    ).order_by("order", "id")


def minutes_context(meeting: Styrelsemote) -> dict:
    """Everything templates/forbund/meetings/pdf/minutes.html needs (for HTML and the PDF worker)."""
    attendance = list(
        meeting.attendance.filter(present=True).select_related("person", "person__medlem", "replaces")
    )

    def by_role(role: str) -> list[Attendance]:
        return sorted((a for a in attendance if a.role == role), key=lambda a: a.person.name)

    return {
        "meeting": meeting,
        "forbund": meeting.forbund,
        "items": list(minutes_items(meeting)),
        "ledamoter": by_role(Attendance.Role.LEDAMOT),
        "tjanstgorande": by_role(Attendance.Role.TJANSTGORANDE),
        "ersattare": by_role(Attendance.Role.ERSATTARE),
        "personal": by_role(Attendance.Role.PERSONAL),
        "gaster": by_role(Attendance.Role.GAST),
        "absent": list(
            meeting.attendance.filter(present=False, role=Attendance.Role.LEDAMOT).select_related("person")
        ),
        "quorum": quorum(meeting),
        "justerare": list(meeting.justerare.order_by("name")),
        "approvers": approvers(meeting),
        "announced_on": meeting.announced_on,
        "announced_until": announcement_end(meeting),
        "is_justerat": meeting.status == MeetingStatus.JUSTERAT,
    }


def public_meetings(forbund):
    """The förbund's announced minutes: justerat, with an announcement date. Nothing else is public."""
    return Styrelsemote.objects.filter(
        forbund=forbund, status=MeetingStatus.JUSTERAT, announced_on__isnull=False
    ).order_by("-date", "-start_time")


# Writes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceEntry:
    person: Person
    role: str
    present: bool
    replaces: Person | None = None


@transaction.atomic
def attendance_save(*, meeting: Styrelsemote, by: User, entries: list[AttendanceEntry]) -> None:
    """Record who attended, all at once. A tjänstgörande ersättare serves for one absent ledamot."""
    _require_manager(by, meeting)
    meeting = _locked_meeting(meeting)
    _require_editable(meeting)
    seats = {(s.person_id, s.role): s for s in board_in_office(meeting)}
    ledamot_ids = {person_id for person_id, role in seats if role == Styrelseuppdrag.Role.LEDAMOT}
    absent_ids = {e.person.pk for e in entries if e.role == Attendance.Role.LEDAMOT and not e.present}
    replaced: set[int] = set()
    for entry in entries:
        if entry.person.forbund_id != meeting.forbund_id:
            raise ValidationError("Personen hör till ett annat förbund.")
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
            replaced.add(entry.replaces.pk)
        elif entry.replaces is not None:
            raise ValidationError("Bara en tjänstgörande ersättare tjänstgör för någon.")
    for entry in entries:
        Attendance.objects.update_or_create(
            meeting=meeting,
            person=entry.person,
            defaults={"role": entry.role, "present": entry.present, "replaces": entry.replaces},
        )
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: närvaron registrerad")


@transaction.atomic
def attendance_add(*, meeting: Styrelsemote, by: User, person: Person, role: str) -> Attendance:
    """Add a tjänsteperson or a guest who is not on the list already."""
    _require_manager(by, meeting)
    meeting = _locked_meeting(meeting)
    _require_editable(meeting)
    if role not in {Attendance.Role.PERSONAL, Attendance.Role.GAST}:
        raise ValidationError("Här läggs bara tjänstepersoner och gäster till.")
    if person.forbund_id != meeting.forbund_id:
        raise ValidationError("Personen hör till ett annat förbund.")
    if meeting.attendance.filter(person=person).exists():
        raise ValidationError(f"{person} finns redan i närvarolistan.")
    return Attendance.objects.create(meeting=meeting, person=person, role=role, present=True)


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

    @property
    def has_vote(self) -> bool:
        return any(v is not None for v in (self.votes_yes, self.votes_no, self.votes_abstain))


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


@transaction.atomic
def minutes_save(
    *,
    meeting: Styrelsemote,
    by: User,
    decisions: list[ItemDecision],
    justerare: list[Person] | None = None,
) -> None:
    """Record the decisions (with votes, reservations and jäv) and the justerare, all or nothing.
    A decision can only be recorded when the board is quorate."""
    _require_manager(by, meeting)
    meeting = _locked_meeting(meeting)
    _require_editable(meeting)
    state = quorum(meeting)
    present_ids = set(meeting.attendance.filter(present=True).values_list("person_id", flat=True))
    if any(entry.decision.strip() for entry in decisions):
        require_quorum(meeting)
    for entry in decisions:
        if entry.item.meeting_id != meeting.pk:
            raise ValidationError("Punkten hör till ett annat möte.")
        _check_votes(entry, state)
        for person in entry.conflicts:
            if person.pk not in present_ids:
                raise ValidationError(
                    f"{entry.item.title}: {person} är inte närvarande och kan inte anmäla jäv."
                )
    if justerare is not None:
        for person in justerare:
            if person.pk not in present_ids:
                raise ValidationError(f"{person} är inte närvarande och kan inte justera protokollet.")
        meeting.justerare.set(justerare)
    for entry in decisions:
        item = entry.item
        item.decision = entry.decision.strip()
        votes = (entry.votes_yes or 0, entry.votes_no or 0, entry.votes_abstain or 0)
        item.votes_yes, item.votes_no, item.votes_abstain = votes if entry.has_vote else (None, None, None)
        item.chair_casting_vote = entry.chair_casting_vote
        item.reservations = entry.reservations.strip()
        item.full_clean()
        item.save(
            update_fields=[
                "decision",
                "votes_yes",
                "votes_no",
                "votes_abstain",
                "chair_casting_vote",
                "reservations",
            ]
        )
        wanted = {person.pk for person in entry.conflicts}
        item.conflicts.exclude(person_id__in=wanted).delete()
        have = set(item.conflicts.values_list("person_id", flat=True))
        ConflictOfInterest.objects.bulk_create(
            ConflictOfInterest(item=item, person_id=pk) for pk in wanted - have
        )
    activity_log(forbund=meeting.forbund, actor=by, description=f"{meeting}: protokollet sparat")


def _number_paragraphs(meeting: Styrelsemote) -> None:
    """§ numbers continue through the calendar year across the förbund's meetings; the first
    meeting of a year starts at § 1. Called inside the lock's transaction."""
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


@transaction.atomic
def minutes_lock(*, meeting: Styrelsemote, by: User, comment: str = ""):
    """Lock the minutes for justering: number the items (§) and move the meeting on."""
    _require_manager(by, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.GENOMFORT:
        raise ValidationError("Bara protokollet från ett genomfört möte kan låsas för justering.")
    if not meeting.items.exists():
        raise ValidationError("Protokollet har inga punkter.")
    _number_paragraphs(meeting)
    return meeting_transition(meeting=meeting, to=MeetingStatus.JUSTERING, by=by, comment=comment)


@transaction.atomic
def minutes_unlock(*, meeting: Styrelsemote, by: User, comment: str = ""):
    """Open the minutes for corrections again, but only before anyone has approved them."""
    _require_manager(by, meeting)
    meeting = _locked_meeting(meeting)
    if meeting.status == MeetingStatus.JUSTERING and meeting.approvals.exists():
        raise ValidationError("Protokollet har redan justerats av någon och kan inte låsas upp.")
    change = meeting_transition(meeting=meeting, to=MeetingStatus.GENOMFORT, by=by, comment=comment)
    AgendaItem.objects.filter(meeting=meeting).update(paragraph=None)
    return change


def minutes_status(*, meeting: Styrelsemote, to: str, by: User, comment: str = ""):
    """The status buttons of the minutes page."""
    if to == MeetingStatus.JUSTERING:
        return minutes_lock(meeting=meeting, by=by, comment=comment)
    if to == MeetingStatus.GENOMFORT and meeting.status == MeetingStatus.JUSTERING:
        return minutes_unlock(meeting=meeting, by=by, comment=comment)
    return meeting_transition(meeting=meeting, to=to, by=by, comment=comment)


@transaction.atomic
def minutes_approve(*, meeting: Styrelsemote, by: User) -> MinutesApproval:
    """The ordförande or a justerare approves; the last approval makes the minutes justerat and sets
    the announcement date."""
    meeting = _locked_meeting(meeting)
    verdict = access.can_approve_minutes(by, meeting)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    person = access.person_of(by, meeting.forbund)
    is_chair = any(p.pk == person.pk for p in chairs(meeting))
    role = MinutesApproval.Role.ORDFORANDE if is_chair else MinutesApproval.Role.JUSTERARE
    approval = MinutesApproval.objects.create(meeting=meeting, person=person, role=role, user=by)
    activity_log(
        forbund=meeting.forbund, actor=by, description=f"{meeting}: protokollet justerat av {person}"
    )
    if all(a.approval is not None for a in approvers(meeting)):
        meeting_transition(meeting=meeting, to=MeetingStatus.JUSTERAT, by=by, automatic=True)
        Styrelsemote.objects.filter(pk=meeting.pk).update(announced_on=timezone.localdate())
    return approval
