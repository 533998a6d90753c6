"""Reads for the yearly budget: every total is computed here, from the rows, once."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet

from finsam import money
from forbund.models import Forbund, Medlem
from forbund.selectors import medlemmar_in_year, population_in_year

from ..models import Budget, BudgetInsatsCost, CostCategory, EconomySettings

ZERO = Decimal(0)
STATE_KINDS = (Medlem.Kind.FORSAKRINGSKASSAN, Medlem.Kind.ARBETSFORMEDLINGEN)


def swedish_number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def economy_settings(forbund: Forbund) -> EconomySettings:
    settings, _ = EconomySettings.objects.get_or_create(forbund=forbund)
    return settings


def budgets_for(forbund: Forbund) -> QuerySet[Budget]:
    return Budget.objects.filter(forbund=forbund).order_by("-year", "-version")


def budget_in_force(forbund: Forbund, year: int) -> Budget | None:
    """The latest decided version of the year, or the latest proposal when none is decided. The one
    answer to "which budget applies": pages, exports and documents all ask here."""
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

    @cached_property
    def in_tkr(self) -> BudgetOverview:
        """The overview as its tables are shown in tkr (see `budget_overview_in_tkr`)."""
        return budget_overview_in_tkr(self)


def _thousands(values: list[Decimal]) -> list[Decimal]:
    return [value * money.TUSEN for value in values]


def budget_overview_in_tkr(overview: BudgetOverview) -> BudgetOverview:
    """The overview with every amount in whole thousands of kronor, rounded by `money.tkr_table` so that
    each table adds up as printed: the income rows to Summa intäkter; the internal and insats rows to
    their sums, and those to Summa kostnader; each outline year across to its result; the equity lines
    to the preliminary equity. The result and the closing equity are computed from the shown figures.
    Shares, warnings and the per-inhabitant figure stay as computed from the exact amounts.

    The amounts stay in kronor (1 893 000, not 1 893), so the `tkr` filter prints them as they are."""
    k = money.TUSEN
    incomes, income_total = money.tkr_table([row.amount for row in overview.incomes])
    cost_total = money.tkr(overview.cost_total)
    (internal_total, insats_total), _ = money.tkr_table(
        [overview.internal_total, overview.insats_total], total=cost_total
    )
    internal, _ = money.tkr_table([row.amount for row in overview.internal_costs], total=internal_total)
    insats, _ = money.tkr_table([row.amount for row in overview.insats_costs], total=insats_total)
    result = income_total - cost_total
    return dataclasses.replace(
        overview,
        incomes=[
            dataclasses.replace(row, amount=amount)
            for row, amount in zip(overview.incomes, _thousands(incomes), strict=True)
        ],
        income_total=income_total * k,
        internal_costs=[
            dataclasses.replace(row, amount=amount)
            for row, amount in zip(overview.internal_costs, _thousands(internal), strict=True)
        ],
        internal_total=internal_total * k,
        insats_costs=[
            dataclasses.replace(row, amount=amount)
            for row, amount in zip(overview.insats_costs, _thousands(insats), strict=True)
        ],
        insats_total=insats_total * k,
        cost_total=cost_total * k,
        result=result * k,
        equity=_equity_in_tkr(overview.equity, result),
        outline=[_outline_row_in_tkr(row) for row in overview.outline],
    )


def _equity_in_tkr(equity: EquityStatement, result_tkr: Decimal) -> EquityStatement:
    k = money.TUSEN
    forecast = equity.forecast_previous_year
    if equity.opening is None:
        return dataclasses.replace(
            equity,
            forecast_previous_year=None if forecast is None else money.tkr(forecast) * k,
            preliminary=None,
            budgeted_result=result_tkr * k,
            closing=None,
        )
    (opening, forecast_tkr), preliminary = money.tkr_table([equity.opening, forecast])
    return dataclasses.replace(
        equity,
        opening=opening * k,
        forecast_previous_year=None if forecast is None else forecast_tkr * k,
        preliminary=preliminary * k,
        budgeted_result=result_tkr * k,
        closing=(preliminary + result_tkr) * k,
    )


def _outline_row_in_tkr(row: OutlineRow) -> OutlineRow:
    (income, internal, insats), result = money.tkr_table([row.income, -row.internal_costs, -row.insats_costs])
    k = money.TUSEN
    return OutlineRow(
        year=row.year,
        income=income * k,
        internal_costs=-internal * k,
        insats_costs=-insats * k,
        result=result * k,
    )


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
    incomes = [
        IncomeRow(medlem=m, amount=a, share=money.percent(a, income_total)) for m, a in amounts.items()
    ]

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
        insats_share=money.percent(insats_total, income_total),
        equity_share=money.percent(equity.preliminary, income_total),
        per_inhabitant=money.per_inhabitant(income_total, population),
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


# The members' contributions, as the förbund pages show them ---------------------------------------


@dataclass
class Contribution:
    medlem: Medlem
    amount: Decimal | None
    share: Decimal | None
    shown_amount: Decimal | None = None  # rounded to whole thousands so the rows add up to the total


@dataclass
class FundingTable:
    budget: object | None
    rows: list[Contribution]
    total: Decimal
    shown_total: Decimal = Decimal(0)


def funding_for_year(forbund: Forbund, year: int) -> FundingTable:
    """Each member's contribution in the year's latest budget version (decided ones first)."""
    medlemmar = list(medlemmar_in_year(forbund, year))
    budget = budget_in_force(forbund, year)
    amounts: dict[int, Decimal] = {}
    if budget is not None:
        amounts = dict(budget.intakter.values_list("medlem_id", "amount"))
    total = money.total(amounts.values())
    rows = [
        Contribution(
            medlem=medlem,
            amount=amounts.get(medlem.pk),
            share=money.percent(amounts.get(medlem.pk), total, places=0),
        )
        for medlem in medlemmar
    ]
    with_amount = [row for row in rows if row.amount is not None]
    shown, shown_total = money.tkr_table([row.amount for row in with_amount])
    for row, thousands in zip(with_amount, shown, strict=True):
        row.shown_amount = thousands * money.TUSEN
    return FundingTable(budget=budget, rows=rows, total=total, shown_total=shown_total * money.TUSEN)
