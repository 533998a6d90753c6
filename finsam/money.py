"""Money, in one place.

- Amounts are `Decimal` kronor, stored as `KronorField`s (whole kronor; the ledger keeps öre).
- **One rounding rule:** half away from zero (`ROUND_HALF_UP` on the absolute value, as
  `Decimal` does), the rule Swedish public accounts and the förbund's own spreadsheets use —
  never banker's rounding, never float.
- Percentages have one decimal; per-inhabitant figures are whole kronor.
- A table shown in tkr adds up: its rows are rounded so that they sum to the rounded total
  (largest remainder), instead of each row being rounded on its own and the printed "Summa"
  disagreeing with the rows above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

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


def kronor(value) -> Decimal | None:
    """Whole kronor."""
    amount = to_decimal(value)
    return None if amount is None else amount.quantize(KRONA, ROUNDING)


def ore(value) -> Decimal | None:
    amount = to_decimal(value)
    return None if amount is None else amount.quantize(ORE, ROUNDING)


def tkr(value) -> Decimal | None:
    """Whole thousands of kronor, for a single figure (a table uses `tkr_table`)."""
    amount = to_decimal(value)
    return None if amount is None else (amount / TUSEN).quantize(KRONA, ROUNDING)


def percent(part, whole, places: int = 1) -> Decimal | None:
    """`part` as a percentage of `whole`, with `places` decimals; None when `whole` is nothing."""
    part, whole = to_decimal(part), to_decimal(whole)
    if part is None or not whole:
        return None
    return (part / whole * 100).quantize(Decimal(1).scaleb(-places), ROUNDING)


def per_inhabitant(amount, population: int | None) -> Decimal | None:
    """Kronor per inhabitant (of working age), whole kronor; None without an amount or a population."""
    amount = to_decimal(amount)
    if not amount or not population:
        return None
    return (amount / population).quantize(KRONA, ROUNDING)


def total(values: Iterable) -> Decimal:
    return sum((to_decimal(value) or ZERO for value in values), ZERO)


def rounded_to_total(values: Sequence, unit: Decimal = TUSEN) -> tuple[list[Decimal], Decimal]:
    """Round each value to whole `unit`s so that the rounded values add up to the rounded total.

    The total is rounded by the one rule; each value is first rounded down, and the units still
    missing go to the values with the largest remainders (the first of equal ones). Returns the
    rounded values (in units, e.g. tkr) and the rounded total."""
    exact = [(to_decimal(value) or ZERO) / unit for value in values]
    grand = sum(exact, ZERO).quantize(KRONA, ROUNDING)
    floors = [value.quantize(KRONA, ROUND_FLOOR) for value in exact]
    missing = int(grand - sum(floors, ZERO))
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in by_remainder[:missing]:
        floors[index] += 1
    return floors, grand


def tkr_table(values: Sequence) -> tuple[list[Decimal], Decimal]:
    """Rows and their total in tkr, the rows adding up to the total shown."""
    return rounded_to_total(values, TUSEN)
