"""Reads for the förbund pages: what is in force in a given year, with a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from .models import (
    ActivityEvent,
    Arbetsgrupp,
    Forbund,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
    WorkingAgePopulation,
    medlem_kind_order,
    period_active_q,
)


def current_year() -> int:
    return timezone.localdate().year


def years_with_meetings(forbund: Forbund) -> list[int]:
    dates = Styrelsemote.objects.filter(forbund=forbund).dates("date", "year", order="DESC")
    return [day.year for day in dates]


def years_with_budget(forbund: Forbund) -> list[int]:
    from ekonomi.models import Budget

    return sorted(set(Budget.objects.filter(forbund=forbund).values_list("year", flat=True)), reverse=True)


def years_with_board(forbund: Forbund) -> list[int]:
    """Every year some board assignment covers, up to this year (open ends run to this year)."""
    this_year = current_year()
    years: set[int] = set()
    for start, end in Styrelseuppdrag.objects.filter(forbund=forbund).values_list("start", "end"):
        years.update(range(start.year, (end.year if end else this_year) + 1))
    return sorted(years)


def default_year(forbund: Forbund, *, years: list[int] | None = None) -> int:
    """This year if the förbund has planned meetings in it, else the latest year that has some
    (`years`: the years with meetings, latest first, when the caller has them already)."""
    if years is None:
        years = years_with_meetings(forbund)
    this_year = current_year()
    if not years or this_year in years:
        return this_year
    return years[0]


def medlemmar_in_year(forbund: Forbund, year: int) -> QuerySet[Medlem]:
    return Medlem.objects.filter(forbund=forbund).filter(period_active_q(year, "joined", "left"))


@dataclass
class BoardSeat:
    medlem: Medlem
    ledamoter: list[Styrelseuppdrag] = field(default_factory=list)
    ersattare: list[Styrelseuppdrag] = field(default_factory=list)


def styrelseuppdrag_in_year(forbund: Forbund, year: int) -> QuerySet[Styrelseuppdrag]:
    return (
        Styrelseuppdrag.objects.filter(forbund=forbund)
        .filter(period_active_q(year))
        .select_related("person", "medlem")
        .order_by(medlem_kind_order("medlem__"), "medlem__name", "role", "start")
    )


def board_by_medlem(forbund: Forbund, year: int) -> list[BoardSeat]:
    """The board as förbund present it: per member, its ledamot and its ersättare."""
    seats: dict[int, BoardSeat] = {}
    for uppdrag in styrelseuppdrag_in_year(forbund, year):
        seat = seats.setdefault(uppdrag.medlem_id, BoardSeat(medlem=uppdrag.medlem))
        target = seat.ledamoter if uppdrag.role == Styrelseuppdrag.Role.LEDAMOT else seat.ersattare
        target.append(uppdrag)
    return list(seats.values())


def board_day(year: int) -> datetime.date:
    """The day a year's board page shows the board on: today in the current year, else the year's
    last day (a past year) or first day (a coming year)."""
    today = timezone.localdate()
    if year == today.year:
        return today
    return datetime.date(year, 12, 31) if year < today.year else datetime.date(year, 1, 1)


def board_on(forbund: Forbund, day: datetime.date) -> list[BoardSeat]:
    """The board in force on `day`: seats running that day, of members that are members that day."""
    seats: dict[int, BoardSeat] = {}
    in_force = (
        Styrelseuppdrag.objects.filter(forbund=forbund, start__lte=day, medlem__joined__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .filter(Q(medlem__left__isnull=True) | Q(medlem__left__gte=day))
        .select_related("person", "medlem")
        .order_by(medlem_kind_order("medlem__"), "medlem__name", "role", "start")
    )
    for uppdrag in in_force:
        seat = seats.setdefault(uppdrag.medlem_id, BoardSeat(medlem=uppdrag.medlem))
        target = seat.ledamoter if uppdrag.role == Styrelseuppdrag.Role.LEDAMOT else seat.ersattare
        target.append(uppdrag)
    return list(seats.values())


def presidium(forbund: Forbund, year: int) -> list[Styrelseuppdrag]:
    return [uppdrag for uppdrag in styrelseuppdrag_in_year(forbund, year) if uppdrag.presidium]


def kansli_in_year(forbund: Forbund, year: int) -> QuerySet[Kansliuppdrag]:
    return (
        Kansliuppdrag.objects.filter(forbund=forbund)
        .filter(period_active_q(year))
        .select_related("person", "employer")
    )


def arbetsgrupper_in_year(forbund: Forbund, year: int | None = None) -> QuerySet[Arbetsgrupp]:
    groups = Arbetsgrupp.objects.filter(forbund=forbund)
    if year is not None:
        first = datetime.date(year, 1, 1)
        last = datetime.date(year, 12, 31)
        groups = groups.exclude(start__gt=last).exclude(end__lt=first)
    members = GroupMembership.objects.select_related("person", "person__medlem")
    return groups.select_related("insats").prefetch_related(
        Prefetch("medlemmar", queryset=members), "meetings"
    )


def meetings_in_year(forbund: Forbund, year: int) -> QuerySet[Styrelsemote]:
    # With its förbund: each row asks the access rules whether the meeting may still be edited.
    return (
        Styrelsemote.objects.filter(forbund=forbund, date__year=year)
        .select_related("forbund")
        .order_by("date", "start_time")
    )


def next_meeting(forbund: Forbund) -> Styrelsemote | None:
    return (
        Styrelsemote.objects.filter(forbund=forbund, date__gte=timezone.localdate())
        .order_by("date", "start_time")
        .first()
    )


def population_in_year(forbund: Forbund, year: int) -> int | None:
    # The kommuner's figures: a region's (entered to split the regions' quarter) covers the same people.
    total = WorkingAgePopulation.objects.filter(
        forbund=forbund, year=year, kommun__kind=Medlem.Kind.KOMMUN
    ).aggregate(total=Sum("count"))
    return total["total"]


# Signing in and out is in the förbund's log, but is not a change to its records.
ACCOUNT_EVENTS = frozenset(
    {
        ActivityEvent.Kind.LOGIN,
        ActivityEvent.Kind.LOGOUT,
        ActivityEvent.Kind.LOGIN_FAILED,
        ActivityEvent.Kind.PASSWORD_CHANGED,
    }
)


def recent_activity(forbund: Forbund, limit: int = 8) -> QuerySet[ActivityEvent]:
    """The latest changes to the förbund's records, for the dashboard."""
    return (
        ActivityEvent.objects.filter(forbund=forbund)
        .exclude(kind__in=ACCOUNT_EVENTS)
        .select_related("actor")[:limit]
    )


