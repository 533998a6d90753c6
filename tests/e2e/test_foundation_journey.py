import re

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_samordnare_logs_in_and_reads_dashboard_and_board(live_server, page, axe):
    load_demo()

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    axe.assert_no_serious_violations(page)

    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samordningsförbundet Trelleborg")
    insatser = page.get_by_role("region", name="Insatser 2021")
    expect(insatser.get_by_role("link", name="Yrkeskedjor")).to_be_visible()
    expect(insatser.get_by_role("link", name="Unga Vuxna")).to_be_visible()
    meetings = page.get_by_role("region", name="Styrelsemöten 2021")
    expect(meetings.get_by_role("row")).to_have_count(7)  # header + six meetings
    expect(meetings).to_contain_text("2021-03-17")
    funding = page.get_by_role("region", name="Medlemmar och finansiering")
    expect(funding).to_contain_text("2 000 tkr")
    axe.assert_no_serious_violations(page)

    page.get_by_role("navigation", name="Förbundets sidor").get_by_role(
        "link", name="Styrelse", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/styrelse/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Styrelse 2021")
    board = page.get_by_role("table").first
    expect(board.get_by_role("row", name=re.compile("Trelleborgs kommun"))).to_contain_text("ordförande")
    axe.assert_no_serious_violations(page)


def test_samordnare_plans_a_meeting_and_sees_a_swedish_error_first(live_server, page, axe):
    load_demo()
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.goto(f"{live_server.url}/f/trelleborg/moten/nytt/")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Datum").fill("2022-02-09")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Ange en plats eller en videolänk.")).to_be_visible()
    axe.assert_no_serious_violations(page)

    page.get_by_label("Plats").fill("Svedala")
    page.get_by_label("Innehåll och särskilda beslutspunkter").fill("Genomgång av styrdokument")
    page.get_by_role("button", name="Spara").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/moten/\?ar=2022"))
    expect(page.get_by_role("row", name=re.compile("2022-02-09"))).to_contain_text("Svedala")
