"""The förbund's own follow-up: sums over approved reports, small numbers hidden outside the kansli
(and not recomputable from the totals), the Uppföljning Finsam export, indicators, and who may see it."""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from ekonomi.models import Budget
from forbund.models import Role
from tests.factories import (
    AccountMappingFactory,
    BeslutFactory,
    BudgetCostFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    CostCategoryFactory,
    ForbundFactory,
    InsatsFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    ParticipantCountFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    finsam_parties,
    user_with_role,
)
from uppfoljning.models import Indikator, ParticipantCount
from uppfoljning.selectors import followup
from uppfoljning.selectors.protection import PRIMARY, SECONDARY, SHOWN, protect

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind
STAFF = [Kind.SAMORDNARE, Kind.EKONOM]
OUTSIDERS = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]

A_COUNTS = {
    ("flow", "nya"): 8,
    ("flow", "fortsatta"): 4,
    ("flow", "avslutade"): 5,
    ("gender", "kvinnor"): 7,
    ("gender", "man"): 5,
    ("age", "20_24"): 6,
    ("age", "25_29"): 6,
    ("support", "forsorjningsstod"): 12,
    ("outcome", "arbete"): 3,
    ("outcome", "studier"): 2,
}
B_COUNTS = {
    ("flow", "nya"): 10,
    ("flow", "avslutade"): 2,
    ("gender", "kvinnor"): 6,
    ("gender", "man"): 3,
    ("gender", "annat"): 1,
    ("age", "30_39"): 10,
    ("support", "sjukpenning"): 10,
    ("outcome", "arbete"): 2,
}
NOT_APPROVED_COUNTS = {("flow", "nya"): 50, ("gender", "kvinnor"): 50, ("age", "30_39"): 50}


def report_with(period, insats, status, counts):
    report = TertialrapportFactory(period=period, insats=insats, status=status)
    for (dimension, category), count in counts.items():
        ParticipantCountFactory(report=report, dimension=dimension, category=category, count=count)
    return report


@pytest.fixture
def world(settings, tmp_path):
    """T1 2021: two approved individinriktade reports (A, B), one submitted and one draft with large
    numbers that must not count, one approved strukturinriktad; a decided budget and a ledger."""
    settings.MEDIA_ROOT = tmp_path
    forbund = ForbundFactory(name="Samordningsförbundet Testbygd")
    period = ReportPeriodFactory(forbund=forbund, year=2021, kind="T1")
    a = InsatsFactory(
        forbund=forbund, name="A Unga till arbete", malgrupp="unga_vuxna", budgeted_participants=40
    )
    b = InsatsFactory(forbund=forbund, name="B Samverkansteam", esf_cofunded=True)
    c = InsatsFactory(forbund=forbund, name="C Inskickad")
    e = InsatsFactory(forbund=forbund, name="E Utkast")
    s = InsatsFactory(forbund=forbund, name="S Strukturinsats", kind="strukturinriktad")
    report_with(period, a, "godkand", A_COUNTS)
    report_with(period, b, "godkand", B_COUNTS)
    report_with(period, c, "inskickad", NOT_APPROVED_COUNTS)
    report_with(period, e, "utkast", NOT_APPROVED_COUNTS)
    report_with(period, s, "godkand", {("volume", "moten"): 3})
    # Economy: budget in force, a grant for A and a ledger with internal costs and A's costs.
    parties = finsam_parties(forbund)
    budget = BudgetFactory(
        forbund=forbund,
        year=2021,
        status=Budget.Status.BESLUTAD,
        opening_equity=D(200_000),
        forecast_result_previous_year=D(-50_000),
    )
    BudgetIncomeFactory(budget=budget, medlem=parties["fk"], amount=D(600_000))
    BudgetIncomeFactory(budget=budget, medlem=parties["region"], amount=D(300_000))
    BudgetIncomeFactory(budget=budget, medlem=parties["kommun1"], amount=D(300_000))
    category = CostCategoryFactory(forbund=forbund, name="Samordnare")
    BudgetCostFactory(budget=budget, category=category, amount=D(120_000))
    BeslutFactory(insats=a, amounts={2021: 400_000})
    AccountMappingFactory(forbund=forbund, account="4010", category=category)
    AccountMappingFactory(forbund=forbund, account="4500", category=None, insats=a)
    ledger = LedgerImportFactory(forbund=forbund, year=2021, first_month=1, last_month=4)
    for month in range(1, 5):
        LedgerEntryFactory(ledger_import=ledger, account="4010", month=month, amount=D(10_000))
    LedgerEntryFactory(ledger_import=ledger, account="4500", month=2, amount=D(30_000))
    LedgerEntryFactory(ledger_import=ledger, account="4500", month=4, amount=D(25_000))
    forbund.test = {"period": period, "a": a, "b": b, "c": c, "e": e, "s": s}
    return forbund


