"""Budget versus utfall: the budget in force against the imported ledger, per line, per insats and in
total, for a month, a tertial or the full year, with a forecast for the year.

The period budget is the year's budget spread evenly over the months. The forecast per line follows
the line's own rhythm (`ekonomi.selectors.forecast`): insatser their grant and end date, the members'
contributions the payment plan, other lines the run rate, and any line the figure an ekonom or
samordnare set with a reason. It stands on the whole ledger read so far, whatever the period shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finsam import money
from forbund.models import Forbund

from ..models import Budget, ContributionPlan, LockedPeriod
from . import forecast as forecasts
from .history import History
from .lines import BudgetLines, budget_in_force, budget_lines
from .outcome import ledger_amounts

ZERO = Decimal(0)
PERIODS = {
    "T1": (4, "januari–april (tertial 1)"),
    "T2": (8, "januari–augusti (tertial 2)"),
    "AR": (12, "helår"),
}
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


@dataclass
class ComparisonRow:
    label: str
    budget_year: Decimal
    months: int
    outcome: Decimal
    link: object | None = None
    # ("medlem", id), ("category", id) or ("insats", id): the line a forecast override is about.
    key: tuple[str, int] | None = None
    forecast_value: Decimal | None = None
    basis: str = ""
    released: Decimal | None = None  # an insats's grant the forecast does not use
    computed: Decimal | None = None  # the computed forecast, when a person has overridden it
    override: object | None = None

    @property
    def budget_period(self) -> Decimal:
        return money.kronor(self.budget_year * self.months / 12)

    @property
    def deviation(self) -> Decimal:
        return self.outcome - self.budget_period

    @property
    def forecast(self) -> Decimal:
        if self.forecast_value is not None:
            return self.forecast_value
        return money.kronor(self.outcome + self.budget_year * (12 - self.months) / 12)

    @property
    def line_slug(self) -> str:
        """The line's kind as the forecast override's address names it."""
        return (
            {"medlem": "medlem", "category": "kostnad", "insats": "insats"}[self.key[0]] if self.key else ""
        )

    @property
    def forecast_deviation(self) -> Decimal:
        """The forecast against the year's budget (positive: more than budgeted)."""
        return self.forecast - self.budget_year

    def apply(self, line: forecasts.LineForecast, override=None) -> None:
        if override is not None:
            self.computed = line.amount
            self.override = override
            line = forecasts.overridden(override, line)
        self.forecast_value, self.basis, self.released = line.amount, line.basis, line.released

    @property
    def used_percent(self) -> Decimal | None:
        return money.percent(self.outcome, self.budget_year)


@dataclass
class ComparisonSection:
    title: str
    rows: list[ComparisonRow]
    months: int

    @property
    def total(self) -> ComparisonRow:
        return ComparisonRow(
            label=f"Summa {self.title.lower()}",
            budget_year=sum((row.budget_year for row in self.rows), ZERO),
            months=self.months,
            outcome=sum((row.outcome for row in self.rows), ZERO),
            forecast_value=sum((row.forecast for row in self.rows), ZERO),
            released=sum((row.released or ZERO for row in self.rows), ZERO) or None,
        )


@dataclass
class MonthPoint:
    month: int
    budget_costs: Decimal  # cumulative
    outcome_costs: Decimal  # cumulative

    @property
    def label(self) -> str:
        return MONTHS[self.month - 1]


