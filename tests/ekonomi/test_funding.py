"""The general funding calculator (`ekonomi.funding`), with the expected kronor worked out by hand
from the law: the state's half through Försäkringskassan (Arbetsförmedlingen included), the regions
together a quarter, the kommuner together a quarter, each quarter split by working-age population,
equally or by agreed shares, to whole kronor by largest remainder; a member that is a member only
part of the year counts with its months."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ekonomi import funding
from ekonomi.funding import FundingRefused, Method, Part, calculate, months_in_year
from ekonomi.selectors.budget import funding_calculation
from forbund.models import AgreedShare, FundingRule, MembershipEvent
from tests.factories import (
    MedlemFactory,
    UserFactory,
    WorkingAgePopulationFactory,
    finsam_parties,
)

D = Decimal
YEAR = 2027


def state() -> list[Part]:
    return [
        Part("fk", "Försäkringskassan", funding.FORSAKRINGSKASSAN),
        Part("af", "Arbetsförmedlingen", funding.ARBETSFORMEDLINGEN),
    ]


def region(key: str = "region", **kwargs) -> Part:
    return Part(key, kwargs.pop("name", f"Region {key}"), funding.REGION, **kwargs)


def kommun(key: str, **kwargs) -> Part:
    return Part(key, kwargs.pop("name", f"Kommun {key}"), funding.KOMMUN, **kwargs)


# Nine kommuner by population ----------------------------------------------------------------------

# Populations summing to 90 000, so each kommun's exact share of 1 000 000 kr is population × 100/9.
NINE = {"K1": 20_000, "K2": 15_000, "K3": 12_000, "K4": 10_000, "K5": 9_000, "K6": 8_000, "K7": 7_000}
NINE |= {"K8": 5_000, "K9": 4_000}
# Rounded down the shares sum to 999 996 kr; the 4 kronor left go to the largest remainders:
# K6 (.89), K7 (.78), K2 (.67) and K8 (.56).
NINE_EXPECTED = {
    "K1": D(222_222),
    "K2": D(166_667),
    "K3": D(133_333),
    "K4": D(111_111),
    "K5": D(100_000),
    "K6": D(88_889),
    "K7": D(77_778),
    "K8": D(55_556),
    "K9": D(44_444),
}


def test_nine_kommuner_by_population_get_exact_kronor_summing_to_the_quarter():
    parts = [*state(), region(), *(kommun(key, population=count) for key, count in NINE.items())]

    result = calculate(year=YEAR, parts=parts, start=funding.START_TOTAL, amount=D(4_000_000))

    amounts = result.amounts()
    assert {key: amounts[key] for key in NINE} == NINE_EXPECTED
    assert sum(NINE_EXPECTED.values()) == D(1_000_000)
    assert amounts["fk"] == D(2_000_000)
    assert amounts["af"] == D(0)
    assert amounts["region"] == D(1_000_000)
    assert result.kommuner.method_label == "Efter invånare i arbetsför ålder (16–64 år)"
    assert not result.warnings


def test_fifteen_kommuner_equally_share_the_quarter_to_the_krona():
    parts = [*state(), region(), *(kommun(f"K{n}") for n in range(1, 16))]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_STATE, amount=D(2_000_000), kommun_method=Method.EQUAL
    )

    shares = [result.amounts()[f"K{n}"] for n in range(1, 16)]
    # 1 000 000 / 15 = 66 666,67: ten kommuner get the ten kronor the rounding left.
    assert shares == [D(66_667)] * 10 + [D(66_666)] * 5
    assert sum(shares) == D(1_000_000)


# Several regions ----------------------------------------------------------------------------------


def test_two_regions_share_one_quarter_and_the_total_does_not_grow():
    parts = [
        *state(),
        region("A", population=60_000),
        region("B", population=40_000),
        kommun("K1"),
    ]

    result = calculate(year=YEAR, parts=parts, start=funding.START_STATE, amount=D(2_000_000))

    amounts = result.amounts()
    assert amounts["A"] == D(600_000)
    assert amounts["B"] == D(400_000)
    assert amounts["K1"] == D(1_000_000)
    assert result.total == D(4_000_000) == sum(amounts.values())


def test_three_regions_equally_with_the_remainder_to_the_first():
    parts = [*state(), region("A"), region("B"), region("C"), kommun("K1")]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_TOTAL, amount=D(4_000_000), region_method=Method.EQUAL
    )

    assert [result.amounts()[key] for key in "ABC"] == [D(333_334), D(333_333), D(333_333)]


def test_agreed_shares_split_the_kommuner_quarter():
    parts = [*state(), region(), kommun("K1", agreed_share=D(70)), kommun("K2", agreed_share=D(30))]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_KOMMUNER, amount=D(500_000), kommun_method=Method.AGREED
    )

    assert (result.amounts()["K1"], result.amounts()["K2"]) == (D(350_000), D(150_000))
    assert result.amounts()["fk"] == D(1_000_000)


# Starting points and whole kronor -----------------------------------------------------------------


def test_a_total_that_cannot_be_quartered_in_whole_kronor_is_rounded_down_and_said():
    parts = [*state(), region(), kommun("K1")]

    result = calculate(year=YEAR, parts=parts, start=funding.START_TOTAL, amount=D(1_000_003))

    assert result.quarter == D(250_000)
    assert result.total == D(1_000_000)
    assert "1\u00a0000\u00a0003 kr går inte att dela i fjärdedelar" in result.warnings[0]


# Missing figures: a warning naming the members, never an equal split ------------------------------


def test_a_missing_population_names_the_member_and_leaves_the_quarter_unsplit():
    parts = [*state(), region(), kommun("K1", population=30_000), kommun("K2", name="Nyby kommun")]

    result = calculate(year=YEAR, parts=parts, start=funding.START_TOTAL, amount=D(4_000_000))

    assert "K1" not in result.amounts()
    assert "K2" not in result.amounts()
    assert "Invånare i arbetsför ålder 2027 saknas för Nyby kommun" in result.kommuner.warning
    assert "Kommun K1" not in result.kommuner.warning
    assert result.kommuner.warning in result.warnings
    # The parties that can be computed still are.
    assert result.amounts()["fk"] == D(2_000_000)
    assert result.amounts()["region"] == D(1_000_000)


def test_a_missing_agreed_share_names_the_member():
    parts = [*state(), region(), kommun("K1", agreed_share=D(60)), kommun("K2", name="Nyby kommun")]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_TOTAL, amount=D(4_000_000), kommun_method=Method.AGREED
    )

    assert "Överenskommen andel saknas för Nyby kommun" in result.kommuner.warning
    assert "K1" not in result.amounts()


# A required party missing: refused ----------------------------------------------------------------


def test_no_kommun_left_is_refused_in_swedish():
    with pytest.raises(FundingRefused) as refusal:
        calculate(year=YEAR, parts=[*state(), region()], start=funding.START_TOTAL, amount=D(4_000_000))

    assert "förbundet saknar någon kommun som medlem 2027" in refusal.value.message
    assert "inga andelar har fyllts i" in refusal.value.message


def test_no_region_is_refused():
    with pytest.raises(FundingRefused, match="saknar någon region"):
        calculate(year=YEAR, parts=[*state(), kommun("K1")], start=funding.START_STATE, amount=D(100))


def test_missing_parties_names_every_required_party_that_is_gone():
    assert funding.missing_parties(["forsakringskassan", "region"]) == ["Arbetsförmedlingen", "någon kommun"]
    assert funding.missing_parties(["forsakringskassan", "arbetsformedlingen", "region", "kommun"]) == []


# Part of the year ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "left", "months"),
    [
        (datetime.date(2010, 1, 1), None, 12),
        (datetime.date(2027, 5, 1), None, 8),  # May to December
        (datetime.date(2027, 5, 20), None, 8),  # by month, from the join month
        (datetime.date(2027, 12, 1), None, 1),
        (datetime.date(2010, 1, 1), datetime.date(2027, 6, 30), 6),  # January to June
        (datetime.date(2010, 1, 1), datetime.date(2026, 12, 31), 0),
        (datetime.date(2028, 1, 1), None, 0),
    ],
)
def test_months_of_membership_in_the_year(joined, left, months):
    assert months_in_year(joined, left, YEAR) == months


def test_a_kommun_joining_on_1_may_pays_eight_twelfths_of_a_full_share():
    parts = [*state(), region(), kommun("K1"), kommun("K2", months=8)]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_KOMMUNER, amount=D(500_000), kommun_method=Method.EQUAL
    )

    # Weights 12 and 8: K1 pays 500 000 × 12/20, the joiner 8/12 of that.
    assert result.amounts()["K1"] == D(300_000)
    assert result.amounts()["K2"] == D(200_000)
    assert result.amounts()["K2"] == result.amounts()["K1"] * 8 / 12
    assert "8/12 av året" in result.kommuner.shares[1].basis


def test_an_amount_set_by_the_samordnare_replaces_the_months():
    parts = [*state(), region(), kommun("K1"), kommun("K2", months=8, fixed_amount=D(150_000))]

    result = calculate(
        year=YEAR, parts=parts, start=funding.START_KOMMUNER, amount=D(500_000), kommun_method=Method.EQUAL
    )

    assert result.amounts()["K2"] == D(150_000)
    assert result.amounts()["K1"] == D(350_000)


# From the database: the förbund's members, rule, populations and joiners --------------------------


@pytest.mark.django_db
def test_a_forbund_with_two_regions_splits_by_their_population(forbund):
    parties = finsam_parties(forbund, kommuner=1)
    second = MedlemFactory(forbund=forbund, kind="region", name="Region Norr")
    WorkingAgePopulationFactory(forbund=forbund, kommun=parties["region"], year=YEAR, count=75_000)
    WorkingAgePopulationFactory(forbund=forbund, kommun=second, year=YEAR, count=25_000)

    result = funding_calculation(forbund, YEAR, start=funding.START_TOTAL, amount=D(2_000_000))

    amounts = result.amounts()
    assert amounts[parties["region"]] == D(375_000)
    assert amounts[second] == D(125_000)
    assert amounts[parties["kommun1"]] == D(500_000)
    assert sum(amounts.values()) == D(2_000_000)


@pytest.mark.django_db
def test_a_joiner_in_the_database_counts_its_months_or_its_set_amount(forbund):
    parties = finsam_parties(forbund, kommuner=1)
    FundingRule.objects.create(forbund=forbund, kommun_method=Method.EQUAL)
    joiner = MedlemFactory(forbund=forbund, name="Nyby kommun", joined=datetime.date(YEAR, 5, 1))

    by_months = funding_calculation(forbund, YEAR, start=funding.START_KOMMUNER, amount=D(500_000))
    MembershipEvent.objects.create(
        forbund=forbund,
        medlem=joiner,
        kind=MembershipEvent.Kind.JOIN,
        date=joiner.joined,
        decided_by="Kommunfullmäktige i Nyby",
        decided_on=datetime.date(YEAR, 2, 1),
        reference="KF § 12",
        first_year_amount=D(100_000),
        created_by=UserFactory(),
    )
    by_amount = funding_calculation(forbund, YEAR, start=funding.START_KOMMUNER, amount=D(500_000))
    next_year = funding_calculation(forbund, YEAR + 1, start=funding.START_KOMMUNER, amount=D(500_000))

    assert by_months.amounts()[joiner] == D(200_000)
    assert by_months.amounts()[parties["kommun1"]] == D(300_000)
    assert by_amount.amounts()[joiner] == D(100_000)
    assert next_year.amounts()[joiner] == D(250_000)  # a full member from its second year


@pytest.mark.django_db
def test_agreed_shares_from_the_database(forbund):
    parties = finsam_parties(forbund, kommuner=2)
    FundingRule.objects.create(forbund=forbund, kommun_method=Method.AGREED)
    AgreedShare.objects.create(forbund=forbund, medlem=parties["kommun1"], percent=D(40))
    AgreedShare.objects.create(forbund=forbund, medlem=parties["kommun2"], percent=D(60))

    result = funding_calculation(forbund, YEAR, start=funding.START_KOMMUNER, amount=D(100_000))

    assert result.amounts()[parties["kommun1"]] == D(40_000)
    assert result.amounts()[parties["kommun2"]] == D(60_000)


@pytest.mark.django_db
def test_the_only_kommun_having_left_refuses_the_next_years_calculation(forbund):
    parties = finsam_parties(forbund, kommuner=1)
    parties["kommun1"].left = datetime.date(YEAR - 1, 6, 30)
    parties["kommun1"].save()

    funding_calculation(forbund, YEAR - 1, start=funding.START_TOTAL, amount=D(400))  # still a member
    with pytest.raises(FundingRefused, match="saknar någon kommun som medlem 2027"):
        funding_calculation(forbund, YEAR, start=funding.START_TOTAL, amount=D(400))