def page_url(forbund, year=2021, **query):
    url = reverse("uppfoljning:followup", kwargs={"forbund": forbund.slug, "year": year})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cell(content: str, name: str) -> str:
    return re.search(rf'data-cell="{name}">([^<]*)<', content).group(1)


# Sums ---------------------------------------------------------------------------------------------


def test_sums_are_the_approved_reports_only(world):
    page = followup.followup(world, 2021, "T1", exact=True)
    approved = ParticipantCount.objects.filter(
        report__status="godkand", report__insats__kind="individinriktad"
    )
    expected = {
        (dimension, category): total
        for dimension, category, total in approved.values("dimension", "category")
        .annotate(total=Sum("count"))
        .values_list("dimension", "category", "total")
    }
    assert expected == {key: A_COUNTS.get(key, 0) + B_COUNTS.get(key, 0) for key in {*A_COUNTS, *B_COUNTS}}
    for breakdown in page.breakdowns:
        for row in breakdown.rows:
            assert row.figure.value == expected.get((breakdown.code, row.code), 0), (breakdown.code, row.code)
    assert page.breakdown("flow").total.value == 8 + 4 + 10
    assert page.breakdown("gender").total.value == 22
    assert page.breakdown("outcome").total.value == 7
    assert [row.insats.name for row in page.insats_rows] == ["A Unga till arbete", "B Samverkansteam"]
    a_row = page.insats_rows[0]
    assert {code: f.value for code, f in a_row.figures.items()} == {
        "nya": 8,
        "fortsatta": 4,
        "deltagare": 12,
        "avslutade": 5,
        "kvinnor": 7,
        "man": 5,
        "annat": 0,
    }
    assert {r.insats.name for r in page.pending} == {"C Inskickad", "E Utkast"}
    assert [r.insats.name for r in page.structural] == ["S Strukturinsats"]


def test_the_page_shows_the_sums_and_lists_reports_not_yet_approved(world, client):
    client.force_login(user_with_role(world, Kind.SAMORDNARE))
    content = client.get(page_url(world, period="T1")).content.decode()
    assert cell(content, "gender-kvinnor") == "13"
    assert cell(content, "gender-man") == "8"
    assert cell(content, "gender-annat") == "1"
    assert cell(content, "flow-summa") == "22"
    assert cell(content, "outcome-arbete") == "5"
    assert "50" not in re.findall(r'data-cell="[^"]+">([^<]*)<', content)
    assert "Summorna är ofullständiga" in content
    assert "C Inskickad: inskickad" in content and "E Utkast: utkast" in content


def test_a_period_without_reports_shows_no_sums(world, client):
    client.force_login(user_with_role(world, Kind.SAMORDNARE))
    response = client.get(page_url(world, period="AR"))
    assert response.status_code == 200
    assert "Perioden är inte upplagd" in response.content.decode()