@dataclass
class Comparison:
    year: int
    months: int
    period_label: str
    budget: Budget | None
    income: ComparisonSection
    internal: ComparisonSection
    insatser: ComparisonSection
    monthly: list[MonthPoint]
    unmapped: dict[str, Decimal] = field(default_factory=dict)
    last_ledger_month: int | None = None
    locked: bool = False
    contribution_plan: str = ""
    lines: BudgetLines | None = None  # the budget's lines the comparison stands on

    @property
    def contribution_plan_label(self) -> str:
        return ContributionPlan(self.contribution_plan).label.lower() if self.contribution_plan else ""

    @property
    def forecast_month(self) -> int:
        """The months the forecast stands on: the ledger read so far, or the whole of a locked year."""
        return 12 if self.locked else (self.last_ledger_month or 0)

    @property
    def costs(self) -> ComparisonRow:
        internal, insatser = self.internal.total, self.insatser.total
        return ComparisonRow(
            label="Summa kostnader",
            budget_year=internal.budget_year + insatser.budget_year,
            months=self.months,
            outcome=internal.outcome + insatser.outcome,
            forecast_value=internal.forecast + insatser.forecast,
        )

    @property
    def result(self) -> ComparisonRow:
        income, costs = self.income.total, self.costs
        return ComparisonRow(
            label="Resultat",
            budget_year=income.budget_year - costs.budget_year,
            months=self.months,
            outcome=income.outcome - costs.outcome,
            forecast_value=income.forecast - costs.forecast,
        )


def period_months(period: str, last_ledger_month: int | None) -> tuple[int, str]:
    """How many months of the year a period covers, and its name."""
    if period in PERIODS:
        return PERIODS[period]
    if period.isdigit() and 1 <= int(period) <= 12:
        month = int(period)
        return month, f"januari–{MONTH_NAMES[month - 1]}"
    month = last_ledger_month or 12
    return month, f"januari–{MONTH_NAMES[month - 1]}"


MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


@dataclass
class _Outcome:
    """Outcome per budget line (income positive) up to some month."""

    medlem: dict[int, Decimal] = field(default_factory=dict)
    category: dict[int, Decimal] = field(default_factory=dict)
    insats: dict[int, Decimal] = field(default_factory=dict)

    def add(self, mapping, amount: Decimal) -> None:
        if mapping.medlem_id:
            self.medlem[mapping.medlem_id] = self.medlem.get(mapping.medlem_id, ZERO) - amount
        elif mapping.category_id:
            self.category[mapping.category_id] = self.category.get(mapping.category_id, ZERO) + amount
        else:
            self.insats[mapping.insats_id] = self.insats.get(mapping.insats_id, ZERO) + amount

    def of(self, key: tuple[str, int]) -> Decimal:
        return getattr(self, key[0]).get(key[1], ZERO)


def budget_vs_outcome(
    forbund: Forbund,
    year: int,
    period: str = "",
    *,
    locked: bool | None = None,
    budget: Budget | None = None,
    lines: BudgetLines | None = None,
    history: History | None = None,
) -> Comparison:
    """`locked`, `budget` (the year's budget in force) or its `lines` (`lines.budget_lines`; lines
    without a budget when the year has none), and `history` (what the page already read about the
    förbund: its settings and account mappings), when the caller already has them, save asking
    again."""
    history = history if history is not None else History(forbund)
    amounts = ledger_amounts(forbund, year)  # (account, month) -> ledger sign
    mappings = history.mappings
    last_ledger_month = max((month for _, month in amounts), default=None)
    months, label = period_months(period, last_ledger_month)

    shown, read = _Outcome(), _Outcome()  # the period shown; everything read (for the forecast)
    unmapped: dict[str, Decimal] = {}
    monthly_costs = [ZERO] * 12
    for (account, month), amount in amounts.items():
        mapping = mappings.get(account)
        if mapping is None:
            unmapped[account] = unmapped.get(account, ZERO) + amount
            continue
        if mapping.category_id or mapping.insats_id:
            monthly_costs[month - 1] += amount
        read.add(mapping, amount)
        if month <= months:
            shown.add(mapping, amount)

    if lines is None:
        lines = budget_lines(budget if budget is not None else budget_in_force(forbund, year))
    income_rows, internal_rows, insats_rows = _budget_rows(lines, months, shown)
    _add_unbudgeted(internal_rows, insats_rows, mappings, shown, months)

    comparison = Comparison(
        year=year,
        months=months,
        period_label=label,
        budget=lines.budget,
        income=ComparisonSection("Intäkter", income_rows, months),
        internal=ComparisonSection("Interna kostnader", internal_rows, months),
        insatser=ComparisonSection("Insatser", insats_rows, months),
        monthly=[],
        unmapped=unmapped,
        last_ledger_month=last_ledger_month,
        locked=LockedPeriod.objects.filter(forbund=forbund, year=year).exists() if locked is None else locked,
        contribution_plan=history.settings.contribution_plan,
        lines=lines,
    )
    _forecast(comparison, forbund, read)

    budget_costs = comparison.internal.total.budget_year + comparison.insatser.total.budget_year
    running = ZERO
    for month in range(1, 13):
        running += monthly_costs[month - 1]
        comparison.monthly.append(
            MonthPoint(
                month=month,
                budget_costs=money.kronor(budget_costs * month / 12),
                outcome_costs=running if last_ledger_month and month <= last_ledger_month else None,
            )
        )
    return comparison


