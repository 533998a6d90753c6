"""Two things that used to lose time. The samordnare types in the verksamhetsplan and presses
"Skapa PDF": the text is saved first and the PDF made from it; text typed and not saved makes the
browser ask before leaving. The projektägare adds budget rows in the page, without saving between
them, types amounts as Swedes write them, and saves once. Every page checked with axe."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, Medlem
from insatser.models import BudgetAmount, BudgetLine, Insats
from tests.factories import InsatsFactory
from uppfoljning.models import Verksamhetsplan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def test_pdf_saves_what_was_typed_and_budget_rows_are_added_without_saving(live_server, page, axe):
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")

    # The verksamhetsplan: typed, not saved, then "Skapa PDF".
    log_in(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/f/trelleborg/dokument/verksamhetsplan/2021/")
    axe.assert_no_serious_violations(page)
    intro = page.get_by_label("1. Inledning")
    intro.fill("Under 2021 samlar förbundet parterna kring unga vuxna. Skrivet strax före PDF:en.")

    # Leaving with unsaved text: the browser asks first; staying keeps the text.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="Dokument", exact=True).first.click()
    expect(intro).to_have_value(re.compile("Skrivet strax före PDF:en."))
    assert dialogs == ["beforeunload"]
    page.remove_listener("dialog", stay)

    page.get_by_role("button", name="Skapa PDF").click()
    expect(page).to_have_url(re.compile(r"/dokument/jobb/\d+/$"))
    expect(page.get_by_text("Texterna till verksamhetsplan 2021 är sparade.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    plan = Verksamhetsplan.objects.get(forbund=trelleborg, year=2021)
    assert plan.inledning.endswith("Skrivet strax före PDF:en.")
    page.goto(f"{live_server.url}/f/trelleborg/dokument/verksamhetsplan/2021/")
    expect(page.get_by_label("1. Inledning")).to_have_value(re.compile("Skrivet strax före PDF:en.$"))

    # The insats budget: one empty row, two more added in the page, one save.
    kommun = Medlem.objects.get(forbund=trelleborg, name="Trelleborgs kommun")
    insats = InsatsFactory(
        forbund=trelleborg,
        owner=kommun,
        name="Jobbspåret",
        status=Insats.Status.UTKAST,
        start=datetime.date(2022, 1, 1),
        end=datetime.date(2023, 12, 31),
    )
    page.context.clear_cookies()
    log_in(page, live_server, "projektagare")
    page.goto(f"{live_server.url}/f/trelleborg/insatser/{insats.pk}/budget/")
    rows = page.get_by_role("table", name="Budgetrader").locator("tbody tr")
    expect(rows).to_have_count(1)
    axe.assert_no_serious_violations(page)

    lines = [
        ("Processledare", "1 893 000", "950000"),
        ("Lokaler", "60 000", ""),
        ("Extern utvärdering", "", "120 000"),
    ]
    for number, (description, first, second) in enumerate(lines, start=1):
        if number > 1:
            page.get_by_role("button", name="Lägg till rad").click()
            expect(rows).to_have_count(number)
            expect(page.get_by_label(f"Avsnitt, rad {number}")).to_be_focused()
        page.get_by_label(f"Kostnad, rad {number}").fill(description)
        page.get_by_label(f"Belopp 2022 (kr), rad {number}").fill(first)
        page.get_by_label(f"Belopp 2023 (kr), rad {number}").fill(second)
    assert not BudgetLine.objects.filter(insats=insats).exists()  # nothing saved while adding rows
    axe.assert_no_serious_violations(page)

    page.get_by_role("button", name="Spara budgeten").click()
    expect(page.get_by_text("Budgeten är sparad.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    amounts = {
        (amount.line.description, amount.year): amount.amount
        for amount in BudgetAmount.objects.filter(line__insats=insats).select_related("line")
    }
    assert amounts == {
        ("Processledare", 2022): Decimal(1_893_000),
        ("Processledare", 2023): Decimal(950_000),
        ("Lokaler", 2022): Decimal(60_000),
        ("Extern utvärdering", 2023): Decimal(120_000),
    }

    # Opened again: the amounts grouped in threes, and one empty row for the next line.
    page.goto(f"{live_server.url}/f/trelleborg/insatser/{insats.pk}/budget/")
    expect(rows).to_have_count(4)
    expect(page.get_by_label("Belopp 2022 (kr), rad 1")).to_have_value("1 893 000")
    expect(page.get_by_label("Belopp 2023 (kr), rad 1")).to_have_value("950 000")
