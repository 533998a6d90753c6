"""Budget versus utfall: the numbers per line, period and forecast, the chart, the export, and who
may see it."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from ekonomi.models import Budget
from ekonomi.selectors.comparison import budget_vs_outcome
from forbund.models import Role
from tests.factories import (
    AccountMappingFactory,
    BudgetCostFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    CostCategoryFactory,
    ForbundFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind


@pytest.fixture
def world(settings, tmp_path):
    """A förbund with a decided budget (income 1 200 000, one cost line 120 000) and a ledger for
    January–April: income 300 000 from Försäkringskassan, costs 10 000 a month."""
    settings.MEDIA_ROOT = tmp_path
    forbund = ForbundFactory()
    parties = finsam_parties(forbund)
    budget = BudgetFactory(forbund=forbund, year=2021, status=Budget.Status.BESLUTAD)
    BudgetIncomeFactory(budget=budget, medlem=parties["fk"], amount=D(600_000))
    BudgetIncomeFactory(budget=budget, medlem=parties["region"], amount=D(300_000))
    BudgetIncomeFactory(budget=budget, medlem=parties["kommun1"], amount=D(300_000))
    category = CostCategoryFactory(forbund=forbund, name="Samordnare")
    BudgetCostFactory(budget=budget, category=category, description="Samordnare (50 %)", amount=D(120_000))
    AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=parties["fk"])
    AccountMappingFactory(forbund=forbund, account="4010", category=category)
    ledger = LedgerImportFactory(forbund=forbund, year=2021, first_month=1, last_month=4)
    LedgerEntryFactory(ledger_import=ledger, account="3010", month=1, amount=D(-300_000))
    for month in range(1, 5):
        LedgerEntryFactory(ledger_import=ledger, account="4010", month=month, amount=D(10_000))
    LedgerEntryFactory(ledger_import=ledger, account="4999", month=2, amount=D(700))
    return forbund


def test_period_budget_outcome_deviation_and_forecast_per_line(world):
    comparison = budget_vs_outcome(world, 2021, "T1")
    assert comparison.months == 4
    samordnare = comparison.internal.rows[0]
    assert (samordnare.label, samordnare.budget_year, samordnare.budget_period) == (
        "Samordnare (50 %)",
        D(120_000),
        D(40_000),
    )
    assert samordnare.outcome == D(40_000)
    assert samordnare.deviation == D(0)
    assert samordnare.forecast == D(120_000)  # 40 000 so far + 8 months × 10 000 budget
    fk = next(row for row in comparison.income.rows if row.label == "Försäkringskassan")
    assert fk.outcome == D(300_000)  # income shown positive
    assert comparison.income.total.budget_year == D(1_200_000)
    assert comparison.result.outcome == D(300_000 - 40_000)


def test_unmapped_accounts_are_listed_not_counted(world):
    comparison = budget_vs_outcome(world, 2021, "AR")
    assert comparison.unmapped == {"4999": D(700)}
    assert comparison.costs.outcome == D(40_000)


def test_monthly_points_are_cumulative_and_stop_at_the_last_ledger_month(world):
    comparison = budget_vs_outcome(world, 2021)
    assert comparison.last_ledger_month == 4
    assert comparison.months == 4  # the default period is the latest month read in
    assert [p.outcome_costs for p in comparison.monthly[:5]] == [
        D(10_000),
        D(20_000),
        D(30_000),
        D(40_000),
        None,
    ]
    assert comparison.monthly[11].budget_costs == D(120_000)


@pytest.mark.parametrize(
    "kind", [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
)
def test_readers_see_the_comparison_page_with_chart(world, client, kind):
    client.force_login(user_with_role(world, kind))
    response = client.get(
        reverse("ekonomi:comparison", kwargs={"forbund": world.slug, "year": 2021}) + "?period=T1"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "januari–april (tertial 1)" in content
    assert "40\xa0000\xa0kr" in content
    assert "<svg" in content and "Konton utan kontokoppling räknas inte med: 4999" in content


def test_projektagare_and_other_forbund_cannot_see_the_comparison(world, client):
    url = reverse("ekonomi:comparison", kwargs={"forbund": world.slug, "year": 2021})
    client.force_login(user_with_role(world, Kind.PROJEKTAGARE, medlem=world.medlemmar.first()))
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(url).status_code == 404


def test_excel_export_has_number_cells_and_the_page_sums(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    url = reverse("ekonomi:comparison", kwargs={"forbund": world.slug, "year": 2021})
    response = client.get(url + "?period=T1&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["Samordnare (50 %)"] == (120_000, 40_000, 40_000, 0, 120_000)
    assert rows["Summa kostnader"][2] == 40_000
    assert all(isinstance(value, int) for value in rows["Resultat"])


def test_comparison_page_queries_do_not_grow_with_ledger_rows(world, client, django_assert_max_num_queries):
    client.force_login(user_with_role(world, Kind.EKONOM))
    url = reverse("ekonomi:comparison", kwargs={"forbund": world.slug, "year": 2021})
    ledger = LedgerImportFactory(forbund=world, year=2021, first_month=5, last_month=8)
    for month in range(5, 9):
        LedgerEntryFactory(ledger_import=ledger, account="4010", month=month, amount=D(9_000))
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200


def test_a_budget_line_named_like_a_formula_is_text_in_the_excel_export(world, client):
    from ekonomi.models import BudgetCost

    BudgetCost.objects.filter(budget__forbund=world).update(description="=cmd|' /C calc'!A0")
    client.force_login(user_with_role(world, Kind.EKONOM))
    url = reverse("ekonomi:comparison", kwargs={"forbund": world.slug, "year": 2021})

    response = client.get(url + "?period=T1&format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.data_type for cell in cells if cell.value == "=cmd|' /C calc'!A0"] == ["s"]
    assert not [cell for cell in cells if cell.data_type == "f"]