def _forecast(comparison: Comparison, forbund: Forbund, read: _Outcome) -> None:
    """Each line's forecast by its kind, then the people's overrides on top."""
    year, last = comparison.year, comparison.forecast_month
    overrides = forecasts.overrides_for(forbund, year)
    invoices = forecasts.invoices_by_insats(forbund, year) if comparison.insatser.rows else {}
    for row in comparison.income.rows:
        if row.key is None:
            row.apply(forecasts.other_income(budget=row.budget_year))
            continue
        line = forecasts.contribution(
            budget=row.budget_year,
            outcome=read.of(row.key),
            last_month=last,
            plan=comparison.contribution_plan,
        )
        row.apply(line, overrides.get(row.key))
    for row in comparison.internal.rows:
        line = forecasts.run_rate(budget=row.budget_year, outcome=read.of(row.key), last_month=last)
        row.apply(line, overrides.get(row.key))
    for row in comparison.insatser.rows:
        line = forecasts.insats(
            year=year,
            grant=row.budget_year,
            outcome=read.of(row.key),
            last_month=last,
            end=row.link.end,
            invoices=invoices.get(row.link.pk, []),
        )
        row.apply(line, overrides.get(row.key))


def _budget_rows(lines: BudgetLines, months: int, shown: _Outcome):
    """The budget's lines: each member of the year (and any other with an amount), other income, the
    internal cost lines and the insatser (the lines `budget_overview` shows)."""
    income_rows: list[ComparisonRow] = []
    internal_rows: list[ComparisonRow] = []
    insats_rows: list[ComparisonRow] = []
    for medlem, amount in lines.incomes.items():
        key = ("medlem", medlem.pk)
        if amount or shown.of(key):
            income_rows.append(ComparisonRow(str(medlem), amount, months, shown.of(key), key=key))
    for other in lines.other_incomes:
        income_rows.append(ComparisonRow(other.description, other.amount, months, ZERO))
    for cost in lines.costs:
        label = cost.description or cost.category.name
        key = ("category", cost.category_id)
        internal_rows.append(ComparisonRow(label, cost.amount, months, shown.of(key), key=key))
    for row in lines.insatser:
        key = ("insats", row.insats.pk)
        insats_rows.append(
            ComparisonRow(row.label, row.amount, months, shown.of(key), link=row.insats, key=key)
        )
    return income_rows, internal_rows, insats_rows


def _add_unbudgeted(internal_rows, insats_rows, mappings, shown: _Outcome, months) -> None:
    """Outcome on a line the budget does not have still shows, with a zero budget."""
    budgeted_categories = {row.key[1] for row in internal_rows}
    shown_insatser = {row.link.pk for row in insats_rows if row.link is not None}
    targets = {m.category_id: m.category for m in mappings.values() if m.category_id}
    for category_id, amount in shown.category.items():
        if category_id not in budgeted_categories:
            internal_rows.append(
                ComparisonRow(
                    f"{targets[category_id]} (ej budgeterat)",
                    ZERO,
                    months,
                    amount,
                    key=("category", category_id),
                )
            )
    insatser = {m.insats_id: m.insats for m in mappings.values() if m.insats_id}
    for insats_id, amount in shown.insats.items():
        if insats_id not in shown_insatser:
            insats = insatser[insats_id]
            insats_rows.append(
                ComparisonRow(
                    f"{insats} (ej budgeterat)", ZERO, months, amount, link=insats, key=("insats", insats_id)
                )
            )
