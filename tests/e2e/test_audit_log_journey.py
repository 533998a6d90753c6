"""The samordnare changes a person's telephone number and finds the change in the förbund's Logg, with
the value before and after, filters the log and exports it; the revisor reads the same log. Every
page checked with axe."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PHONE = "0410-73 30 00"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def open_log(page, axe):
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Logg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg")
    axe.assert_no_serious_violations(page)


def test_samordnare_finds_a_change_in_the_log_and_the_revisor_reads_it(live_server, page, axe):
    load_demo()
    log_in(page, live_server, "samordnare")
    nav = page.get_by_role("navigation", name="Förbundets sidor")

    nav.get_by_role("link", name="Personer").click()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Ändra Johan Bergström").click()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Telefon").fill(NEW_PHONE)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Person sparad: Johan Bergström.")).to_be_visible()
    axe.assert_no_serious_violations(page)

    open_log(page, axe)
    change = page.get_by_role("row", name=re.compile("Ändrade person: Johan Bergström"))
    expect(change).to_contain_text("Karin Lindqvist")
    expect(change).to_contain_text(f"Telefon: (tomt) → {NEW_PHONE}")
    expect(change).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"))
    expect(page.get_by_role("row", name=re.compile("Karin Lindqvist loggade in"))).to_have_count(1)

    page.get_by_label("Typ av post").select_option(label="Person")
    page.get_by_label("Slag").select_option(label="Ändrad")
    page.get_by_role("button", name="Filtrera").click()
    expect(page).to_have_url(re.compile(r"kind=andrad"))
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)  # header and the one change
    expect(table).to_contain_text(f"Telefon: (tomt) → {NEW_PHONE}")
    axe.assert_no_serious_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Exportera till Excel")).click()
    download = download_info.value
    assert re.fullmatch(r"logg-trelleborg-\d{4}-\d\d-\d\d\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as file:  # the download's path has no .xlsx ending
        sheet = load_workbook(file).active
    exported = list(sheet.iter_rows(values_only=True))
    assert exported[0][:3] == ("Tidpunkt", "Person", "Slag")
    assert len(exported) == 2
    assert exported[1][1:5] == ("Karin Lindqvist", "Ändrad", "Person", "Johan Bergström")
    assert f"Telefon: (tomt) → {NEW_PHONE}" in exported[1][6]

    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))

    log_in(page, live_server, "revisor")
    open_log(page, axe)
    change = page.get_by_role("row", name=re.compile("Ändrade person: Johan Bergström"))
    expect(change).to_contain_text(f"Telefon: (tomt) → {NEW_PHONE}")
    expect(page.get_by_role("row", name=re.compile("Karin Lindqvist loggade ut"))).to_have_count(1)
    page.get_by_label("Person", exact=True).select_option(label="Karin Lindqvist")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_role("table")).not_to_contain_text("Anders Wikström loggade in")
    expect(page.get_by_role("row", name=re.compile("Ändrade person: Johan Bergström"))).to_have_count(1)
    axe.assert_no_serious_violations(page)


def test_the_ekonom_has_no_log(live_server, page, axe):
    load_demo()
    log_in(page, live_server, "ekonom")
    nav = page.get_by_role("navigation", name="Förbundets sidor")
    expect(nav.get_by_role("link", name="Logg")).to_have_count(0)
    response = page.goto(f"{live_server.url}/f/trelleborg/logg/")
    assert response.status == 403
    expect(page.get_by_text("Loggen är till för samordnaren och revisorn.")).to_be_visible()
    axe.assert_no_serious_violations(page)
