"""Reads for the förbund's documents: everything the verksamhetsplan shows, from the database, and
the document jobs."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from ekonomi.selectors.budget import budget_in_force, budget_lines, budget_overview
from forbund import selectors as forbund_selectors
from forbund.models import Dokumentjobb, Forbund
from insatser.models import GRANTED_STATUSES, Beslut, Insats
from insatser.selectors import granted_in_year, overlapping_year

from ..models import Arsredovisning, Indikator, PlannedActivity, Verksamhetsplan

UNDER_DISCUSSION = (
    Insats.Status.IDE,
    Insats.Status.UTKAST,
    Insats.Status.INSKICKAD,
    Insats.Status.UNDER_BEREDNING,
    Insats.Status.KOMPLETTERING_BEGARD,
)


def insatser_of_year(
    forbund: Forbund, year: int, *, granted: dict[int, Decimal] | None = None
) -> list[Insats]:
    """The insatser granted for and running in the year, each with what was granted for the year
    (`granted`: `insatser.selectors.granted_in_year`, when the caller already has it)."""
    insatser = list(
        Insats.objects.filter(forbund=forbund, status__in=GRANTED_STATUSES)
        .filter(overlapping_year(year))
        .select_related("owner")
        .prefetch_related(
            "partners", "goals", Prefetch("beslut", queryset=Beslut.objects.select_related("meeting"))
        )
        .order_by("name")
    )
    if granted is None:
        granted = granted_in_year(forbund, year)
    for insats in insatser:
        insats.granted_this_year = granted.get(insats.pk)
    return insatser


def insatser_under_discussion(forbund: Forbund) -> QuerySet[Insats]:
    return (
        Insats.objects.filter(forbund=forbund, status__in=UNDER_DISCUSSION)
        .select_related("owner")
        .prefetch_related("partners")
        .order_by("status", "name")
    )


def verksamhetsplan_context(forbund: Forbund, year: int) -> dict:
    """Everything sections 1–12 of the verksamhetsplan show, for the PDF and its HTML preview. The
    year's members, grants and board are read once and passed to what shows them."""
    plan = Verksamhetsplan.objects.filter(forbund=forbund, year=year).first() or Verksamhetsplan(
        forbund=forbund, year=year
    )
    medlemmar = list(forbund_selectors.medlemmar_in_year(forbund, year))
    granted = granted_in_year(forbund, year)
    budget = budget_in_force(forbund, year)
    # The budget chapter's tables are printed in tkr with rows that add up to their sums.
    overview = (
        budget_overview(budget, lines=budget_lines(budget, members=medlemmar, granted=granted)).in_tkr
        if budget
        else None
    )
    groups = list(forbund_selectors.arbetsgrupper_in_year(forbund, year))
    board = forbund_selectors.board_by_medlem(forbund, year)
    return {
        "plan": plan,
        "indicators": list(Indikator.objects.filter(forbund=forbund, year=year)),
        "activities": list(PlannedActivity.objects.filter(forbund=forbund, year=year)),
        "board": board,
        # Only a ledamot sits in the presidium: the board's seats in their order hold it all.
        "presidium": [uppdrag for seat in board for uppdrag in seat.ledamoter if uppdrag.presidium],
        "kansli": list(forbund_selectors.kansli_in_year(forbund, year)),
        "styrgrupper": [group for group in groups if group.kind == group.Kind.STYRGRUPP],
        "other_groups": [group for group in groups if group.kind != group.Kind.STYRGRUPP],
        "meetings": list(forbund_selectors.meetings_in_year(forbund, year)),
        "insatser": insatser_of_year(forbund, year, granted=granted),
        "discussed": list(insatser_under_discussion(forbund)),
        "budget": budget,
        "overview": overview,
        "medlemmar": medlemmar,
    }


def document_jobs(
    forbund: Forbund, *, kind: str | None = None, year: int | None = None, limit: int = 30
) -> QuerySet[Dokumentjobb]:
    """The förbund's document jobs, newest first; of one kind and year when asked."""
    jobs = Dokumentjobb.objects.filter(forbund=forbund)
    if kind is not None:
        jobs = jobs.filter(kind=kind, year=year)
    return jobs.select_related("requested_by").prefetch_related(
        "faststallelser__item", "faststallelser__withdrawn_by_item"
    )[:limit]


def document_years(forbund: Forbund) -> list[int]:
    """Every year the Dokument page offers, newest first: this year and the next (the plan being
    written), and each year that has a budget, a verksamhetsplan, an årsredovisning, a made document
    or a board meeting, however far back (a budget for 2022 makes 2022's plan reachable)."""
    this_year = forbund_selectors.current_year()
    years = {this_year, this_year + 1}
    years.update(forbund_selectors.years_with_budget(forbund))
    years.update(forbund_selectors.years_with_meetings(forbund))
    for model in (Verksamhetsplan, Arsredovisning, Dokumentjobb):
        years.update(model.objects.filter(forbund=forbund).exclude(year=None).values_list("year", flat=True))
    return sorted(years, reverse=True)
