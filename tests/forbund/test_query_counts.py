"""Every list page costs a fixed number of queries, however many rows it shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from finsam import audit
from forbund import generation
from forbund.models import Medlem, Role
from insatser.models import Insats
from tests.factories import (
    ArbetsgruppFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    GroupMembershipFactory,
    InsatsFactory,
    KansliuppdragFactory,
    MedlemFactory,
    PersonFactory,
    RoleFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    WorkingAgePopulationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2021


def add_rows(forbund, group, start: int, stop: int, owner: Medlem | None = None) -> None:
    """Rows number start..stop-1 of everything the förbund's pages list, all in force in YEAR; members
    of `group`, and insatser owned by `owner` (else each by its own kommun)."""
    budget = forbund.budgetar.filter(year=YEAR).first() or BudgetFactory(forbund=forbund, year=YEAR)
    for i in range(start, stop):
        kommun = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name=f"Kommun {i}")
        BudgetIncomeFactory(budget=budget, medlem=kommun, amount=Decimal(100000 + i))
        WorkingAgePopulationFactory(forbund=forbund, kommun=kommun, year=YEAR, count=1000 + i)
        person = PersonFactory(forbund=forbund, medlem=kommun, name=f"Person {i}")
        StyrelseuppdragFactory(
            forbund=forbund, medlem=kommun, person=person, role="ledamot", start=D(YEAR, 1, 1), end=None
        )
        StyrelseuppdragFactory(
            forbund=forbund,
            medlem=kommun,
            person=PersonFactory(forbund=forbund, medlem=kommun),
            role="ersattare",
            start=D(YEAR, 1, 1),
        )
        KansliuppdragFactory(forbund=forbund, person=person, employer=kommun, employer_name="")
        insats = InsatsFactory(forbund=forbund, owner=owner or kommun, name=f"Insats {i}")
        insats.partners.add(kommun)
        InsatsFactory(
            forbund=forbund,
            owner=owner or kommun,
            name=f"Idé {i}",
            status=Insats.Status.IDE,
            start=None,
            end=None,
        )
        grupp = ArbetsgruppFactory(forbund=forbund, name=f"Grupp {i}", insats=insats, start=D(2020, 1, 1))
        GroupMembershipFactory(arbetsgrupp=grupp, person=person)
        GroupMembershipFactory(arbetsgrupp=group, person=person)
        StyrelsemoteFactory(forbund=forbund, date=D(YEAR, 1, 1) + datetime.timedelta(days=25 * i))
        audit.event(forbund=forbund, actor=None, description=f"Händelse {i}")
    generation.invalidate(forbund)  # the factories write around the services, which would say so


# (page, query string, most queries allowed, text of the last row, role of the viewer). The limits
# are what the pages cost when written, plus a little headroom; they must not depend on the rows.
SAMORDNARE, PROJEKTAGARE = Role.Kind.SAMORDNARE, Role.Kind.PROJEKTAGARE
PAGES = [
    # With the user's inbox, computed anew (and the förbund's latest event asked) since rows were added.
    ("forbund:dashboard", f"?ar={YEAR}", 25, "Grupp 11", SAMORDNARE),
    ("forbund:dashboard", f"?ar={YEAR}", 24, "Insats 11", PROJEKTAGARE),
    ("forbund:detail", "", 9, "Kommun 11", SAMORDNARE),
    ("forbund:medlemmar", f"?ar={YEAR}", 12, "Kommun 11", SAMORDNARE),
    ("forbund:styrelse", f"?ar={YEAR}", 10, "Person 11", SAMORDNARE),
    ("forbund:kansli", "", 8, "Person 11", SAMORDNARE),
    ("forbund:personer", "", 9, "Person 11", SAMORDNARE),
    ("forbund:arbetsgrupper", "", 9, "Grupp 11", SAMORDNARE),
    ("forbund:arbetsgrupp", "", 11, "Person 11", SAMORDNARE),
    ("forbund:moten", f"?ar={YEAR}", 9, "2021-10-03", SAMORDNARE),
    ("insatser:list", "", 11, "Idé 11", SAMORDNARE),
    ("insatser:list", "", 11, "Insats 11", PROJEKTAGARE),
]


@pytest.mark.parametrize(("name", "query", "max_queries", "last_row", "kind"), PAGES)
def test_list_page_queries_do_not_grow_with_rows(
    forbund, login, django_assert_max_num_queries, name, query, max_queries, last_row, kind
):
    group = ArbetsgruppFactory(forbund=forbund, name="Beredningsgruppen")
    # A projektägare sees the insatser of their own member, which here owns them all.
    owner = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Skåne")
    extra = {"medlem": owner} if kind == PROJEKTAGARE else {}
    user = RoleFactory(forbund=forbund, kind=kind, **extra).user
    client = login(user)
    kwargs = {"forbund": forbund.slug, **({"pk": group.pk} if name == "forbund:arbetsgrupp" else {})}
    url = reverse(name, kwargs=kwargs) + query

    counts = []
    for start, stop in [(0, 3), (3, 12)]:
        add_rows(forbund, group, start, stop, owner=owner)
        with django_assert_max_num_queries(max_queries) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))

    assert last_row in response.content.decode(), "the page should list all 12 rows"
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 3 rows but {counts[1]} for 12"
