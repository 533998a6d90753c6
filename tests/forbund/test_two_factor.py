"""Two-step verification: samordnare, ekonom and platform administrators must set it up (when
FINSAM_REQUIRE_2FA is on) and can reach nothing else until then; anyone who has set it up must give a
code from the app, or a recovery code (each works once), after the password."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from forbund.accounts import services
from forbund.models import ActivityEvent, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/logga-in/"
SETUP_URL = "/konto/tvastegsverifiering/aktivera/"
VERIFY_URL = "/konto/verifiera/"
TWO_FACTOR_URL = "/konto/tvastegsverifiering/"
CODES_URL = "/konto/tvastegsverifiering/koder/"
OFF_URL = "/konto/tvastegsverifiering/stang-av/"


@pytest.fixture
def require_2fa(settings):
    settings.FINSAM_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code does not make the next right one wait
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the phone shows (`steps_ahead` 30-second steps later: a code is accepted only once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(client, user) -> None:
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def with_device(user) -> tuple[TOTPDevice, list[str]]:
    device = services.totp_setup_device(user)
    codes = services.totp_confirm(user=user, device=device, code=code_for(device))
    assert codes is not None
    return device, codes


def lands_on(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(path)


# Who is forced ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Role.Kind.SAMORDNARE, Role.Kind.EKONOM])
def test_a_role_that_requires_it_is_sent_to_set_up_and_reaches_nothing_else(
    client, forbund, user_in, require_2fa, kind
):
    user = user_in(forbund, kind)
    password_login(client, user)

    for path in ("/", f"/f/{forbund.slug}/", f"/f/{forbund.slug}/logg/", "/konto/losenord/", TWO_FACTOR_URL):
        assert lands_on(client.get(path), SETUP_URL), path
    assert lands_on(client.post(f"/f/{forbund.slug}/medlemmar/ny/", {}), SETUP_URL)

    page = client.get(SETUP_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Din roll kräver tvåstegsverifiering" in text
    assert "<svg" in text  # the QR code, inline
    # Logging out and the health check are open.
    assert "Location" not in client.get("/halsa/")
    assert lands_on(client.post("/konto/logga-ut/"), "/konto/logga-in/")


def test_a_platform_administrator_is_forced_too_also_in_the_admin(client, db, require_2fa):
    admin = UserFactory(username="plattform", is_staff=True, is_superuser=True)
    password_login(client, admin)
    assert lands_on(client.get("/admin/"), SETUP_URL)


def test_without_the_setting_nobody_is_forced(client, forbund, user_in, settings):
    settings.FINSAM_REQUIRE_2FA = False
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    password_login(client, user)
    assert client.get(f"/f/{forbund.slug}/").status_code == 200


def test_a_projektagare_is_not_forced(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.PROJEKTAGARE)
    password_login(client, user)
    assert client.get("/").status_code in {200, 302}
    assert not lands_on(client.get("/"), SETUP_URL)
    assert client.get(TWO_FACTOR_URL).status_code == 200


# Setting it up ---------------------------------------------------------------------------------------


def test_setting_up_shows_ten_recovery_codes_once_and_opens_finsam(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    password_login(client, user)
    page = client.get(SETUP_URL, {"next": f"/f/{forbund.slug}/"}).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The key is on the page for typing in by hand, in groups of four.
    key = page.split('data-key="', 1)[1].split('"', 1)[0]
    assert device.config_url.split("secret=")[1].startswith(key)

    wrong = client.post(SETUP_URL, {"code": "000000"})
    assert "Koden stämmer inte" in wrong.content.decode()

    response = client.post(SETUP_URL, {"code": code_for(device), "next": f"/f/{forbund.slug}/"})
    assert lands_on(response, CODES_URL)
    codes_page = client.get(CODES_URL).content.decode()
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in codes_page for code in codes)
    assert f'href="/f/{forbund.slug}/"' in codes_page
    # Shown once: the page does not show them again.
    assert lands_on(client.get(CODES_URL), TWO_FACTOR_URL)

    assert client.get(f"/f/{forbund.slug}/").status_code == 200
    assert ActivityEvent.objects.filter(
        forbund=forbund, description__contains="aktiverade tvåstegsverifiering"
    ).exists()


def test_a_password_alone_cannot_replace_the_device(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    with_device(user)
    password_login(client, user)
    assert lands_on(client.get(SETUP_URL), VERIFY_URL)
    assert lands_on(client.post(SETUP_URL, {"code": "123456"}), VERIFY_URL)
    assert TOTPDevice.objects.filter(user=user).count() == 1


# Logging in with it ----------------------------------------------------------------------------------


def test_with_a_device_the_code_is_asked_for_before_anything_else(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    device, _ = with_device(user)
    password_login(client, user)
    assert lands_on(client.get(f"/f/{forbund.slug}/"), VERIFY_URL)

    wrong = client.post(VERIFY_URL, {"code": "000000", "next": f"/f/{forbund.slug}/"})
    assert wrong.status_code == 200
    assert "Koden stämmer inte" in wrong.content.decode()
    assert lands_on(client.get(f"/f/{forbund.slug}/"), VERIFY_URL)

    response = client.post(
        VERIFY_URL, {"code": code_for(device, steps_ahead=1), "next": f"/f/{forbund.slug}/"}
    )
    assert response["Location"] == f"/f/{forbund.slug}/"
    assert client.get(f"/f/{forbund.slug}/").status_code == 200


def test_the_verify_page_does_not_send_you_to_another_site(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    device, _ = with_device(user)
    password_login(client, user)
    response = client.post(
        VERIFY_URL, {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_recovery_code_works_once_and_only_once(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.EKONOM)
    _, codes = with_device(user)

    password_login(client, user)
    response = client.post(VERIFY_URL, {"code": codes[0].upper()})
    assert lands_on(response, "/")
    assert client.get(f"/f/{forbund.slug}/").status_code == 200
    assert ActivityEvent.objects.filter(description__contains="återställningskod (9 kvar)").exists()

    client.post("/konto/logga-ut/")
    password_login(client, user)
    again = client.post(VERIFY_URL, {"code": codes[0]})
    assert again.status_code == 200
    assert "Koden stämmer inte" in again.content.decode()
    assert lands_on(client.get(f"/f/{forbund.slug}/"), VERIFY_URL)


def test_a_projektagare_may_opt_in_and_is_then_asked(client, forbund, user_in, settings):
    settings.FINSAM_REQUIRE_2FA = False  # offered to everyone, whatever the setting
    user = user_in(forbund, Role.Kind.PROJEKTAGARE)
    password_login(client, user)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=user)
    assert lands_on(client.post(SETUP_URL, {"code": code_for(device)}), CODES_URL)
    client.post("/konto/logga-ut/")

    password_login(client, user)
    assert lands_on(client.get("/"), VERIFY_URL)
    assert lands_on(client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)}), "/")


# Managing it -----------------------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    device, old_codes = with_device(user)
    password_login(client, user)
    client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)})

    assert lands_on(client.post(CODES_URL), CODES_URL)
    new_codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new_codes) == 10
    assert not new_codes & set(old_codes)
    page = client.get(CODES_URL).content.decode()
    assert all(code in page for code in new_codes), page


def test_a_role_that_requires_it_cannot_turn_it_off(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    device, _ = with_device(user)
    password_login(client, user)
    client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)})

    assert "kan inte stängas av" in client.get(TWO_FACTOR_URL).content.decode()
    client.post(OFF_URL)
    assert TOTPDevice.objects.filter(user=user).exists()


def test_others_may_turn_it_off_and_it_is_logged(client, forbund, user_in, require_2fa):
    user = user_in(forbund, Role.Kind.PROJEKTAGARE)
    device, _ = with_device(user)
    password_login(client, user)
    client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)})

    assert lands_on(client.post(OFF_URL), TWO_FACTOR_URL)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert ActivityEvent.objects.filter(forbund=forbund, description__contains="stängde av").exists()
    assert client.get(f"/f/{forbund.slug}/").status_code == 200


def test_the_user_menu_links_to_the_page(client, forbund, user_in):
    user = user_in(forbund, Role.Kind.STYRELSELEDAMOT)
    client.force_login(user)
    assert 'href="/konto/tvastegsverifiering/"' in client.get(f"/f/{forbund.slug}/").content.decode()


def test_a_code_right_after_a_wrong_one_has_to_wait(client, forbund, user_in, settings):
    settings.FINSAM_REQUIRE_2FA = True  # with django-otp's throttling as in production
    user = user_in(forbund, Role.Kind.SAMORDNARE)
    device, _ = with_device(user)
    password_login(client, user)
    client.post(VERIFY_URL, {"code": "000000"})
    response = client.post(VERIFY_URL, {"code": code_for(device, steps_ahead=1)})
    assert "Vänta 1 sekund och försök sedan igen" in response.content.decode()
    assert lands_on(client.get(f"/f/{forbund.slug}/"), VERIFY_URL)
