"""The samordnare's inbox lists the board and kansli without an account, each with a link to the
invitation prefilled for that person; once invited, the person leaves the list."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from forbund.models import Role
from tests.factories import KansliuppdragFactory, PersonFactory, StyrelseuppdragFactory, user_with_role
from tests.forbund.test_accounts_pages import eager_mail, url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

Kind = Role.Kind


def invite_links(page: str) -> dict[str, str]:
    """The inbox's "har inget konto" items: name → the link's address."""
    found = re.findall(r'<a[^>]*href="([^"]*bjud-in[^"]*)"[^>]*>\s*([^<]*?) har inget konto', page)
    return {name: href.replace("&amp;", "&") for href, name in found}


def test_each_person_without_account_links_to_a_prefilled_invitation(forbund, login, eager_mail):  # noqa: F811
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    ledamot = PersonFactory(forbund=forbund, name="Jonas Justerare", email="jonas@region.se")
    StyrelseuppdragFactory(forbund=forbund, person=ledamot, role="ledamot", end=None)
    ekonom = PersonFactory(forbund=forbund, name="Eva Ekonom", email="eva@forbund.se")
    KansliuppdragFactory(forbund=forbund, person=ekonom, role="ekonom", end=None)
    coming = PersonFactory(forbund=forbund, name="Kommande Ersättare")
    StyrelseuppdragFactory(
        forbund=forbund,
        person=coming,
        role="ersattare",
        start=timezone.localdate() + datetime.timedelta(days=20),
        end=None,
    )
    StyrelseuppdragFactory(
        forbund=forbund,
        person__name="Avgången Ledamot",
        start=datetime.date(2018, 1, 1),
        end=datetime.date(2020, 12, 31),
    )
    client = login(samordnare)

    links = invite_links(client.get(url(forbund, "inbox")).content.decode())

    assert set(links) == {"Jonas Justerare", "Eva Ekonom", "Kommande Ersättare"}
    assert links["Jonas Justerare"] == f"{url(forbund, 'invite')}?person={ledamot.pk}&tillbaka=inbox"
    form = client.get(links["Jonas Justerare"]).context["form"]
    assert form.initial["name"] == "Jonas Justerare" and form.initial["email"] == "jonas@region.se"
    assert form.initial["kinds"] == [Kind.STYRELSELEDAMOT]
    assert client.get(links["Eva Ekonom"]).context["form"].initial["kinds"] == [Kind.EKONOM]
    assert client.get(links["Jonas Justerare"]).context["cancel_url"] == url(forbund, "inbox")

    client.post(
        url(forbund, "invite"),
        {
            "name": "Jonas Justerare",
            "email": "jonas@region.se",
            "kinds": ["styrelseledamot"],
            "person": ledamot.pk,
        },
    )
    links = invite_links(client.get(url(forbund, "inbox")).content.decode())
    assert set(links) == {"Eva Ekonom", "Kommande Ersättare"}  # invited: nothing left to do here


def test_the_list_is_the_samordnares(forbund, login):
    StyrelseuppdragFactory(forbund=forbund, person__name="Jonas Justerare", role="ledamot", end=None)
    for kind in (Kind.EKONOM, Kind.STYRELSELEDAMOT):
        page = login(user_with_role(forbund, kind)).get(url(forbund, "inbox")).content.decode()
        assert "Jonas Justerare har inget konto" not in page
