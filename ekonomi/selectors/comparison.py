"""Budget versus utfall: the budget in force against the imported ledger, per line, per insats and in
total, for a month, a tertial or the full year, with a forecast for the year.

The period budget is the year's budget spread evenly over the months. The forecast is the outcome so
far plus the budget for the months that remain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finsam import money
from forbund.models import Forbund

from ..models import Budget
from .budget import budget_in_force, budget_overview
from .outcome import account_mapping_dict, ledger_amounts

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

    @property
    def budget_period(self) -> Decimal:
        return money.kronor(self.budget_year * self.months / 12)

    @property
    def deviation(self) -> Decimal:
        return self.outcome - self.budget_period

    @property
    def forecast(self) -> Decimal:
        return money.kronor(self.outcome + self.budget_year * (12 - self.months) / 12)

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

    @property
    def costs(self) -> ComparisonRow:
        internal, insatser = self.internal.total, self.insatser.total
        return ComparisonRow(
            label="Summa kostnader",
            budget_year=internal.budget_year + insatser.budget_year,
            months=self.months,
            outcome=internal.outcome + insatser.outcome,
        )

    @property
    def result(self) -> ComparisonRow:
        income, costs = self.income.total, self.costs
        return ComparisonRow(
            label="Resultat",
            budget_year=income.budget_year - costs.budget_year,
            months=self.months,
            outcome=income.outcome - costs.outcome,
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


def budget_vs_outcome(forbund: Forbund, year: int, period: str = "") -> Comparison:
    amounts = ledger_amounts(forbund, year)  # (account, month) -> ledger sign
    mappings = account_mapping_dict(forbund)
    last_ledger_month = max((month for _, month in amounts), default=None)
    months, label = period_months(period, last_ledger_month)

    by_medlem: dict[int, Decimal] = {}
    by_category: dict[int, Decimal] = {}
    by_insats: dict[int, Decimal] = {}
    unmapped: dict[str, Decimal] = {}
    monthly_costs = [ZERO] * 12
    for (account, month), amount in amounts.items():
        mapping = mappings.get(account)
        if mapping is None:
            unmapped[account] = unmapped.get(account, ZERO) + amount
            continue
        if mapping.category_id or mapping.insats_id:
            monthly_costs[month - 1] += amount
        if month > months:
            continue
        if mapping.medlem_id:
            by_medlem[mapping.medlem_id] = by_medlem.get(mapping.medlem_id, ZERO) - amount
        elif mapping.category_id:
            by_category[mapping.category_id] = by_category.get(mapping.category_id, ZERO) + amount
        else:
            by_insats[mapping.insats_id] = by_insats.get(mapping.insats_id, ZERO) + amount

    budget = budget_in_force(forbund, year)
    overview = budget_overview(budget) if budget else None
    income_rows, internal_rows, insats_rows = _budget_rows(
        overview, budget, months, by_medlem, by_category, by_insats
    )
    _add_unbudgeted(internal_rows, insats_rows, mappings, by_category, by_insats, months, budget)

    internal = ComparisonSection("Interna kostnader", internal_rows, months)
    insatser = ComparisonSection("Insatser", insats_rows, months)
    budget_costs = internal.total.budget_year + insatser.total.budget_year
    monthly = []
    running = ZERO
    for month in range(1, 13):
        running += monthly_costs[month - 1]
        monthly.append(
            MonthPoint(
                month=month,
                budget_costs=money.kronor(budget_costs * month / 12),
                outcome_costs=running if last_ledger_month and month <= last_ledger_month else None,
            )
        )
    return Comparison(
        year=year,
        months=months,
        period_label=label,
        budget=budget,
        income=ComparisonSection("Intäkter", income_rows, months),
        internal=internal,
        insatser=insatser,
        monthly=monthly,
        unmapped=unmapped,
        last_ledger_month=last_ledger_month,
    )


def _budget_rows(overview, budget, months, by_medlem, by_category, by_insats):
    income_rows, internal_rows, insats_rows = [], [], []
    if overview is None:
        return income_rows, internal_rows, insats_rows
    for row in overview.incomes:
        if row.amount or by_medlem.get(row.medlem.pk):
            income_rows.append(
                ComparisonRow(str(row.medlem), row.amount, months, by_medlem.get(row.medlem.pk, ZERO))
            )
    for cost in budget.costs.select_related("category").order_by("category__order", "category__name"):
        label = cost.description or cost.category.name
        internal_rows.append(
            ComparisonRow(label, cost.amount, months, by_category.get(cost.category_id, ZERO))
        )
    for row in overview.insats_costs:
        insats_rows.append(
            ComparisonRow(row.label, row.amount, months, by_insats.get(row.insats.pk, ZERO), link=row.insats)
        )
    return income_rows, internal_rows, insats_rows


def _add_unbudgeted(internal_rows, insats_rows, mappings, by_category, by_insats, months, budget) -> None:
    """Outcome on a line the budget does not have still shows, with a zero budget."""
    budgeted_categories = set(budget.costs.values_list("category_id", flat=True)) if budget else set()
    shown_insatser = {row.link.pk for row in insats_rows if row.link is not None}
    targets = {m.category_id: m.category for m in mappings.values() if m.category_id}
    for category_id, amount in by_category.items():
        if category_id not in budgeted_categories:
            internal_rows.append(
                ComparisonRow(f"{targets[category_id]} (ej budgeterat)", ZERO, months, amount)
            )
    insatser = {m.insats_id: m.insats for m in mappings.values() if m.insats_id}
    for insats_id, amount in by_insats.items():
        if insats_id not in shown_insatser:
            insats = insatser[insats_id]
            insats_rows.append(ComparisonRow(f"{insats} (ej budgeterat)", ZERO, months, amount, link=insats))
