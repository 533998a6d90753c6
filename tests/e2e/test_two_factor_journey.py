"""A samordnare, with two-step verification required, signs in, sets up an authenticator app from the
key on the page, keeps the recovery codes, and signs in again with a code; the browser enforces the
Content-Security-Policy throughout and reports no violation."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from forbund.models import Role
from tests.factories import PASSWORD, ForbundFactory, UserFactory, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def phone_code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed in by hand."""
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    totp = TOTP(secret, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("siv")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_samordnare_sets_up_two_factor_and_signs_in_with_a_code(live_server, page, axe, settings):
    settings.FINSAM_REQUIRE_2FA = True
    forbund = ForbundFactory(name="Samordningsförbundet Söderslätt", slug="soderslatt")
    user_with_role(forbund, Role.Kind.SAMORDNARE, user=UserFactory(username="siv"))
    csp_violations = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    sign_in(page, live_server.url)
    expect(page).to_have_url(re.compile(r"/konto/tvastegsverifiering/aktivera/"))
    expect(page.get_by_role("heading", name="Aktivera tvåstegsverifiering")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kod för autentiseringsappen")).to_be_visible()
    axe.assert_no_serious_violations(page)

    # Nothing else opens before it is set up.
    page.goto(f"{live_server.url}/f/soderslatt/")
    expect(page).to_have_url(re.compile(r"/konto/tvastegsverifiering/aktivera/"))

    key = page.locator("#nyckel").get_attribute("data-key")
    assert key == page.locator("#nyckel").inner_text().replace(" ", "")
    page.get_by_label("Kod från appen").fill("000000")
    page.get_by_role("button", name="Bekräfta och aktivera").click()
    expect(page.get_by_text("Koden stämmer inte")).to_be_visible()
    page.wait_for_timeout(1500)  # after a wrong code the next is taken only a second later

    page.get_by_label("Kod från appen").fill(phone_code(key))
    page.get_by_role("button", name="Bekräfta och aktivera").click()
    expect(page.get_by_role("heading", name="Dina återställningskoder")).to_be_visible()
    codes = page.get_by_role("list", name="Återställningskoder").get_by_role("listitem")
    expect(codes).to_have_count(10)
    axe.assert_no_serious_violations(page)

    page.get_by_role("link", name="Jag har sparat koderna").click()
    expect(page).to_have_url(re.compile(r"/f/soderslatt/$"))
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))

    sign_in(page, live_server.url)
    expect(page).to_have_url(re.compile(r"/konto/verifiera/"))
    expect(page.get_by_role("heading", name="Ange kod")).to_be_visible()
    axe.assert_no_serious_violations(page)
    # The code of the next 30 seconds: the one used at set-up is not accepted twice.
    page.get_by_label("Kod").fill(phone_code(key, steps_ahead=1))
    page.get_by_role("button", name="Fortsätt").click()
    expect(page).to_have_url(re.compile(r"/f/soderslatt/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Söderslätt")

    page.get_by_role("link", name="Tvåstegsverifiering").click()
    expect(page.get_by_text("Tvåstegsverifiering är på")).to_be_visible()
    expect(
        page.get_by_text("Din roll kräver tvåstegsverifiering, så den kan inte stängas av")
    ).to_be_visible()
    axe.assert_no_serious_violations(page)

    assert csp_violations == []
