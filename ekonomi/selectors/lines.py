"""The economy's basic reads, which the budget document, the outcome, the comparison with its
forecast and the carry-over between years all stand on: the förbund's settings, the budget in force
for a year, and a budget's lines. Kept apart so that those modules can build on each other without
importing in a circle (`ekonomi.selectors.budget` re-exports them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from forbund.meetings.selectors.decisions import BUDGET_DECISION_RELATED
from forbund.models import Forbund, Medlem

from ..models import Budget, BudgetCost, BudgetInsatsCost, BudgetOtherIncome, EconomySettings

ZERO = Decimal(0)


def economy_settings(forbund: Forbund) -> EconomySettings:
    settings, _ = EconomySettings.objects.get_or_create(forbund=forbund)
    return settings


def in_force_of(versions: Iterable[Budget]) -> Budget | None:
    """Of one year's versions, the one in force: the latest decided version, or the latest proposal
    when none is decided."""
    newest_first = sorted(versions, key=lambda budget: budget.version, reverse=True)
    decided = (budget for budget in newest_first if budget.is_decided)
    return next(decided, newest_first[0] if newest_first else None)


def budget_in_force(forbund: Forbund, year: int) -> Budget | None:
    """The one answer to "which budget applies" (`in_force_of`): pages, exports and documents all ask
    here. One query, with the förbund and where the board decided it (`board_decision`)."""
    versions = Budget.objects.filter(forbund=forbund, year=year).select_related(
        "forbund", *BUDGET_DECISION_RELATED
    )
    return in_force_of(versions)


@dataclass
class CostRow:
    label: str
    amount: Decimal
    insats: object | None = None


def insats_cost_rows(budget: Budget, *, granted: dict[int, Decimal] | None = None) -> list[CostRow]:
    """A decided budget shows the grants as they were when it was decided; a proposal reads them now
    (`granted`: the year's grants per insats, `insatser.selectors.granted_in_year`, when the caller
    already has them)."""
    if budget.is_decided:
        frozen = (
            BudgetInsatsCost.objects.filter(budget=budget).select_related("insats").order_by("insats__name")
        )
        return [CostRow(label=row.insats.name, amount=row.amount, insats=row.insats) for row in frozen]
    from insatser.models import Insats
    from insatser.selectors import granted_in_year

    if granted is None:
        granted = granted_in_year(budget.forbund, budget.year)
    insatser = Insats.objects.filter(pk__in=granted).order_by("name")
    return [CostRow(label=insats.name, amount=granted[insats.pk], insats=insats) for insats in insatser]


@dataclass
class BudgetLines:
    """A budget's lines as stored, read once for every table built on them: the budget as a document
    (`budget.budget_overview`) and the budget against the ledger (`comparison.budget_vs_outcome`).
    Without a budget (`budget` None) there are no lines."""

    budget: Budget | None
    members: list[Medlem] = field(default_factory=list)  # the members of the budget's year
    # Each member of the year (zero when the budget has nothing for it), then any other member the
    # budget has an amount for (one who has left).
    incomes: dict[Medlem, Decimal] = field(default_factory=dict)
    other_incomes: list[BudgetOtherIncome] = field(default_factory=list)
    costs: list[BudgetCost] = field(default_factory=list)  # internal costs, with their category
    insatser: list[CostRow] = field(default_factory=list)

    @property
    def income_total(self) -> Decimal:
        return sum(self.incomes.values(), ZERO)

    @property
    def other_income_total(self) -> Decimal:
        return sum((row.amount for row in self.other_incomes), ZERO)

    @property
    def internal_total(self) -> Decimal:
        return sum((row.amount for row in self.costs), ZERO)

    @property
    def insats_total(self) -> Decimal:
        return sum((row.amount for row in self.insatser), ZERO)

    @property
    def result(self) -> Decimal:
        """The budgeted result: the members' contributions and other income less every cost."""
        return self.income_total + self.other_income_total - self.internal_total - self.insats_total


def budget_lines(
    budget: Budget | None,
    *,
    members: list[Medlem] | None = None,
    granted: dict[int, Decimal] | None = None,
) -> BudgetLines:
    """The budget's lines, in a fixed number of queries however many rows (none without a budget).
    `members` (the year's members, `forbund.selectors.medlemmar_in_year`) and `granted` (see
    `insats_cost_rows`), when the caller already has them, save asking again."""
    if budget is None:
        return BudgetLines(budget=None)
    from forbund.selectors import medlemmar_in_year

    if members is None:
        members = list(medlemmar_in_year(budget.forbund, budget.year))
    stored = {row.medlem_id: row for row in budget.intakter.select_related("medlem")}
    of_the_year = {medlem.pk for medlem in members}
    incomes = {medlem: stored[medlem.pk].amount if medlem.pk in stored else ZERO for medlem in members}
    incomes.update({row.medlem: row.amount for pk, row in stored.items() if pk not in of_the_year})
    return BudgetLines(
        budget=budget,
        members=members,
        incomes=incomes,
        other_incomes=list(budget.other_incomes.all()),
        costs=list(budget.costs.select_related("category").order_by("category__order", "category__name")),
        insatser=insats_cost_rows(budget, granted=granted),
    )
