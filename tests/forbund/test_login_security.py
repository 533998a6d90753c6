"""Login protection: five wrong passwords lock the account, and separately the address they came from,
for 15 minutes with a Swedish page that says how long to wait; the lockout is in the audit log; and
sessions end after 8 hours idle and when the browser closes, unless "Kom ihåg mig" was ticked."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from forbund.accounts.middleware import RENEWED_AT_KEY
from forbund.models import ActivityEvent, Role
from tests.factories import PASSWORD, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/konto/logga-in/"
WRONG = "fel-losenord-Hemligt-987"
LIMIT = 5
LOCKED_TEXT = "För många misslyckade inloggningsförsök"


@pytest.fixture
def karin(forbund):
    user = UserFactory(username="karin", first_name="Karin", last_name="Lindqvist")
    RoleFactory(user=user, forbund=forbund, kind=Role.Kind.SAMORDNARE)
    return user


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_times(client, count: int, username: str = "karin", address: str = "10.0.0.1"):
    return [attempt(client, username, WRONG, address) for _ in range(count)]


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Lockout -------------------------------------------------------------------------------------------


def test_four_wrong_passwords_do_not_lock_and_the_right_one_then_works(client, karin):
    responses = fail_times(client, LIMIT - 1)
    assert all(response.status_code == 200 for response in responses)
    assert "Fel användarnamn eller lösenord" in responses[-1].content.decode()

    assert attempt(client, "karin", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_after_five_wrong_passwords_the_account_is_locked_even_with_the_right_one(client, karin):
    responses = fail_times(client, LIMIT)
    assert responses[-1].status_code == 429
    assert LOCKED_TEXT in responses[-1].content.decode()

    # The right password, from another address, is refused: the lock is on the account.
    response = attempt(client, "karin", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Vänta 15 minuter och försök sedan igen" in page
    assert not is_signed_in(client)


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, karin, forbund):
    UserFactory(username="olle")
    for name in ("olle", "okand1", "okand2", "okand3", "okand4"):
        attempt(client, name, WRONG, address="10.0.0.7")

    # Karin never typed a wrong password, but the address she now uses is locked ...
    response = attempt(client, "karin", PASSWORD, address="10.0.0.7")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not is_signed_in(client)

    # ... while from another address she gets in.
    assert attempt(client, "karin", PASSWORD, address="10.0.0.8").status_code == 302
    assert is_signed_in(client)


def test_tries_during_the_lockout_do_not_prolong_it(client, karin):
    fail_times(client, LIMIT)
    before = AccessAttempt.objects.get(username="karin").failures_since_start
    fail_times(client, 3)
    assert AccessAttempt.objects.get(username="karin").failures_since_start == before


def test_when_the_cool_off_has_passed_the_right_password_works_again(client, karin):
    fail_times(client, LIMIT)
    assert attempt(client, "karin", PASSWORD).status_code == 429

    # 16 minutes later (the attempts are dated back rather than the test waiting).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert attempt(client, "karin", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_lockout_page_counts_down_the_minutes_left(client, karin):
    fail_times(client, LIMIT)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=11)
    )
    response = attempt(client, "karin", PASSWORD)
    assert response.status_code == 429
    assert "Vänta 4 minuter" in response.content.decode()


def test_an_administrator_can_lift_a_lockout(client, karin):
    fail_times(client, LIMIT)
    reset(username="karin")
    reset(ip="10.0.0.1")
    assert attempt(client, "karin", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client, karin):
    fail_times(client, LIMIT - 1)
    assert attempt(client, "karin", PASSWORD).status_code == 302
    client.post("/konto/logga-ut/")
    # Four more wrong ones after the success: still not locked.
    responses = fail_times(client, LIMIT - 1)
    assert responses[-1].status_code == 200
    assert attempt(client, "karin", PASSWORD).status_code == 302


def test_the_lockout_is_in_the_audit_log_of_the_accounts_forbund(client, karin, forbund):
    fail_times(client, LIMIT)
    events = ActivityEvent.objects.filter(forbund=forbund, description__contains="spärrades")
    assert events.count() == 1
    event = events.get()
    assert event.kind == ActivityEvent.Kind.EVENT
    assert "karin" in event.description
    assert "10.0.0.1" in event.description
    # The failed logins themselves are logged too, and the successful one is after the lock lifts.
    assert (
        ActivityEvent.objects.filter(forbund=forbund, kind=ActivityEvent.Kind.LOGIN_FAILED).count() == LIMIT
    )


def test_a_lockout_of_an_unknown_name_is_logged_without_the_name(client, forbund):
    fail_times(client, LIMIT, username="Hemligt-losen-i-fel-ruta")
    event = ActivityEvent.objects.get(description__contains="spärrades")
    assert event.forbund is None
    assert "Hemligt" not in event.description


def test_the_admin_login_is_throttled_too(client, karin):
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "karin", "password": WRONG}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        "/admin/login/", {"username": "karin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 429


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, karin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # An attacker writes a new X-Forwarded-For on every try; the proxy appends the real address.
    for number in range(LIMIT):
        client.post(
            LOGIN_URL,
            {"username": f"okand{number}", "password": WRONG},
            REMOTE_ADDR="172.18.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.5",
        )
    locked = client.post(
        LOGIN_URL,
        {"username": "karin", "password": PASSWORD},
        REMOTE_ADDR="172.18.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5",
    )
    assert locked.status_code == 429
    # Someone else behind the same proxy is not locked out.
    other = client.post(
        LOGIN_URL,
        {"username": "karin", "password": PASSWORD},
        REMOTE_ADDR="172.18.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302


# Sessions ------------------------------------------------------------------------------------------


def stored_session(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_ends_eight_hours_after_its_last_use(client, karin, forbund):
    before = timezone.now()
    client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    end = stored_session(client).expire_date
    assert timedelta(hours=8) <= end - before < timedelta(hours=8, minutes=1)


def test_using_finsam_moves_the_end_of_the_session(client, karin, forbund):
    client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    # Pretend the session was last renewed two hours ago.
    session = client.session
    session[RENEWED_AT_KEY] = int(time.time()) - 2 * 3600
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(hours=6)
    )

    client.get(f"/f/{forbund.slug}/")
    assert stored_session(client).expire_date - timezone.now() > timedelta(hours=7, minutes=59)


def test_a_session_is_not_written_again_within_the_minute(client, karin, forbund):
    client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    end = stored_session(client).expire_date
    client.get(f"/f/{forbund.slug}/")
    assert stored_session(client).expire_date == end


def test_an_idle_session_is_over(client, karin, forbund):
    client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/f/{forbund.slug}/")["Location"].startswith("/konto/logga-in/")


def test_without_kom_ihag_mig_the_cookie_ends_with_the_browser(client, karin):
    response = client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 3600


def test_with_kom_ihag_mig_the_cookie_lasts_seven_days(client, karin):
    response = client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD, "remember_me": "on"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 7 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()


def test_the_login_page_is_swedish_and_offers_kom_ihag_mig(client):
    page = client.get(LOGIN_URL).content.decode()
    assert "Användarnamn" in page
    assert "Lösenord" in page
    assert "Kom ihåg mig" in page
