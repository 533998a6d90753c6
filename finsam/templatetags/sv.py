"""Swedish presentation of money and shares: 1 893 tkr, 300 000 kr, 33 %. The rounding is
`finsam.money`'s; these filters only format."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from finsam import money

register = template.Library()

NBSP = "\xa0"


def _decimal(value) -> Decimal | None:
    try:
        return money.to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _group(value: Decimal) -> str:
    text = number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)
    return text.replace("-", "−")


@register.filter
def kr(value) -> str:
    amount = _decimal(value)
    if amount is None:
        return "–"
    return f"{_group(money.kronor(amount))}{NBSP}kr"


@register.filter
def tkr(value) -> str:
    """Kronor shown in thousands, as förbund write their budgets. A row of a table comes from
    `money.tkr_table` (as whole thousands of kronor) so that the rows add up to the shown total."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    return f"{_group(money.tkr(amount))}{NBSP}tkr"


@register.filter
def procent(value) -> str:
    share = _decimal(value)
    if share is None:
        return "–"
    text = f"{share.normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"
