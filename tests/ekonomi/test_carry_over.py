"""Carry-over from the real result: the opening eget kapital of a budget comes from the previous
year's closed ledger or fastställd årsredovisning (the actual result, not the plan), or from the
forecast while that year is open, and says which; Disponibla medel; next year from this year.

The numbers are worked by hand in each test's docstring."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekonomi.models import Budget, BudgetOtherIncome, LockedPeriod
from ekonomi.selectors.budget import budget_overview
from ekonomi.selectors.carry_over import carry_over_into
from ekonomi.services.budget import budget_create, budget_decide
from ekonomi.services.carry_over import budget_create_next_year, other_income_add, other_income_remove
from forbund.models import ActivityEvent, AgendaItem, Dokumentjobb, Faststallelse, MeetingStatus, Role
from tests.factories import (
    AccountMappingFactory,
    BeslutFactory,
    BudgetCostFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    CostCategoryFactory,
    InsatsFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    StyrelsemoteFactory,
    UserFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


class World:
    """A förbund whose 2025 budget is decided: eget kapital 1 000 000 at the start of 2025, members
    600 000 + 300 000 + 300 000 = 1 200 000, one cost line of 1 000 000, so a planned result of
    +200 000 and a planned closing equity of 1 200 000."""

    def __init__(self, forbund, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        self.forbund = forbund
        self.parties = finsam_parties(forbund)
        self.by = user_with_role(forbund, Kind.EKONOM)
        self.category = CostCategoryFactory(forbund=forbund, name="Samordnare")
        self.budget = BudgetFactory(
            forbund=forbund,
            year=2025,
            status=Budget.Status.BESLUTAD,
            opening_equity=D(1_000_000),
            opening_equity_note="Balanserat eget kapital 2024",
        )
        for key, amount in (("fk", 600_000), ("region", 300_000), ("kommun1", 300_000)):
            BudgetIncomeFactory(budget=self.budget, medlem=self.parties[key], amount=D(amount))
        BudgetCostFactory(budget=self.budget, category=self.category, amount=D(1_000_000))
        for account, key in (("3010", "fk"), ("3020", "region"), ("3030", "kommun1")):
            AccountMappingFactory(forbund=forbund, account=account, category=None, medlem=self.parties[key])
        AccountMappingFactory(forbund=forbund, account="4010", category=self.category)

    def ledger(self, year, months, entries):
        ledger = LedgerImportFactory(forbund=self.forbund, year=year, first_month=1, last_month=months)
        for account, month, amount in entries:
            LedgerEntryFactory(ledger_import=ledger, account=account, month=month, amount=D(amount))
        return ledger

    def full_year_2025(self):
        """Income as budgeted (1 200 000) but costs of 1 100 000: an actual result of +100 000, half
        the planned 200 000."""
        self.ledger(
            2025,
            12,
            [("3010", 1, -300_000), ("3010", 7, -300_000), ("3020", 1, -300_000), ("3030", 1, -300_000)]
            + [("4010", month, 100_000) for month in range(1, 12)]
            + [("4010", 12, 0)],
        )

    def lock(self, year, on):
        locked = LockedPeriod.objects.create(forbund=self.forbund, year=year, locked_by=self.by)
        LockedPeriod.objects.filter(pk=locked.pk).update(locked_at=on)
        return locked


@pytest.fixture
def world(forbund, tmp_path, settings):
    return World(forbund, tmp_path, settings)


def test_a_locked_ledger_opens_the_next_budget_with_the_actual_result_not_the_plan(world):
    """Start 1 000 000 + actual result 100 000 = 1 100 000 (the plan would have said 1 200 000)."""
    world.full_year_2025()
    world.lock(2025, datetime.datetime(2026, 2, 10, 9, 0, tzinfo=STOCKHOLM))

    budget = budget_create(forbund=world.forbund, year=2026, by=world.by)
    equity = budget_overview(budget).equity

    assert equity.opening == D(1_000_000)
    assert equity.forecast_previous_year == D(100_000)
    assert equity.preliminary == D(1_100_000)
    assert equity.source == "Från bokslutet 2025, låst 2026-02-10"
    assert equity.result_label == "Resultat 2025 enligt bokslutet"
    assert not equity.is_forecast


def test_the_lock_date_is_the_swedish_date(world):
    """Locked 2026-02-10 at 00:30 in Stockholm is 2026-02-09 23:30 UTC: the page says the 10th."""
    world.full_year_2025()
    world.lock(2025, datetime.datetime(2026, 2, 9, 23, 30, tzinfo=datetime.UTC))

    assert carry_over_into(world.forbund, 2026).source == "Från bokslutet 2025, låst 2026-02-10"


def test_an_open_year_carries_its_forecast_and_says_so(world):
    """Ledger January–June 2025: each member paid its January half (600 000), costs 50 000 a month
    (300 000). Forecast: income 1 200 000 (the July halves still to come), costs at the same rate
    600 000, result +600 000; closing 1 000 000 + 600 000 = 1 600 000, labelled a forecast."""
    world.ledger(
        2025,
        6,
        [("3010", 1, -300_000), ("3020", 1, -150_000), ("3030", 1, -150_000)]
        + [("4010", month, 50_000) for month in range(1, 7)],
    )

    budget = budget_create(forbund=world.forbund, year=2026, by=world.by)
    equity = budget_overview(budget).equity

    assert equity.forecast_previous_year == D(600_000)
    assert equity.preliminary == D(1_600_000)
    assert equity.is_forecast
    assert equity.source.startswith("Prognos: 2025 är inte avslutat")
    assert "juni" in equity.source
    assert equity.result_label == "Beräknat resultat 2025 (prognos)"


def test_an_open_year_without_a_ledger_forecasts_its_budget(world):
    """No ledger: the forecast is the budget, +200 000, so 1 200 000, still called a forecast."""
    carried = carry_over_into(world.forbund, 2026)

    assert carried.closing == D(1_200_000)
    assert not carried.is_actual
    assert "ingen huvudbok" in carried.source


def test_figures_typed_into_a_proposal_stand_while_the_previous_year_is_open(world):
    budget = budget_create(forbund=world.forbund, year=2026, by=world.by)
    Budget.objects.filter(pk=budget.pk).update(
        opening_equity=D(1_450_000), opening_equity_note="Enligt delårsbokslut"
    )
    budget.refresh_from_db()

    equity = budget_overview(budget).equity

    assert equity.preliminary == D(1_450_000)
    assert equity.source == "Angivet i budgeten"


def test_a_closed_year_replaces_figures_typed_into_a_proposal(world):
    world.full_year_2025()
    world.lock(2025, datetime.datetime(2026, 2, 10, 9, 0, tzinfo=STOCKHOLM))
    budget = budget_create(forbund=world.forbund, year=2026, by=world.by)
    Budget.objects.filter(pk=budget.pk).update(opening_equity=D(1_450_000))
    budget.refresh_from_db()

    assert budget_overview(budget).equity.preliminary == D(1_100_000)


def test_an_adopted_arsredovisning_is_the_source_and_its_stated_opening_is_used(world):
    """The årsredovisning 2025 states 980 000 at the start of the year; with the ledger's +100 000 the
    next budget opens with 1 080 000."""
    from uppfoljning.models import Arsredovisning

    world.full_year_2025()
    Arsredovisning.objects.create(forbund=world.forbund, year=2025, eget_kapital_ingaende=D(980_000))
    user = UserFactory()
    job = Dokumentjobb.objects.create(
        forbund=world.forbund, kind="arsredovisning", year=2025, requested_by=user, status="klar"
    )
    meeting = StyrelsemoteFactory(
        forbund=world.forbund, date=datetime.date(2026, 3, 18), status=MeetingStatus.JUSTERAT
    )
    item = AgendaItem.objects.create(meeting=meeting, title="Årsredovisning 2025", paragraph=5)
    Faststallelse.objects.create(
        forbund=world.forbund,
        dokumentjobb=job,
        kind="arsredovisning",
        year=2025,
        checksum="0" * 64,
        item=item,
        adopted_on=datetime.date(2026, 3, 18),
        recorded_by=user,
    )

    carried = carry_over_into(world.forbund, 2026)

    assert carried.closing == D(1_080_000)
    assert carried.source == "Från fastställd årsredovisning 2025, fastställd 2026-03-18"
    assert carried.result_label == "Resultat 2025 enligt fastställd årsredovisning"


def test_a_decided_budget_keeps_its_figure_and_shows_the_real_one_beside_it(world):
    """2026 was decided on the forecast (1 200 000 with no ledger); once 2025 is locked with +100 000
    the page shows 1 100 000 beside it, the decided figure unchanged."""
    budget = budget_create(forbund=world.forbund, year=2026, by=world.by)
    BudgetIncomeFactory(budget=budget, medlem=world.parties["fk"], amount=D(600_000))
    meeting = StyrelsemoteFactory(forbund=world.forbund, date=datetime.date(2025, 11, 20))
    item = AgendaItem.objects.create(meeting=meeting, title="Budget 2026", paragraph=7, budget=budget)
    budget_decide(budget=budget, by=world.by, item=item)
    budget.refresh_from_db()
    assert budget.opening_equity == D(1_000_000)
    assert budget.forecast_result_previous_year == D(200_000)
    assert "Prognos" in budget.opening_equity_note

    world.full_year_2025()
    world.lock(2025, datetime.datetime(2026, 2, 10, 9, 0, tzinfo=STOCKHOLM))
    equity = budget_overview(budget).equity

    assert equity.preliminary == D(1_200_000)
    assert equity.actual.closing == D(1_100_000)


# Disponibla medel --------------------------------------------------------------------------------


def test_disponibla_medel_is_opening_equity_plus_contributions_plus_other_income(world):
    """1 100 000 from the locked 2025 + contributions 600 000 + 300 000 + 300 000 + ESF 150 000
    = 2 450 000; with costs 1 000 000 there is 1 450 000 left; the result counts the ESF money too:
    1 200 000 + 150 000 − 1 000 000 = 350 000."""
    world.full_year_2025()
    world.lock(2025, datetime.datetime(2026, 2, 10, 9, 0, tzinfo=STOCKHOLM))
    budget = budget_create_next_year(source=world.budget, by=world.by)
    other_income_add(
        budget=budget,
        by=world.by,
        income=BudgetOtherIncome(kind="esf", description="ESF Vägen vidare", amount=D(150_000)),
    )

    overview = budget_overview(budget)

    assert overview.income_total == D(1_200_000)
    assert overview.other_income_total == D(150_000)
    assert overview.available == D(2_450_000)
    assert overview.cost_total == D(1_000_000)
    assert overview.available_after_costs == D(1_450_000)
    assert overview.result == D(350_000)
    assert overview.in_tkr.available == D(2_450_000)


def test_disponibla_medel_is_unknown_without_an_opening_equity(forbund):
    finsam_parties(forbund)
    budget = BudgetFactory(forbund=forbund, year=2030, status=Budget.Status.FORSLAG)
    BudgetIncomeFactory(budget=budget, medlem=forbund.medlemmar.first(), amount=D(100_000))

    assert budget_overview(budget).available is None


def test_other_income_is_refused_on_a_decided_budget_and_removing_it_is_logged(world):
    with pytest.raises(ValidationError, match="En beslutad budget ändras inte"):
        other_income_add(
            budget=world.budget,
            by=world.by,
            income=BudgetOtherIncome(kind="esf", description="ESF", amount=D(1)),
        )
    proposal = budget_create(forbund=world.forbund, year=2026, by=world.by)
    income = other_income_add(
        budget=proposal,
        by=world.by,
        income=BudgetOtherIncome(kind="statliga", description="Statliga projektmedel", amount=D(40_000)),
    )

    other_income_remove(income=income, by=world.by)

    assert not BudgetOtherIncome.objects.filter(budget=proposal).exists()
    assert ActivityEvent.objects.filter(description__startswith="Tog bort Statliga projektmedel").exists()


def test_a_samordnare_of_another_forbund_cannot_add_other_income(world, other_forbund):
    proposal = budget_create(forbund=world.forbund, year=2026, by=world.by)
    with pytest.raises(PermissionDenied):
        other_income_add(
            budget=proposal,
            by=user_with_role(other_forbund, Kind.SAMORDNARE),
            income=BudgetOtherIncome(kind="esf", description="ESF", amount=D(1)),
        )


# Next year from this year -----------------------------------------------------------------------


def test_next_year_copies_costs_takes_contributions_from_the_plan_and_insatser_from_the_grants(world):
    """The flerårsplan says 1 300 000 in income for 2026: split 2:1:1 as in 2025 that is 650 000,
    325 000 and 325 000. The insats granted 400 000 for 2026 (and 300 000 for 2025) is a 2026 cost of
    400 000. The cost line is copied: 1 000 000."""
    from ekonomi.models import BudgetOutlineYear

    BudgetOutlineYear.objects.create(
        budget=world.budget, year=2026, income=D(1_300_000), internal_costs=D(1), insats_costs=D(1)
    )
    BudgetOutlineYear.objects.create(
        budget=world.budget, year=2027, income=D(1_400_000), internal_costs=D(2), insats_costs=D(2)
    )
    insats = InsatsFactory(
        forbund=world.forbund, name="Steget", start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31)
    )
    BeslutFactory(insats=insats, amounts={2025: 300_000, 2026: 400_000})

    budget = budget_create_next_year(source=world.budget, by=world.by)

    assert (budget.year, budget.version, budget.status) == (2026, 1, Budget.Status.FORSLAG)
    incomes = {row.medlem_id: row.amount for row in budget.intakter.all()}
    assert incomes == {
        world.parties["fk"].pk: D(650_000),
        world.parties["region"].pk: D(325_000),
        world.parties["kommun1"].pk: D(325_000),
    }
    costs = {row.category_id: row.amount for row in budget.costs.all()}
    assert costs[world.category.pk] == D(1_000_000)
    assert list(budget.outline.values_list("year", flat=True)) == [2027]
    overview = budget_overview(budget)
    assert [(row.label, row.amount) for row in overview.insats_costs] == [("Steget", D(400_000))]
    assert overview.equity.is_forecast
    assert ActivityEvent.objects.filter(
        description="Skapade Budget 2026 (version 1) från budget 2025 version 1"
    ).exists()


def test_next_year_splits_the_plan_by_largest_remainder(world):
    """1 000 001 in thirds-and-a-half shares 2:1:1 → 500 000,5 / 250 000,25 / 250 000,25: the odd
    krona goes to the largest remainder (Försäkringskassan) and the sum holds."""
    from ekonomi.models import BudgetOutlineYear

    BudgetOutlineYear.objects.create(
        budget=world.budget, year=2026, income=D(1_000_001), internal_costs=D(0), insats_costs=D(0)
    )

    budget = budget_create_next_year(source=world.budget, by=world.by)

    amounts = {row.medlem_id: row.amount for row in budget.intakter.all()}
    assert amounts[world.parties["fk"].pk] == D(500_001)
    assert sum(amounts.values()) == D(1_000_001)


def test_next_year_without_a_plan_keeps_the_contributions(world):
    budget = budget_create_next_year(source=world.budget, by=world.by)

    assert sum(row.amount for row in budget.intakter.all()) == D(1_200_000)


def test_next_year_is_refused_when_the_year_already_has_a_budget(world):
    budget_create(forbund=world.forbund, year=2026, by=world.by)

    with pytest.raises(ValidationError, match="Det finns redan en budget för 2026"):
        budget_create_next_year(source=world.budget, by=world.by)
    assert Budget.objects.filter(forbund=world.forbund, year=2026).count() == 1


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.REVISOR])
def test_next_year_is_for_the_kansli_only(world, kind):
    with pytest.raises(PermissionDenied):
        budget_create_next_year(source=world.budget, by=user_with_role(world.forbund, kind))
