"""A styrgrupp follows the rules of its insats: a projektägare sees the styrgrupp (members, meetings)
of their own organisation's insatser only, as they see only those insatser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forbund.models import Arbetsgrupp, Role
from tests.factories import ArbetsgruppFactory, InsatsFactory, MedlemFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(forbund):
    own_medlem, other_medlem = MedlemFactory(forbund=forbund), MedlemFactory(forbund=forbund)
    return {
        "own": ArbetsgruppFactory(
            forbund=forbund,
            name="Styrgrupp Yrkeskedjor",
            kind=Arbetsgrupp.Kind.STYRGRUPP,
            insats=InsatsFactory(forbund=forbund, owner=own_medlem),
        ),
        "other": ArbetsgruppFactory(
            forbund=forbund,
            name="Styrgrupp Unga vuxna",
            kind=Arbetsgrupp.Kind.STYRGRUPP,
            insats=InsatsFactory(forbund=forbund, owner=other_medlem),
        ),
        "general": ArbetsgruppFactory(forbund=forbund, name="Beredningsgruppen"),
        "own_medlem": own_medlem,
    }


def _detail(forbund, group) -> str:
    return reverse("forbund:arbetsgrupp", kwargs={"forbund": forbund.slug, "pk": group.pk})


def test_a_projektagare_cannot_open_the_styrgrupp_of_another_organisations_insats(client, forbund, groups):
    client.force_login(user_with_role(forbund, Role.Kind.PROJEKTAGARE, medlem=groups["own_medlem"]))

    assert client.get(_detail(forbund, groups["other"])).status_code == 404
    assert client.get(_detail(forbund, groups["own"])).status_code == 200
    assert client.get(_detail(forbund, groups["general"])).status_code == 200
    listing = client.get(reverse("forbund:arbetsgrupper", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Styrgrupp Yrkeskedjor" in listing and "Beredningsgruppen" in listing
    assert "Styrgrupp Unga vuxna" not in listing
    dashboard = client.get(reverse("forbund:dashboard", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Styrgrupp Unga vuxna" not in dashboard


@pytest.mark.parametrize("kind", [Role.Kind.SAMORDNARE, Role.Kind.STYRELSELEDAMOT, Role.Kind.REVISOR])
def test_those_who_see_every_insats_see_every_styrgrupp(client, forbund, groups, kind):
    client.force_login(user_with_role(forbund, kind))

    assert client.get(_detail(forbund, groups["other"])).status_code == 200
    listing = client.get(reverse("forbund:arbetsgrupper", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Styrgrupp Unga vuxna" in listing


def test_the_dashboard_lists_the_styrgrupper_to_the_samordnare(client, forbund, groups):
    client.force_login(user_with_role(forbund, Role.Kind.SAMORDNARE))
    dashboard = client.get(reverse("forbund:dashboard", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Styrgrupp Unga vuxna" in dashboard
