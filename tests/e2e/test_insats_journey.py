"""A projektägare applies, the samordnare asks for completion, the projektägare completes and the
samordnare records the board's grant: every page checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from insatser import confirmations
from insatser.models import Confirmation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def confirm_as_representatives(name: str) -> None:
    """Every representative asked about the application as it stands confirms it (as on their page)."""
    for confirmation in Confirmation.objects.filter(insats__name=name, voided_at__isnull=True):
        confirmations.confirmation_answer(
            confirmation=confirmation,
            by=confirmation.representative,
            confirmed=True,
            seen_version=confirmation.version,
        )


def click_and_check(page, axe, role, name, **kwargs):
    page.get_by_role(role, name=name, **kwargs).click()
    page.wait_for_load_state()
    axe.assert_no_serious_violations(page)


def test_application_from_draft_via_completion_to_grant(live_server, page, axe):
    load_demo()

    # The projektägare drafts the application.
    log_in(page, live_server, "projektagare")
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Insatser").click()
    axe.assert_no_serious_violations(page)
    click_and_check(page, axe, "link", "Ny ansökan")
    page.get_by_label("Namn").fill("Jobbspåret")
    page.get_by_label("Målgrupp", exact=True).select_option(label="Personer med försörjningsstöd")
    page.get_by_label("Problembeskrivning").fill("Många med försörjningsstöd saknar en väg till arbete.")
    page.get_by_label("Resultatmål").fill("40 deltagare har en plan\n20 deltagare har praktik")
    page.get_by_label("Arbetsförmedlingen").check()
    page.get_by_label("Startdatum").fill("2022-01-01")
    page.get_by_label("Slutdatum").fill("2023-12-31")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobbspåret")
    expect(page.get_by_text("Utkast", exact=True).first).to_be_visible()
    axe.assert_no_serious_violations(page)

    # One delprocess and a two-year budget.
    click_and_check(page, axe, "link", "Ny delprocess")
    page.get_by_label("Namn").fill("Arbetsträning")
    page.get_by_label("Ägare").select_option(label="Trelleborgs kommun")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", name=re.compile("Arbetsträning"))).to_be_visible()

    click_and_check(page, axe, "link", "Ändra budget")
    page.get_by_label("Avsnitt, rad 1").fill("Övergripande")
    page.get_by_label("Kostnad, rad 1").fill("Projektledare")
    page.get_by_label("Belopp 2022 (kr), rad 1").fill("400000")
    page.get_by_label("Belopp 2023 (kr), rad 1").fill("-5")
    page.get_by_role("button", name="Lägg till rad").click()  # a second row, without saving
    page.get_by_label("Delprocess, rad 2").select_option(label="Arbetsträning")
    page.get_by_label("Kostnad, rad 2").fill("Handledare")
    page.get_by_label("Belopp 2022 (kr), rad 2").fill("250000")
    page.get_by_label("Belopp 2023 (kr), rad 2").fill("260000")
    page.get_by_role("button", name="Spara budgeten").click()
    expect(page.get_by_text("Beloppet får inte vara negativt.")).to_be_visible()
    expect(page.get_by_label("Kostnad, rad 2")).to_have_value("Handledare")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Belopp 2023 (kr), rad 1").fill("420000")
    page.get_by_role("button", name="Spara budgeten").click()
    budget = page.get_by_role("region", name="Budget som söks")
    expect(budget.get_by_role("row", name=re.compile("Summa per år"))).to_contain_text("1 330 000 kr")

    # A representative of each party is asked to confirm, then the application is submitted (the
    # representatives' own pages: test_confirmation_journey.py).
    for party, name, email in [
        ("Trelleborgs kommun", "Ingrid Malm", "ingrid.malm@trelleborg.example.se"),
        ("Arbetsförmedlingen", "Daniel Ros", "daniel.ros@arbetsformedlingen.example.se"),
    ]:
        click_and_check(page, axe, "link", "Be en företrädare bekräfta")
        page.get_by_label("Part").select_option(label=party)
        page.get_by_label("Namn").fill(name)
        page.get_by_label("E-postadress").fill(email)
        page.get_by_label("Befattning").fill("Chef")
        page.get_by_role("button", name="Skicka begäran").click()
        expect(page.get_by_text(f"{name} är ombedd att bekräfta ansökan för {party}")).to_be_visible()
    click_and_check(page, axe, "button", "Skicka in ansökan")
    expect(page.get_by_text("Jobbspåret är nu inskickad.")).to_be_visible()
    insats_url = page.url
    log_out(page)

    # The samordnare takes it up and asks for completion.
    log_in(page, live_server, "samordnare")
    expect(page.get_by_role("region", name="Att göra")).to_contain_text("Jobbspåret")
    axe.assert_no_serious_violations(page)
    page.goto(insats_url)
    click_and_check(page, axe, "button", "Ta upp till beredning")
    page.get_by_label("Vad ska kompletteras?").fill("Beskriv hur deltagarna hittas.")
    click_and_check(page, axe, "button", "Begär komplettering")
    expect(page.get_by_text("Komplettering begärd", exact=True).first).to_be_visible()
    log_out(page)

    # The projektägare completes and resubmits.
    log_in(page, live_server, "projektagare")
    page.goto(insats_url)
    expect(page.get_by_role("region", name="Historik")).to_contain_text("Beskriv hur deltagarna hittas.")
    click_and_check(page, axe, "link", "Ändra ansökan")
    page.get_by_label("Beskrivning av målgruppen").fill("Deltagarna hittas genom försörjningsstödsenheten.")
    page.get_by_role("button", name="Spara").click()
    click_and_check(page, axe, "button", "Skicka in kompletterad ansökan")
    # Submitted, the application is kept as sent: no edit buttons, and the page says why.
    expect(page.get_by_role("link", name="Ändra ansökan")).to_have_count(0)
    expect(page.get_by_role("link", name="Ändra budget")).to_have_count(0)
    expect(page.get_by_text("den är sparad som den skickades in")).to_be_visible()
    log_out(page)

    # The completion voided the parties' first confirmations: the beredning says the board cannot grant
    # it until they have confirmed the new version, which they then do.
    log_in(page, live_server, "samordnare")
    page.goto(insats_url)
    page.get_by_role("button", name="Ta upp till beredning").click()
    expect(
        page.get_by_text("Styrelsen kan inte bevilja ansökan förrän alla parter har bekräftat")
    ).to_be_visible()
    confirm_as_representatives("Jobbspåret")
    page.reload()
    expect(page.get_by_text("Alla parter har bekräftat den nuvarande versionen.")).to_be_visible()

    # The samordnare records the board's grant.
    click_and_check(page, axe, "link", "Registrera beslut")
    page.get_by_label("Beviljad").check()
    expect(page.get_by_label("Styrelsen, på ett möte")).to_be_checked()
    # No item about the application is on an agenda yet: it is put on the November meeting's.
    page.get_by_label("Eller lägg ansökan på dagordningen för").select_option(label="Styrelsemöte 2021-11-17")
    expect(page.get_by_label("Beviljat 2022 (kr)")).to_have_value("650 000")
    page.get_by_label("Beviljat 2023 (kr)").fill("600000")
    page.get_by_role("button", name="Registrera beslut").click()
    expect(page.get_by_text("Beslutet är registrerat: beviljad.")).to_be_visible()
    # The date is the meeting's; the § comes when the minutes are numbered.
    expect(page.get_by_role("region", name="Beslut")).to_contain_text(
        "Styrelsen 2021-11-17 § (numreras i protokollet)"
    )
    expect(page.get_by_role("region", name="Budget som söks")).to_contain_text("600 000 kr")
    axe.assert_no_serious_violations(page)
