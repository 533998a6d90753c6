"""Signing in and out, failed logins and password changes are in the audit trail: in every förbund where
the account has a role, never with the password that was tried."""

from __future__ import annotations

import pytest

from forbund.models import ActivityEvent, Role
from tests.factories import PASSWORD, ForbundFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Role.Kind
Event = ActivityEvent.Kind
LOGIN_URL = "/konto/logga-in/"
WRONG_PASSWORD = "fel-losenord-Hemligt-987"


@pytest.fixture
def karin(forbund, other_forbund):
    """A user with roles in two förbund (two in the first), and a förbund she has no role in."""
    user = UserFactory(username="karin", first_name="Karin", last_name="Lindqvist")
    RoleFactory(user=user, forbund=forbund, kind=Kind.SAMORDNARE)
    RoleFactory(user=user, forbund=forbund, kind=Kind.REVISOR)
    RoleFactory(user=user, forbund=other_forbund, kind=Kind.EKONOM)
    return user


def events(kind: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(kind=kind).order_by("forbund_id"))


def test_a_login_is_recorded_once_in_every_forbund_of_the_account(client, karin, forbund, other_forbund):
    ForbundFactory()  # a förbund where she has no role: nothing there
    response = client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    assert response.status_code == 302

    logins = events(Event.LOGIN)
    assert [event.forbund for event in logins] == [forbund, other_forbund]
    assert all(event.actor == karin for event in logins)
    assert all(event.description == "Karin Lindqvist loggade in" for event in logins)


def test_a_logout_is_recorded(client, karin, forbund, other_forbund):
    client.force_login(karin)
    client.post("/konto/logga-ut/")
    logouts = events(Event.LOGOUT)
    assert [event.forbund for event in logouts] == [forbund, other_forbund]
    assert all(event.actor == karin for event in logouts)


def test_a_failed_login_names_the_username_but_never_the_password(client, karin, forbund, other_forbund):
    response = client.post(LOGIN_URL, {"username": "karin", "password": WRONG_PASSWORD})
    assert response.status_code == 200  # the form again, with its error

    failed = events(Event.LOGIN_FAILED)
    assert [event.forbund for event in failed] == [forbund, other_forbund]
    for event in failed:
        assert event.actor is None  # nobody was signed in
        assert "karin" in event.description
        row = str(ActivityEvent.objects.filter(pk=event.pk).values().get())
        assert WRONG_PASSWORD not in row
        assert "*****" not in row  # not even Django's masked copy of it
    assert not events(Event.LOGIN)


def test_a_failed_login_with_an_unknown_username_belongs_to_no_forbund(client, karin):
    client.post(LOGIN_URL, {"username": "okand.person", "password": WRONG_PASSWORD})
    (event,) = events(Event.LOGIN_FAILED)
    assert event.forbund is None
    assert event.actor is None
    # What was typed is not kept: it may be a password typed in the wrong box.
    assert "okand.person" not in str(ActivityEvent.objects.filter(pk=event.pk).values().get())
    assert WRONG_PASSWORD not in str(ActivityEvent.objects.filter(pk=event.pk).values().get())


def test_a_failed_login_is_shown_in_the_forbunds_log(client, karin, forbund, login):
    client.post(LOGIN_URL, {"username": "karin", "password": WRONG_PASSWORD})
    revisor = RoleFactory(forbund=forbund, kind=Kind.REVISOR).user
    content = login(revisor).get(f"/f/{forbund.slug}/logg/?kind=misslyckad_inloggning").content.decode()
    assert "Misslyckad inloggning" in content
    assert "karin" in content
    assert WRONG_PASSWORD not in content


def test_a_password_change_is_recorded(client, karin, forbund, other_forbund):
    client.force_login(karin)
    new = "Ett-nytt-langt-losen-42"
    response = client.post(
        "/konto/losenord/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response.url == "/konto/losenord/klart/"
    karin.refresh_from_db()
    assert karin.check_password(new)

    changes = events(Event.PASSWORD_CHANGED)
    assert [event.forbund for event in changes] == [forbund, other_forbund]
    assert all(event.actor == karin for event in changes)
    for event in changes:
        assert new not in str(ActivityEvent.objects.filter(pk=event.pk).values().get())


def test_a_refused_password_change_is_not_recorded(client, karin):
    client.force_login(karin)
    response = client.post(
        "/konto/losenord/",
        {"old_password": "fel", "new_password1": "Ett-nytt-langt-losen-42", "new_password2": "x"},
    )
    assert response.status_code == 200
    assert not events(Event.PASSWORD_CHANGED)


def test_a_password_set_through_a_reset_link_is_recorded(client, karin, forbund):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(karin.pk))
    token = default_token_generator.make_token(karin)
    form_page = client.get(f"/konto/aterstall/{uid}/{token}/", follow=True)
    new = "Ett-nytt-langt-losen-42"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/konto/aterstall/klart/"

    changes = events(Event.PASSWORD_CHANGED)
    assert forbund in [event.forbund for event in changes]
    assert all("återställningslänk" in event.description for event in changes)


def test_the_dashboards_recent_changes_leave_out_logins(client, karin, forbund):
    client.post(LOGIN_URL, {"username": "karin", "password": PASSWORD})
    content = client.get(f"/f/{forbund.slug}/").content.decode()
    assert "loggade in" not in content
