"""Input that no form can hold is a Swedish 400 or a 404, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forbund.models import Role
from tests.factories import InsatsFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def samordnare_client(client, forbund):
    client.force_login(user_with_role(forbund, Role.Kind.SAMORDNARE))
    return client


def test_a_nul_byte_in_a_search_is_a_swedish_400(client, forbund):
    response = client.get(reverse("public_archive", kwargs={"forbund": forbund.slug}), {"q": "styrelse\x00"})

    assert response.status_code == 400
    assert "Felaktig begäran" in response.content.decode()


def test_a_nul_byte_in_a_posted_form_is_a_400_and_saves_nothing(samordnare_client, forbund):
    url = reverse("forbund:person_create", kwargs={"forbund": forbund.slug})

    response = samordnare_client.post(url, {"name": "Eva\x00Lund", "title": "Handläggare"})

    assert response.status_code == 400
    assert not forbund.personer.exists()


@pytest.mark.parametrize("year", ["0000", "0001", "1999", "2101", "9999"])
def test_a_year_outside_the_forbunds_years_is_a_404(samordnare_client, forbund, year):
    response = samordnare_client.get(f"/f/{forbund.slug}/rapporter/{year}/")

    assert response.status_code == 404


@pytest.mark.parametrize("year", ["99999", "2147483648"])
def test_a_year_too_long_to_be_a_year_is_a_404(samordnare_client, forbund, year):
    assert samordnare_client.get(f"/f/{forbund.slug}/rapporter/{year}/").status_code == 404


def test_a_forbunds_year_still_opens(samordnare_client, forbund):
    assert samordnare_client.get(f"/f/{forbund.slug}/rapporter/2021/").status_code == 200


# Ids beyond the database's range: the address never reaches a view, a form names its field.

BEYOND_BIGINT = "99999999999999999999"


@pytest.mark.parametrize("bad_id", ["9223372036854775808", BEYOND_BIGINT])
def test_an_insats_id_beyond_the_databases_range_is_a_404(samordnare_client, forbund, bad_id):
    InsatsFactory(forbund=forbund)

    response = samordnare_client.get(f"/f/{forbund.slug}/insatser/{bad_id}/")

    assert response.status_code == 404


def test_an_insats_id_that_fits_still_opens(samordnare_client, forbund):
    insats = InsatsFactory(forbund=forbund)

    assert samordnare_client.get(f"/f/{forbund.slug}/insatser/{insats.pk}/").status_code == 200


def test_a_chosen_id_beyond_range_is_a_swedish_form_error_and_saves_nothing(samordnare_client, forbund):
    url = reverse("forbund:person_create", kwargs={"forbund": forbund.slug})

    response = samordnare_client.post(
        url, {"name": "Eva Lund", "title": "Handläggare", "medlem": BEYOND_BIGINT}
    )

    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not forbund.personer.exists()


def test_a_filter_id_beyond_range_in_the_query_string_lists_without_error(samordnare_client, forbund):
    InsatsFactory(forbund=forbund, name="Steget före")
    url = reverse("insatser:list", kwargs={"forbund": forbund.slug})

    response = samordnare_client.get(url, {"owner": BEYOND_BIGINT, "q": "x" * 10_000})

    assert response.status_code == 200


def test_a_prefilled_invoice_with_an_insats_id_beyond_range_opens(samordnare_client, forbund):
    url = reverse("ekonomi:invoice_create", kwargs={"forbund": forbund.slug})

    assert samordnare_client.get(url, {"insats": BEYOND_BIGINT}).status_code == 200
