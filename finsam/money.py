"""Money, in one place.

- Amounts are `Decimal` kronor, stored as `KronorField`s (whole kronor; the ledger keeps öre).
- **One rounding rule:** half away from zero (`ROUND_HALF_UP` on the absolute value, as
  `Decimal` does), the rule Swedish public accounts and the förbund's own spreadsheets use —
  never banker's rounding, never float.
- Percentages have one decimal; per-inhabitant figures are whole kronor.
- A table shown in tkr adds up: its rows are rounded so that they sum to the rounded total
  (largest remainder), instead of each row being rounded on its own and the printed "Summa"
  disagreeing with the rows above it. A table with subtotals is rounded from the top down (the
  total, then each subtotal to it, then the rows to their subtotal), and a figure the reader can
  compute from shown ones (a result, a closing balance) is computed from the shown ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import models

ROUNDING = ROUND_HALF_UP
KRONA = Decimal(1)
ORE = Decimal("0.01")
TUSEN = Decimal(1000)
ZERO = Decimal(0)


class KronorField(models.DecimalField):
    """Whole kronor: up to 999 999 999 999 99 kr, no öre."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # Migrations see a plain DecimalField, so moving a field to KronorField changes nothing.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def rounded(amount: Decimal, exponent: Decimal = KRONA) -> Decimal:
    """The one rule: half away from zero, to `exponent` (1, 0.1, 0.01). A negative amount that rounds
    to nothing is 0, not −0."""
    return amount.quantize(exponent, ROUNDING) + 0


def kronor(value) -> Decimal | None:
    """Whole kronor."""
    amount = to_decimal(value)
    return None if amount is None else rounded(amount)


def ore(value) -> Decimal | None:
    amount = to_decimal(value)
    return None if amount is None else rounded(amount, ORE)


def tkr(value) -> Decimal | None:
    """Whole thousands of kronor, for a single figure (a table uses `tkr_table`)."""
    amount = to_decimal(value)
    return None if amount is None else rounded(amount / TUSEN)


def percent(part, whole, places: int = 1) -> Decimal | None:
    """`part` as a percentage of `whole`, with `places` decimals; None when `whole` is nothing."""
    part, whole = to_decimal(part), to_decimal(whole)
    if part is None or not whole:
        return None
    return rounded(part / whole * 100, Decimal(1).scaleb(-places))


def per_inhabitant(amount, population: int | None) -> Decimal | None:
    """Kronor per inhabitant (of working age), whole kronor; None without an amount or a population."""
    amount = to_decimal(amount)
    if not amount or not population:
        return None
    return rounded(amount / population)


def total(values: Iterable) -> Decimal:
    return sum((to_decimal(value) or ZERO for value in values), ZERO)


def kronor_down(value) -> Decimal | None:
    """Whole kronor, dropping öre towards zero: for splitting a sum into shares whose remainder is then
    placed explicitly (the kommuner's quarter), never for showing a figure."""
    amount = to_decimal(value)
    return None if amount is None else amount.quantize(KRONA, ROUND_DOWN)


def apportion(exact: Sequence[Decimal], target) -> list[Decimal]:
    """Whole numbers near `exact` that add up to `target` (largest remainder).

    Each value is first rounded down; the units still missing go one each to the values with the
    largest remainders, the first of equal ones first. (Should `target` lie outside what rounding
    can reach, the difference keeps going round in the same order, or is taken back from the
    smallest remainders.)"""
    floors = [value.quantize(KRONA, ROUND_FLOOR) for value in exact]
    if not floors:
        return []
    missing = int(to_decimal(target) - sum(floors, ZERO))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    if missing < 0:
        order.reverse()
    step = 1 if missing > 0 else -1
    for turn in range(abs(missing)):
        floors[order[turn % len(order)]] += step
    return [value + 0 for value in floors]


def rounded_to_total(values: Sequence, unit: Decimal = TUSEN, total=None) -> tuple[list[Decimal], Decimal]:
    """Round each value to whole `unit`s so that the rounded values add up to the rounded total.

    The total is the exact sum rounded by the one rule, unless `total` (in units) says what it must
    be: a subtotal already fixed by the table above it. Returns the rounded values (in units, e.g.
    tkr) and the total."""
    exact = [(to_decimal(value) or ZERO) / unit for value in values]
    grand = rounded(sum(exact, ZERO)) if total is None else to_decimal(total)
    return apportion(exact, grand), grand


def tkr_table(values: Sequence, total=None) -> tuple[list[Decimal], Decimal]:
    """Rows and their total in tkr, the rows adding up to the total shown. Signed rows are fine: a
    result row is `tkr_table([income, -costs, …])`'s total. `total` (tkr) fixes the total when it is
    itself a row of a larger table."""
    return rounded_to_total(values, TUSEN, total)
