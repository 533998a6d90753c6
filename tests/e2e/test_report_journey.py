"""A projektägare fills in a tertial report with numbers that disagree, fixes them and submits; the
samordnare returns it, the projektägare completes it, and the samordnare approves it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, User
from uppfoljning.models import ReportPeriod, Tertialrapport
from uppfoljning.services.reports import report_period_save

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def test_tertial_report_from_mismatch_to_approval(live_server, page, axe):
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    period = ReportPeriod(year=2022, kind="T1", due_date=datetime.date(2022, 5, 15))
    report_period_save(forbund=trelleborg, by=User.objects.get(username="samordnare"), period=period)
    report = Tertialrapport.objects.get(period=period, insats__name="Yrkeskedjor")
    report_url = f"{live_server.url}/f/trelleborg/rapport/{report.pk}/"

    log_in(page, live_server, "projektagare")
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Mina rapporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina rapporter 2022")
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name=re.compile("Inte påbörjad – Yrkeskedjor")).click()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Fyll i rapporten").click()
    page.get_by_label("Hur samverkan fungerar och har utvecklats").fill(
        "Veckovisa planeringsmöten med alla parter."
    )
    page.get_by_label("Nya deltagare").fill("10")
    page.get_by_label("Fortsätter från tidigare period").fill("5")
    page.get_by_label("Avslutade").fill("2")
    page.get_by_label("Kvinnor").fill("8")
    page.get_by_label("Män").fill("6")  # 14, not 15: the mismatch
    page.get_by_label("25–29 år").fill("15")
    page.get_by_label("Försörjningsstöd").fill("15")
    page.get_by_label("Arbete", exact=True).fill("2")
    page.get_by_role("button", name="Spara och skicka in").click()
    expect(
        page.get_by_text("Kön: summan (14) ska vara lika med antalet deltagare (15).").first
    ).to_be_visible()
    expect(page.get_by_label("Nya deltagare")).to_have_value("10")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Män").fill("7")
    page.get_by_role("button", name="Spara och skicka in").click()
    expect(page.get_by_text("Rapporten är inskickad.")).to_be_visible()
    # Submitted, the report is locked for its owner: no edit button, and the page says why.
    expect(page.get_by_role("link", name="Fyll i rapporten")).to_have_count(0)
    expect(page.get_by_text("Rapporten är inskickad och kan inte ändras.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "samordnare")
    page.goto(report_url)
    axe.assert_no_serious_violations(page)
    page.get_by_label("Vad ska kompletteras?").fill("Beskriv avvikelserna mot planen.")
    page.get_by_role("button", name="Returnera för komplettering").click()
    expect(page.get_by_text("Rapporten är nu returnerad för komplettering.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "projektagare")
    page.goto(report_url)
    page.get_by_role("link", name="Fyll i rapporten").click()
    expect(page.get_by_text("Beskriv avvikelserna mot planen.")).to_be_visible()
    expect(page.get_by_label("Kvinnor")).to_have_value("8")  # nothing entered was lost
    page.get_by_label("Avvikelser och risker").fill("Två praktikplatser föll bort i mars.")
    page.get_by_role("button", name="Spara och skicka in").click()
    expect(page.get_by_text("Rapporten är inskickad.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, "samordnare")
    page.goto(report_url)
    page.get_by_role("button", name="Godkänn rapporten").click()
    expect(page.get_by_text("Rapporten är nu godkänd.")).to_be_visible()
    expect(page.get_by_role("region", name="Historik")).to_contain_text("Beskriv avvikelserna mot planen.")
    axe.assert_no_serious_violations(page)
