"""The figures Försäkringskassan's national follow-up (Uppföljning Finsam) asks of a förbund: per
insats its budget, outcome and participants, per förbund its state allocation, eget kapital and
administrative budget and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ekonomi.selectors.budget import budget_in_force, budget_overview
from ekonomi.selectors.comparison import Comparison, budget_vs_outcome
from forbund.models import Forbund
from insatser.models import GRANTED_STATUSES, Insats
from insatser.selectors import granted_in_year, overlapping_year

from ..models import Tertialrapport
from .followup import APPROVED, PERIOD_ORDER, FollowUp, InsatsRow


@dataclass
class NationalInsats:
    insats: Insats
    budget: Decimal | None  # granted for the year
    outcome: Decimal  # the ledger's outcome for the full year (budget versus utfall)
    reported_cost: Decimal | None  # cost in the latest approved report of the year, for comparison
    participants: InsatsRow | None  # the chosen period's approved report, as on the page


@dataclass
class NationalForbund:
    state_allocation: Decimal | None
    equity: Decimal | None
    admin_budget: Decimal | None
    admin_outcome: Decimal


def national_followup(
    forbund: Forbund, year: int, page: FollowUp
) -> tuple[list[NationalInsats], NationalForbund]:
    comparison = budget_vs_outcome(forbund, year, "AR")
    return national_insatser(forbund, year, page, comparison), national_forbund(forbund, year, comparison)


def national_insatser(
    forbund: Forbund, year: int, page: FollowUp, comparison: Comparison
) -> list[NationalInsats]:
    """Per insats running during the year. The outcome is the ledger's (budget versus utfall for the
    full year): the förbund's own booked cost, not what the project owner wrote in a report. The
    latest approved report's cost (reports are cumulative from January) is given beside it, so a
    difference shows. Participants are the chosen period's approved report, exactly as on the page."""
    insatser = list(
        Insats.objects.filter(forbund=forbund, status__in=GRANTED_STATUSES)
        .filter(overlapping_year(year))
        .order_by("name")
    )
    granted = granted_in_year(forbund, year)
    outcome: dict[int, Decimal] = {}
    for row in comparison.insatser.rows:
        if row.link is not None:
            outcome[row.link.pk] = outcome.get(row.link.pk, Decimal(0)) + row.outcome
    latest: dict[int, tuple[int, Decimal | None]] = {}
    approved = Tertialrapport.objects.filter(
        period__forbund=forbund, period__year=year, status=APPROVED
    ).values_list("insats_id", "period__kind", "cost")
    for insats_id, kind, cost in approved:
        if PERIOD_ORDER[kind] > latest.get(insats_id, (0, None))[0]:
            latest[insats_id] = (PERIOD_ORDER[kind], cost)
    rows = {row.insats.pk: row for row in page.insats_rows}
    return [
        NationalInsats(
            insats=insats,
            budget=granted.get(insats.pk),
            outcome=outcome.get(insats.pk, Decimal(0)),
            reported_cost=latest.get(insats.pk, (0, None))[1],
            participants=rows.get(insats.pk),
        )
        for insats in insatser
    ]


def national_forbund(forbund: Forbund, year: int, comparison: Comparison) -> NationalForbund:
    """The state allocation is the state's income in the budget in force: Försäkringskassan's, with
    Arbetsförmedlingen's should the budget have such a row (the state pays through Försäkringskassan).
    Eget kapital is the preliminary equity at the start of the year (budget_overview); the
    administrative budget and outcome are the internal costs, the outcome from the ledger for the
    full year (budget versus utfall)."""
    budget = budget_in_force(forbund, year)
    overview = budget_overview(budget) if budget else None
    return NationalForbund(
        state_allocation=overview.funding.state if overview else None,
        equity=overview.equity.preliminary if overview else None,
        admin_budget=overview.internal_total if overview else None,
        admin_outcome=comparison.internal.total.outcome,
    )
