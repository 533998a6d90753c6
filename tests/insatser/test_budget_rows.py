"""The insats budget form: one empty row, more added in the page without saving (the rows the page
adds arrive together in one save), amounts shown grouped and read back with the spaces."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from forbund.models import Role
from insatser.models import BudgetAmount, BudgetLine, Insats
from tests.factories import BudgetLineFactory, ForbundFactory, InsatsFactory, MedlemFactory, user_with_role

pytestmark = pytest.mark.django_db

Kind = Role.Kind


@pytest.fixture
def insats(forbund):
    return InsatsFactory(forbund=forbund, status=Insats.Status.UTKAST, name="Steget vidare")


@pytest.fixture
def owner(insats):
    return user_with_role(insats.forbund, Kind.PROJEKTAGARE, medlem=insats.owner)


def budget_url(insats) -> str:
    return reverse("insatser:budget", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})


def rows_data(rows: list[dict]) -> dict:
    data = {"rad-TOTAL_FORMS": str(len(rows)), "rad-INITIAL_FORMS": "0", "rad-MAX_NUM_FORMS": "100"}
    for number, row in enumerate(rows):
        data.update({f"rad-{number}-{key}": value for key, value in row.items()})
    return data


def test_a_new_budget_offers_one_empty_row_and_a_button_for_more(client, insats, owner):
    client.force_login(owner)
    html = client.get(budget_url(insats)).content.decode()
    assert 'name="rad-TOTAL_FORMS" value="1"' in html
    assert 'name="rad-0-description"' in html and 'name="rad-1-description"' not in html
    # The button copies the formset's empty form from a <template> (static/js/formset_rows.js).
    assert 'data-formset-add data-formset-prefix="rad"' in html
    assert '<template id="budgetrad-mall">' in html
    template = html.split('<template id="budgetrad-mall">', 1)[1].split("</template>", 1)[0]
    assert 'name="rad-__prefix__-description"' in template
    assert "Kostnad, rad __number__" in template
    assert "formset_rows.js" in html and "<script>" not in html


def test_existing_lines_come_with_just_one_empty_row(client, insats, owner):
    BudgetLineFactory(insats=insats, description="Processledare", amounts={2021: 1_893_000, 2022: 350_000})
    BudgetLineFactory(insats=insats, description="Lokaler", amounts={2021: 60_000})
    client.force_login(owner)
    html = client.get(budget_url(insats)).content.decode()
    assert 'name="rad-TOTAL_FORMS" value="3"' in html
    assert 'value="1 893 000"' in html and 'value="350 000"' in html  # grouped as Swedes write amounts


def test_fourteen_rows_added_in_the_page_are_saved_in_one_go(client, insats, owner):
    rows = [
        {
            "section": "Övergripande",
            "description": f"Kostnad {n}",
            "amount_2021": f"{n} 000",
            "amount_2022": "",
        }
        for n in range(1, 15)
    ]
    client.force_login(owner)
    response = client.post(budget_url(insats), rows_data(rows))
    assert response.status_code == 302
    assert BudgetLine.objects.filter(insats=insats).count() == 14
    assert BudgetAmount.objects.get(line__description="Kostnad 14", year=2021).amount == Decimal(14_000)


def test_amounts_typed_with_spaces_are_saved_and_bad_ones_keep_every_row(client, insats, owner):
    client.force_login(owner)
    saved = client.post(
        budget_url(insats),
        rows_data(
            [{"description": "Processledare", "amount_2021": "1 893 000", "amount_2022": "350\xa0000"}]
        ),
    )
    assert saved.status_code == 302
    amounts = dict(BudgetAmount.objects.filter(line__insats=insats).values_list("year", "amount"))
    assert amounts == {2021: Decimal(1_893_000), 2022: Decimal(350_000)}

    refused = client.post(
        budget_url(insats),
        rows_data(
            [
                {"description": "Processledare", "amount_2021": "1 893 000"},
                {"description": "Utvärdering", "amount_2021": "18 93 000"},
            ]
        ),
    )
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Skriv beloppet i hela kronor, till exempel 1 893 000." in html
    assert 'value="18 93 000"' in html and 'value="Utvärdering"' in html
    assert BudgetLine.objects.filter(insats=insats).count() == 1  # the earlier save, untouched


def test_more_rows_than_the_form_allows_are_refused_in_swedish(client, insats, owner):
    rows = [{"description": f"Kostnad {n}", "amount_2021": "1000"} for n in range(101)]
    client.force_login(owner)
    response = client.post(budget_url(insats), rows_data(rows))
    assert response.status_code == 200
    assert not BudgetLine.objects.filter(insats=insats).exists()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind.SAMORDNARE, 200),
        (Kind.EKONOM, 403),
        (Kind.STYRELSELEDAMOT, 403),
        (Kind.ERSATTARE, 403),
        (Kind.REVISOR, 403),
    ],
)
def test_who_may_open_the_budget_form(client, insats, kind, expected):
    client.force_login(user_with_role(insats.forbund, kind))
    assert client.get(budget_url(insats)).status_code == expected


def test_another_organisation_other_forbund_and_anonymous_may_not(client, insats):
    other_org = user_with_role(
        insats.forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=insats.forbund)
    )
    client.force_login(other_org)
    assert client.get(budget_url(insats)).status_code in (403, 404)
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.get(budget_url(insats)).status_code == 404
    client.logout()
    response = client.get(budget_url(insats))
    assert response.status_code == 302 and "/konto/logga-in/" in response.url
