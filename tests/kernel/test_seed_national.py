"""`seed_national` makes benchmark data shaped like a real förbund's years, and every main page of a
seeded förbund opens for each role that may read it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ekonomi.models import Invoice, LedgerEntry
from forbund.models import Forbund, Styrelseuppdrag, User
from insatser.models import Insats
from uppfoljning.models import Tertialrapport

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_one_forbund_over_two_years_has_insatser_reports_meetings_invoices_and_a_ledger(client):
    call_command("seed_national", forbund=1, years=2, last_year=2026, stdout=io.StringIO())

    forbund = Forbund.objects.get(slug="riks-1")
    assert Insats.objects.filter(forbund=forbund).count() == 300
    assert Tertialrapport.objects.filter(insats__forbund=forbund).exists()
    assert Invoice.objects.filter(forbund=forbund, period_end__year__gte=2025).exists()
    # Twelve months per account and year: 2 years × 12 months × 37 accounts.
    assert LedgerEntry.objects.filter(ledger_import__forbund=forbund).count() == 2 * 12 * 37
    assert Styrelseuppdrag.objects.filter(forbund=forbund, role="ersattare").exists()

    client.force_login(User.objects.get(username="riks-1-samordnare"))
    for name in ("forbund:dashboard", "insatser:list", "forbund:moten", "ekonomi:invoice_list"):
        assert client.get(reverse(name, kwargs={"forbund": forbund.slug})).status_code == 200


def test_a_second_run_reuses_the_data_instead_of_doubling_it():
    quiet = io.StringIO()
    call_command("seed_national", forbund=1, years=1, last_year=2026, stdout=quiet)
    call_command("seed_national", forbund=1, years=1, last_year=2026, stdout=quiet)

    assert Forbund.objects.filter(slug__startswith="riks-").count() == 1
