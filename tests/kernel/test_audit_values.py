"""The Logg shows figures as every other page does: grouped in thousands, Swedish decimals."""

from __future__ import annotations

from decimal import Decimal

from ekonomi.models import Invoice
from finsam import audit
from forbund.models import Kansliuppdrag

NBSP = "\xa0"


def test_an_amount_in_the_log_is_grouped_in_thousands_without_decimals():
    shown = audit.values(Invoice(amount=Decimal("500000.00")))

    assert shown["amount"][1] == f"500{NBSP}000"


def test_a_share_with_decimals_keeps_them_with_a_decimal_comma():
    shown = audit.values(Kansliuppdrag(share_percent=Decimal("12.50")))

    assert shown["share_percent"][1] == "12,5"


def test_a_change_of_amount_reads_as_the_pages_show_it():
    before = audit.values(Invoice(amount=Decimal("1893000")))
    after = audit.values(Invoice(amount=Decimal("1893500.75")))

    [change] = [change for change in audit.diff(before, after) if change.field == "amount"]

    assert (change.before, change.after) == (f"1{NBSP}893{NBSP}000", f"1{NBSP}893{NBSP}500,75")
