"""Reads about what happened at a meeting: the board in office, attendance and quorum, who approves
the minutes, the minutes as printed (and as the PDF worker renders them), the rättelser and the
public archive's meetings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet

from forbund.models import (
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Dokumentjobb,
    Forbund,
    Kansliuppdrag,
    MeetingStatus,
    MinutesApproval,
    Person,
    Rattelse,
    Styrelsemote,
    Styrelseuppdrag,
)

ANNOUNCEMENT_DAYS = 21  # the anslag stays up three weeks
VOTING_ROLES = (Attendance.Role.LEDAMOT, Attendance.Role.TJANSTGORANDE)


def in_office_q(day: datetime.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def board_in_office(meeting: Styrelsemote) -> QuerySet[Styrelseuppdrag]:
    """The board's seats on the meeting's date, with person and member."""
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


# Attendance and quorum ------------------------------------------------------------------------


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
    """The board in office, the kansli in office, then anyone else recorded (guests), each person once
    with what is recorded; an ersättare whose member's ledamot is absent is suggested to serve for
    them."""
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
    _suggest_serving(rows)
    return rows


def _suggest_serving(rows: list[AttendanceRow]) -> None:
    """A ledamot recorded absent, with no one serving for them, gets their own member's ersättare
    (present and not already serving) suggested as tjänstgörande ersättare; each ersättare once."""
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


def present_persons(meeting: Styrelsemote) -> list[Person]:
    """Everyone recorded present, by name: those who may report jäv or be chosen justerare."""
    return [
        a.person
        for a in meeting.attendance.filter(present=True).select_related("person").order_by("person__name")
    ]


@dataclass
class Quorum:
    ledamoter: int  # seats on the board at the meeting's date
    voting_present: int  # ledamöter present plus serving ersättare, each person once

    @property
    def quorate(self) -> bool:
        return self.voting_present * 2 > self.ledamoter

    @property
    def needed(self) -> int:
        return self.ledamoter // 2 + 1


def quorum(meeting: Styrelsemote) -> Quorum:
    """More than half of the ledamöter, counting serving ersättare, must be present. A person counts
    once, however many seats they hold or ledamöter they were named to stand in for."""
    seats = (
        board_in_office(meeting)
        .filter(role=Styrelseuppdrag.Role.LEDAMOT)
        .values("person_id")
        .distinct()
        .count()
    )
    voting = (
        meeting.attendance.filter(present=True, role__in=VOTING_ROLES).values("person_id").distinct().count()
    )
    return Quorum(ledamoter=seats, voting_present=voting)


def quorum_text(state: Quorum) -> str:
    counted = f"{state.voting_present} av {state.ledamoter} ledamöter med rösträtt närvarande"
    if state.quorate:
        return f"Beslutför: {counted}."
    return f"Inte beslutför: {counted}, minst {state.needed} behövs."


# Justering ------------------------------------------------------------------------------------


@dataclass
class Approver:
    person: Person
    role: str
    approval: MinutesApproval | None = None


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


def announcement_end(meeting: Styrelsemote) -> datetime.date | None:
    if meeting.announced_on is None:
        return None
    return meeting.announced_on + datetime.timedelta(days=ANNOUNCEMENT_DAYS)


def rattelser(meeting: Styrelsemote) -> list[Rattelse]:
    return list(meeting.rattelser.select_related("item", "made_by").order_by("made_at", "id"))


@dataclass
class MinutesState:
    """What the minutes panel shows about a meeting: quorum, justering, anslag and rättelser."""

    quorum: Quorum
    quorum_text: str
    approvers: list[Approver]
    announced_on: datetime.date | None
    announced_until: datetime.date | None
    rattelser: list[Rattelse]


def minutes_state(meeting: Styrelsemote) -> MinutesState:
    state = quorum(meeting)
    return MinutesState(
        quorum=state,
        quorum_text=quorum_text(state),
        approvers=approvers(meeting),
        announced_on=meeting.announced_on,
        announced_until=announcement_end(meeting),
        rattelser=rattelser(meeting),
    )


# The minutes ----------------------------------------------------------------------------------


def minutes_items(meeting: Styrelsemote) -> QuerySet[AgendaItem]:
    return meeting.items.prefetch_related(
        Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("person")),
        Prefetch("rattelser", queryset=Rattelse.objects.order_by("made_at", "id")),
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
        "rattelser": rattelser(meeting),
    }


def public_meetings(forbund: Forbund) -> QuerySet[Styrelsemote]:
    """The förbund's announced minutes: justerat, with an announcement date. Nothing else is public."""
    return Styrelsemote.objects.filter(
        forbund=forbund, status=MeetingStatus.JUSTERAT, announced_on__isnull=False
    ).order_by("-date", "-start_time")


def published_plans(forbund: Forbund) -> QuerySet[Dokumentjobb]:
    """The latest finished verksamhetsplan per year."""
    latest = (
        Dokumentjobb.objects.filter(
            forbund=forbund, kind=Dokumentjobb.Kind.VERKSAMHETSPLAN, status=Dokumentjobb.Status.KLAR
        )
        .exclude(file="")
        .values("year")
        .annotate(last=Max("pk"))
        .values("last")
    )
    return Dokumentjobb.objects.filter(pk__in=latest).order_by("-year")
