"""The ekonom reads the forecast for an insats that ended in July, locks the year's ledger, and makes
next year's budget proposal from this year's: it opens with the eget kapital from the ledger (with
its source) and shows Disponibla medel."""

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from finsam import money
from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_LEDGER = (
    Path(__file__).resolve().parents[2] / "finsam" / "demo" / "trelleborg-huvudbok-2021-jan-aug.xlsx"
)


def ledger_result() -> Decimal:
    """The year's result straight from the accounting firm's file: credit less debit on every row."""
    sheet = openpyxl.load_workbook(DEMO_LEDGER, read_only=True).active
    total = Decimal(0)
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[0] is not None and str(row[0]).isdigit():
            total += Decimal(row[6] or 0) - Decimal(row[5] or 0)
    return total


def tkr(amount: Decimal) -> str:
    return f"{money.tkr(amount):,.0f}".replace(",", "\u00a0").replace("-", "−") + "\u00a0tkr"


def test_locked_ledger_opens_next_years_budget_with_disponibla_medel(
    live_server, page, axe, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    base = f"{live_server.url}/f/trelleborg/ekonomi"
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("ekonom")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    # The forecast: Unga Vuxna ended 2021-07-31 and its final invoice is in; nothing after July.
    page.goto(f"{base}/utfall/2021/")
    unga_vuxna = page.get_by_role("table").get_by_role("row", name=re.compile("^Unga Vuxna"))
    expect(unga_vuxna).to_contain_text("Insatsen slutade 2021-07-31; inget efter juli.")
    expect(unga_vuxna).to_contain_text("av beviljat belopp frigörs")
    axe.assert_no_serious_violations(page)

    # The year's books are closed: the ekonom locks the ledger.
    page.goto(f"{base}/huvudbok/?ar=2021")
    page.get_by_role("button", name="Lås huvudboken för 2021").click()
    expect(page.get_by_text("Huvudboken för 2021 är låst.")).to_be_visible()
    axe.assert_no_serious_violations(page)

    # Next year's proposal from this year's budget.
    page.goto(f"{base}/budget/2021/")
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Nytt budgetförslag från 2021").click()
    expect(page.get_by_text("Budgetförslaget för 2022 är skapat från budget 2021.")).to_be_visible()
    axe.assert_no_serious_violations(page)

    page.goto(f"{base}/budget/2022/")
    today = timezone.localdate()
    expect(page.get_by_test_id("equity-source")).to_have_text(
        f"Ingående eget kapital: Från bokslutet 2021, låst {today:%Y-%m-%d}."
    )
    # Eget kapital at the start of 2021 per the decided budget: 2 665 − 772 = 1 893 tkr; plus the
    # ledger's result; plus the flerårsplan's 2 200 tkr of contributions for 2022.
    opening = Decimal(1_893_000) + ledger_result()
    expect(page.get_by_role("heading", name="Disponibla medel 2022")).to_be_visible()
    expect(page.get_by_test_id("available")).to_have_text(tkr(opening + Decimal(2_200_000)))
    expect(page.get_by_text("Nytt budgetförslag från 2022")).to_be_visible()
    axe.assert_no_serious_violations(page)
