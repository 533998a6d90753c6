"""The ekonom uploads the ledger, watches the worker read it, checks the preview, saves, and compares
budget and outcome."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

DEMO_LEDGER = (
    Path(__file__).resolve().parents[2] / "finsam" / "demo" / "trelleborg-huvudbok-2021-jan-aug.xlsx"
)


def test_ekonom_imports_ledger_and_reads_budget_versus_outcome(
    live_server, page, axe, celery_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("ekonom")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Ekonomi").click()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Läs in huvudbok").click()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Huvudbok (Excel)").set_input_files(str(DEMO_LEDGER))
    page.get_by_role("button", name="Granska filen").click()
    expect(page).to_have_url(re.compile(r"/huvudbok/las-in/\d+/$"))
    expect(page.get_by_role("heading", name=f"Läs in huvudboken {DEMO_LEDGER.name}")).to_be_visible()
    axe.assert_no_serious_violations(page)
    # The worker reads the file; the page follows without being reloaded.
    expect(page.get_by_role("heading", name="Granska huvudboken innan den läses in")).to_be_visible(
        timeout=60_000
    )
    # The demo has loaded the same file already: reading it again replaces those months.
    expect(page.get_by_text("Filen ersätter tidigare inläsningar för samma månader")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Bekräfta och läs in").click()
    expect(page.get_by_text(re.compile("inläst", re.IGNORECASE)).first).to_be_visible()
    axe.assert_no_serious_violations(page)

    page.goto(f"{live_server.url}/f/trelleborg/ekonomi/")
    page.get_by_role("link", name="budget mot utfall 2021").click()
    page.get_by_label("Period").select_option(label="Tertial 2 (jan–aug)")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget mot utfall 2021")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("^Summa interna kostnader"))).to_contain_text(
        "603 000 kr"
    )
    expect(table.get_by_role("row", name=re.compile("^Yrkeskedjor"))).to_contain_text("1 530 000 kr")
    expect(page.get_by_role("img", name=re.compile("Ackumulerade kostnader 2021"))).to_be_visible()
    axe.assert_no_serious_violations(page)
