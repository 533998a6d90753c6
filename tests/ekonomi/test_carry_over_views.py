"""The pages for carry-over, Disponibla medel, next year's proposal, other income, the payment plan
and forecast overrides, for every role: the kansli (samordnare, ekonom) changes; the board and the
revisor read; a projektägare sees nothing; another förbund gets a 404; anonymous users log in."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from ekonomi.models import Budget, BudgetOtherIncome, EconomySettings, ForecastOverride, LockedPeriod
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
    MedlemFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind
READERS = [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
STAFF = [Kind.SAMORDNARE, Kind.EKONOM]
NOT_STAFF = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]


@pytest.fixture
def world(forbund, settings, tmp_path):
    """2025 decided (start 1 000 000, members 1 200 000, costs 1 000 000); its ledger locked
    2026-02-10 with an actual result of +100 000 (income 1 200 000, costs 1 100 000). 2026 is a
    proposal with the same members' contributions."""
    settings.MEDIA_ROOT = tmp_path
    parties = finsam_parties(forbund)
    category = CostCategoryFactory(forbund=forbund, name="Samordnare")
    decided = BudgetFactory(forbund=forbund, year=2025, opening_equity=D(1_000_000))
    proposal = BudgetFactory(forbund=forbund, year=2026, status=Budget.Status.FORSLAG)
    for budget in (decided, proposal):
        for key, amount in (("fk", 600_000), ("region", 300_000), ("kommun1", 300_000)):
            BudgetIncomeFactory(budget=budget, medlem=parties[key], amount=D(amount))
        BudgetCostFactory(budget=budget, category=category, amount=D(1_000_000))
    AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=parties["fk"])
    AccountMappingFactory(forbund=forbund, account="4010", category=category)
    ledger = LedgerImportFactory(forbund=forbund, year=2025, first_month=1, last_month=12)
    LedgerEntryFactory(ledger_import=ledger, account="3010", month=1, amount=D(-1_200_000))
    LedgerEntryFactory(ledger_import=ledger, account="4010", month=12, amount=D(1_100_000))
    locked = LockedPeriod.objects.create(
        forbund=forbund, year=2025, locked_by=user_with_role(forbund, Kind.EKONOM)
    )
    LockedPeriod.objects.filter(pk=locked.pk).update(
        locked_at=datetime.datetime(2026, 2, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
    )
    forbund.world = {"decided": decided, "proposal": proposal, "category": category, "parties": parties}
    return forbund


def url(forbund, name, **kwargs):
    return reverse(f"ekonomi:{name}", kwargs={"forbund": forbund.slug, **kwargs})


def projektagare(forbund):
    return user_with_role(forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund))


# The budget page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", READERS)
def test_readers_see_the_opening_equity_from_the_ledger_and_disponibla_medel(world, client, kind):
    """1 000 000 + 100 000 = 1 100 tkr; Disponibla medel 1 100 + 1 200 = 2 300 tkr."""
    client.force_login(user_with_role(world, kind))
    content = client.get(url(world, "budget", year=2026)).content.decode()

    assert "Ingående eget kapital: Från bokslutet 2025, låst 2026-02-10." in content
    assert "Resultat 2025 enligt bokslutet" in content
    assert "Disponibla medel 2026" in content
    assert '<td class="num" data-testid="available">2\xa0300\xa0tkr</td>' in content
    assert "Eget kapital vid årets början som andel av medlemmarnas bidrag" in content
    staff = kind in STAFF
    assert ("Nytt budgetförslag från 2026" in content) is staff
    assert ("Lägg till övrig intäkt" in content) is staff


def test_a_projektagare_other_forbund_and_anonymous_do_not_see_the_budget(world, client):
    page = url(world, "budget", year=2026)
    client.force_login(projektagare(world))
    assert client.get(page).status_code == 403
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(page).status_code == 404
    client.logout()
    assert client.get(page).status_code == 302


# Next year from this year ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", STAFF)
def test_the_kansli_creates_next_years_proposal_from_this_year(world, client, kind):
    client.force_login(user_with_role(world, kind))
    decided = world.world["decided"]
    Budget.objects.filter(forbund=world, year=2026).delete()

    response = client.post(url(world, "budget_next_year", pk=decided.pk))

    created = Budget.objects.get(forbund=world, year=2026)
    assert response.status_code == 302
    assert response.url == url(world, "budget_edit", pk=created.pk)
    assert created.costs.get(category=world.world["category"]).amount == D(1_000_000)


def test_next_year_is_refused_with_a_message_when_the_year_has_a_budget(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))

    response = client.post(url(world, "budget_next_year", pk=world.world["decided"].pk), follow=True)

    assert "Det finns redan en budget för 2026" in response.content.decode()
    assert Budget.objects.filter(forbund=world, year=2026).count() == 1


@pytest.mark.parametrize("kind", [*NOT_STAFF, Kind.PROJEKTAGARE])
def test_others_cannot_create_next_year(world, client, kind):
    Budget.objects.filter(forbund=world, year=2026).delete()
    user = projektagare(world) if kind == Kind.PROJEKTAGARE else user_with_role(world, kind)
    client.force_login(user)

    assert client.post(url(world, "budget_next_year", pk=world.world["decided"].pk)).status_code == 403
    assert not Budget.objects.filter(forbund=world, year=2026).exists()


def test_next_year_from_another_forbunds_budget_is_a_404(world, client, other_forbund):
    client.force_login(user_with_role(world, Kind.EKONOM))
    stranger = BudgetFactory(forbund=other_forbund, year=2025)

    assert client.post(url(world, "budget_next_year", pk=stranger.pk)).status_code == 404


