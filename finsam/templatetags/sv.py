"""Swedish presentation of money and shares: 1 893 tkr, 300 000 kr, 33 %."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

NBSP = "\xa0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(value)
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
    return f"{_group(amount.quantize(Decimal(1), ROUND_HALF_UP))}{NBSP}kr"


@register.filter
def tkr(value) -> str:
    """Kronor shown in thousands, as förbund write their budgets."""
    amount = _decimal(value)
    if amount is None:
        return "–"
    return f"{_group((amount / 1000).quantize(Decimal(1), ROUND_HALF_UP))}{NBSP}tkr"


@register.filter
def procent(value) -> str:
    share = _decimal(value)
    if share is None:
        return "–"
    text = f"{share.normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"
