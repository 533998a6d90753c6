"""The figures Försäkringskassan's national follow-up (Uppföljning Finsam) asks of a förbund: per
insats its budget, outcome and participants, per förbund its state allocation, eget kapital and
administrative budget and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ekonomi.selectors.budget import budget_in_force, budget_lines, equity_statement, funding_check
from ekonomi.selectors.comparison import Comparison, budget_vs_outcome
from ekonomi.selectors.history import History
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
    """Both parts of the export from one budget comparison for the full year, whose budget lines and
    the year's grants are read once and passed to what needs them."""
    granted = granted_in_year(forbund, year)
    history = History(forbund)
    lines = budget_lines(budget_in_force(forbund, year), granted=granted)
    comparison = budget_vs_outcome(forbund, year, "AR", lines=lines, history=history)
    return (
        national_insatser(forbund, year, page, comparison, granted=granted),
        national_forbund(comparison, history=history),
    )


def national_insatser(
    forbund: Forbund,
    year: int,
    page: FollowUp,
    comparison: Comparison,
    *,
    granted: dict[int, Decimal] | None = None,
) -> list[NationalInsats]:
    """Per insats running during the year. The outcome is the ledger's (budget versus utfall for the
    full year): the förbund's own booked cost, not what the project owner wrote in a report. The
    latest approved report's cost (reports are cumulative from January) is given beside it, so a
    difference shows. Participants are the chosen period's approved report, exactly as on the page.
    `granted`: the year's grants per insats (`granted_in_year`), when the caller already has them."""
    insatser = list(
        Insats.objects.filter(forbund=forbund, status__in=GRANTED_STATUSES)
        .filter(overlapping_year(year))
        .order_by("name")
    )
    if granted is None:
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


def national_forbund(comparison: Comparison, *, history: History | None = None) -> NationalForbund:
    """The state allocation is the state's income in the budget in force: Försäkringskassan's, with
    Arbetsförmedlingen's should the budget have such a row (the state pays through Försäkringskassan;
    `funding_check`, as the budget shows it). Eget kapital is the preliminary equity at the start of
    the year (`equity_statement`, as the budget shows it); the administrative budget and outcome are
    the internal costs, the outcome from the ledger for the full year (budget versus utfall). All
    from the budget lines the comparison stands on; `history`: what the caller already read about
    the förbund (`carry_over.History`)."""
    lines = comparison.lines
    outcome = comparison.internal.total.outcome
    if lines is None or lines.budget is None:
        return NationalForbund(state_allocation=None, equity=None, admin_budget=None, admin_outcome=outcome)
    return NationalForbund(
        state_allocation=funding_check(lines.incomes).state,
        equity=equity_statement(lines.budget, lines.result, history=history).preliminary,
        admin_budget=lines.internal_total,
        admin_outcome=outcome,
    )