def test_the_charts_are_described_svg_with_the_table_figures(world, client):
    client.force_login(user_with_role(world, Kind.SAMORDNARE))
    content = client.get(page_url(world, period="T1")).content.decode()
    assert content.count('role="img"') == 2
    assert '<title id="diagram-kon-titel">Kön, tertial 1 2021</title>' in content
    assert "Kvinnor 13, Män 8, Annat eller vill inte uppge 1" in content
    assert "Arbete 5, Studier 2" in content


# Masking ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", STAFF)
def test_staff_see_exact_small_counts(world, client, kind):
    client.force_login(user_with_role(world, kind))
    content = client.get(page_url(world, period="T1")).content.decode()
    assert cell(content, "gender-annat") == "1"
    assert cell(content, "outcome-studier") == "2"
    assert "&lt;5" not in content and ">dolt<" not in content


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_board_and_revisor_see_small_counts_as_below_five(world, client, kind):
    client.force_login(user_with_role(world, kind))
    content = client.get(page_url(world, period="T1")).content.decode()
    assert cell(content, "gender-annat") == "&lt;5"
    assert cell(content, "outcome-studier") == "&lt;5"
    shown = re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)<', content)
    assert shown, "the tables have number cells"
    for text in shown:
        assert text in {"&lt;5", "dolt"} or int(text) == 0 or int(text) >= 5, text
    assert "Antal under 5 visas som" in content
    # The chart draws no bar for a hidden count and says "<5" in its description.
    assert "Annat eller vill inte uppge &lt;5" in content


def _possible_values(cells, total):
    """Every value each hidden cell can take, knowing only what the page shows: "<5" is 1–4, "dolt"
    any number from 0 up to the total, and the cells add up to the total."""
    limit = total if isinstance(total, int) else 60
    ranges = []
    for text in cells:
        if isinstance(text, int):
            ranges.append([text])
        elif text == "<5":
            ranges.append(range(1, 5))
        else:
            ranges.append(range(0, limit + 1))
    total_range = [total] if isinstance(total, int) else (range(1, 5) if total == "<5" else range(0, 61))
    seen = [set() for _ in cells]
    for combination in itertools.product(*ranges):
        if sum(combination) in total_range:
            for index, value in enumerate(combination):
                seen[index].add(value)
    return seen


def _lines_of(page):
    """Every set of cells a reader can add up to a total on the page."""
    lines = []
    for breakdown in page.breakdowns:
        if breakdown.code == "flow":
            lines.append(([breakdown.figure("nya"), breakdown.figure("fortsatta")], breakdown.total))
        else:
            lines.append(([row.figure for row in breakdown.rows], breakdown.total))
    for row in page.insats_rows:
        f = row.figures
        lines.append(([f["nya"], f["fortsatta"]], f["deltagare"]))
        lines.append(([f["kvinnor"], f["man"], f["annat"]], f["deltagare"]))
    for code, _ in followup.INSATS_COLUMNS:
        lines.append(([row.figures[code] for row in page.insats_rows], page.totals[code]))
    return lines


def _assert_no_small_count_recomputable(page):
    for cells, total in _lines_of(page):
        shown = [figure.cell for figure in cells]
        if all(isinstance(value, int) for value in shown):
            continue
        possible = _possible_values(shown, total.cell)
        for value, options in zip(shown, possible, strict=True):
            if value == "<5":
                assert len(options) >= 2, (shown, total.cell)


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_hidden_counts_cannot_be_recomputed_from_the_totals(world, kind):
    page = followup.followup(world, 2021, "T1", exact=False)
    gender = page.breakdown("gender")
    assert gender.figure("annat").text == "<5"
    # Alone, the "<5" would be 22 − 13 − 8 = 1; so a second cell of the breakdown is hidden too.
    assert sum(1 for row in gender.rows if not row.figure.visible) >= 2
    _assert_no_small_count_recomputable(page)


