"""The full-year forecast per line, as a controller would sign it: an insats follows its grant and
end date, the members' contributions their payment plan, internal costs the run rate, and a person
may override any line with a reason. Expected figures are worked by hand in each docstring."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekonomi.models import Budget, ContributionPlan, ForecastOverride, LockedPeriod
from ekonomi.selectors.comparison import budget_vs_outcome
from ekonomi.services.carry_over import (
    contribution_plan_save,
    forecast_override_remove,
    forecast_override_set,
)
from forbund.models import ActivityEvent, Role
from tests.factories import (
    AccountMappingFactory,
    BeslutFactory,
    BudgetCostFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    CostCategoryFactory,
    InsatsFactory,
    InvoiceFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind
YEAR = 2025


class World:
    """A förbund's 2025 budget: members 600 000 + 300 000 + 300 000, an internal cost line of
    120 000, and two insatser each granted 600 000 for 2025: "Steget" ended 2025-07-31, "Vidare"
    runs to the end of 2026."""

    def __init__(self, forbund, tmp_path, settings):
        settings.MEDIA_ROOT = tmp_path
        self.forbund = forbund
        self.parties = finsam_parties(forbund)
        self.ekonom = user_with_role(forbund, Kind.EKONOM)
        self.category = CostCategoryFactory(forbund=forbund, name="Samordnare")
        self.budget = BudgetFactory(forbund=forbund, year=YEAR, status=Budget.Status.FORSLAG)
        for key, amount in (("fk", 600_000), ("region", 300_000), ("kommun1", 300_000)):
            BudgetIncomeFactory(budget=self.budget, medlem=self.parties[key], amount=D(amount))
        BudgetCostFactory(budget=self.budget, category=self.category, amount=D(120_000))
        self.ended = InsatsFactory(
            forbund=forbund,
            name="Steget",
            start=datetime.date(2024, 1, 1),
            end=datetime.date(2025, 7, 31),
            owner=self.parties["kommun1"],
        )
        self.running = InsatsFactory(
            forbund=forbund,
            name="Vidare",
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2026, 12, 31),
            owner=self.parties["region"],
        )
        BeslutFactory(insats=self.ended, amounts={2024: 500_000, YEAR: 600_000})
        BeslutFactory(insats=self.running, amounts={YEAR: 600_000, 2026: 600_000})
        for account, key in (("3010", "fk"), ("3020", "region"), ("3030", "kommun1")):
            AccountMappingFactory(forbund=forbund, account=account, category=None, medlem=self.parties[key])
        AccountMappingFactory(forbund=forbund, account="4010", category=self.category)
        AccountMappingFactory(forbund=forbund, account="4510", category=None, insats=self.ended)
        AccountMappingFactory(forbund=forbund, account="4520", category=None, insats=self.running)

    def ledger(self, months, entries):
        ledger = LedgerImportFactory(forbund=self.forbund, year=YEAR, first_month=1, last_month=months)
        for account, month, amount in entries:
            LedgerEntryFactory(ledger_import=ledger, account=account, month=month, amount=D(amount))

    def row(self, comparison, label):
        rows = [*comparison.income.rows, *comparison.internal.rows, *comparison.insatser.rows]
        return next(row for row in rows if row.label == label)


@pytest.fixture
def world(forbund, tmp_path, settings):
    return World(forbund, tmp_path, settings)


# Insatser ----------------------------------------------------------------------------------------


def test_an_insats_that_ended_in_july_with_its_final_invoice_paid_forecasts_nothing_after_july(world):
    """Steget was invoiced every other month, 105 000 each, the final one for July booked in August:
    420 000 in all. Forecast 420 000 (not 420 000 + 4/12 × 600 000 = 620 000 as budget/12 would
    say); 600 000 − 420 000 = 180 000 of the grant is released."""
    world.ledger(8, [("4510", month, 105_000) for month in (2, 4, 6, 8)])
    InvoiceFactory.create_paid(
        insats=world.ended,
        period_start=datetime.date(YEAR, 7, 1),
        period_end=datetime.date(YEAR, 7, 31),
        amount=D(105_000),
        paid_on=datetime.date(YEAR, 8, 20),
    )

    steget = world.row(budget_vs_outcome(world.forbund, YEAR), "Steget")

    assert steget.forecast == D(420_000)
    assert steget.released == D(180_000)
    assert "Insatsen slutade 2025-07-31; inget efter juli." in steget.basis
    assert "Slutfakturan är betald." in steget.basis
    assert "180\xa0000\xa0kr av beviljat belopp frigörs" in steget.basis


def test_a_final_invoice_registered_but_not_yet_booked_counts_and_ends_the_insats(world):
    """Ledger through June: 350 000 booked. The July invoice of 70 000 is registered (not in the
    ledger yet) and is the final one: forecast 350 000 + 70 000 = 420 000, 180 000 released."""
    world.ledger(6, [("4510", 2, 140_000), ("4510", 4, 140_000), ("4510", 6, 70_000)])
    InvoiceFactory(
        insats=world.ended,
        period_start=datetime.date(YEAR, 7, 1),
        period_end=datetime.date(YEAR, 7, 31),
        amount=D(70_000),
    )

    steget = world.row(budget_vs_outcome(world.forbund, YEAR), "Steget")

    assert steget.forecast == D(420_000)
    assert steget.released == D(180_000)
    assert "70\xa0000\xa0kr fakturerat men inte bokfört ännu" in steget.basis
    assert "Slutfakturan är registrerad." in steget.basis


def test_an_insats_still_running_forecasts_its_grant(world):
    """Vidare: 250 000 booked through June, granted 600 000 for the year and running past it."""
    world.ledger(6, [("4520", 3, 100_000), ("4520", 6, 150_000)])

    vidare = world.row(budget_vs_outcome(world.forbund, YEAR), "Vidare")

    assert vidare.forecast == D(600_000)
    assert vidare.released is None
    assert vidare.basis == "Beviljat belopp för året; insatsen pågår året ut."


def test_an_insats_ending_later_this_year_forecasts_its_grant_until_the_end(world):
    """Ledger through May: Steget runs to July and has no final invoice yet: the grant, 600 000."""
    world.ledger(5, [("4510", 2, 100_000), ("4510", 4, 100_000)])

    steget = world.row(budget_vs_outcome(world.forbund, YEAR), "Steget")

    assert steget.forecast == D(600_000)
    assert "insatsen slutar 2025-07-31, inget därefter" in steget.basis


# Contributions -----------------------------------------------------------------------------------


def test_contributions_paid_twice_a_year_forecast_the_july_half(world):
    """Ledger through March. Försäkringskassan paid its January half, 300 000: forecast 300 000 +
    the July half 300 000 = 600 000 (budget/12 would say 300 000 + 9/12 × 600 000 = 750 000). The
    kommun has not paid its January 150 000: still due, so forecast 300 000, and the page says so."""
    world.ledger(3, [("3010", 1, -300_000), ("3020", 1, -150_000), ("4010", 3, 10_000)])

    comparison = budget_vs_outcome(world.forbund, YEAR)
    fk = world.row(comparison, "Försäkringskassan")
    kommun = world.row(comparison, "Kommun 1")

    assert fk.forecast == D(600_000)
    assert fk.basis == "Betalas enligt planen (januari och juli): 300\xa0000\xa0kr återstår (juli)."
    assert kommun.outcome == D(0)
    assert kommun.forecast == D(300_000)
    assert "150\xa0000\xa0kr som skulle ha betalats till och med mars är inte bokförda ännu" in kommun.basis


def test_quarterly_contributions_follow_the_forbunds_plan(world):
    """Quarterly: 150 000 a quarter for Försäkringskassan. Ledger through May with January and April
    paid (300 000): July and October to come, forecast 600 000."""
    contribution_plan_save(forbund=world.forbund, by=world.ekonom, plan=ContributionPlan.KVARTALSVIS)
    world.ledger(5, [("3010", 1, -150_000), ("3010", 4, -150_000)])

    fk = world.row(budget_vs_outcome(world.forbund, YEAR), "Försäkringskassan")

    assert fk.forecast == D(600_000)
    assert "300\xa0000\xa0kr återstår (juli och oktober)" in fk.basis


def test_the_payment_plan_is_for_the_kansli_and_logged(world):
    with pytest.raises(PermissionDenied):
        contribution_plan_save(
            forbund=world.forbund, by=user_with_role(world.forbund, Kind.STYRELSELEDAMOT), plan="arsvis"
        )
    contribution_plan_save(forbund=world.forbund, by=world.ekonom, plan="arsvis")
    assert ActivityEvent.objects.filter(
        description="Medlemsbidragen betalas: en gång per år (januari)"
    ).exists()


# Other lines and the whole year ------------------------------------------------------------------


def test_internal_costs_run_at_the_rate_so_far(world):
    """30 000 in three months: 120 000 for the year at the same rate; 45 000 would make 180 000."""
    world.ledger(3, [("4010", 1, 10_000), ("4010", 2, 20_000), ("4010", 3, 15_000)])

    samordnare = world.row(budget_vs_outcome(world.forbund, YEAR), "Samordnare")

    assert samordnare.forecast == D(180_000)
    assert samordnare.basis == "Utfallet januari–mars i samma takt resten av året."


def test_without_a_ledger_the_forecast_is_the_budget(world):
    comparison = budget_vs_outcome(world.forbund, YEAR)

    assert world.row(comparison, "Samordnare").forecast == D(120_000)
    assert world.row(comparison, "Försäkringskassan").forecast == D(600_000)
    assert comparison.result.forecast == D(1_200_000 - 120_000 - 600_000 - 600_000)


def test_a_locked_year_forecasts_its_outcome(world):
    """Locked with costs of 100 000 booked on Samordnare: the forecast is 100 000, not a run rate."""
    world.ledger(12, [("4010", 12, 100_000)])
    LockedPeriod.objects.create(forbund=world.forbund, year=YEAR, locked_by=world.ekonom)

    samordnare = world.row(budget_vs_outcome(world.forbund, YEAR), "Samordnare")

    assert samordnare.forecast == D(100_000)


# Overrides ----------------------------------------------------------------------------------------


def test_an_override_with_a_comment_replaces_the_forecast_and_keeps_the_computed_one(world):
    """The run rate says 120 000 (30 000 in three months); the ekonom expects 200 000 because of a
    consultant in the autumn. The result forecast moves by the 80 000 difference."""
    world.ledger(3, [("4010", month, 10_000) for month in (1, 2, 3)])
    before = budget_vs_outcome(world.forbund, YEAR).result.forecast

    forecast_override_set(
        forbund=world.forbund,
        by=world.ekonom,
        year=YEAR,
        line=world.category,
        amount=D(200_000),
        comment="Konsult för utvärderingen under hösten",
    )
    comparison = budget_vs_outcome(world.forbund, YEAR)
    samordnare = world.row(comparison, "Samordnare")

    assert samordnare.forecast == D(200_000)
    assert samordnare.computed == D(120_000)
    assert samordnare.basis.endswith(": Konsult för utvärderingen under hösten")
    assert comparison.result.forecast == before - D(80_000)
    assert ActivityEvent.objects.filter(
        description__startswith="Justerade prognosen 2025 för Samordnare"
    ).exists()


def test_changing_and_removing_an_override(world):
    line = world.parties["fk"]
    kwargs = {"forbund": world.forbund, "by": world.ekonom, "year": YEAR, "line": line}
    forecast_override_set(**kwargs, amount=D(500_000), comment="Statens anslag sänkt")
    override = forecast_override_set(**kwargs, amount=D(450_000), comment="Sänkt ytterligare")

    assert ForecastOverride.objects.filter(forbund=world.forbund).count() == 1
    assert world.row(budget_vs_outcome(world.forbund, YEAR), "Försäkringskassan").forecast == D(450_000)

    forecast_override_remove(override=override, by=world.ekonom)

    assert world.row(budget_vs_outcome(world.forbund, YEAR), "Försäkringskassan").forecast == D(600_000)


def test_an_override_needs_a_comment(world):
    with pytest.raises(ValidationError) as error:
        forecast_override_set(
            forbund=world.forbund, by=world.ekonom, year=YEAR, line=world.running, amount=D(1), comment="  "
        )
    assert "Motivera den justerade prognosen." in str(error.value)
    assert not ForecastOverride.objects.exists()


def test_an_override_is_refused_in_a_locked_year(world):
    LockedPeriod.objects.create(forbund=world.forbund, year=YEAR, locked_by=world.ekonom)
    with pytest.raises(ValidationError, match="Huvudboken för 2025 är låst"):
        forecast_override_set(
            forbund=world.forbund, by=world.ekonom, year=YEAR, line=world.running, amount=D(1), comment="Nej"
        )


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR])
def test_only_the_kansli_overrides_a_forecast(world, kind):
    with pytest.raises(PermissionDenied):
        forecast_override_set(
            forbund=world.forbund,
            by=user_with_role(world.forbund, kind),
            year=YEAR,
            line=world.running,
            amount=D(1),
            comment="Försök",
        )


def test_an_override_about_another_forbunds_line_is_refused(world, other_forbund):
    stranger = CostCategoryFactory(forbund=other_forbund)
    with pytest.raises(ValidationError):
        forecast_override_set(
            forbund=world.forbund,
            by=world.ekonom,
            year=YEAR,
            line=stranger,
            amount=D(1),
            comment="Fel förbund",
        )
