"""Reads about what happened at a meeting: the board in office, attendance and quorum, who approves
the minutes, the minutes as printed (and as the PDF worker renders them), the rättelser and the
public archive's meetings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from forbund.models import (
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Faststallelse,
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


def member_on_q(day: datetime.date, prefix: str = "medlem__") -> Q:
    """Seats whose member is a member of the förbund on `day` (a member that has left has no seats)."""
    return Q(**{f"{prefix}joined__lte": day}) & (
        Q(**{f"{prefix}left__isnull": True}) | Q(**{f"{prefix}left__gte": day})
    )


def board_in_office(meeting: Styrelsemote) -> QuerySet[Styrelseuppdrag]:
    """The board's seats in force on the meeting's date, with person and member: a seat that ended
    before it or starts after it does not count, nor one of a member that has left by then."""
    return (
        Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id)
        .filter(in_office_q(meeting.date) & member_on_q(meeting.date))
        .select_related("person", "medlem")
    )


@dataclass(frozen=True)
class Presidium:
    """The board's ordförande and vice ordförande on the meeting's date (either may be missing)."""

    ordforande: Person | None
    vice_ordforande: Person | None


def presidium(meeting: Styrelsemote) -> Presidium:
    seats = {
        seat.presidium: seat.person
        for seat in board_in_office(meeting).exclude(presidium=Styrelseuppdrag.Presidium.NONE)
    }
    return Presidium(
        ordforande=seats.get(Styrelseuppdrag.Presidium.ORDFORANDE),
        vice_ordforande=seats.get(Styrelseuppdrag.Presidium.VICE_ORDFORANDE),
    )


def presiding_by_rule(board: Presidium, voting_present: set[int]) -> tuple[Person | None, str]:
    """Who presides when the förbundsordning's order decides: the ordförande if present, else the
    vice ordförande if present, else no one (a ledamot is chosen for the meeting). Returns the
    person and what they are on the board ("ordförande", "vice ordförande")."""
    for person, title in ((board.ordforande, "ordförande"), (board.vice_ordforande, "vice ordförande")):
        if person is not None and person.pk in voting_present:
            return person, title
    return None, ""


# Attendance and quorum ------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    """One line of the attendance list: someone expected at the meeting, and what is recorded."""

    person: Person
    role: str  # the seat: ledamot, ersattare, personal, gast
    seat: Styrelseuppdrag | None = None
    record: Attendance | None = None
    suggested_for: Person | None = None  # an absent ledamot this ersättare could serve for
    medlem_ids: frozenset[int] = frozenset()  # the members whose seat the person holds
    call_order: int | None = None  # an ersättare's place in the call-in order

    @property
    def call_key(self) -> tuple:
        """Ersättare are called in by their recorded order; those without one come last, by name."""
        return (self.call_order is None, self.call_order or 0, self.person.name)

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
        same = [s for s in seats if s.person_id == seat.person_id and s.role == seat.role]
        orders = [s.call_order for s in same if s.call_order is not None]
        rows.append(
            AttendanceRow(
                seat.person,
                seat.role,
                seat=seat,
                record=records.get(seat.person_id),
                medlem_ids=frozenset(s.medlem_id for s in same),
                call_order=min(orders) if orders else None,
            )
        )
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
    _suggest_serving(rows, shared=meeting.forbund.ersattare_shared)
    return rows


def _suggest_serving(rows: list[AttendanceRow], *, shared: bool) -> None:
    """A ledamot recorded absent, with no one serving for them, gets the first ersättare in the
    call-in order (present and not already serving) suggested as tjänstgörande ersättare: one of
    their own member's ersättare, or any ersättare when the förbund's ersättare are shared. Each
    ersättare is suggested once."""
    served = {row.replaces.pk for row in rows if row.replaces}
    absent = [
        row
        for row in rows
        if row.role == "ledamot" and row.record and not row.present and row.person.pk not in served
    ]
    ersattare = sorted(
        (row for row in rows if row.role == "ersattare" and row.seat is not None), key=lambda r: r.call_key
    )
    for row in absent:
        for candidate in ersattare:
            if (
                (shared or candidate.medlem_ids & row.medlem_ids)
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


def voting_person_ids(meeting: Styrelsemote) -> set[int]:
    """Those present with a vote: the ledamöter present and the serving ersättare, each person once."""
    return set(
        meeting.attendance.filter(present=True, role__in=VOTING_ROLES).values_list("person_id", flat=True)
    )


def quorum(meeting: Styrelsemote, voting: set[int] | None = None) -> Quorum:
    """More than half of the ledamöter, counting serving ersättare, must be present. A person counts
    once, however many seats they hold or ledamöter they were named to stand in for."""
    seats = (
        board_in_office(meeting)
        .filter(role=Styrelseuppdrag.Role.LEDAMOT)
        .values("person_id")
        .distinct()
        .count()
    )
    voting = voting_person_ids(meeting) if voting is None else voting
    return Quorum(ledamoter=seats, voting_present=len(voting))


def item_quorum(state: Quorum, voting: set[int], conflicted: set[int]) -> Quorum:
    """The quorum for one item: a person with jäv takes no part in it, so they leave the item's
    voting count; the board's seats stay what they are (the same rule, applied per item)."""
    return Quorum(ledamoter=state.ledamoter, voting_present=len(voting - conflicted))


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

    @property
    def has_account(self) -> bool:
        """Each approver justerar by logging in with their own account."""
        return self.person.user_id is not None


