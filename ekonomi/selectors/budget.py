"""Reads for the yearly budget: every total is computed here, from the rows, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from forbund.models import Forbund, Medlem
from forbund.selectors import medlemmar_in_year, population_in_year

from ..models import Budget, BudgetInsatsCost, CostCategory, EconomySettings

ZERO = Decimal(0)
STATE_KINDS = (Medlem.Kind.FORSAKRINGSKASSAN, Medlem.Kind.ARBETSFORMEDLINGEN)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def swedish_number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def economy_settings(forbund: Forbund) -> EconomySettings:
    settings, _ = EconomySettings.objects.get_or_create(forbund=forbund)
    return settings


def budgets_for(forbund: Forbund) -> QuerySet[Budget]:
    return Budget.objects.filter(forbund=forbund).order_by("-year", "-version")


def budget_in_force(forbund: Forbund, year: int) -> Budget | None:
    """The latest decided version of the year, or the latest proposal when none is decided."""
    versions = Budget.objects.filter(forbund=forbund, year=year).order_by("-version")
    return versions.filter(status=Budget.Status.BESLUTAD).first() or versions.first()


def cost_categories(forbund: Forbund) -> QuerySet[CostCategory]:
    return CostCategory.objects.filter(forbund=forbund).order_by("order", "name")


# The Finsam funding rule ---------------------------------------------------------------------


@dataclass
class FundingCheck:
    """Whether the income follows 50/25/25: the state half, the region a quarter, the kommuner
    together a quarter, with the party that gives least setting the level."""

    state: Decimal
    region: Decimal
    kommuner: Decimal
    level: Decimal  # one quarter, set by the smallest party
    follows_rule: bool

    @property
    def expected(self) -> dict[str, Decimal]:
        return {"state": 2 * self.level, "region": self.level, "kommuner": self.level}


def funding_check(amounts: dict[Medlem, Decimal]) -> FundingCheck:
    state = sum((a for m, a in amounts.items() if m.kind in STATE_KINDS), ZERO)
    region = sum((a for m, a in amounts.items() if m.kind == Medlem.Kind.REGION), ZERO)
    kommuner = sum((a for m, a in amounts.items() if m.kind == Medlem.Kind.KOMMUN), ZERO)
    level = min(state / 2, region, kommuner)
    follows = state == 2 * level and region == level and kommuner == level
    return FundingCheck(state=state, region=region, kommuner=kommuner, level=level, follows_rule=follows)


# The budget as a document --------------------------------------------------------------------


@dataclass
class IncomeRow:
    medlem: Medlem
    amount: Decimal
    share: Decimal | None


@dataclass
class CostRow:
    label: str
    amount: Decimal
    insats: object | None = None


@dataclass
class EquityStatement:
    opening: Decimal | None
    opening_note: str
    forecast_previous_year: Decimal | None
    preliminary: Decimal | None  # at the start of the budget year
    budgeted_result: Decimal
    closing: Decimal | None


@dataclass
class OutlineRow:
    year: int
    income: Decimal
    internal_costs: Decimal
    insats_costs: Decimal
    result: Decimal


@dataclass
class BudgetOverview:
    budget: Budget
    incomes: list[IncomeRow]
    income_total: Decimal
    funding: FundingCheck
    internal_costs: list[CostRow]
    internal_total: Decimal
    insats_costs: list[CostRow]
    insats_total: Decimal
    cost_total: Decimal
    result: Decimal
    equity: EquityStatement
    outline: list[OutlineRow]
    insats_share: Decimal | None
    equity_share: Decimal | None
    per_inhabitant: Decimal | None
    population: int | None
    settings: EconomySettings
    warnings: list[str] = field(default_factory=list)

    @property
    def funding_deviation_flagged(self) -> bool:
        return not self.funding.follows_rule


def insats_cost_rows(budget: Budget) -> list[CostRow]:
    """A decided budget shows the grants as they were when it was decided; a proposal reads them now."""
    if budget.is_decided:
        frozen = (
            BudgetInsatsCost.objects.filter(budget=budget).select_related("insats").order_by("insats__name")
        )
        return [CostRow(label=row.insats.name, amount=row.amount, insats=row.insats) for row in frozen]
    from insatser.models import Insats
    from insatser.selectors import granted_in_year

    granted = granted_in_year(budget.forbund, budget.year)
    insatser = Insats.objects.filter(pk__in=granted).order_by("name")
    return [CostRow(label=insats.name, amount=granted[insats.pk], insats=insats) for insats in insatser]


def budget_overview(budget: Budget) -> BudgetOverview:
    forbund = budget.forbund
    settings = economy_settings(forbund)
    stored = {row.medlem_id: row.amount for row in budget.intakter.all()}
    members = list(medlemmar_in_year(forbund, budget.year))
    extra = Medlem.objects.filter(pk__in=set(stored) - {m.pk for m in members})
    amounts = {m: stored.get(m.pk, ZERO) for m in [*members, *extra]}
    income_total = sum(amounts.values(), ZERO)
    incomes = [IncomeRow(medlem=m, amount=a, share=percent(a, income_total)) for m, a in amounts.items()]

    internal = [
        CostRow(label=row.description or row.category.name, amount=row.amount)
        for row in budget.costs.select_related("category").order_by("category__order", "category__name")
    ]
    internal_total = sum((row.amount for row in internal), ZERO)
    insats_rows = insats_cost_rows(budget)
    insats_total = sum((row.amount for row in insats_rows), ZERO)
    cost_total = internal_total + insats_total
    result = income_total - cost_total

    preliminary = None
    if budget.opening_equity is not None:
        preliminary = budget.opening_equity + (budget.forecast_result_previous_year or ZERO)
    equity = EquityStatement(
        opening=budget.opening_equity,
        opening_note=budget.opening_equity_note,
        forecast_previous_year=budget.forecast_result_previous_year,
        preliminary=preliminary,
        budgeted_result=result,
        closing=None if preliminary is None else preliminary + result,
    )
    outline = [
        OutlineRow(
            year=row.year,
            income=row.income,
            internal_costs=row.internal_costs,
            insats_costs=row.insats_costs,
            result=row.result,
        )
        for row in budget.outline.order_by("year")
    ]
    population = population_in_year(forbund, budget.year)
    overview = BudgetOverview(
        budget=budget,
        incomes=incomes,
        income_total=income_total,
        funding=funding_check(amounts),
        internal_costs=internal,
        internal_total=internal_total,
        insats_costs=insats_rows,
        insats_total=insats_total,
        cost_total=cost_total,
        result=result,
        equity=equity,
        outline=outline,
        insats_share=percent(insats_total, income_total),
        equity_share=percent(equity.preliminary, income_total) if equity.preliminary is not None else None,
        per_inhabitant=(income_total / population).quantize(Decimal(1), ROUND_HALF_UP)
        if population
        else None,
        population=population,
        settings=settings,
    )
    overview.warnings = budget_warnings(overview)
    return overview


def budget_warnings(overview: BudgetOverview) -> list[str]:
    warnings = []
    if overview.funding_deviation_flagged:
        reason = overview.budget.funding_deviation
        warnings.append(
            "Intäkterna följer inte fördelningen 50/25/25."
            + (f" Motivering: {reason}" if reason else " Avvikelsen saknar motivering.")
        )
    if (
        overview.equity_share is not None
        and overview.equity_share > overview.settings.equity_guideline_percent
    ):
        warnings.append(
            f"Eget kapital vid årets början är {swedish_number(overview.equity_share)} % av intäkterna, "
            f"över riktvärdet {swedish_number(overview.settings.equity_guideline_percent)} %."
        )
    if overview.equity.closing is not None and overview.equity.closing < 0:
        warnings.append("Budgeten leder till ett negativt eget kapital.")
    return warnings


def preliminary_equity_for(forbund: Forbund, year: int) -> Decimal | None:
    """The previous year's budgeted closing equity, to propose as this year's starting point."""
    previous = budget_in_force(forbund, year - 1)
    if previous is None:
        return None
    return budget_overview(previous).equity.closing
