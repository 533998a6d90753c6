"""What each role in a förbund may see and do, as the user meets it: pages, refusals and their reasons."""

from __future__ import annotations

import pytest

from forbund.models import Role
from insatser.models import Insats
from tests.factories import PASSWORD, InsatsFactory, MedlemFactory, RoleFactory, UserFactory

from .conftest import (
    ALL_PAGES,
    CONTACT_PAGES,
    CONTACTS_REFUSED,
    FORM_PAGES,
    POST_PAGES,
    READ_PAGES,
    database_snapshot,
    forbund_page_patterns,
    refusal_for,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
ALL_ROLES = list(Kind.values)
NOT_SAMORDNARE = [kind for kind in ALL_ROLES if kind != Kind.SAMORDNARE]
CONTACT_READERS = [Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR]


def refused_with(response, reason: str) -> bool:
    content = response.content.decode()
    return response.status_code == 403 and reason in content and "Du har inte behörighet" in content


def test_every_forbund_page_has_its_access_rule_tested():
    """A page added to forbund/urls.py or insatser/urls.py must be placed in one of the lists in
    conftest.py (read, contact register, audit log, form, POST-only), which decide who is expected to
    reach it."""
    patterns = dict(forbund_page_patterns())
    assert set(patterns) == set(ALL_PAGES)
    accepts_post = {
        name for name, pattern in patterns.items() if hasattr(pattern.callback.view_class, "post")
    }
    assert accepts_post == set(POST_PAGES)


@pytest.mark.parametrize("kind", ALL_ROLES)
def test_every_role_can_view_the_forbund_pages(org, client_as, kind):
    client = client_as(org, kind)
    for name in READ_PAGES:
        response = client.get(org.url(name))
        assert response.status_code == 200, name
        assert org.forbund.name in response.content.decode(), name


@pytest.mark.parametrize("kind", CONTACT_READERS)
def test_kansli_and_revisor_can_view_person_register(org, client_as, kind):
    for name in CONTACT_PAGES:
        response = client_as(org, kind).get(org.url(name))
        assert response.status_code == 200
        assert org.person.name in response.content.decode()
        assert org.person.email in response.content.decode()


@pytest.mark.parametrize("kind", [kind for kind in ALL_ROLES if kind not in CONTACT_READERS])
def test_board_and_projektagare_are_refused_person_register_with_reason(org, client_as, kind):
    for name in CONTACT_PAGES:
        response = client_as(org, kind).get(org.url(name))
        assert refused_with(response, CONTACTS_REFUSED)
        assert org.person.email not in response.content.decode()


@pytest.mark.parametrize("kind", ALL_ROLES)
def test_person_register_link_is_shown_only_to_those_who_may_open_it(org, client_as, kind):
    content = client_as(org, kind).get(org.url("forbund:dashboard")).content.decode()
    assert (org.url("forbund:personer") in content) == (kind in CONTACT_READERS)


def test_samordnare_can_open_every_form(org, client_as):
    client = client_as(org, Kind.SAMORDNARE)
    for name in FORM_PAGES:
        response = client.get(org.url(name))
        assert response.status_code == 200, name
        assert 'method="post"' in response.content.decode(), name


@pytest.mark.parametrize("kind", NOT_SAMORDNARE)
def test_other_roles_are_refused_every_form_with_reason(org, client_as, kind):
    client = client_as(org, kind)
    for name in FORM_PAGES:
        assert refused_with(client.get(org.url(name)), refusal_for(name, kind)), name


@pytest.mark.parametrize("kind", NOT_SAMORDNARE)
def test_other_roles_cannot_change_anything(org, client_as, kind):
    """The revisor above all: every POST the förbund accepts is refused and the database is
    exactly as before."""
    client = client_as(org, kind)
    before = database_snapshot()
    for name in POST_PAGES:
        response = client.post(org.url(name), org.valid_post(name))
        assert refused_with(response, refusal_for(name, kind)), name
        assert database_snapshot() == before, name


def test_revisor_cannot_change_anything(org, client_as):
    """Spelled out for the revisor, whose independence depends on it."""
    client = client_as(org, Kind.REVISOR)
    before = database_snapshot()
    for name in POST_PAGES:
        response = client.post(org.url(name), org.valid_post(name))
        assert response.status_code == 403, name
        assert refusal_for(name, Kind.REVISOR) in response.content.decode(), name
    assert database_snapshot() == before


@pytest.mark.parametrize("name", POST_PAGES)
def test_samordnare_post_of_the_same_data_changes_the_forbund(org, client_as, name):
    """The data refused above is valid: a samordnare posting it gets it saved."""
    client = client_as(org, Kind.SAMORDNARE)
    before = database_snapshot()

    response = client.post(org.url(name), org.valid_post(name))

    assert response.status_code == 302, response.context["form"].errors if response.context else None
    assert database_snapshot() != before


EDIT_BUTTONS = {
    "forbund:medlemmar": "Ny medlem",
    "forbund:styrelse": "Nytt styrelseuppdrag",
    "forbund:kansli": "Nytt kansliuppdrag",
    "forbund:arbetsgrupper": "Ny grupp",
    "forbund:moten": "Planera möte",
    "forbund:detail": "Ändra uppgifter",
    "forbund:arbetsgrupp": "Ändra gruppen",
}


@pytest.mark.parametrize("kind", ALL_ROLES)
def test_edit_buttons_are_shown_only_to_samordnare(org, client_as, kind):
    client = client_as(org, kind)
    for name, button in EDIT_BUTTONS.items():
        content = client.get(org.url(name)).content.decode()
        assert (button in content) == (kind == Kind.SAMORDNARE), name


@pytest.mark.parametrize("kind", ALL_ROLES)
def test_recent_changes_on_dashboard_are_shown_only_to_samordnare(org, client_as, kind):
    from finsam import audit

    audit.event(forbund=org.forbund, actor=None, description="Ändrade mötesplanen för hösten")
    content = client_as(org, kind).get(org.url("forbund:dashboard") + "?ar=2021").content.decode()
    assert ("Ändrade mötesplanen för hösten" in content) == (kind == Kind.SAMORDNARE)


# Projektägare


@pytest.fixture
def others_insatser(org):
    """A running insats and an idea owned by another member than the projektägare's."""
    return [
        InsatsFactory(forbund=org.forbund, owner=org.kommun, name="Kommunens egen insats"),
        InsatsFactory(
            forbund=org.forbund,
            owner=org.kommun,
            name="Kommunens idé",
            status=Insats.Status.IDE,
            start=None,
            end=None,
        ),
    ]


def test_projektagare_sees_only_own_members_insatser_in_list(org, client_as, others_insatser):
    content = client_as(org, Kind.PROJEKTAGARE).get(org.url("insatser:list")).content.decode()
    assert org.insats.name in content
    assert "Kommunens egen insats" not in content
    assert "Kommunens idé" not in content
    assert "Du ser de insatser som din organisation äger." in content


def test_projektagare_sees_only_own_members_insatser_on_dashboard(org, client_as, others_insatser):
    content = (
        client_as(org, Kind.PROJEKTAGARE).get(org.url("forbund:dashboard") + "?ar=2021").content.decode()
    )
    assert org.insats.name in content
    assert "Kommunens egen insats" not in content


def test_projektagare_cannot_see_other_members_insats(org, client_as, others_insatser):
    client = client_as(org, Kind.PROJEKTAGARE)
    for insats in others_insatser:
        assert client.get(org.url("insatser:detail", pk=insats.pk)).status_code == 404
    assert client.get(org.url("insatser:detail")).status_code == 200


@pytest.mark.parametrize("kind", [kind for kind in ALL_ROLES if kind != Kind.PROJEKTAGARE])
def test_other_roles_see_every_insats_of_the_forbund(org, client_as, others_insatser, kind):
    client = client_as(org, kind)
    content = client.get(org.url("insatser:list")).content.decode()
    assert org.insats.name in content
    assert "Kommunens egen insats" in content
    assert "Kommunens idé" in content
    assert client.get(org.url("insatser:detail", pk=others_insatser[0].pk)).status_code == 200


def test_projektagare_who_is_also_ekonom_sees_every_insats(org, others_insatser, login):
    user = UserFactory()
    RoleFactory(user=user, forbund=org.forbund, kind=Kind.PROJEKTAGARE, medlem=org.medlem)
    RoleFactory(user=user, forbund=org.forbund, kind=Kind.EKONOM)
    content = login(user).get(org.url("insatser:list")).content.decode()
    assert "Kommunens egen insats" in content


# After login


def test_user_with_one_forbund_lands_on_its_dashboard_after_login(client, forbund):
    user = RoleFactory(forbund=forbund, kind=Kind.EKONOM).user
    response = client.post("/konto/logga-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"

    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"/f/{forbund.slug}/"
    assert client.get(response.url).status_code == 200


def test_user_with_two_forbund_chooses_between_them(forbund, other_forbund, login):
    user = UserFactory()
    RoleFactory(user=user, forbund=forbund, kind=Kind.SAMORDNARE)
    RoleFactory(user=user, forbund=other_forbund, kind=Kind.REVISOR)

    response = login(user).get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Välj förbund" in content
    assert forbund.name in content and f'href="/f/{forbund.slug}/"' in content
    assert other_forbund.name in content and f'href="/f/{other_forbund.slug}/"' in content


def test_user_with_two_roles_in_one_forbund_goes_straight_to_it(forbund, login):
    user = UserFactory()
    RoleFactory(user=user, forbund=forbund, kind=Kind.EKONOM)
    RoleFactory(user=user, forbund=forbund, kind=Kind.REVISOR)
    response = login(user).get("/")
    assert response.status_code == 302
    assert response.url == f"/f/{forbund.slug}/"


def test_user_without_roles_is_told_so_in_swedish(forbund, login):
    response = login(UserFactory()).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ditt konto har ingen roll i något samordningsförbund ännu" in content
    assert forbund.name not in content


def test_dashboard_names_the_users_roles(org, login):
    user = UserFactory()
    RoleFactory(user=user, forbund=org.forbund, kind=Kind.EKONOM)
    RoleFactory(user=user, forbund=org.forbund, kind=Kind.REVISOR)
    content = login(user).get(org.url("forbund:dashboard")).content.decode()
    assert "Du är inloggad som ekonom, revisor." in content


def test_inactive_user_sees_no_forbund(org, login):
    user = RoleFactory(forbund=org.forbund, kind=Kind.SAMORDNARE).user
    client = login(user)
    user.is_active = False
    user.save()
    response = client.get(org.url("forbund:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith("/konto/logga-in/")


def test_projektagare_role_must_name_a_member_of_the_same_forbund(org, other_org):
    from django.core.exceptions import ValidationError

    role = Role(user=UserFactory(), forbund=org.forbund, kind=Kind.PROJEKTAGARE)
    with pytest.raises(ValidationError, match="En projektägare måste höra till en medlemsorganisation"):
        role.full_clean()
    role.medlem = MedlemFactory(forbund=other_org.forbund)
    with pytest.raises(ValidationError, match="Måste höra till samma förbund"):
        role.full_clean()
