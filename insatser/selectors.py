"""Reads for insatser, always through what the access module lets the user see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from finsam import access, money
from forbund.models import Forbund, User

from .models import (
    GRANTED_STATUSES,
    Beslut,
    BudgetAmount,
    BudgetLine,
    GrantedAmount,
    Insats,
    Milestone,
    StatusChange,
)

INCOMING_STATUSES = (Insats.Status.INSKICKAD, Insats.Status.UNDER_BEREDNING)


def insatser_for_user(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return (
        access.insatser_visible_to(user, forbund)
        .select_related("owner")
        .prefetch_related("partners")
        .order_by("start", "name")
    )


def parties_of(insats: Insats) -> set[int]:
    """The member organisations behind an application: its owner and its partners."""
    return {insats.owner_id, *insats.partners.values_list("pk", flat=True)}


def overlapping_year(year: int) -> Q:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(start__lte=last, end__gte=first)


def insatser_running_in_year(user: User, forbund: Forbund, year: int) -> QuerySet[Insats]:
    """Granted, running or finished insatser whose period touches the year."""
    return insatser_for_user(user, forbund).filter(status__in=GRANTED_STATUSES).filter(overlapping_year(year))


def incoming_applications(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return insatser_for_user(user, forbund).filter(status__in=INCOMING_STATUSES)


def overdue_milestones(user: User, forbund: Forbund) -> QuerySet[Milestone]:
    visible = access.insatser_visible_to(user, forbund)
    return (
        Milestone.objects.filter(insats__in=visible, due__lt=timezone.localdate())
        .exclude(status=Milestone.Status.KLAR)
        .select_related("insats")
        .order_by("due")
    )


def insats_detail(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return (
        insatser_for_user(user, forbund)
        .select_related("contact", "owner")
        .prefetch_related(
            "goals",
            "delprocesser__owner",
            "signatures__medlem",
            "attachments",
            "milestones",
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
            Prefetch("beslut", queryset=Beslut.objects.select_related("meeting").prefetch_related("amounts")),
            "arbetsgrupper__medlemmar__person",
            "arbetsgrupper__meetings",
        )
    )


# Budget tables ---------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    line: BudgetLine
    amounts: list[Decimal | None]
    total: Decimal


@dataclass
class BudgetSection:
    name: str
    rows: list[BudgetRow] = field(default_factory=list)
    year_totals: list[Decimal] = field(default_factory=list)
    total: Decimal = money.ZERO


@dataclass
class BudgetTable:
    """The budget the way förbund write it: one column per year, Summa per år, Summa totalt."""

    years: list[int]
    sections: list[BudgetSection]
    year_totals: list[Decimal]
    total: Decimal

    @property
    def is_empty(self) -> bool:
        return not self.sections


def budget_table(insats: Insats) -> BudgetTable:
    lines = list(
        insats.budget_lines.select_related("delprocess", "organisation")
        .prefetch_related("amounts")
        .order_by("order", "id")
    )
    years = sorted(set(insats.years) | {a.year for line in lines for a in line.amounts.all()})
    sections: dict[str, BudgetSection] = {}
    for line in lines:
        by_year = {a.year: a.amount for a in line.amounts.all()}
        row = BudgetRow(
            line=line,
            amounts=[by_year.get(year) for year in years],
            total=money.total(by_year.values()),
        )
        sections.setdefault(line.section_name, BudgetSection(name=line.section_name)).rows.append(row)
    for section in sections.values():
        section.year_totals = [money.total(row.amounts[i] for row in section.rows) for i in range(len(years))]
        section.total = money.total(section.year_totals)
    year_totals = [money.total(s.year_totals[i] for s in sections.values()) for i in range(len(years))]
    return BudgetTable(
        years=years,
        sections=list(sections.values()),
        year_totals=year_totals,
        total=money.total(year_totals),
    )


def applied_per_year(insats: Insats) -> dict[int, Decimal]:
    rows = (
        BudgetAmount.objects.filter(line__insats=insats)
        .values("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def granted_per_year(insats: Insats) -> dict[int, Decimal]:
    rows = (
        GrantedAmount.objects.filter(beslut__insats=insats, beslut__outcome=Beslut.Outcome.BEVILJAD)
        .values("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def _amounts_per_insats(rows, key: str) -> dict[int, dict[int, Decimal]]:
    result: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        result.setdefault(row[key], {})[row["year"]] = row["total"]
    return result


def applied_per_insats(insatser: list[Insats]) -> dict[int, dict[int, Decimal]]:
    """Applied amounts per insats id and year, for many insatser in one query."""
    rows = (
        BudgetAmount.objects.filter(line__insats__in=insatser)
        .values("line__insats", "year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return _amounts_per_insats(rows, "line__insats")


def granted_per_insats(insatser: list[Insats]) -> dict[int, dict[int, Decimal]]:
    """Granted amounts per insats id and year, for many insatser in one query."""
    rows = (
        GrantedAmount.objects.filter(beslut__insats__in=insatser, beslut__outcome=Beslut.Outcome.BEVILJAD)
        .values("beslut__insats", "year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return _amounts_per_insats(rows, "beslut__insats")


def granted_in_year(forbund: Forbund, year: int) -> dict[int, Decimal]:
    """Granted amounts for `year` per insats id: what the förbund's budget takes for insatser."""
    rows = (
        GrantedAmount.objects.filter(
            beslut__insats__forbund=forbund, beslut__outcome=Beslut.Outcome.BEVILJAD, year=year
        )
        .values("beslut__insats")
        .annotate(total=Sum("amount"))
    )
    return {row["beslut__insats"]: row["total"] for row in rows}
