"""The funding calculator: from a known figure, what every member pays under 50/25/25, with the
kommuner's quarter split by working-age population or equally (the förbund's rule); and the check
that tells whether a budget's income follows the rule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ekonomi.funding import Method
from ekonomi.selectors.budget import funding_check
from ekonomi.services.budget import funding_proposal
from forbund.models import FundingRule, Medlem
from tests.factories import MedlemFactory, WorkingAgePopulationFactory, finsam_parties

pytestmark = pytest.mark.django_db

YEAR = 2021
D = Decimal


class KommunSplit:
    POPULATION = Method.POPULATION
    EQUAL = Method.EQUAL


def kommuner_of(parties: dict[str, Medlem]) -> list[Medlem]:
    return [medlem for key, medlem in parties.items() if key.startswith("kommun")]


def population(forbund, kommun: Medlem, count: int, year: int = YEAR) -> None:
    WorkingAgePopulationFactory(forbund=forbund, kommun=kommun, year=year, count=count)


def calculation(forbund, party: str, amount: int, split: str = KommunSplit.POPULATION):
    FundingRule.objects.update_or_create(forbund=forbund, defaults={"kommun_method": split})
    return funding_proposal(forbund=forbund, year=YEAR, start=party, amount=D(amount))


def propose(forbund, party: str, amount: int, split: str = KommunSplit.POPULATION) -> dict[Medlem, Decimal]:
    return calculation(forbund, party, amount, split).amounts()


# One kommun ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "amount"), [("state", 1_000_000), ("region", 500_000), ("kommuner", 500_000)]
)
def test_one_kommun_gets_the_whole_quarter_whichever_amount_is_known(forbund, party, amount):
    parties = finsam_parties(forbund, kommuner=1)
    population(forbund, parties["kommun1"], 26_940)

    proposal = propose(forbund, party, amount)

    assert proposal == {
        parties["fk"]: D(1_000_000),
        parties["af"]: D(0),
        parties["region"]: D(500_000),
        parties["kommun1"]: D(500_000),
    }


def test_arbetsformedlingen_pays_nothing_because_the_state_half_covers_it(forbund):
    parties = finsam_parties(forbund, kommuner=1)

    proposal = propose(forbund, "state", 2_400_000)

    assert proposal[parties["af"]] == 0
    assert proposal[parties["fk"]] == D(2_400_000)


def test_proposal_follows_the_funding_rule(forbund):
    finsam_parties(forbund, kommuner=3)

    check = funding_check(propose(forbund, "region", 700_000, split=KommunSplit.EQUAL))

    assert check.follows_rule
    assert (check.state, check.region, check.kommuner) == (D(1_400_000), D(700_000), D(700_000))


def test_proposal_from_an_odd_state_allocation_still_follows_the_rule(forbund):
    """The odd krona of a state allocation cannot be matched by the others; the calculator must not
    propose income that its own rule check (and so budget_save) refuses."""
    parties = finsam_parties(forbund, kommuner=2)

    proposal = propose(forbund, "state", 1_234_567, split=KommunSplit.EQUAL)

    assert funding_check(proposal).follows_rule
    assert proposal[parties["region"]] == D(617_283)
    assert proposal[parties["kommun1"]] + proposal[parties["kommun2"]] == D(617_283)


# Two kommuner -------------------------------------------------------------------------------------


def test_two_kommuner_split_their_quarter_by_working_age_population(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    population(forbund, parties["kommun1"], 30_000)
    population(forbund, parties["kommun2"], 10_000)

    proposal = propose(forbund, "state", 1_000_000)

    assert proposal[parties["kommun1"]] == D(375_000)
    assert proposal[parties["kommun2"]] == D(125_000)


def test_the_rounding_remainder_goes_by_largest_remainder_so_the_quarter_holds(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    population(forbund, parties["kommun1"], 10_000)
    population(forbund, parties["kommun2"], 20_000)

    proposal = propose(forbund, "kommuner", 100_000)

    assert proposal[parties["kommun1"]] == D(33_333)
    assert proposal[parties["kommun2"]] == D(66_667)


def test_two_kommuner_split_equally_when_asked(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    population(forbund, parties["kommun1"], 30_000)
    population(forbund, parties["kommun2"], 10_000)

    proposal = propose(forbund, "region", 500_001, split=KommunSplit.EQUAL)

    assert proposal[parties["region"]] == D(500_001)
    assert sorted([proposal[parties["kommun1"]], proposal[parties["kommun2"]]]) == [D(250_000), D(250_001)]


def test_a_kommun_lacking_population_is_named_and_the_quarter_is_not_split(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    population(forbund, parties["kommun1"], 30_000)

    result = calculation(forbund, "kommuner", 500_000)

    assert parties["kommun1"] not in result.amounts()
    assert parties["kommun2"] not in result.amounts()
    assert parties["kommun2"].name in result.kommuner.warning
    assert parties["kommun1"].name not in result.kommuner.warning


def test_population_of_another_year_does_not_count(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    population(forbund, parties["kommun1"], 30_000, year=YEAR - 1)
    population(forbund, parties["kommun2"], 10_000, year=YEAR - 1)

    result = calculation(forbund, "kommuner", 500_000)

    assert parties["kommun1"] not in result.amounts()
    assert "Invånare i arbetsför ålder 2021 saknas" in result.kommuner.warning


def test_a_kommun_that_left_before_the_year_gets_nothing(forbund):
    parties = finsam_parties(forbund, kommuner=1)
    gone = MedlemFactory(forbund=forbund, name="Utträdd kommun", left=datetime.date(2020, 12, 31))

    proposal = propose(forbund, "kommuner", 500_000)

    assert gone not in proposal
    assert proposal[parties["kommun1"]] == D(500_000)


# Nine kommuner ------------------------------------------------------------------------------------

NINE_POPULATIONS = [41_203, 12_077, 8_950, 30_411, 5_118, 19_999, 7_432, 22_861, 3_310]


def test_nine_kommuner_by_population_sum_exactly_to_the_quarter(forbund):
    parties = finsam_parties(forbund, kommuner=9)
    kommuner = kommuner_of(parties)
    for kommun, count in zip(kommuner, NINE_POPULATIONS, strict=True):
        population(forbund, kommun, count)

    proposal = propose(forbund, "state", 1_500_000)

    shares = [proposal[kommun] for kommun in kommuner]
    assert sum(shares) == D(750_000)
    total = sum(NINE_POPULATIONS)
    exact = [D(750_000) * count / total for count in NINE_POPULATIONS]
    for share, ideal in zip(shares, exact, strict=True):
        assert abs(share - ideal) < 9, "each kommun pays its population share, give or take the remainder"
    assert all(share == share.to_integral_value() for share in shares)


def test_nine_kommuner_split_equally_sum_exactly_to_the_quarter(forbund):
    parties = finsam_parties(forbund, kommuner=9)
    kommuner = kommuner_of(parties)

    proposal = propose(forbund, "kommuner", 1_000_000, split=KommunSplit.EQUAL)

    shares = sorted(proposal[kommun] for kommun in kommuner)
    assert sum(shares) == D(1_000_000)
    assert shares == [D(111_111)] * 8 + [D(111_112)]


def test_nine_kommuner_name_the_one_that_lacks_population(forbund):
    parties = finsam_parties(forbund, kommuner=9)
    kommuner = kommuner_of(parties)
    for kommun, count in zip(kommuner[:-1], NINE_POPULATIONS[:-1], strict=True):
        population(forbund, kommun, count)

    result = calculation(forbund, "region", 900_000)

    assert not any(kommun in result.amounts() for kommun in kommuner)
    assert kommuner[-1].name in result.warnings[0]
    assert result.amounts()[parties["region"]] == D(900_000)


# The rule check -----------------------------------------------------------------------------------


def test_funding_check_accepts_1000_500_500(forbund):
    parties = finsam_parties(forbund, kommuner=1)

    check = funding_check({parties["fk"]: D(1000), parties["region"]: D(500), parties["kommun1"]: D(500)})

    assert check.follows_rule
    assert check.level == D(500)


def test_funding_check_lets_the_smallest_party_set_the_level(forbund):
    parties = finsam_parties(forbund, kommuner=1)

    check = funding_check({parties["fk"]: D(1000), parties["region"]: D(500), parties["kommun1"]: D(400)})

    assert not check.follows_rule
    assert check.level == D(400)
    assert check.expected == {"state": D(800), "region": D(400), "kommuner": D(400)}


def test_funding_check_counts_arbetsformedlingen_in_the_state_half_and_adds_the_kommuner(forbund):
    parties = finsam_parties(forbund, kommuner=2)

    check = funding_check(
        {
            parties["fk"]: D(900),
            parties["af"]: D(100),
            parties["region"]: D(500),
            parties["kommun1"]: D(300),
            parties["kommun2"]: D(200),
        }
    )

    assert (check.state, check.region, check.kommuner) == (D(1000), D(500), D(500))
    assert check.follows_rule


@pytest.mark.parametrize(
    ("region", "kommun1", "kommun2"),
    [
        (D(500), D(400), D(200)),  # the kommuner together pay 600, more than their quarter
        (D(600), D(300), D(200)),  # the region pays 600, more than its quarter
        (D(500), D(500), D(1)),  # one krona over is over
    ],
    ids=["kommuner-pay-more", "region-pays-more", "one-krona-more"],
)
def test_a_party_paying_more_than_its_share_breaks_the_rule(forbund, region, kommun1, kommun2):
    """Paying more is as much a deviation as paying less: the state gives half, the region a quarter,
    the kommuner together a quarter, and the smallest party sets the level for the others."""
    parties = finsam_parties(forbund, kommuner=2)

    check = funding_check(
        {
            parties["fk"]: D(1000),
            parties["region"]: region,
            parties["kommun1"]: kommun1,
            parties["kommun2"]: kommun2,
        }
    )

    assert not check.follows_rule
    assert check.level == D(500)
    assert check.expected == {"state": D(1000), "region": D(500), "kommuner": D(500)}


def test_the_state_paying_more_than_half_breaks_the_rule(forbund):
    parties = finsam_parties(forbund, kommuner=1)

    check = funding_check({parties["fk"]: D(1100), parties["region"]: D(500), parties["kommun1"]: D(500)})

    assert not check.follows_rule
    assert check.expected == {"state": D(1000), "region": D(500), "kommuner": D(500)}
