"""What the app knows about a förbund's years, read once per page and handed to each selector that
needs it (`history=`): which years are closed and how, each year's budget in force, the economy
settings and account mappings. Apart from the carry-over that uses it most, so that the comparison
and the budget overview can take one without importing the carry-over (which asks the comparison for
a forecast)."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from forbund.models import Forbund

from ..models import AccountMapping, Budget, EconomySettings, LedgerImport, LockedPeriod


class Basis:
    ARSREDOVISNING = "arsredovisning"
    BOKSLUT = "bokslut"
    PROGNOS = "prognos"


class History:
    """What the app knows about the förbund's years, read once per question: which years are closed
    and how, which have a budget or a ledger, what the årsredovisningar state as opening equity, and
    the förbund's economy settings and account mappings, which every year's forecast stands on. A page
    that shows several of these figures makes one and passes it to each (`history=`)."""

    def __init__(self, forbund: Forbund) -> None:
        self.forbund = forbund
        self._budgets: dict[int, Budget | None] = {}

    def budget_in_force(self, year: int) -> Budget | None:
        """The year's budget in force (`lines.budget_in_force`), read the first time it is asked for."""
        from .lines import budget_in_force

        if year not in self._budgets:
            self._budgets[year] = budget_in_force(self.forbund, year)
        return self._budgets[year]

    @cached_property
    def settings(self) -> EconomySettings:
        from .lines import economy_settings

        return economy_settings(self.forbund)

    @cached_property
    def mappings(self) -> dict[str, AccountMapping]:
        from .outcome import account_mapping_dict

        return account_mapping_dict(self.forbund)

    @cached_property
    def closed(self) -> dict[int, tuple[str, str]]:
        from forbund.models import Dokumentjobb, Faststallelse

        found = {
            locked.year: (
                Basis.BOKSLUT,
                f"Från bokslutet {locked.year}, låst {timezone.localdate(locked.locked_at):%Y-%m-%d}",
            )
            for locked in LockedPeriod.objects.filter(forbund=self.forbund)
        }
        adopted = Faststallelse.objects.filter(
            forbund=self.forbund, kind=Dokumentjobb.Kind.ARSREDOVISNING, withdrawn_on__isnull=True
        ).order_by("adopted_on")
        for decision in adopted:  # the adopted årsredovisning is the stronger source
            found[decision.year] = (
                Basis.ARSREDOVISNING,
                f"Från fastställd årsredovisning {decision.year}, fastställd {decision.adopted_on:%Y-%m-%d}",
            )
        return found

    @cached_property
    def known(self) -> set[int]:
        budgets = Budget.objects.filter(forbund=self.forbund).values_list("year", flat=True)
        ledgers = LedgerImport.objects.filter(forbund=self.forbund).values_list("year", flat=True)
        return set(budgets.union(ledgers))

    @cached_property
    def stated(self) -> dict[int, Decimal]:
        from uppfoljning.models import Arsredovisning

        return dict(
            Arsredovisning.objects.filter(
                forbund=self.forbund, eget_kapital_ingaende__isnull=False
            ).values_list("year", "eget_kapital_ingaende")
        )
