"""Numbers, money and dates as Swedish förbund write them."""

import datetime
from decimal import Decimal

from django.template import Context, Template

from finsam.templatetags.sv import kr, procent, tkr

NBSP = "\xa0"


def test_tkr_rounds_kronor_to_thousands_with_space_grouping():
    assert tkr(Decimal("1893000")) == f"1{NBSP}893{NBSP}tkr"
    assert tkr(Decimal("2665499")) == f"2{NBSP}665{NBSP}tkr"
    assert tkr(Decimal("-772000")) == f"−772{NBSP}tkr"


def test_kr_groups_whole_kronor():
    assert kr(Decimal("300000")) == f"300{NBSP}000{NBSP}kr"
    assert kr(None) == "–"


def test_procent_uses_decimal_comma():
    assert procent(Decimal("33")) == f"33{NBSP}%"
    assert procent(Decimal("12.5")) == f"12,5{NBSP}%"


def test_dates_render_in_iso_form():
    rendered = Template("{{ day|date:'SHORT_DATE_FORMAT' }} {{ day }}").render(
        Context({"day": datetime.date(2021, 3, 17)})
    )
    assert rendered == "2021-03-17 2021-03-17"
