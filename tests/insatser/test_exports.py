"""Excel exports: amounts are numbers, sums are the selectors' sums, dates are dates."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from insatser import selectors
from insatser.exports import budget_workbook, insatser_workbook
from insatser.models import Insats
from tests.factories import (
    BeslutFactory,
    BudgetLineFactory,
    DelprocessFactory,
    InsatsFactory,
    MedlemFactory,
)

pytestmark = pytest.mark.django_db

YEARS = [2021, 2022, 2023]


def load(data: bytes, title: str):
    return openpyxl.load_workbook(io.BytesIO(data))[title]


def row_values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def row_labelled(sheet, label: str) -> list:
    """The cells of the one row whose first column reads `label`."""
    rows = [row for row in sheet.iter_rows() if row[0].value == label]
    assert len(rows) == 1, f"expected one row {label!r}, found {len(rows)}"
    return list(rows[0])


def as_ints(amounts) -> list[int]:
    return [int(amount) for amount in amounts]


# Budget ----------------------------------------------------------------------------------------


@pytest.fixture
def insats(forbund):
    insats = InsatsFactory(
        forbund=forbund,
        name="Vägen vidare",
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2023, 12, 31),
        owner=MedlemFactory(forbund=forbund, name="Testby kommun"),
    )
    region = MedlemFactory(forbund=forbund, name="Region Testland")
    delprocess = DelprocessFactory(insats=insats, name="Delprocess Norrby")
    BudgetLineFactory(
        insats=insats,
        section="Övergripande",
        description="Processledare",
        organisation=region,
        share="50 %",
        order=1,
        amounts={2021: 400_000, 2022: 410_000, 2023: 420_000},
    )
    BudgetLineFactory(
        insats=insats,
        section="Övergripande",
        description="Extern utvärdering",
        order=2,
        amounts={2021: 50_000, 2023: 75_000},
    )
    BudgetLineFactory(
        insats=insats,
        delprocess=delprocess,
        description="Arbetscoach",
        share="100 %",
        order=3,
        amounts={2021: 300_000, 2022: 300_000, 2023: 150_000},
    )
    BudgetLineFactory(
        insats=insats, delprocess=delprocess, description="Lokaler", order=4, amounts={2022: 1_234_567}
    )
    return insats


@pytest.fixture
def table(insats):
    return selectors.budget_table(insats)


@pytest.fixture
def budget_sheet(insats, table):
    return load(budget_workbook(insats=insats, table=table), "Budget")


def header_row(sheet) -> int:
    return row_labelled(sheet, "Kostnad")[0].row


def test_budget_workbook_names_insats_period_and_owner(budget_sheet):
    assert budget_sheet["A1"].value == "Budget för Vägen vidare"
    assert budget_sheet["A2"].value == "Period 2021-01-01 – 2023-12-31"
    assert budget_sheet["B2"].value == "Projektägare: Testby kommun"


def test_budget_workbook_has_one_numeric_column_per_year(budget_sheet, table):
    assert table.years == YEARS
    header = row_values(budget_sheet, header_row(budget_sheet))
    assert header == ["Kostnad", "Organisation", "Andel", *YEARS, "Summa totalt"]
    assert budget_sheet.freeze_panes == f"A{header_row(budget_sheet) + 1}"


def test_budget_workbook_writes_every_amount_as_a_formatted_number(budget_sheet):
    amount_cells = [
        cell
        for row in budget_sheet.iter_rows(min_row=header_row(budget_sheet) + 1, min_col=4)
        for cell in row
        if cell.value is not None
    ]
    amounts = 3 + 2 + 3 + 1  # what the four lines have
    assert len(amount_cells) == amounts + 4 + 3 * 4  # those, the four line totals, then three sum rows
    for cell in amount_cells:
        assert type(cell.value) is int, f"{cell.coordinate} is {cell.value!r}, not a number"
        assert cell.number_format == "#,##0"
        assert cell.alignment.horizontal == "right"


def test_budget_workbook_leaves_a_missing_year_empty(budget_sheet):
    cells = row_labelled(budget_sheet, "Extern utvärdering")
    assert [cell.value for cell in cells] == ["Extern utvärdering", None, None, 50_000, None, 75_000, 125_000]


def test_budget_workbook_writes_line_details(budget_sheet):
    cells = row_labelled(budget_sheet, "Processledare")
    assert [cell.value for cell in cells] == [
        "Processledare",
        "Region Testland",
        "50 %",
        400_000,
        410_000,
        420_000,
        1_230_000,
    ]


def test_budget_workbook_section_sums_are_the_tables_sums(budget_sheet, table):
    assert [section.name for section in table.sections] == ["Övergripande", "Delprocess Norrby"]
    for section in table.sections:
        assert row_labelled(budget_sheet, section.name)[0].font.bold
        cells = row_labelled(budget_sheet, f"Summa {section.name}")
        assert [cell.value for cell in cells[3:]] == [*as_ints(section.year_totals), int(section.total)]
        assert cells[0].font.bold
    overgripande = row_labelled(budget_sheet, "Summa Övergripande")
    assert [cell.value for cell in overgripande[3:]] == [450_000, 410_000, 495_000, 1_355_000]


def test_budget_workbook_total_row_is_the_tables_year_totals(budget_sheet, table):
    cells = row_labelled(budget_sheet, "Summa per år")
    assert [cell.value for cell in cells[3:]] == [*as_ints(table.year_totals), int(table.total)]
    assert [cell.value for cell in cells[3:]] == [750_000, 1_944_567, 645_000, 3_339_567]
    assert cells[-1].font.bold
    assert cells[-1].row == budget_sheet.max_row


def test_budget_workbook_for_an_empty_budget_has_only_a_zero_total(forbund):
    insats = InsatsFactory(forbund=forbund, start=None, end=None)
    table = selectors.budget_table(insats)
    sheet = load(budget_workbook(insats=insats, table=table), "Budget")
    assert sheet["A2"].value == "Period saknas"
    assert row_values(sheet, header_row(sheet)) == ["Kostnad", "Organisation", "Andel", "Summa totalt"]
    assert row_labelled(sheet, "Summa per år")[-1].value == 0


# List of insatser ------------------------------------------------------------------------------


@pytest.fixture
def insatser(forbund):
    first = InsatsFactory(
        forbund=forbund,
        name="Aktivt stöd",
        status=Insats.Status.PAGAENDE,
        kind=Insats.Kind.INDIVIDINRIKTAD,
        malgrupp=Insats.Malgrupp.UNGA_VUXNA,
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2022, 12, 31),
    )
    first.partners.set(
        [
            MedlemFactory(forbund=forbund, name="Arbetsförmedlingen"),
            MedlemFactory(forbund=forbund, name="Norrby"),
        ]
    )
    BudgetLineFactory(insats=first, amounts={2021: 600_000, 2022: 500_000})
    BeslutFactory(insats=first, amounts={2021: 500_000, 2022: 450_000})
    second = InsatsFactory(
        forbund=forbund,
        name="Samverkansteam",
        status=Insats.Status.INSKICKAD,
        kind=Insats.Kind.STRUKTURINRIKTAD,
        malgrupp="",
        start=datetime.date(2022, 1, 1),
        end=datetime.date(2023, 6, 30),
    )
    BudgetLineFactory(insats=second, amounts={2022: 250_000, 2023: 250_000})
    BeslutFactory(insats=second, amounts={2022: 200_000})
    return [first, second]


def applied_per_year(insats: Insats) -> dict:
    # From budget_table rather than selectors.applied_per_year, which counts each amount once per
    # year on its line (the filter after annotate() joins the amounts a second time).
    table = selectors.budget_table(insats)
    return dict(zip(table.years, table.year_totals, strict=True))


@pytest.fixture
def list_sheet(insatser):
    data = insatser_workbook(
        insatser=insatser,
        applied={insats.id: applied_per_year(insats) for insats in insatser},
        granted={insats.id: selectors.granted_per_year(insats) for insats in insatser},
        years=YEARS,
    )
    return load(data, "Insatser")


LIST_HEADER = [
    "Insats",
    "Status",
    "Inriktning",
    "Målgrupp",
    "Projektägare",
    "Samverkansparter",
    "Start",
    "Slut",
    "Beviljat 2021",
    "Beviljat 2022",
    "Beviljat 2023",
    "Ansökt totalt",
    "Beviljat totalt",
]


def test_insatser_workbook_has_a_granted_column_per_year(list_sheet):
    assert row_values(list_sheet, 1) == LIST_HEADER
    assert list_sheet.freeze_panes == "B2"


def test_insatser_workbook_shows_labels_not_codes(list_sheet, insatser):
    assert row_values(list_sheet, 2)[:6] == [
        "Aktivt stöd",
        "Pågående",
        "Individinriktad",
        "Unga vuxna (16–29 år)",
        insatser[0].owner.name,
        "Arbetsförmedlingen, Norrby",
    ]
    assert row_values(list_sheet, 3)[1:4] == ["Inskickad", "Strukturinriktad", None]


def test_insatser_workbook_writes_amounts_as_numbers(list_sheet):
    assert row_values(list_sheet, 2)[8:] == [500_000, 450_000, None, 1_100_000, 950_000]
    assert row_values(list_sheet, 3)[8:] == [None, 200_000, None, 500_000, 200_000]
    for cell in list_sheet[2][8:] + list_sheet[3][8:]:
        if cell.value is not None:
            assert type(cell.value) is int
            assert cell.number_format == "#,##0"


def test_insatser_workbook_writes_dates_as_date_cells(list_sheet):
    start, end = list_sheet["G2"], list_sheet["H3"]
    for cell in (start, end):
        assert isinstance(cell.value, datetime.date)
        assert cell.is_date
        assert cell.number_format == "YYYY-MM-DD"
    assert start.value.date() == datetime.date(2021, 1, 1)  # openpyxl reads dates back as datetimes
    assert end.value.date() == datetime.date(2023, 6, 30)


def test_insatser_workbook_ends_with_a_bold_sum_of_every_amount_column(list_sheet):
    cells = row_labelled(list_sheet, "Summa")
    assert cells[0].row == 4
    assert [cell.value for cell in cells] == [
        "Summa",
        *[None] * 7,
        500_000,
        650_000,
        0,
        1_600_000,
        1_150_000,
    ]
    assert all(type(cell.value) is int for cell in cells[8:])
    assert cells[0].font.bold


def test_insatser_workbook_filters_the_insatser_but_not_the_sum(list_sheet):
    assert list_sheet.auto_filter.ref == "A1:M3"


def test_insatser_workbook_without_insatser_sums_to_zero():
    sheet = load(insatser_workbook(insatser=[], applied={}, granted={}, years=[2024]), "Insatser")
    assert row_values(sheet, 2) == ["Summa", *[None] * 7, 0, 0, 0]
    assert sheet.auto_filter.ref == "A1:K1"
