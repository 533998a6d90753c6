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

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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

    def formfield(self, **kwargs):
        # Model forms show whole kronor grouped as Swedes write them (1 893 000) and read them back.
        if self.decimal_places == 0:
            kwargs.setdefault("form_class", KronorFormField)
            kwargs.setdefault("allow_negative", True)  # the model's own validators say otherwise
        return super().formfield(**kwargs)


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


# Forms ------------------------------------------------------------------------------------------

# What may separate thousands when an amount is typed or pasted: a space, a no-break space (what
# Swedish number formatting and spreadsheets produce) or a narrow no-break space.
GROUP_SEPARATORS = " \u00a0\u202f"
_GROUPED = re.compile(r"^\d{1,3}( \d{3})+$")


def format_kronor_input(value) -> str:
    """An amount as shown in a form field: whole kronor in groups of three with a plain space
    (`1 893 000`, `-250 000`), easy to read and to type back; other text is returned as it was."""
    if isinstance(value, str):
        if not re.fullmatch(r"-?\d+(\.0*)?", value.strip()):
            return value  # typed with spaces already, or not an amount at all: as it was typed
        value = value.strip()
    try:
        amount = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if amount is None:
        return ""
    if amount != amount.to_integral_value():
        return str(value)  # öre the field will refuse: show what was typed, not a rounded figure
    whole = int(amount)
    grouped = f"{abs(whole):,}".replace(",", " ")
    return f"-{grouped}" if whole < 0 else grouped


def parse_kronor_input(text: str) -> Decimal:
    """`1 893 000`, `1893000`, `1 893 000 kr`, `−250 000` or `1 893 000,00` as Decimal kronor. Spaces
    must group thousands (`18 93 000` is a typing error, not 1 893 000). Raises ValueError."""
    cleaned = str(text).strip()
    for separator in GROUP_SEPARATORS[1:]:
        cleaned = cleaned.replace(separator, " ")
    cleaned = cleaned.replace("\u2212", "-")  # the typographic minus sign
    if cleaned.lower().endswith("kr"):
        cleaned = cleaned[:-2].rstrip()
    sign = ""
    if cleaned[:1] in "+-":
        sign, cleaned = cleaned[:1], cleaned[1:].lstrip()
    whole, comma, fraction = cleaned.partition(",")
    if not whole:
        raise ValueError(text)
    if " " in whole and not _GROUPED.match(whole):
        raise ValueError(text)
    whole = whole.replace(" ", "")
    if not whole.isdigit() or (comma and not fraction.isdigit()):
        raise ValueError(text)
    amount = Decimal(f"{sign}{whole}.{fraction}" if comma else f"{sign}{whole}")
    return amount.quantize(KRONA) if amount == amount.to_integral_value() else amount


class KronorInput(forms.TextInput):
    """A text field for whole kronor that shows the figure grouped (`1 893 000`). A text field, not a
    number field: browsers refuse spaces in <input type=number> and would drop the grouping."""

    def __init__(self, attrs=None):
        attrs = {"autocomplete": "off", "maxlength": 30, **(attrs or {})}
        attrs["class"] = f"{attrs.get('class', '')} text-end".strip()
        super().__init__(attrs)

    def format_value(self, value):
        if value is None or value == "":
            return None
        return format_kronor_input(value)


class KronorFormField(forms.DecimalField):
    """Whole kronor typed as Swedes write them. Accepts the grouping it shows (spaces, no-break spaces),
    a trailing `kr` and `,00`; refuses öre, letters and misplaced spaces with a Swedish message.
    Negative amounts only with `allow_negative=True` (an equity, a result)."""

    widget = KronorInput
    default_error_messages = {
        "invalid": "Skriv beloppet i hela kronor, till exempel 1 893 000.",
        "max_decimal_places": "Ange hela kronor, utan ören.",
        "max_digits": "Beloppet är för stort.",
        "max_whole_digits": "Beloppet är för stort.",
    }

    def __init__(self, *, allow_negative: bool = False, max_digits=14, decimal_places=0, **kwargs):
        validators = list(kwargs.pop("validators", []))
        if not allow_negative and not any(isinstance(v, MinValueValidator) for v in validators):
            validators.append(MinValueValidator(ZERO, message="Beloppet får inte vara negativt."))
        kwargs.pop("localize", None)
        super().__init__(
            max_digits=max_digits, decimal_places=decimal_places, validators=validators, **kwargs
        )
        if not allow_negative:
            self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int | float):
            return to_decimal(value)
        try:
            return parse_kronor_input(str(value))
        except (ValueError, InvalidOperation):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SignedKronorFormField(KronorFormField):
    """Whole kronor that may be below zero: an equity, a result, a balance."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_negative", True)
        super().__init__(**kwargs)
