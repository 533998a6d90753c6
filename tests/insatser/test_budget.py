"""The budget of an application: how it is replaced, what is refused, and the table förbund read."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forbund.models import Medlem, Role
from insatser import selectors, services
from insatser.models import BudgetAmount, Insats
from insatser.services import BudgetLineData
from tests.factories import BudgetLineFactory, DelprocessFactory, InsatsFactory, MedlemFactory

pytestmark = pytest.mark.django_db

S = Insats.Status
D = datetime.date


@pytest.fixture
def region(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def insats(forbund, region) -> Insats:
    """An application for 2021–2023."""
    return InsatsFactory(
        forbund=forbund, owner=region, status=S.UTKAST, start=D(2021, 3, 1), end=D(2023, 6, 30)
    )


@pytest.fixture
def samordnare(forbund, user_in):
    return user_in(forbund, Role.Kind.SAMORDNARE)


def stored_budget(insats: Insats) -> list[tuple]:
    return list(
        BudgetAmount.objects.filter(line__insats=insats)
        .order_by("line__order", "year")
        .values_list("line__section", "line__description", "year", "amount")
    )


def line(description: str = "Processledare", **amounts) -> BudgetLineData:
    """line("Coach", y2021=100) is a line with 100 kr in 2021."""
    return BudgetLineData(
        description=description,
        section="Övergripande",
        amounts={int(key[1:]): Decimal(value) for key, value in amounts.items()},
    )


# budget_replace -------------------------------------------------------------------------------


def test_budget_replace_saves_the_lines_in_order_and_replaces_the_old_budget(insats, samordnare, forbund):
    BudgetLineFactory(insats=insats, description="Gammal rad", amounts={2021: 1})
    delprocess = DelprocessFactory(insats=insats, name="Delprocess Norrby")

    services.budget_replace(
        insats=insats,
        by=samordnare,
        lines=[
            BudgetLineData(
                description=" Processledare ",
                section=" Övergripande ",
                share=" 50 % ",
                amounts={2021: Decimal(400_000), 2023: Decimal(200_000)},
            ),
            BudgetLineData(
                description="Arbetscoach",
                section="ignoreras för en delprocess",
                delprocess=delprocess,
                amounts={2022: Decimal(300_000)},
            ),
        ],
    )

    lines = list(insats.budget_lines.order_by("order"))
    assert [(li.section, li.delprocess, li.description, li.share) for li in lines] == [
        ("Övergripande", None, "Processledare", "50 %"),
        ("", delprocess, "Arbetscoach", ""),
    ]
    assert stored_budget(insats) == [
        ("Övergripande", "Processledare", 2021, 400_000),
        ("Övergripande", "Processledare", 2023, 200_000),
        ("", "Arbetscoach", 2022, 300_000),
    ]


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        (
            [line(y2021=1), line("Utvärdering", y2020=5, y2024=7)],
            [
                "Rad 2: 2020 ligger utanför insatsens period.",
                "Rad 2: 2024 ligger utanför insatsens period.",
            ],
        ),
        ([line(y2021=-100)], ["Rad 1: beloppet för 2021 får inte vara negativt."]),
        ([line(y2022="1500.50")], ["Rad 1: ange hela kronor för 2022."]),
        ([line(y2022="0.4")], ["Rad 1: ange hela kronor för 2022."]),
    ],
    ids=["years-outside-period", "negative", "fractional", "fraction-below-one"],
)
def test_budget_replace_refuses_bad_amounts_naming_row_and_year(insats, samordnare, lines, errors):
    with pytest.raises(ValidationError) as refused:
        services.budget_replace(insats=insats, by=samordnare, lines=lines)
    assert refused.value.messages == errors
    assert stored_budget(insats) == []


def test_budget_replace_is_all_or_nothing(insats, samordnare):
    BudgetLineFactory(
        insats=insats, section="Övergripande", description="Processledare", amounts={2021: 1000}
    )
    before = stored_budget(insats)

    with pytest.raises(ValidationError) as refused:
        services.budget_replace(
            insats=insats,
            by=samordnare,
            lines=[line("Ny rad 1", y2021=5), line("Ny rad 2", y2022=6), line("Ny rad 3", y2025=7)],
        )

    assert refused.value.messages == ["Rad 3: 2025 ligger utanför insatsens period."]
    assert stored_budget(insats) == before
    assert list(insats.budget_lines.values_list("description", flat=True)) == ["Processledare"]


def test_budget_replace_refuses_a_delprocess_of_another_insats(insats, samordnare, forbund):
    foreign = DelprocessFactory(insats=InsatsFactory(forbund=forbund), name="Annans delprocess")
    data = line(y2021=10)
    data.delprocess = foreign
    with pytest.raises(ValidationError) as refused:
        services.budget_replace(insats=insats, by=samordnare, lines=[line(y2021=5), data])
    assert refused.value.messages == ["Rad 2: delprocessen hör till en annan insats."]
    assert stored_budget(insats) == []


def test_budget_replace_refuses_an_organisation_of_another_forbund(insats, samordnare, other_forbund):
    data = line(y2021=10)
    data.organisation = MedlemFactory(forbund=other_forbund)
    with pytest.raises(ValidationError, match="Rad 1: organisationen hör till ett annat förbund."):
        services.budget_replace(insats=insats, by=samordnare, lines=[data])


def test_budget_needs_a_period_first(forbund, region, samordnare):
    insats = InsatsFactory(forbund=forbund, owner=region, status=S.UTKAST, start=None, end=None)
    with pytest.raises(ValidationError, match="Ange insatsens period innan budgeten fylls i."):
        services.budget_replace(insats=insats, by=samordnare, lines=[line(y2021=1)])


def test_an_empty_budget_clears_it(insats, samordnare):
    BudgetLineFactory(insats=insats, amounts={2021: 1000})
    services.budget_replace(insats=insats, by=samordnare, lines=[])
    assert not insats.budget_lines.exists()


@pytest.mark.parametrize("kind", [Role.Kind.EKONOM, Role.Kind.STYRELSELEDAMOT, Role.Kind.REVISOR])
def test_readers_cannot_replace_the_budget(insats, user_in, forbund, kind):
    BudgetLineFactory(insats=insats, amounts={2021: 1000})
    before = stored_budget(insats)
    with pytest.raises(PermissionDenied, match="Bara samordnaren och projektägarens organisation"):
        services.budget_replace(insats=insats, by=user_in(forbund, kind), lines=[line(y2021=5)])
    assert stored_budget(insats) == before


def test_own_projektagare_may_replace_the_budget_but_not_another_members(insats, user_in, forbund, region):
    own = user_in(forbund, Role.Kind.PROJEKTAGARE, medlem=region)
    other = user_in(forbund, Role.Kind.PROJEKTAGARE)

    with pytest.raises(PermissionDenied):
        services.budget_replace(insats=insats, by=other, lines=[line(y2021=5)])
    services.budget_replace(insats=insats, by=own, lines=[line(y2021=5)])

    assert stored_budget(insats) == [("Övergripande", "Processledare", 2021, 5)]


# budget_table ----------------------------------------------------------------------------------


@pytest.fixture
def budget(insats, region):
    """Two sections and a delprocess over 2021–2023, with gaps."""
    norrby = DelprocessFactory(insats=insats, name="Delprocess Norrby")
    BudgetLineFactory(
        insats=insats,
        section="Övergripande",
        description="Processledare",
        organisation=region,
        order=0,
        amounts={2021: 400_000, 2022: 410_000, 2023: 420_000},
    )
    BudgetLineFactory(
        insats=insats,
        delprocess=norrby,
        description="Arbetscoach",
        order=1,
        amounts={2021: 300_000, 2022: 300_000},
    )
    BudgetLineFactory(
        insats=insats,
        section="Övergripande",
        description="Extern utvärdering",
        order=2,
        amounts={2021: 50_000, 2023: 75_000},
    )
    BudgetLineFactory(
        insats=insats, section="Konsultationsteam", description="Psykolog", order=3, amounts={2022: 120_000}
    )
    return insats


def test_budget_table_groups_lines_into_sections_in_order(budget):
    table = selectors.budget_table(budget)

    assert table.years == [2021, 2022, 2023]
    assert [section.name for section in table.sections] == [
        "Övergripande",
        "Delprocess Norrby",
        "Konsultationsteam",
    ]
    assert [[row.line.description for row in s.rows] for s in table.sections] == [
        ["Processledare", "Extern utvärdering"],
        ["Arbetscoach"],
        ["Psykolog"],
    ]


def test_budget_table_sums_rows_sections_years_and_total(budget):
    table = selectors.budget_table(budget)
    overgripande, norrby, team = table.sections

    assert [row.amounts for row in overgripande.rows] == [
        [400_000, 410_000, 420_000],
        [50_000, None, 75_000],
    ]
    assert [row.total for row in overgripande.rows] == [1_230_000, 125_000]
    assert overgripande.year_totals == [450_000, 410_000, 495_000]
    assert overgripande.total == 1_355_000

    assert norrby.rows[0].amounts == [300_000, 300_000, None]
    assert norrby.year_totals == [300_000, 300_000, 0]
    assert norrby.total == 600_000

    assert team.year_totals == [0, 120_000, 0]
    assert team.total == 120_000

    # Summa per år and Summa totalt.
    assert table.year_totals == [750_000, 830_000, 495_000]
    assert table.total == 2_075_000
    assert table.total == sum(table.year_totals) == sum(s.total for s in table.sections)


def test_budget_table_puts_lines_without_section_under_overgripande(insats):
    BudgetLineFactory(insats=insats, section="", description="Lokalhyra", amounts={2021: 10_000})
    table = selectors.budget_table(insats)
    assert [s.name for s in table.sections] == ["Övergripande"]
    assert table.sections[0].rows[0].amounts == [10_000, None, None]


def test_budget_table_of_an_empty_budget_has_the_periods_years_and_zero_sums(insats):
    table = selectors.budget_table(insats)
    assert table.is_empty
    assert table.years == [2021, 2022, 2023]
    assert table.year_totals == [0, 0, 0]
    assert table.total == 0


def test_applied_per_year_matches_the_tables_year_totals(budget):
    assert selectors.applied_per_year(budget) == {2021: 750_000, 2022: 830_000, 2023: 495_000}


# Changing the period ----------------------------------------------------------------------------


def test_shortening_the_period_past_budgeted_years_is_refused_naming_the_year(budget, samordnare):
    budget.end = D(2022, 12, 31)

    with pytest.raises(ValidationError) as refused:
        services.insats_update(insats=budget, by=samordnare)

    assert refused.value.message_dict == {
        "end": ["Budgeten har belopp för 2023, utanför perioden. Ändra budgeten först."]
    }
    budget.refresh_from_db()
    assert budget.end == D(2023, 6, 30)


def test_moving_the_start_past_budgeted_years_names_every_year(budget, samordnare):
    budget.start, budget.end = D(2023, 1, 1), D(2024, 12, 31)
    with pytest.raises(ValidationError, match="Budgeten har belopp för 2021, 2022, utanför perioden."):
        services.insats_update(insats=budget, by=samordnare)


def test_shortening_the_period_is_allowed_when_no_amount_falls_outside(insats, samordnare):
    BudgetLineFactory(insats=insats, amounts={2021: 1000, 2022: 2000})
    insats.end = D(2022, 12, 31)

    services.insats_update(insats=insats, by=samordnare)

    insats.refresh_from_db()
    assert insats.end == D(2022, 12, 31)
    assert selectors.budget_table(insats).years == [2021, 2022]


def test_lengthening_the_period_adds_a_year_column(budget, samordnare):
    budget.end = D(2024, 12, 31)
    services.insats_update(insats=budget, by=samordnare)
    table = selectors.budget_table(budget)
    assert table.years == [2021, 2022, 2023, 2024]
    assert table.year_totals[-1] == 0
