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

from .. import funding
from ..models import Budget, CostCategory, EconomySettings
from .history import History
from .lines import (  # noqa: F401 - re-exported: the economy's basic reads, as `lines` says
    BudgetLines,
    CostRow,
    budget_in_force,
    budget_lines,
    economy_settings,
    in_force_of,
    insats_cost_rows,
)

ZERO = Decimal(0)
STATE_KINDS = (Medlem.Kind.FORSAKRINGSKASSAN, Medlem.Kind.ARBETSFORMEDLINGEN)


def swedish_number(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def budgets_for(forbund: Forbund) -> QuerySet[Budget]:
    return Budget.objects.filter(forbund=forbund).order_by("-year", "-version")


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


def funding_parts(forbund: Forbund, year: int) -> list[funding.Part]:
    """The year's members as the calculator (`ekonomi.funding`) sees them: months of membership,
    working-age population for the year, agreed share, and a joiner's first-year amount if set
    (one query)."""
    from django.db.models import OuterRef, Subquery

    from forbund.models import AgreedShare, MembershipEvent, WorkingAgePopulation

    def first(queryset, column):
        return Subquery(queryset.filter(medlem=OuterRef("pk")).values(column)[:1])

    members = medlemmar_in_year(forbund, year).annotate(
        population_count=Subquery(
            WorkingAgePopulation.objects.filter(kommun=OuterRef("pk"), year=year).values("count")[:1]
        ),
        agreed_percent=first(AgreedShare.objects.all(), "percent"),
        set_first_year_amount=first(
            MembershipEvent.objects.filter(kind=MembershipEvent.Kind.JOIN, date__year=year),
            "first_year_amount",
        ),
    )
    return [
        funding.Part(
            key=medlem,
            name=medlem.name,
            kind=medlem.kind,
            months=funding.months_in_year(medlem.joined, medlem.left, year),
            population=medlem.population_count,
            agreed_share=medlem.agreed_percent,
            fixed_amount=medlem.set_first_year_amount,
        )
        for medlem in members
    ]


def funding_calculation(forbund: Forbund, year: int, *, start: str, amount: Decimal) -> funding.Funding:
    """Every member's contribution for the year by the förbund's rule, from a known total, state half
    or quarter. Raises `funding.FundingRefused` when a party the law requires is missing."""
    from forbund.membership import funding_rule

    rule = funding_rule(forbund)
    return funding.calculate(
        year=year,
        parts=funding_parts(forbund, year),
        start=start,
        amount=amount,
        kommun_method=rule.kommun_method,
        region_method=rule.region_method,
    )


def missing_parties_warning(forbund: Forbund, year: int) -> str:
    """Plain words when the year's members lack a party the law requires (empty when none is missing)."""
    kinds = medlemmar_in_year(forbund, year).values_list("kind", flat=True)
    return funding.missing_parties_message(funding.missing_parties(kinds), year)


class FundingSplit:
    """The budget's income total split by the förbund's rule, for the budget page: the method and
    each share, or why it cannot be split. Computed when the page first asks (the overview of the
    previous year, read for its closing equity, never does)."""

    def __init__(self, forbund: Forbund, year: int, total: Decimal):
        self.forbund, self.year, self.total = forbund, year, total

    @cached_property
    def _result(self) -> tuple[funding.Funding | None, str]:
        try:
            calculation = funding_calculation(
                self.forbund, self.year, start=funding.START_TOTAL, amount=self.total
            )
        except funding.FundingRefused as refusal:
            return None, refusal.message
        return calculation, ""

    @property
    def calculation(self) -> funding.Funding | None:
        return self._result[0]

    @property
    def refused(self) -> str:
        return self._result[1]


# The budget as a document --------------------------------------------------------------------


@dataclass
class IncomeRow:
    medlem: Medlem
    amount: Decimal
    share: Decimal | None


@dataclass
class EquityStatement:
    opening: Decimal | None
    opening_note: str
    forecast_previous_year: Decimal | None
    preliminary: Decimal | None  # at the start of the budget year
    budgeted_result: Decimal
    closing: Decimal | None
    # Where the figures come from (`ekonomi.selectors.carry_over`): "bokslut", "arsredovisning",
    # "prognos", or "" for figures typed into the budget.
    basis: str = ""
    source: str = ""
    result_label: str = ""
    # A decided budget keeps the figure it was decided on; once the previous year is closed, its
    # real closing equity is shown beside it.
    actual: object | None = None

    @property
    def is_forecast(self) -> bool:
        return self.basis == "prognos"


@dataclass
class OtherIncomeRow:
    label: str
    kind: str
    amount: Decimal
    pk: int | None = None


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
    other_incomes: list[OtherIncomeRow] = field(default_factory=list)
    other_income_total: Decimal = ZERO

    @property
    def available(self) -> Decimal | None:
        """Disponibla medel: eget kapital at the start of the year, the members' contributions and
        other income. None while the opening equity is unknown."""
        if self.equity.preliminary is None:
            return None
        return self.equity.preliminary + self.income_total + self.other_income_total

    @property
    def available_after_costs(self) -> Decimal | None:
        return None if self.available is None else self.available - self.cost_total

    @property
    def available_per_inhabitant(self) -> Decimal | None:
        return money.per_inhabitant(self.available, self.population)

    missing_parties: str = ""  # plain words when the year lacks a party the law requires
    split: FundingSplit | None = None  # the income total split by the förbund's rule

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
    others, other_total = money.tkr_table([row.amount for row in overview.other_incomes])
    cost_total = money.tkr(overview.cost_total)
    (internal_total, insats_total), _ = money.tkr_table(
        [overview.internal_total, overview.insats_total], total=cost_total
    )
    internal, _ = money.tkr_table([row.amount for row in overview.internal_costs], total=internal_total)
    insats, _ = money.tkr_table([row.amount for row in overview.insats_costs], total=insats_total)
    result = income_total + other_total - cost_total
    return dataclasses.replace(
        overview,
        incomes=[
            dataclasses.replace(row, amount=amount)
            for row, amount in zip(overview.incomes, _thousands(incomes), strict=True)
        ],
        income_total=income_total * k,
        other_incomes=[
            dataclasses.replace(row, amount=amount)
            for row, amount in zip(overview.other_incomes, _thousands(others), strict=True)
        ],
        other_income_total=other_total * k,
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


def budget_overview(
    budget: Budget,
    *,
    with_equity: bool = True,
    lines: BudgetLines | None = None,
    history: History | None = None,
) -> BudgetOverview:
    """The budget as a document, every total computed from its rows. `with_equity=False` leaves out
    the opening equity carried from the previous year (the budget versus utfall needs only lines).
    The budget's `lines` (`lines.budget_lines`) and `history` (what the page already read about the
    förbund: its settings and earlier years), when the caller already has them, save asking again."""
    forbund = budget.forbund
    history = history if history is not None else History(forbund)
    settings = history.settings
    lines = lines if lines is not None else budget_lines(budget)
    members, amounts = lines.members, lines.incomes
    income_total = lines.income_total
    incomes = [
        IncomeRow(medlem=m, amount=a, share=money.percent(a, income_total)) for m, a in amounts.items()
    ]

    internal = [CostRow(label=row.description or row.category.name, amount=row.amount) for row in lines.costs]
    internal_total = lines.internal_total
    insats_rows = lines.insatser
    insats_total = lines.insats_total
    cost_total = internal_total + insats_total
    other_incomes = [
        OtherIncomeRow(label=row.description, kind=row.get_kind_display(), amount=row.amount, pk=row.pk)
        for row in lines.other_incomes
    ]
    other_income_total = lines.other_income_total
    result = lines.result
    equity = equity_statement(budget, result, with_equity=with_equity, history=history)
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
        other_incomes=other_incomes,
        other_income_total=other_income_total,
    )
    overview.missing_parties = funding.missing_parties_message(
        funding.missing_parties(medlem.kind for medlem in members), budget.year
    )
    overview.split = FundingSplit(forbund, budget.year, income_total)
    overview.warnings = budget_warnings(overview)
    return overview


def budget_warnings(overview: BudgetOverview) -> list[str]:
    warnings = [overview.missing_parties] if overview.missing_parties else []
    year = overview.budget.year
    gone = [
        row.medlem.name
        for row in overview.incomes
        if row.amount and row.medlem.left and row.medlem.left.year < year
    ]
    if gone:
        remedy = (
            "revidera budgeten så att intäkten tas bort."
            if overview.budget.is_decided
            else "intäkten tas bort när förslaget sparas."
        )
        warnings.append(f"{', '.join(gone)} är inte medlem {year} men har en intäkt i budgeten; {remedy}")
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


def equity_statement(
    budget: Budget, result: Decimal, *, with_equity: bool = True, history: History | None = None
) -> EquityStatement:
    """The budget's opening equity. A proposal opens with the previous year's real closing equity once
    that year is closed (locked ledger or fastställd årsredovisning), whatever was typed; while the
    previous year is open, with the figures typed into the budget, or else the forecast, labelled as
    such. A decided budget keeps the figures it was decided on, with the real ones beside them once
    known. `history`: what the page already read about the förbund (`carry_over.History`)."""
    from .carry_over import carry_over_into

    typed = budget.opening_equity is not None
    carried = None
    if with_equity and not (budget.is_decided and typed):
        carried = carry_over_into(budget.forbund, budget.year, history=history)
    if carried is not None and (carried.is_actual or not typed):
        return EquityStatement(
            opening=carried.opening,
            opening_note=f"Eget kapital vid årets början {budget.year - 1}",
            forecast_previous_year=carried.result,
            preliminary=carried.closing,
            budgeted_result=result,
            closing=carried.closing + result,
            basis=carried.basis,
            source=carried.source,
            result_label=carried.result_label,
        )
    preliminary = None
    if typed:
        preliminary = budget.opening_equity + (budget.forecast_result_previous_year or ZERO)
    actual = None
    if with_equity and budget.is_decided and typed:
        found = carry_over_into(budget.forbund, budget.year, closed_only=True, history=history)
        if found is not None and found.closing != preliminary:
            actual = found
    return EquityStatement(
        opening=budget.opening_equity,
        opening_note=budget.opening_equity_note,
        forecast_previous_year=budget.forecast_result_previous_year,
        preliminary=preliminary,
        budgeted_result=result,
        closing=None if preliminary is None else preliminary + result,
        source="Angivet i budgeten" if typed else "",
        result_label=f"Beräknat resultat {budget.year - 1}",
        actual=actual,
    )


def preliminary_equity_for(forbund: Forbund, year: int) -> Decimal | None:
    """Eget kapital at the start of `year` as the app knows it: the previous year's real closing
    equity when that year is closed, else its forecast (`ekonomi.selectors.carry_over`); never the
    previous budget's plan."""
    from .carry_over import carry_over_into

    carried = carry_over_into(forbund, year)
    return None if carried is None else carried.closing


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
