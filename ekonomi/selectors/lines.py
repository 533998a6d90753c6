"""The economy's basic reads, which the budget document, the outcome, the comparison with its
forecast and the carry-over between years all stand on: the förbund's settings, the budget in force
for a year, and a budget's insats lines. Kept apart so that those modules can build on each other
without importing in a circle (`ekonomi.selectors.budget` re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from forbund.models import Forbund

from ..models import Budget, BudgetInsatsCost, EconomySettings


def economy_settings(forbund: Forbund) -> EconomySettings:
    settings, _ = EconomySettings.objects.get_or_create(forbund=forbund)
    return settings


def budget_in_force(forbund: Forbund, year: int) -> Budget | None:
    """The latest decided version of the year, or the latest proposal when none is decided. The one
    answer to "which budget applies": pages, exports and documents all ask here."""
    versions = Budget.objects.filter(forbund=forbund, year=year).order_by("-version")
    return versions.filter(status=Budget.Status.BESLUTAD).first() or versions.first()


@dataclass
class CostRow:
    label: str
    amount: Decimal
    insats: object | None = None


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