def audit_log(forbund: Forbund) -> QuerySet[ActivityEvent]:
    """The förbund's whole audit log, newest first."""
    return (
        ActivityEvent.objects.filter(forbund=forbund)
        .select_related("actor", "content_type")
        .order_by("-created_at", "-id")
    )


def audit_log_people(forbund: Forbund) -> QuerySet[User]:
    """Everyone the log can be filtered by: those with a role in the förbund and those who acted in it."""
    return User.objects.filter(
        Q(pk__in=Role.objects.filter(forbund=forbund).values("user"))
        | Q(pk__in=ActivityEvent.objects.filter(forbund=forbund, actor__isnull=False).values("actor"))
    ).order_by("first_name", "last_name", "username")


def audit_log_record_kinds(forbund: Forbund) -> list[tuple[int, str]]:
    """The kinds of record the förbund's log has rows about, by their Swedish name."""
    used = ActivityEvent.objects.filter(forbund=forbund, content_type__isnull=False).values("content_type")
    kinds = []
    for content_type in ContentType.objects.filter(pk__in=used):
        kinds.append((content_type.pk, record_kind(content_type)))
    return sorted(kinds, key=lambda kind: kind[1])


def record_kind(content_type: ContentType | None) -> str:
    """'Person', 'Styrelsemöte' …: the Swedish name of a kind of record."""
    if content_type is None:
        return ""
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else content_type.model


# Lists that grow with the förbund's history (issue #14): by default the year or what is in force,
# the rest a year or a page at a time. ------------------------------------------------------------


def population_years(forbund: Forbund) -> list[int]:
    """The years with registered working-age population, latest first."""
    rows = WorkingAgePopulation.objects.filter(forbund=forbund).values_list("year", flat=True)
    return sorted(set(rows.order_by().distinct()), reverse=True)


def population_default_year(years: list[int]) -> int:
    """The year the förbund page shows first: the latest with figures up to this year (a year's
    figures are counted afterwards), else the latest registered, else this year."""
    this_year = current_year()
    passed = [year for year in years if year <= this_year]
    if passed:
        return passed[0]
    return years[-1] if years else this_year


def population_rows(forbund: Forbund, year: int) -> QuerySet[WorkingAgePopulation]:
    """The year's figures per member (kommuner, and regions where entered), by name."""
    return (
        WorkingAgePopulation.objects.filter(forbund=forbund, year=year)
        .select_related("kommun")
        .order_by("kommun__name")
    )


def kansliuppdrag_current(forbund: Forbund, today: datetime.date) -> QuerySet[Kansliuppdrag]:
    """The kansli as it is and will be: assignments in force on `today` or starting later."""
    return (
        Kansliuppdrag.objects.filter(forbund=forbund)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("person", "employer")
        .order_by("start", "role", "pk")
    )


def kansliuppdrag_ended(forbund: Forbund, today: datetime.date) -> QuerySet[Kansliuppdrag]:
    """Assignments that ended before `today`, the latest ended first."""
    return (
        Kansliuppdrag.objects.filter(forbund=forbund, end__lt=today)
        .select_related("person", "employer")
        .order_by("-end", "role", "pk")
    )


def group_meetings(group: Arbetsgrupp, *, since: datetime.date, earlier: bool = False) -> QuerySet:
    """A group's meetings on or after `since` in date order; `earlier`: those before it, latest first."""
    from .models import GroupMeeting

    meetings = GroupMeeting.objects.filter(arbetsgrupp=group)
    if earlier:
        return meetings.filter(date__lt=since).order_by("-date")
    return meetings.filter(date__gte=since).order_by("date")
