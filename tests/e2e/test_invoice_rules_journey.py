"""Invoices tied to grants, in the browser: the projektägare sends a rekvisition for their own insats
and the ekonom sees it waiting for attest; an invoice over the year's grant is refused until a reason
is written; the ekonom who registered it cannot attest it and the page says why. Then the balance
sheet of the årsredovisning from a ledger with balance accounts, overridden with a comment, and the
board's page of what each member gets for its money."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from ekonomi.services.outcome import ledger_import
from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, User
from tests.ekonomi.test_ledger_import import HEADER, xlsx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def test_rekvisition_over_grant_reason_and_separate_attest(live_server, page, axe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    attachment = tmp_path / "rekvisition-sep-okt.pdf"
    attachment.write_bytes(b"%PDF-1.4\n% rekvisition september-oktober\n")

    # The projektägare (Trelleborgs kommun) requests payment for Yrkeskedjor.
    log_in(page, live_server, "projektagare")
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Rekvisition").click()
    expect(page.get_by_role("heading", name="Rekvisition av beviljade medel")).to_be_visible()
    page.get_by_label("År", exact=True).select_option("2021")  # the page shows one year at a time
    page.get_by_role("button", name="Visa", exact=True).click()
    grants = page.get_by_role("table", name="Beviljat, fakturerat och kvar per insats 2021")
    expect(grants.get_by_role("row", name=re.compile(r"^Yrkeskedjor "))).to_contain_text("2 295 000 kr")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Insats", exact=False).and_(page.get_by_role("combobox")).select_option(
        label="Yrkeskedjor"
    )
    page.get_by_label("Er fakturans eller rekvisitionens nummer").fill("TK-2021-1020")
    page.get_by_label("Avser från").fill("2021-09-01")
    page.get_by_label("Avser till").fill("2021-10-31")
    page.get_by_label("Belopp (kr)").fill("382500")
    page.get_by_label("Faktura eller underlag").set_input_files(str(attachment))
    page.get_by_role("button", name="Skicka rekvisitionen").click()
    expect(page.get_by_text("Rekvisitionen är skickad")).to_be_visible()
    sent = page.get_by_role("table", name="Fakturor och rekvisitioner för din organisations insatser")
    expect(sent.get_by_role("row", name=re.compile("TK-2021-1020"))).to_contain_text("Mottagen")
    axe.assert_no_serious_violations(page)

    # The ekonom sees it among the invoices, waiting for attest, and may attest it.
    log_in(page, live_server, "ekonom")
    page.goto(f"{live_server.url}/f/trelleborg/ekonomi/fakturor/")
    row = page.get_by_role("row", name=re.compile("Yrkeskedjor Rekvisition"))
    expect(row).to_contain_text("TK-2021-1020")
    expect(row.get_by_role("button", name=re.compile("^Attestera"))).to_be_visible()
    axe.assert_no_serious_violations(page)

    # An invoice that takes the year past the grant is refused until a reason is given.
    page.get_by_role("link", name="Ny faktura").click()
    page.get_by_label("Insats", exact=False).and_(page.get_by_role("combobox")).select_option(
        label="Yrkeskedjor"
    )
    page.get_by_label("Leverantörens fakturanummer").fill("TK-2021-1201")
    page.get_by_label("Avser från").fill("2021-11-01")
    page.get_by_label("Avser till").fill("2021-12-31")
    page.get_by_label("Belopp (kr)").fill("500000")
    page.get_by_role("button", name="Spara").click()
    expect(
        page.get_by_text(re.compile(r"Fakturerat för 2021 blir 2\s412\s500\skr, 117\s500\skr över"))
    ).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Skäl att gå över beviljat belopp").fill(
        "Styrelsen beslutade 2021-11-10 § 41 att täcka vikariekostnaden."
    )
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Fakturan är sparad")).to_be_visible()

    # The ekonom registered it, so the ekonom cannot attest it; the page says why.
    row = page.get_by_role("row", name=re.compile("Över beviljat"))
    expect(row).to_contain_text("täcka vikariekostnaden")
    expect(row.get_by_role("button", name=re.compile("^Attestera"))).to_have_count(0)
    expect(row).to_contain_text("Attestera: Den som registrerade fakturan attesterar den inte")
    axe.assert_no_serious_violations(page)

    # The samordnare may: another person in the kansli.
    log_in(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/f/trelleborg/ekonomi/fakturor/")
    row = page.get_by_role("row", name=re.compile("Över beviljat"))
    row.get_by_role("button", name=re.compile("^Attestera")).click()
    expect(page.get_by_text(re.compile("är nu attesterad"))).to_be_visible()


def test_balance_sheet_from_the_ledger_and_what_each_member_gets(live_server, page, axe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    trelleborg = Forbund.objects.get(slug="trelleborg")
    day = datetime.date
    rows = [
        HEADER,
        ["1930", day(2022, 1, 1), "IB", "Ingående balans", 2_000_000],
        ["2010", day(2022, 1, 1), "IB", "Ingående balans", -2_000_000],
        ["3010", day(2022, 1, 25), "1", "Bidrag", -500_000],
        ["1930", day(2022, 1, 25), "1", "Bidrag", 500_000],
        ["4010", day(2022, 3, 31), "2", "Samordnare", 600_000],
        ["1930", day(2022, 3, 31), "2", "Samordnare", -600_000],
    ]
    ledger_import(
        forbund=trelleborg,
        by=User.objects.get(username="ekonom"),
        file=io.BytesIO(xlsx(rows)),
        filename="huvudbok-2022.xlsx",
    )

    log_in(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/f/trelleborg/dokument/arsredovisning/2022/")
    expect(page.get_by_text("Balansposterna hämtas ur huvudbokens balanskonton")).to_be_visible()
    figures = page.get_by_role("table", name="Balansposter som de används i årsredovisningen")
    expect(figures.get_by_role("row", name=re.compile("^Kassa och bank vid årets slut"))).to_contain_text(
        "1 900 000 kr"
    )
    axe.assert_no_serious_violations(page)
    page.get_by_label("Kassa och bank vid årets slut (kr)").fill("1899000")
    page.get_by_role("button", name="Spara årsredovisningen").click()
    expect(page.get_by_text(re.compile("Huvudboken har redan kassa och bank vid årets slut"))).to_be_visible()
    page.get_by_label("Kommentar till handinmatade balansposter").fill("Bankavgift bokförd i januari 2023.")
    page.get_by_role("button", name="Spara årsredovisningen").click()
    expect(page.get_by_text("Årsredovisningen 2022 är sparad")).to_be_visible()
    page.goto(f"{live_server.url}/f/trelleborg/dokument/arsredovisning/2022/forhandsgranskning/")
    expect(page.get_by_text(re.compile("Inskrivet för hand: kassa och bank vid årets slut"))).to_be_visible()

    # The board reads what each member gets for its money.
    log_in(page, live_server, "ledamot")
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Ekonomi").click()
    page.get_by_role("link", name="Vad medlemmarna får för sina bidrag").click()
    page.get_by_label("År", exact=True).select_option("2021")
    page.get_by_role("button", name="Visa").click()
    region = page.get_by_role("region", name="Trelleborgs kommun")
    expect(region.get_by_role("row", name=re.compile("^Yrkeskedjor"))).to_contain_text("2 295 000 kr")
    axe.assert_no_serious_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Hämta som Excel").click()
    assert download.value.suggested_filename == "medlemmarna-2021.xlsx"
