"""One förbund never sees another: its pages, records and choices do not exist for outsiders."""

from __future__ import annotations

import pytest

from forbund.models import (
    Arbetsgrupp,
    GroupMembership,
    Kansliuppdrag,
    Person,
    Role,
    Styrelseuppdrag,
    WorkingAgePopulation,
)
from tests.factories import UserFactory

from .conftest import GET_PAGES, POST_PAGES, RECORD_PAGES, database_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def samordnare_a(org, other_org, client_as):
    """A logged-in samordnare of förbund A (`org`); förbund B (`other_org`) is fully populated."""
    return client_as(org, Role.Kind.SAMORDNARE)


@pytest.mark.parametrize("name", GET_PAGES)
def test_samordnare_gets_404_on_every_page_of_another_forbund(samordnare_a, other_org, name):
    response = samordnare_a.get(other_org.url(name))
    assert response.status_code == 404
    assert other_org.forbund.name not in response.content.decode()


@pytest.mark.parametrize("name", POST_PAGES)
def test_samordnare_cannot_post_to_another_forbund(samordnare_a, other_org, name):
    before = database_snapshot()
    response = samordnare_a.post(other_org.url(name), other_org.valid_post(name))
    assert response.status_code == 404
    assert database_snapshot() == before


@pytest.mark.parametrize("kind", [Role.Kind.EKONOM, Role.Kind.REVISOR, Role.Kind.PROJEKTAGARE])
def test_other_roles_also_get_404_in_another_forbund(org, other_org, client_as, kind):
    client = client_as(org, kind)
    for name in ["forbund:dashboard", "forbund:personer", "insatser:list", "insatser:detail"]:
        assert client.get(other_org.url(name)).status_code == 404, name


@pytest.mark.parametrize("name", GET_PAGES)
def test_user_with_no_role_gets_404_everywhere(org, login, name):
    client = login(UserFactory())
    assert client.get(org.url(name)).status_code == 404


def test_unknown_forbund_is_404(samordnare_a):
    assert samordnare_a.get("/f/finns-inte/").status_code == 404


@pytest.mark.parametrize("name", [name for name in GET_PAGES if name in RECORD_PAGES])
def test_samordnare_gets_404_for_another_forbunds_record_through_own_url(samordnare_a, org, other_org, name):
    kwargs = other_org.pk_for(name)
    response = samordnare_a.get(org.url(name, **kwargs))
    assert response.status_code == 404


@pytest.mark.parametrize("name", [name for name in POST_PAGES if name in RECORD_PAGES])
def test_samordnare_cannot_change_another_forbunds_record_through_own_url(samordnare_a, org, other_org, name):
    kwargs = other_org.pk_for(name)
    before = database_snapshot()
    response = samordnare_a.post(org.url(name, **kwargs), other_org.valid_post(name))
    assert response.status_code == 404
    assert database_snapshot() == before


def test_samordnare_cannot_remove_another_forbunds_group_membership_through_own_group(
    samordnare_a, org, other_org
):
    url = org.url("forbund:group_member_remove", membership_pk=other_org.membership.pk)
    response = samordnare_a.post(url)
    assert response.status_code == 404
    assert GroupMembership.objects.filter(pk=other_org.membership.pk).exists()


def test_samordnare_cannot_edit_medlem_of_another_forbund_via_own_url(samordnare_a, org, other_org):
    response = samordnare_a.post(
        f"/f/{org.forbund.slug}/medlemmar/{other_org.medlem.pk}/andra/",
        {"kind": "region", "name": "Kapad region", "joined": "2010-01-01"},
    )
    assert response.status_code == 404
    other_org.medlem.refresh_from_db()
    assert other_org.medlem.name != "Kapad region"


# A form posted in A offering one of B's records: the choice is not among A's, nothing is saved.
FOREIGN_CHOICES = [
    ("forbund:styrelseuppdrag_create", "person", lambda b: b.person.pk, Styrelseuppdrag),
    ("forbund:styrelseuppdrag_create", "medlem", lambda b: b.medlem.pk, Styrelseuppdrag),
    ("forbund:kansliuppdrag_create", "person", lambda b: b.other_person.pk, Kansliuppdrag),
    ("forbund:kansliuppdrag_create", "employer", lambda b: b.kommun.pk, Kansliuppdrag),
    ("forbund:person_create", "medlem", lambda b: b.kommun.pk, Person),
    ("forbund:arbetsgrupp_create", "insats", lambda b: b.insats.pk, Arbetsgrupp),
    ("forbund:population_create", "kommun", lambda b: b.kommun.pk, WorkingAgePopulation),
]


@pytest.mark.parametrize(("name", "field", "foreign_pk", "model"), FOREIGN_CHOICES)
def test_form_in_one_forbund_cannot_attach_another_forbunds_record(
    samordnare_a, org, other_org, name, field, foreign_pk, model
):
    data = {**org.valid_post(name), field: foreign_pk(other_org)}
    before = model.objects.count()

    response = samordnare_a.post(org.url(name), data)

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.context["form"].errors[field][0]
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert model.objects.count() == before


def test_styrelseuppdrag_posted_in_a_with_b_person_is_refused(samordnare_a, org, other_org):
    data = {
        "person": other_org.person.pk,
        "medlem": org.kommun.pk,
        "role": "ledamot",
        "start": "2021-01-01",
    }
    response = samordnare_a.post(f"/f/{org.forbund.slug}/styrelse/ny/", data)
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Styrelseuppdrag.objects.filter(person=other_org.person, forbund=org.forbund).exists()
    assert Styrelseuppdrag.objects.count() == 2  # one per förbund, from the fixtures


def test_group_member_add_cannot_take_a_person_from_another_forbund(samordnare_a, org, other_org):
    response = samordnare_a.post(
        org.url("forbund:group_member_add"),
        {"person": other_org.other_person.pk, "role": "ledamot"},
        follow=True,
    )
    assert "Kunde inte lägga till personen" in response.content.decode()
    assert not org.arbetsgrupp.medlemmar.filter(person=other_org.other_person).exists()


def test_posted_forbund_field_cannot_move_a_record_to_another_forbund(samordnare_a, org, other_org):
    data = {**org.valid_post("forbund:person_create"), "forbund": other_org.forbund.pk}
    response = samordnare_a.post(org.url("forbund:person_create"), data)
    assert response.status_code == 302
    person = Person.objects.get(name="Ny Persson")
    assert person.forbund == org.forbund


def test_lists_show_only_the_own_forbunds_records(samordnare_a, org, other_org):
    pages = {
        "forbund:medlemmar": other_org.medlem.name,
        "forbund:personer": other_org.person.name,
        "forbund:arbetsgrupper": other_org.arbetsgrupp.name,
        "insatser:list": other_org.insats.name,
    }
    for name, foreign_text in pages.items():
        content = samordnare_a.get(org.url(name)).content.decode()
        assert foreign_text not in content, name