def test_a_single_small_cell_gets_a_second_cell_hidden():
    states = protect({"k": 10, "m": 3, "a": 0, "T": 13}, [(["k", "m", "a"], "T")])
    assert states["m"] == PRIMARY
    assert states["a"] == SECONDARY  # the smallest shown cell, here a zero: "dolt" may be 0
    assert states["k"] == SHOWN and states["T"] == SHOWN


def test_two_small_cells_that_only_add_up_one_way_are_protected():
    # 1 + 1 = 2 and 4 + 4 = 8 can only be split one way.
    for small in (1, 4):
        states = protect({"k": 10, "m": small, "a": small, "T": 10 + 2 * small}, [(["k", "m", "a"], "T")])
        assert states["k"] == SECONDARY


def test_a_total_shared_by_breakdowns_does_not_give_the_hidden_cells_away():
    # New 4 + continuing 4 = 8 participants: shown, 8 would tell both are 4. Hiding it in one place
    # is not enough when the gender breakdown shows all 8 as women.
    values = {"nya": 4, "fortsatta": 4, "P": 8, "k": 8, "m": 0, "a": 0}
    states = protect(values, [(["nya", "fortsatta"], "P"), (["k", "m", "a"], "P")])
    assert states["P"] == SECONDARY
    assert states["k"] == SECONDARY


