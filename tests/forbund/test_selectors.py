"""The reads behind the förbund pages: what is in force in a year, and what the money adds up to."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ekonomi.models import Budget
from ekonomi.selectors import budget as budget_selectors
from finsam import money
from forbund import selectors
from forbund.models import Medlem, Styrelseuppdrag
from tests.factories import (
    BudgetFactory,
    BudgetIncomeFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    WorkingAgePopulationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
LEDAMOT, ERSATTARE = Styrelseuppdrag.Role.LEDAMOT, Styrelseuppdrag.Role.ERSATTARE


def uppdrag(forbund, medlem, role, start, end=None, **kwargs):
    return StyrelseuppdragFactory(
        forbund=forbund,
        medlem=medlem,
        person=PersonFactory(forbund=forbund),
        role=role,
        start=start,
        end=end,
        **kwargs,
    )


# board_by_medlem


def test_board_by_medlem_groups_ledamot_and_ersattare_per_member(forbund):
    fk = MedlemFactory(forbund=forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan")
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Trelleborgs kommun")
    kommun_ledamot = uppdrag(forbund, kommun, LEDAMOT, D(2021, 1, 1), presidium="ordforande")
    kommun_ersattare = uppdrag(forbund, kommun, ERSATTARE, D(2021, 1, 1))
    fk_ledamot = uppdrag(forbund, fk, LEDAMOT, D(2020, 1, 1))
    fk_ersattare = uppdrag(forbund, fk, ERSATTARE, D(2020, 1, 1))

    board = selectors.board_by_medlem(forbund, 2021)

    # The state first, then the kommun, as förbund list their members.
    assert [seat.medlem for seat in board] == [fk, kommun]
    assert board[0].ledamoter == [fk_ledamot] and board[0].ersattare == [fk_ersattare]
    assert board[1].ledamoter == [kommun_ledamot] and board[1].ersattare == [kommun_ersattare]


def test_board_by_medlem_includes_only_assignments_active_in_the_year(forbund):
    kommun = MedlemFactory(forbund=forbund)
    ended_before = uppdrag(forbund, kommun, LEDAMOT, D(2018, 1, 1), D(2020, 12, 31))
    ended_during = uppdrag(forbund, kommun, LEDAMOT, D(2019, 1, 1), D(2021, 3, 31))
    started_during = uppdrag(forbund, kommun, LEDAMOT, D(2021, 4, 1))
    starts_after = uppdrag(forbund, kommun, ERSATTARE, D(2022, 1, 1))
    open_ended = uppdrag(forbund, kommun, ERSATTARE, D(2015, 1, 1))

    board = selectors.board_by_medlem(forbund, 2021)

    assert len(board) == 1
    assert board[0].ledamoter == [ended_during, started_during]
    assert board[0].ersattare == [open_ended]
    shown = board[0].ledamoter + board[0].ersattare
    assert ended_before not in shown and starts_after not in shown


def test_board_by_medlem_leaves_out_other_forbund(forbund, other_forbund):
    uppdrag(other_forbund, MedlemFactory(forbund=other_forbund), LEDAMOT, D(2021, 1, 1))
    assert selectors.board_by_medlem(forbund, 2021) == []


def test_presidium_lists_only_the_chairs(forbund):
    kommun = MedlemFactory(forbund=forbund)
    ordforande = uppdrag(forbund, kommun, LEDAMOT, D(2021, 1, 1), presidium="ordforande")
    uppdrag(forbund, kommun, ERSATTARE, D(2021, 1, 1))
    assert selectors.presidium(forbund, 2021) == [ordforande]


# funding_for_year


def test_funding_prefers_decided_budget_over_newer_proposal(forbund):
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Skåne")
    kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Trelleborgs kommun")
    decided = BudgetFactory(forbund=forbund, year=2021, version=1, status=Budget.Status.BESLUTAD)
    BudgetIncomeFactory(budget=decided, medlem=region, amount=Decimal("750000"))
    BudgetIncomeFactory(budget=decided, medlem=kommun, amount=Decimal("250000"))
    proposal = BudgetFactory(forbund=forbund, year=2021, version=2, status=Budget.Status.FORSLAG)
    BudgetIncomeFactory(budget=proposal, medlem=region, amount=Decimal("900000"))

    funding = budget_selectors.funding_for_year(forbund, 2021)

    assert funding.budget == decided
    assert funding.total == Decimal("1000000")
    assert [(row.medlem, row.amount, row.share) for row in funding.rows] == [
        (region, Decimal("750000"), Decimal("75")),
        (kommun, Decimal("250000"), Decimal("25")),
    ]


def test_funding_uses_latest_proposal_when_nothing_is_decided(forbund):
    kommun = MedlemFactory(forbund=forbund)
    first = BudgetFactory(forbund=forbund, year=2021, version=1, status=Budget.Status.FORSLAG)
    BudgetIncomeFactory(budget=first, medlem=kommun, amount=Decimal("100"))
    second = BudgetFactory(forbund=forbund, year=2021, version=2, status=Budget.Status.FORSLAG)
    BudgetIncomeFactory(budget=second, medlem=kommun, amount=Decimal("200"))

    funding = budget_selectors.funding_for_year(forbund, 2021)

    assert funding.budget == second
    assert funding.total == Decimal("200")


def test_funding_shares_follow_the_50_25_25_split(forbund):
    members = {
        kind: MedlemFactory(forbund=forbund, kind=kind, name=label)
        for kind, label in [
            (Medlem.Kind.FORSAKRINGSKASSAN, "Försäkringskassan"),
            (Medlem.Kind.ARBETSFORMEDLINGEN, "Arbetsförmedlingen"),
            (Medlem.Kind.REGION, "Region Skåne"),
            (Medlem.Kind.KOMMUN, "Trelleborgs kommun"),
        ]
    }
    budget = BudgetFactory(forbund=forbund, year=2021)
    BudgetIncomeFactory(budget=budget, medlem=members["forsakringskassan"], amount=Decimal("3600000"))
    BudgetIncomeFactory(budget=budget, medlem=members["region"], amount=Decimal("1800000"))
    BudgetIncomeFactory(budget=budget, medlem=members["kommun"], amount=Decimal("1800000"))

    funding = budget_selectors.funding_for_year(forbund, 2021)

    shares = {row.medlem.kind: row.share for row in funding.rows}
    assert shares == {"forsakringskassan": 50, "arbetsformedlingen": None, "region": 25, "kommun": 25}
    assert funding.total == Decimal("7200000")


def test_funding_rows_shown_in_tkr_add_up_to_the_shown_total(forbund):
    # 1 500 + 1 500 + 997 000 kr = 1 000 000 kr: each row rounded on its own would show 2 + 2 + 997
    # = 1 001 tkr above a total of 1 000 tkr.
    budget = BudgetFactory(forbund=forbund, year=2021)
    for amount in ("1500", "1500", "997000"):
        BudgetIncomeFactory(budget=budget, medlem=MedlemFactory(forbund=forbund), amount=Decimal(amount))

    funding = budget_selectors.funding_for_year(forbund, 2021)

    shown = [row.shown_amount for row in funding.rows]
    assert funding.shown_total == Decimal("1000000")
    assert sum(shown) == funding.shown_total
    assert sorted(shown) == [Decimal("1000"), Decimal("2000"), Decimal("997000")]


def test_funding_without_budget_lists_members_without_amounts(forbund):
    kommun = MedlemFactory(forbund=forbund)
    funding = budget_selectors.funding_for_year(forbund, 2021)
    assert funding.budget is None
    assert funding.total == 0
    assert [(row.medlem, row.amount, row.share) for row in funding.rows] == [(kommun, None, None)]


def test_funding_ignores_other_years_and_other_forbund(forbund, other_forbund):
    kommun = MedlemFactory(forbund=forbund)
    BudgetIncomeFactory(budget=BudgetFactory(forbund=forbund, year=2020), medlem=kommun)
    BudgetIncomeFactory(budget=BudgetFactory(forbund=other_forbund, year=2021))
    assert budget_selectors.funding_for_year(forbund, 2021).budget is None


# default_year


def test_default_year_is_current_year_when_it_has_meetings(forbund):
    this_year = selectors.current_year()
    StyrelsemoteFactory(forbund=forbund, date=D(this_year, 3, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(this_year + 1, 3, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(2021, 3, 1))
    assert selectors.default_year(forbund) == this_year


def test_default_year_is_latest_year_with_meetings_otherwise(forbund, other_forbund):
    StyrelsemoteFactory(forbund=forbund, date=D(2019, 3, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(2021, 3, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(2021, 9, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(2020, 3, 1))
    StyrelsemoteFactory(forbund=other_forbund, date=D(2023, 3, 1))
    assert selectors.default_year(forbund) == 2021


def test_default_year_is_current_year_without_meetings(forbund):
    assert selectors.default_year(forbund) == selectors.current_year()


# medlemmar_in_year


def test_medlemmar_in_year_excludes_member_that_left_before_the_year(forbund):
    stayed = MedlemFactory(forbund=forbund, name="Kvar kommun", joined=D(2010, 1, 1))
    left_during = MedlemFactory(
        forbund=forbund, name="Lämnar kommun", joined=D(2010, 1, 1), left=D(2021, 6, 30)
    )
    MedlemFactory(forbund=forbund, name="Lämnade kommun", joined=D(2010, 1, 1), left=D(2020, 12, 31))
    MedlemFactory(forbund=forbund, name="Ny kommun", joined=D(2022, 1, 1))

    assert set(selectors.medlemmar_in_year(forbund, 2021)) == {stayed, left_during}


# population and per_inhabitant


def test_population_in_year_sums_the_kommuner(forbund):
    WorkingAgePopulationFactory(forbund=forbund, year=2021, count=20000)
    WorkingAgePopulationFactory(forbund=forbund, year=2021, count=5000)
    WorkingAgePopulationFactory(forbund=forbund, year=2020, count=99999)
    assert selectors.population_in_year(forbund, 2021) == 25000
    assert selectors.population_in_year(forbund, 2019) is None


@pytest.mark.parametrize(
    ("amount", "population", "expected"),
    [
        (Decimal("7200000"), 28000, Decimal("257")),  # 257.14… rounds down
        (Decimal("1000"), 3, Decimal("333")),
        (Decimal("0"), 28000, None),
        (Decimal("7200000"), None, None),
        (Decimal("7200000"), 0, None),
    ],
)
def test_per_inhabitant(amount, population, expected):
    assert money.per_inhabitant(amount, population) == expected


# the other year-bound reads


def test_kansli_and_meetings_in_year(forbund):
    from tests.factories import KansliuppdragFactory

    current = KansliuppdragFactory(forbund=forbund, start=D(2020, 1, 1))
    KansliuppdragFactory(forbund=forbund, start=D(2018, 1, 1), end=D(2020, 12, 31))
    meeting = StyrelsemoteFactory(forbund=forbund, date=D(2021, 5, 1))
    StyrelsemoteFactory(forbund=forbund, date=D(2022, 5, 1))

    assert list(selectors.kansli_in_year(forbund, 2021)) == [current]
    assert list(selectors.meetings_in_year(forbund, 2021)) == [meeting]
    assert selectors.years_with_meetings(forbund) == [2022, 2021]


def test_arbetsgrupper_in_year_leaves_out_dissolved_and_future_groups(forbund):
    from tests.factories import ArbetsgruppFactory

    running = ArbetsgruppFactory(forbund=forbund, name="Löpande", start=D(2020, 1, 1))
    undated = ArbetsgruppFactory(forbund=forbund, name="Odaterad")
    ArbetsgruppFactory(forbund=forbund, name="Upplöst", start=D(2018, 1, 1), end=D(2020, 6, 30))
    ArbetsgruppFactory(forbund=forbund, name="Framtida", start=D(2022, 1, 1))

    assert set(selectors.arbetsgrupper_in_year(forbund, 2021)) == {running, undated}
    assert selectors.arbetsgrupper_in_year(forbund).count() == 4
