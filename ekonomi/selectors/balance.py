"""The balance sheet from the imported ledger: the balance accounts (classes 1–2 of the BAS chart)
at the start of the year (their opening balances, ingående balans) and at the end of the last
imported month.

Signs as in the ledger: assets are debet (positive), eget kapital and liabilities kredit (negative);
the figures here are turned positive as a balansräkning shows them. The lines a förbund's
årsredovisning has:

- kassa och bank: accounts 19xx;
- kortfristiga fordringar: the other class 1 accounts (a förbund has no fixed assets to speak of);
- eget kapital: accounts 20xx, before the year's result (which the result accounts give);
- kortfristiga skulder: the other class 2 accounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Sum

from forbund.models import Forbund

from ..ledger_format import OPENING_MONTH
from ..models import LedgerEntry

ZERO = Decimal(0)


def _line(account: str) -> str:
    if account.startswith("19"):
        return "kassa_bank"
    if account.startswith("1"):
        return "fordringar"
    if account.startswith("20"):
        return "eget_kapital"
    return "skulder"


SIGN = {"kassa_bank": 1, "fordringar": 1, "eget_kapital": -1, "skulder": -1}


@dataclass(frozen=True)
class LedgerBalance:
    """The balance lines from the ledger. Without opening balances (a file from January with
    "Ingående balans" rows brings them) the ledger holds only the year's movements on the balance
    accounts, not the balances: `has_opening` is then false and it gives no figures."""

    year: int
    last_month: int
    has_opening: bool
    kassa_bank: Decimal
    fordringar: Decimal
    skulder: Decimal
    eget_kapital_ingaende: Decimal
    kassa_bank_fg: Decimal
    fordringar_fg: Decimal
    skulder_fg: Decimal

    def figures(self) -> dict[str, Decimal]:
        """By the names of `uppfoljning.models.Arsredovisning.BALANCE_FIELDS`; empty without
        opening balances."""
        if not self.has_opening:
            return {}
        return {
            "eget_kapital_ingaende": self.eget_kapital_ingaende,
            "kassa_bank_fg": self.kassa_bank_fg,
            "fordringar_fg": self.fordringar_fg,
            "skulder_fg": self.skulder_fg,
            "kassa_bank": self.kassa_bank,
            "fordringar": self.fordringar,
            "skulder": self.skulder,
        }


def ledger_balance(forbund: Forbund, year: int) -> LedgerBalance | None:
    """The year's balance lines from the ledger, summed in the database; None when no balance account
    has been imported for the year."""
    entries = LedgerEntry.objects.filter(ledger_import__forbund=forbund, year=year, account__regex=r"^[12]")
    rows = list(entries.values("account", "month").annotate(total=Sum("amount")).order_by())
    if not rows:
        return None
    closing: dict[str, Decimal] = defaultdict(Decimal)
    opening: dict[str, Decimal] = defaultdict(Decimal)
    has_opening = False
    for row in rows:
        line = _line(row["account"])
        closing[line] += row["total"]
        if row["month"] == OPENING_MONTH:
            opening[line] += row["total"]
            has_opening = True
    last_month = entries.aggregate(last=Max("month"))["last"] or 1

    def shown(sums: dict[str, Decimal], line: str) -> Decimal:
        return SIGN[line] * sums.get(line, ZERO)

    return LedgerBalance(
        year=year,
        last_month=max(last_month, 1),
        has_opening=has_opening,
        kassa_bank=shown(closing, "kassa_bank"),
        fordringar=shown(closing, "fordringar"),
        skulder=shown(closing, "skulder"),
        eget_kapital_ingaende=shown(closing, "eget_kapital"),
        kassa_bank_fg=shown(opening, "kassa_bank"),
        fordringar_fg=shown(opening, "fordringar"),
        skulder_fg=shown(opening, "skulder"),
    )