# Other income ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", STAFF)
def test_the_kansli_adds_and_removes_other_income(world, client, kind):
    client.force_login(user_with_role(world, kind))
    proposal = world.world["proposal"]
    add = url(world, "other_income_create", pk=proposal.pk)
    assert client.get(add).status_code == 200

    response = client.post(add, {"kind": "esf", "description": "ESF Vägen vidare", "amount": "150000"})

    assert response.status_code == 302
    income = BudgetOtherIncome.objects.get(budget=proposal)
    content = client.get(url(world, "budget", year=2026)).content.decode()
    assert "ESF Vägen vidare" in content
    assert '<td class="num" data-testid="available">2\xa0450\xa0tkr</td>' in content

    client.post(url(world, "other_income_delete", pk=proposal.pk, income_pk=income.pk))
    assert not BudgetOtherIncome.objects.filter(budget=proposal).exists()


def test_other_income_form_errors_are_swedish_and_keep_what_was_typed(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    add = url(world, "other_income_create", pk=world.world["proposal"].pk)

    response = client.post(add, {"kind": "esf", "description": "ESF-projekt", "amount": "-5"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Beloppet får inte vara negativt." in content
    assert 'value="ESF-projekt"' in content
    assert not BudgetOtherIncome.objects.exists()


@pytest.mark.parametrize("kind", [*NOT_STAFF, Kind.PROJEKTAGARE])
def test_others_cannot_add_other_income(world, client, kind):
    user = projektagare(world) if kind == Kind.PROJEKTAGARE else user_with_role(world, kind)
    client.force_login(user)
    add = url(world, "other_income_create", pk=world.world["proposal"].pk)

    assert client.get(add).status_code == 403
    assert client.post(add, {"kind": "esf", "description": "ESF", "amount": "1"}).status_code == 403
    assert not BudgetOtherIncome.objects.exists()


def test_a_decided_budget_gets_no_other_income(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    add = url(world, "other_income_create", pk=world.world["decided"].pk)

    response = client.post(add, {"kind": "esf", "description": "ESF", "amount": "1"})

    assert response.status_code == 403
    assert not BudgetOtherIncome.objects.exists()


# The comparison page: forecast with its basis, the payment plan and overrides --------------------


@pytest.mark.parametrize("kind", READERS)
def test_readers_see_the_forecast_and_its_basis(world, client, kind):
    client.force_login(user_with_role(world, kind))
    content = client.get(url(world, "comparison", year=2026)).content.decode()

    assert "Prognosens grund" in content
    assert "Ingen huvudbok inläst ännu: budgeten." in content
    assert ("Spara betalningsplanen" in content) is (kind in STAFF)
    assert ("Justera<span" in content) is (kind in STAFF)


@pytest.mark.parametrize("kind", STAFF)
def test_the_kansli_sets_the_payment_plan(world, client, kind):
    client.force_login(user_with_role(world, kind))

    response = client.post(url(world, "contribution_plan", year=2026), {"contribution_plan": "kvartalsvis"})

    assert response.status_code == 302
    assert EconomySettings.objects.get(forbund=world).contribution_plan == "kvartalsvis"


@pytest.mark.parametrize("kind", NOT_STAFF)
def test_the_board_and_revisor_cannot_set_the_payment_plan(world, client, kind):
    client.force_login(user_with_role(world, kind))

    response = client.post(url(world, "contribution_plan", year=2026), {"contribution_plan": "arsvis"})

    assert response.status_code == 403
    assert not EconomySettings.objects.filter(forbund=world, contribution_plan="arsvis").exists()


@pytest.mark.parametrize("kind", STAFF)
def test_the_kansli_overrides_a_line_with_a_comment(world, client, kind):
    client.force_login(user_with_role(world, kind))
    category = world.world["category"]
    page = url(world, "forecast_override", year=2026, line="kostnad", pk=category.pk)
    assert "Beräknad prognos" in client.get(page).content.decode()

    missing = client.post(page, {"amount": "900000", "comment": ""})
    assert "Motivera den justerade prognosen." in missing.content.decode()
    assert not ForecastOverride.objects.exists()

    response = client.post(page, {"amount": "900000", "comment": "Vakans under hösten"})

    assert response.status_code == 302
    override = ForecastOverride.objects.get(forbund=world, year=2026, category=category)
    assert override.amount == D(900_000)
    content = client.get(url(world, "comparison", year=2026)).content.decode()
    assert "Vakans under hösten" in content
    assert "900\xa0000\xa0kr" in content

    client.post(page, {"remove": "1"})
    assert not ForecastOverride.objects.exists()


@pytest.mark.parametrize("kind", [*NOT_STAFF, Kind.PROJEKTAGARE])
def test_others_cannot_override(world, client, kind):
    user = projektagare(world) if kind == Kind.PROJEKTAGARE else user_with_role(world, kind)
    client.force_login(user)
    page = url(world, "forecast_override", year=2026, line="kostnad", pk=world.world["category"].pk)

    assert client.get(page).status_code == 403
    assert client.post(page, {"amount": "1", "comment": "x"}).status_code == 403
    assert not ForecastOverride.objects.exists()


def test_an_override_in_a_locked_year_is_refused_with_the_reason(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    page = url(world, "forecast_override", year=2025, line="kostnad", pk=world.world["category"].pk)

    response = client.get(page)

    assert response.status_code == 403
    assert "Huvudboken för 2025 är låst" in response.content.decode()


def test_an_override_for_another_forbunds_line_or_an_unknown_kind_is_a_404(world, client, other_forbund):
    client.force_login(user_with_role(world, Kind.EKONOM))
    stranger = CostCategoryFactory(forbund=other_forbund)

    assert (
        client.get(url(world, "forecast_override", year=2026, line="kostnad", pk=stranger.pk)).status_code
        == 404
    )
    assert client.get(url(world, "forecast_override", year=2026, line="annat", pk=1)).status_code == 404
