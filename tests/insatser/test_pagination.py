"""A förbund with ten years of insatser and invoices sees them fifty at a time, with the filter kept
from page to page; the Excel export and the sums still hold every row that matches."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from forbund.models import Role
from insatser.models import Insats
from tests.factories import InsatsFactory, InvoiceFactory, MedlemFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_insatser(forbund):
    owner = MedlemFactory(forbund=forbund, kind="kommun", name="Lunds kommun")
    for number in range(120):
        InsatsFactory(
            forbund=forbund,
            owner=owner,
            name=f"Insats {number:03d}",
            start=datetime.date(2017 + number // 20, 1, 1),
            end=datetime.date(2017 + number // 20, 12, 31),
        )
    return forbund


def rows(response) -> list[str]:
    return [insats.name for insats in response.context["insatser"]]


def test_the_list_shows_fifty_at_a_time_and_says_how_many_there_are(client, many_insatser):
    client.force_login(user_with_role(many_insatser, Role.Kind.SAMORDNARE))
    url = reverse("insatser:list", kwargs={"forbund": many_insatser.slug})

    first = client.get(url)
    last = client.get(url, {"sida": 3})

    assert len(rows(first)) == 50
    assert len(rows(last)) == 20
    assert set(rows(first)).isdisjoint(rows(last))
    assert "Sida 1 av 3" in first.content.decode()
    assert "101–120 av 120" in last.content.decode()


def test_a_page_number_that_is_not_a_page_shows_a_page_not_an_error(client, many_insatser):
    client.force_login(user_with_role(many_insatser, Role.Kind.SAMORDNARE))
    url = reverse("insatser:list", kwargs={"forbund": many_insatser.slug})

    assert rows(client.get(url, {"sida": "abc"})) == rows(client.get(url))
    assert len(rows(client.get(url, {"sida": 999}))) == 20


def test_the_filter_is_kept_in_the_page_links_and_the_export_holds_every_match(client, many_insatser):
    client.force_login(user_with_role(many_insatser, Role.Kind.SAMORDNARE))
    url = reverse("insatser:list", kwargs={"forbund": many_insatser.slug})

    page = client.get(url, {"q": "Insats"}).content.decode()
    export = client.get(url, {"q": "Insats", "format": "xlsx"})

    assert "q=Insats&amp;sida=2" in page
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert sum(name.startswith("Insats ") for name in names) == 120


def test_the_invoice_list_pages_its_rows_but_sums_every_invoice_that_matches(client, many_insatser):
    insats = Insats.objects.filter(forbund=many_insatser).first()
    for number in range(60):
        InvoiceFactory(insats=insats, number=f"F-{number}", amount=Decimal(1000))
    client.force_login(user_with_role(many_insatser, Role.Kind.EKONOM))
    url = reverse("ekonomi:invoice_list", kwargs={"forbund": many_insatser.slug})

    first = client.get(url)
    second = client.get(url, {"sida": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 10
    assert first.context["total"] == Decimal(60_000)
    assert "alla 60 fakturor" in first.content.decode()
