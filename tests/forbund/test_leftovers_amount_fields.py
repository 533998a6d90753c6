"""Amounts in the forecast override, other income, invoices, rekvisitioner and a joining member's first
year are typed and shown as Swedes write them (1 893 000), like every other amount in finsam."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ekonomi.forms.outcome import InvoiceForm, RekvisitionForm
from ekonomi.models import BudgetOtherIncome, ForecastOverride
from forbund.models import Medlem, Role
from insatser.models import Insats
from tests.ekonomi import test_carry_over_views as carry_over
from tests.factories import InsatsFactory, user_with_role
from tests.forbund import test_membership as membership

pytestmark = pytest.mark.django_db

D = Decimal
Kind = Role.Kind

# The carry-over pages' förbund (a budget proposal for 2026, a cost category) and the membership
# pages' förbund (a samordnare, the join page).
world = carry_over.world
membership_world = membership.world


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, f"no input {name}"
    assert 'type="text"' in found.group(0)  # a number input would refuse the spaces
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_the_forecast_override_reads_and_shows_grouped_kronor(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    page = carry_over.url(
        world, "forecast_override", year=2026, line="kostnad", pk=world.world["category"].pk
    )

    response = client.post(page, {"amount": "1 250 000 kr", "comment": "Vakans under hösten"})

    assert response.status_code == 302
    assert ForecastOverride.objects.get(forbund=world).amount == D(1_250_000)
    assert input_value(client.get(page).content.decode(), "amount") == "1 250 000"

    refused = client.post(page, {"amount": "1 250 000,50", "comment": "Med ören"}).content.decode()
    assert "Ange hela kronor, utan ören." in refused


def test_other_income_reads_grouped_kronor_and_refuses_a_negative_amount(world, client):
    client.force_login(user_with_role(world, Kind.EKONOM))
    add = carry_over.url(world, "other_income_create", pk=world.world["proposal"].pk)

    client.post(add, {"kind": "esf", "description": "ESF Vägen vidare", "amount": "150 000"})
    assert BudgetOtherIncome.objects.get().amount == D(150_000)

    refused = client.post(add, {"kind": "esf", "description": "ESF", "amount": "-5 000"}).content.decode()
    assert "Beloppet får inte vara negativt." in refused
    assert input_value(refused, "amount") == "-5 000"  # what was typed stays


def test_a_joining_members_first_year_amount_is_grouped(membership_world, login):
    client = login(membership_world["samordnare"])
    pages = membership.pages(membership_world)
    assert input_value(client.get(pages["join"]).content.decode(), "first_year_amount") == ""

    response = client.post(
        pages["join"], {**membership.valid_posts(membership_world)["join"], "first_year_amount": "120 000"}
    )

    assert response.status_code == 302
    joiner = Medlem.objects.get(forbund=membership_world["forbund"], name="Nyby kommun")
    assert joiner.membership_events.get().first_year_amount == D(120_000)


def test_an_invoice_takes_a_grouped_credit_amount_and_a_rekvisition_only_a_positive_one(forbund):
    insats = InsatsFactory(forbund=forbund, status=Insats.Status.BEVILJAD)
    data = {
        "insats": insats.pk,
        "number": "F-1",
        "period_start": "2021-01-01",
        "period_end": "2021-03-31",
        "received_on": "2021-04-02",
        "is_credit_note": "on",
        "amount": "-12 500",
    }
    invoice = InvoiceForm(data, forbund=forbund)
    invoice.is_valid()
    assert "amount" not in invoice.errors
    assert invoice.cleaned_data["amount"] == D(-12_500)
    assert InvoiceForm(initial={"amount": D(1_893_000)}, forbund=forbund)["amount"].value() is not None
    assert 'value="1 893 000"' in str(
        InvoiceForm(initial={"amount": D(1_893_000)}, forbund=forbund)["amount"]
    )

    rekvisition = RekvisitionForm(
        {**data, "amount": "-12 500"}, forbund=forbund, insatser=Insats.objects.all()
    )
    assert rekvisition.errors["amount"] == ["Beloppet får inte vara negativt."]
    rekvisition = RekvisitionForm(
        {**data, "amount": "82 500 kr"}, forbund=forbund, insatser=Insats.objects.all()
    )
    rekvisition.is_valid()
    assert rekvisition.cleaned_data["amount"] == D(82_500)
