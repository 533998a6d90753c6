"""Reads for the förbund pages: what is in force in a given year, with a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from .models import (
    ActivityEvent,
    Arbetsgrupp,
    Forbund,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Styrelsemote,
    Styrelseuppdrag,
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


def default_year(forbund: Forbund) -> int:
    """This year if the förbund has planned meetings in it, else the latest year that has some."""
    years = years_with_meetings(forbund)
    this_year = current_year()
    if not years or this_year in years:
        return this_year
    return years[0]


def medlemmar_in_year(forbund: Forbund, year: int) -> QuerySet[Medlem]:
    return Medlem.objects.filter(forbund=forbund).filter(period_active_q(year, "joined", "left"))


@dataclass
class Contribution:
    medlem: Medlem
    amount: Decimal | None
    share: Decimal | None


@dataclass
class FundingTable:
    budget: object | None
    rows: list[Contribution]
    total: Decimal


def funding_for_year(forbund: Forbund, year: int) -> FundingTable:
    """Each member's contribution in the year's latest budget version (decided ones first)."""
    from ekonomi.models import Budget

    medlemmar = list(medlemmar_in_year(forbund, year))
    budgets = Budget.objects.filter(forbund=forbund, year=year).order_by("-version")
    budget = budgets.filter(status=Budget.Status.BESLUTAD).first() or budgets.first()
    amounts: dict[int, Decimal] = {}
    if budget is not None:
        amounts = dict(budget.intakter.values_list("medlem_id", "amount"))
    total = sum(amounts.values(), Decimal(0))
    rows = []
    for medlem in medlemmar:
        amount = amounts.get(medlem.pk)
        share = (amount / total * 100).quantize(Decimal("1")) if amount is not None and total else None
        rows.append(Contribution(medlem=medlem, amount=amount, share=share))
    return FundingTable(budget=budget, rows=rows, total=total)


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
    return Styrelsemote.objects.filter(forbund=forbund, date__year=year).order_by("date", "start_time")


def next_meeting(forbund: Forbund) -> Styrelsemote | None:
    return (
        Styrelsemote.objects.filter(forbund=forbund, date__gte=timezone.localdate())
        .order_by("date", "start_time")
        .first()
    )


def population_in_year(forbund: Forbund, year: int) -> int | None:
    total = WorkingAgePopulation.objects.filter(forbund=forbund, year=year).aggregate(total=Sum("count"))
    return total["total"]


def per_inhabitant(amount: Decimal, population: int | None) -> Decimal | None:
    if not amount or not population:
        return None
    return (amount / population).quantize(Decimal("1"), ROUND_HALF_UP)


def recent_activity(forbund: Forbund, limit: int = 8) -> QuerySet[ActivityEvent]:
    return ActivityEvent.objects.filter(forbund=forbund).select_related("actor")[:limit]
