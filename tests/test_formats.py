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


def test_identifiers_in_templates_are_never_grouped_like_amounts():
    """With thousands grouping on, `{{ item.pk }}` renders 3915 as "3 915": a link `?person=3 915`
    or an anchor `#punkt-3 915` then leads nowhere once a table passes 999 rows. Every id and page
    number a template writes goes through `stringformat:"d"` (or `unlocalize`)."""
    import re
    from pathlib import Path

    from django.conf import settings

    bare_identifier = re.compile(r"\{\{\s*[\w.]*(\.pk|\.id|_id|_page_number|num_pages)\s*\}\}")
    allowed = {"auto_id", "chart_id", "indicator_id"}
    offenders = []
    for template_dir in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(template_dir).rglob("*.html"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for match in bare_identifier.finditer(line):
                    if not any(name in match.group(0) for name in allowed):
                        offenders.append(f"{path.name}:{number}: {match.group(0)}")
    assert offenders == []


def test_a_four_digit_id_renders_without_a_group_space():
    rendered = Template('?person={{ pk|stringformat:"d" }} {{ pk }}').render(Context({"pk": 3915}))
    assert rendered == f"?person=3915 3{NBSP}915"