def test_many_random_tables_never_leave_a_small_count_recomputable():
    import random

    rng = random.Random(2021)  # noqa: S311 - reproducible test data, not security
    for _ in range(300):
        cells = {f"c{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14]) for i in range(rng.randint(2, 4))}
        values = {**cells, "T": sum(cells.values())}
        states = protect(values, [(list(cells), "T")])
        shown = [
            values[k] if states[k] == SHOWN else ("<5" if states[k] == PRIMARY else "dolt") for k in cells
        ]
        total = values["T"] if states["T"] == SHOWN else ("<5" if states["T"] == PRIMARY else "dolt")
        for value, options in zip(shown, _possible_values(shown, total), strict=True):
            if value == "<5":
                assert len(options) >= 2, (values, states)


# Export -------------------------------------------------------------------------------------------


def _workbook(client, forbund, kind, **query):
    client.force_login(user_with_role(forbund, kind))
    response = client.get(page_url(forbund, period="T1", format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="uppfoljning-finsam-2021-T1.xlsx"'
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet, first_row):
    return {row[0]: row[1:] for row in sheet.iter_rows(min_row=first_row, values_only=True) if row[0]}


def test_export_has_number_cells_equal_to_the_page(world, client):
    workbook = _workbook(client, world, Kind.SAMORDNARE)
    assert workbook.sheetnames == ["Insatser", "Förbund", "Deltagare"]
    insatser = _rows(workbook["Insatser"], 4)
    assert insatser["A Unga till arbete"] == (
        "Individinriktad",
        "Unga vuxna (16–29 år)",
        "Nej",
        400_000,
        55_000,
        None,
        40,
        12,
        7,
        5,
        0,
    )
    assert insatser["B Samverkansteam"][2] == "Ja"
    assert insatser["B Samverkansteam"][7:] == (10, 6, 3, 1)
    assert insatser["C Inskickad"][7:] == (None, None, None, None)  # no approved report
    assert insatser["S Strukturinsats"][0] == "Strukturinriktad"
    forbund = _rows(workbook["Förbund"], 3)
    assert forbund["Statlig tilldelning (intäkt från Försäkringskassan enligt budgeten)"] == (600_000,)
    assert forbund["Eget kapital vid årets början (preliminärt)"] == (150_000,)
    assert forbund["Administrativ budget (interna kostnader)"] == (120_000,)
    assert forbund["Administrativt utfall (interna kostnader, helår)"] == (40_000,)
    participants = [row[:2] for row in workbook["Deltagare"].iter_rows(values_only=True)]
    page = followup.followup(world, 2021, "T1", exact=True)
    for breakdown in page.breakdowns:
        start = participants.index((breakdown.title, None))
        for offset, row in enumerate(breakdown.rows, start=1):
            assert participants[start + offset] == (row.label, row.figure.value)
            assert isinstance(participants[start + offset][1], int)
        assert participants[start + len(breakdown.rows) + 1] == (breakdown.total_label, breakdown.total.value)


def test_export_for_the_board_hides_the_same_cells_as_the_page(world, client):
    workbook = _workbook(client, world, Kind.STYRELSELEDAMOT)
    insatser = _rows(workbook["Insatser"], 4)
    page = followup.followup(world, 2021, "T1", exact=False)
    b_row = next(row for row in page.insats_rows if row.insats.name == "B Samverkansteam")
    expected = tuple(b_row.figures[code].cell for code in ("deltagare", "kvinnor", "man", "annat"))
    assert insatser["B Samverkansteam"][7:] == expected
    assert "<5" in expected
    for values in insatser.values():
        for value in values[7:]:
            assert value is None or value in {"<5", "dolt"} or value == 0 or value >= 5
    participants = [row[:2] for row in workbook["Deltagare"].iter_rows(values_only=True) if row[0]]
    assert ("Annat eller vill inte uppge", "<5") in participants
    # Money is never masked.
    assert _rows(workbook["Insatser"], 4)["A Unga till arbete"][3] == 400_000


# Access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*STAFF, *OUTSIDERS])
def test_kansli_board_and_revisor_open_the_page_and_the_export(world, client, kind):
    client.force_login(user_with_role(world, kind))
    assert client.get(page_url(world)).status_code == 200
    indicators = reverse("uppfoljning:indicators", kwargs={"forbund": world.slug, "year": 2021})
    assert client.get(indicators).status_code == 200

    workbook = _workbook(client, world, kind)

    # B Samverkansteam: 10 participants, 6 women, 3 men, 1 other; A: 12, 7, 5, 0.
    insatser = _rows(workbook["Insatser"], 4)
    participants = dict(row[:2] for row in workbook["Deltagare"].iter_rows(values_only=True) if row[0])
    assert insatser["A Unga till arbete"][3:5] == (400_000, 55_000)  # money is never masked
    if kind in STAFF:
        assert insatser["A Unga till arbete"][7:] == (12, 7, 5, 0)
        assert insatser["B Samverkansteam"][7:] == (10, 6, 3, 1)
        assert participants["Annat eller vill inte uppge"] == 1
        assert participants["Studier"] == 2
    else:
        assert insatser["B Samverkansteam"][10] == "<5"  # the one "other" participant
        assert insatser["B Samverkansteam"][7] == 10
        assert participants["Annat eller vill inte uppge"] == "<5"
        assert participants["Studier"] == "<5"
    assert participants["Kvinnor"] == 13


def test_projektagare_is_refused_and_another_forbund_is_not_found(world, client):
    client.force_login(user_with_role(world, Kind.PROJEKTAGARE, medlem=world.test["a"].owner))
    assert client.get(page_url(world)).status_code == 403
    assert client.get(page_url(world, format="xlsx")).status_code == 403
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(page_url(world)).status_code == 404
    indicators = reverse("uppfoljning:indicators", kwargs={"forbund": world.slug, "year": 2021})
    assert client.get(indicators).status_code == 404


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(page_url(world))
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_page_queries_do_not_grow_with_reports(world, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user_with_role(world, Kind.STYRELSELEDAMOT))
    with CaptureQueriesContext(connection) as before:
        assert client.get(page_url(world, period="T1")).status_code == 200
    period = world.test["period"]
    for number in range(6):
        insats = InsatsFactory(forbund=world, name=f"Ny insats {number}")
        report_with(period, insats, "godkand", {**A_COUNTS})
        report_with(period, InsatsFactory(forbund=world, name=f"Ej klar {number}"), "inskickad", A_COUNTS)
    with CaptureQueriesContext(connection) as after:
        assert client.get(page_url(world, period="T1")).status_code == 200
    assert len(after) == len(before)
    assert len(before) <= 15


# Indicators ---------------------------------------------------------------------------------------


def indicators_url(forbund):
    return reverse("uppfoljning:indicators", kwargs={"forbund": forbund.slug, "year": 2021})


def test_everyone_on_the_board_reads_the_indicators(world, client):
    Indikator.objects.create(forbund=world, year=2021, indicator="Fler i arbete", measure="30 % till arbete")
    client.force_login(user_with_role(world, Kind.REVISOR))
    content = client.get(indicators_url(world)).content.decode()
    assert "Fler i arbete" in content and "30 % till arbete" in content
    assert "Spara utfallet" not in content


def test_samordnare_records_the_outcome_of_the_indicators(world, client):
    indicator = Indikator.objects.create(forbund=world, year=2021, indicator="Fler i arbete", measure="30 %")
    choice = Indikator._meta.get_field("achieved").flatchoices[1][0]
    client.force_login(user_with_role(world, Kind.SAMORDNARE))
    response = client.post(
        indicators_url(world),
        {
            "indikator-TOTAL_FORMS": "1",
            "indikator-INITIAL_FORMS": "1",
            "indikator-0-indicator_id": str(indicator.pk),
            "indikator-0-outcome": "34 % gick till arbete",
            "indikator-0-achieved": choice,
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.outcome, indicator.achieved) == ("34 % gick till arbete", choice)


@pytest.mark.parametrize("kind", [Kind.EKONOM, *OUTSIDERS])
def test_only_the_samordnare_may_record_indicator_outcomes(world, client, kind):
    indicator = Indikator.objects.create(forbund=world, year=2021, indicator="Fler i arbete", measure="30 %")
    client.force_login(user_with_role(world, kind))
    response = client.post(
        indicators_url(world),
        {
            "indikator-TOTAL_FORMS": "1",
            "indikator-INITIAL_FORMS": "1",
            "indikator-0-indicator_id": str(indicator.pk),
            "indikator-0-outcome": "Ändrat",
        },
    )
    assert response.status_code == 403


def test_two_samordnare_recording_the_same_outcome_the_second_is_refused(world):
    from django.test import Client

    indicator = Indikator.objects.create(forbund=world, year=2021, indicator="Fler i arbete", measure="30 %")
    first, second = Client(), Client()
    first.force_login(user_with_role(world, Kind.SAMORDNARE))
    second.force_login(user_with_role(world, Kind.SAMORDNARE))

    def post(client, outcome, version):
        return client.post(
            indicators_url(world),
            {
                "indikator-TOTAL_FORMS": "1",
                "indikator-INITIAL_FORMS": "1",
                "indikator-0-indicator_id": str(indicator.pk),
                "indikator-0-opened_version": str(version),
                "indikator-0-outcome": outcome,
            },
        )

    assert post(first, "34 % gick till arbete", 0).status_code == 302
    refused = post(second, "Ingen uppgift", 0)

    content = refused.content.decode()
    assert refused.status_code == 200
    assert "Någon annan har sparat indikator sedan du öppnade formuläret" in content
    assert "34 % gick till arbete" in content and "Ingen uppgift" in content
    indicator.refresh_from_db()
    assert indicator.outcome == "34 % gick till arbete"
    assert 'name="indikator-0-opened_version" value="1"' in content


def test_an_insats_named_like_a_formula_is_text_in_the_export(world, client):
    from insatser.models import Insats

    Insats.objects.filter(forbund=world, name="A Unga till arbete").update(name='=HYPERLINK("http://x","A")')

    workbook = _workbook(client, world, Kind.SAMORDNARE)

    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    named = [cell.data_type for cell in cells if cell.value == '=HYPERLINK("http://x","A")']
    assert named and set(named) == {"s"}
    assert not [cell for cell in cells if cell.data_type == "f"]
