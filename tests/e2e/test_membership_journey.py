"""The samordnare registers that the förbund's only kommun leaves: sees what follows, confirms, the
kommun's board seats end and the next year's budget says plainly that no kommun is left. The ekonom
runs the funding calculator for a förbund with two regions."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ekonomi.models import Budget
from forbund.models import Role
from tests.factories import (
    BudgetFactory,
    BudgetIncomeFactory,
    ForbundFactory,
    MedlemFactory,
    PersonFactory,
    StyrelseuppdragFactory,
    UserFactory,
    WorkingAgePopulationFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Langt-och-hemligt-1"  # noqa: S105 - a test user's


def log_in(page, live_server, user) -> None:
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_the_only_kommun_leaves_its_seats_end_and_next_years_budget_says_no_kommun_is_left(
    live_server, page, axe
):
    forbund = ForbundFactory(name="Samordningsförbundet Enby", slug="enby")
    parties = finsam_parties(forbund, kommuner=1)
    kommun = parties["kommun1"]
    for medlem, name in [(parties["fk"], "Fanny Staten"), (parties["region"], "Rolf Regionsson")]:
        StyrelseuppdragFactory(
            forbund=forbund,
            medlem=medlem,
            person=PersonFactory(forbund=forbund, name=name),
            start=datetime.date(2025, 1, 1),
            end=None,
        )
    StyrelseuppdragFactory(
        forbund=forbund,
        medlem=kommun,
        person=PersonFactory(forbund=forbund, name="Karin Kommunal"),
        start=datetime.date(2025, 1, 1),
        end=None,
    )
    StyrelseuppdragFactory(
        forbund=forbund,
        medlem=kommun,
        person=PersonFactory(forbund=forbund, name="Lars Senare"),
        start=datetime.date(2027, 1, 1),
        end=None,
    )
    budget = BudgetFactory(forbund=forbund, year=2027, status=Budget.Status.FORSLAG)
    BudgetIncomeFactory(budget=budget, medlem=parties["fk"], amount=Decimal(1_000_000))
    log_in(
        page, live_server, user_with_role(forbund, Role.Kind.SAMORDNARE, user=UserFactory(username="enby"))
    )

    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Medlemmar").click()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Utträde för Kommun 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommun 1 utträder ur förbundet")
    axe.assert_no_serious_violations(page)
    # A Swedish error first, and nothing lost.
    page.get_by_label("Utträdesdag").fill("2026-06-30")
    page.get_by_role("button", name="Visa vad utträdet leder till").click()
    expect(page.get_by_text("Ange vilket organ som fattade beslutet.")).to_be_visible()
    expect(page.get_by_label("Utträdesdag")).to_have_value("2026-06-30")
    axe.assert_no_serious_violations(page)

    page.get_by_label("Beslutande organ").fill("Kommunfullmäktige i Kommun 1")
    page.get_by_label("Beslutsdatum").fill("2026-03-02")
    page.get_by_label("Paragraf eller diarienummer").fill("KF § 41")
    page.get_by_role("button", name="Visa vad utträdet leder till").click()
    plan = page.get_by_role("region", name="Det här händer när Kommun 1 utträder 2026-06-30")
    expect(plan).to_contain_text("Karin Kommunal, ledamot (från 2025-01-01, tills vidare)")
    expect(plan).to_contain_text("Lars Senare, ledamot från 2027-01-01")
    expect(plan).to_contain_text("Förbundet saknar någon kommun som medlem från 2026-07-01")
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Bekräfta utträdet").click()

    expect(page).to_have_url(re.compile(r"/f/enby/medlemmar/$"))
    expect(page.get_by_text("Kommun 1 utträder ur förbundet 2026-06-30.")).to_be_visible()
    events = page.get_by_role("table", name="Medlemmarnas beslut om inträde och utträde")
    expect(events).to_contain_text("Kommunfullmäktige i Kommun 1, 2026-03-02, KF § 41")
    axe.assert_no_serious_violations(page)

    page.goto(f"{live_server.url}/f/enby/styrelse/?ar=2027")
    expect(page.get_by_text("Styrelsen den 2027-01-01: 2 ledamöter i uppdrag")).to_be_visible()
    board = page.get_by_role("table", name=re.compile("Styrelsens ledamöter och ersättare"))
    expect(board).not_to_contain_text("Karin Kommunal")
    expect(board).to_contain_text("Fanny Staten")
    history = page.get_by_role("table", name="Alla styrelseuppdrag, även avslutade")
    expect(history.get_by_role("row", name=re.compile("Karin Kommunal"))).to_contain_text("2026-06-30")
    expect(history).not_to_contain_text("Lars Senare")
    axe.assert_no_serious_violations(page)

    page.goto(f"{live_server.url}/f/enby/ekonomi/budget/2027/")
    expect(
        page.get_by_role("status").filter(has_text="Förbundet saknar någon kommun som medlem 2027")
    ).to_be_visible()
    axe.assert_no_serious_violations(page)


def test_the_calculator_splits_the_regions_quarter_between_two_regions(live_server, page, axe):
    forbund = ForbundFactory(name="Samordningsförbundet Tvålän", slug="tvalan")
    parties = finsam_parties(forbund, kommuner=1)
    norr = MedlemFactory(forbund=forbund, kind="region", name="Region Norr")
    WorkingAgePopulationFactory(forbund=forbund, kommun=parties["region"], year=2027, count=75_000)
    WorkingAgePopulationFactory(forbund=forbund, kommun=norr, year=2027, count=25_000)
    budget = BudgetFactory(forbund=forbund, year=2027, status=Budget.Status.FORSLAG)
    log_in(page, live_server, user_with_role(forbund, Role.Kind.EKONOM, user=UserFactory(username="tvalan")))

    page.goto(f"{live_server.url}/f/tvalan/ekonomi/budget/version/{budget.pk}/andra/")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Utgå från").select_option(label="Medlemmarnas sammanlagda bidrag")
    page.get_by_label("Belopp (kr)").fill("2000000")
    page.get_by_role("button", name="Räkna fram intäkterna").click()

    expect(page.get_by_text("Intäkterna är ifyllda enligt 50/25/25. Kontrollera och spara.")).to_be_visible()
    split = page.get_by_role("table", name="Fördelning 2027 enligt 50/25/25")
    expect(split.get_by_role("row", name=re.compile("^Region Söder"))).to_contain_text("375 000 kr")
    expect(split.get_by_role("row", name=re.compile("^Region Norr"))).to_contain_text("125 000 kr")
    expect(split.get_by_role("row", name=re.compile("^Kommun 1"))).to_contain_text("500 000 kr")
    expect(split.get_by_role("row", name=re.compile("^Försäkringskassan"))).to_contain_text("1 000 000 kr")
    expect(split).to_contain_text("Regionerna, en fjärdedel (500 000 kr, efter invånare i arbetsför ålder")
    page.mouse.move(0, 0)  # off the button just pressed: its hover colours fade while axe measures
    page.wait_for_timeout(300)
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Spara förslaget").click()

    expect(page).to_have_url(re.compile(r"/ekonomi/budget/\d+/$|/ekonomi/budget/2027/"))
    intakter = page.get_by_role("table", name="Intäkter per medlem i tkr")
    expect(intakter.get_by_role("row", name=re.compile("^Region Norr"))).to_contain_text("125")
    expect(page.get_by_text("Intäkterna följer fördelningen 50/25/25.")).to_be_visible()
    axe.assert_no_serious_violations(page)