def approvers(meeting: Styrelsemote, justerare: list[Person] | None = None) -> list[Approver]:
    """The meeting's ordförande (who presided, not necessarily the board's ordförande) and every
    chosen justerare, each with their approval if given."""
    given = {a.person_id: a for a in meeting.approvals.select_related("person", "user")}
    result: list[Approver] = []
    if meeting.ordforande_id is not None:
        person = meeting.ordforande
        result.append(Approver(person, MinutesApproval.Role.ORDFORANDE, given.get(person.pk)))
    if justerare is None:
        justerare = list(meeting.justerare.order_by("name"))
    for person in justerare:
        if person.pk != meeting.ordforande_id:
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
    ordforande: Person | None  # who presided
    justerare: list[Person]
    approvers: list[Approver]
    announced_on: datetime.date | None
    announced_until: datetime.date | None
    rattelser: list[Rattelse]


def minutes_state(meeting: Styrelsemote) -> MinutesState:
    state = quorum(meeting)
    justerare = list(meeting.justerare.order_by("name"))
    return MinutesState(
        quorum=state,
        quorum_text=quorum_text(state),
        ordforande=meeting.ordforande,
        justerare=justerare,
        approvers=approvers(meeting, justerare),
        announced_on=meeting.announced_on,
        announced_until=announcement_end(meeting),
        rattelser=rattelser(meeting),
    )


# The minutes ----------------------------------------------------------------------------------


def minutes_items(meeting: Styrelsemote) -> QuerySet[AgendaItem]:
    return (
        meeting.items.select_related("dokumentjobb")
        .prefetch_related(
            Prefetch("conflicts", queryset=ConflictOfInterest.objects.select_related("person")),
            Prefetch("rattelser", queryset=Rattelse.objects.order_by("made_at", "id")),
        )
        .order_by("order", "id")
    )


def minutes_items_counted(meeting: Styrelsemote, state: Quorum, voting: set[int]) -> list[AgendaItem]:
    """The items, each with `quorum`: who may vote on it once those with jäv step out (`voting`
    are those present with a vote, `state` the meeting's quorum)."""
    items = list(minutes_items(meeting))
    for item in items:
        item.quorum = item_quorum(state, voting, {c.person_id for c in item.conflicts.all()})
    return items


def minutes_context(meeting: Styrelsemote) -> dict:
    """Everything templates/forbund/meetings/pdf/minutes.html needs (for HTML and the PDF worker)."""
    attendance = list(
        meeting.attendance.filter(present=True).select_related("person", "person__medlem", "replaces")
    )

    def by_role(role: str) -> list[Attendance]:
        return sorted((a for a in attendance if a.role == role), key=lambda a: a.person.name)

    voting = voting_person_ids(meeting)
    state = quorum(meeting, voting)
    justerare = list(meeting.justerare.order_by("name"))
    return {
        "meeting": meeting,
        "forbund": meeting.forbund,
        "ordforande": meeting.ordforande,
        "items": minutes_items_counted(meeting, state, voting),
        "ledamoter": by_role(Attendance.Role.LEDAMOT),
        "tjanstgorande": by_role(Attendance.Role.TJANSTGORANDE),
        "ersattare": by_role(Attendance.Role.ERSATTARE),
        "personal": by_role(Attendance.Role.PERSONAL),
        "gaster": by_role(Attendance.Role.GAST),
        "absent": list(
            meeting.attendance.filter(present=False, role=Attendance.Role.LEDAMOT).select_related("person")
        ),
        "quorum": state,
        "justerare": justerare,
        "approvers": approvers(meeting, justerare),
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


def published_documents(forbund: Forbund) -> QuerySet[Faststallelse]:
    """The adopted verksamhetsplaner and årsredovisningar whose fastställd edition is published (the
    minutes that adopted them are justerade), withdrawn ones included: the archive lists those as
    withdrawn, without the file. A draft never appears here."""
    return (
        Faststallelse.objects.filter(forbund=forbund, published_at__isnull=False)
        .exclude(published_file="")
        .select_related("forbund", "item__meeting", "withdrawn_by_item__meeting")
        .order_by("-year", "kind", "-adopted_on")
    )


def downloadable_documents(forbund: Forbund) -> QuerySet[Faststallelse]:
    """The fastställda editions the archive serves: published and not withdrawn."""
    return published_documents(forbund).filter(withdrawn_on__isnull=True)


@dataclass
class ArchiveYear:
    year: int
    documents: list[Faststallelse]
    meetings: list[tuple[Styrelsemote, datetime.date | None]]


def archive_year_numbers(forbund: Forbund) -> list[int]:
    """Every year the public archive has something for, newest first: a fastställt document or
    justerade minutes."""
    years = set(published_documents(forbund).values_list("year", flat=True))
    years.update(date.year for date in public_meetings(forbund).dates("date", "year"))
    return sorted(years, reverse=True)


def archive_years(forbund: Forbund, years: list[int] | None = None) -> list[ArchiveYear]:
    """The public archive per year, newest first: the fastställda documents and the justerade
    minutes (with their anslag's end). Only `years` when given (the archive shows a few years a page)."""
    found: dict[int, ArchiveYear] = {}

    def year(number: int) -> ArchiveYear:
        return found.setdefault(number, ArchiveYear(number, [], []))

    documents, meetings = published_documents(forbund), public_meetings(forbund)
    if years is not None:
        documents, meetings = documents.filter(year__in=years), meetings.filter(date__year__in=years)
    for document in documents:
        year(document.year).documents.append(document)
    for meeting in meetings:
        year(meeting.date.year).meetings.append((meeting, announcement_end(meeting)))
    return [found[number] for number in sorted(found, reverse=True)]
