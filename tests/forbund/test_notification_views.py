"""The notification pages: the bell's count, the list (unread first, mark one or all read, each a link
to the exact place), opening one, and the e-mail choice per kind. Every role sees its own and only
its own; anonymous visitors are sent to the login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forbund import notifications
from forbund.models import Delivery, Notification, NotificationPreference, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    Role.Kind.SAMORDNARE,
    Role.Kind.EKONOM,
    Role.Kind.STYRELSELEDAMOT,
    Role.Kind.ERSATTARE,
    Role.Kind.PROJEKTAGARE,
    Role.Kind.REVISOR,
]
LIST, COUNT, PREFS = "/konto/notiser/", "/konto/notiser/olasta/", "/konto/notiser/installningar/"


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(notifications.broker, "send", lambda *args, **kwargs: None)


def tell(user, forbund, title, url="/", kind=notifications.Kind.SUBMITTED):
    (item,) = notifications.notify(kind=kind, forbund=forbund, recipients=[user], title=title, url=url)
    return item


def test_the_urls_are_the_ones_the_bell_and_emails_use():
    assert reverse("notifications:list") == LIST
    assert reverse("notifications:unread") == COUNT
    assert reverse("notifications:preferences") == PREFS


@pytest.mark.parametrize("kind", ROLES)
def test_each_role_sees_its_own_count_and_list_and_nobody_elses(
    client, forbund, other_forbund, user_in, kind
):
    me = user_in(forbund, kind)
    colleague = user_in(forbund, Role.Kind.SAMORDNARE if kind != Role.Kind.SAMORDNARE else Role.Kind.EKONOM)
    stranger = user_in(other_forbund, Role.Kind.SAMORDNARE)
    tell(me, forbund, "Min notis om rapporten")
    tell(me, forbund, "Min andra notis")
    tell(colleague, forbund, "Kollegans notis")
    tell(stranger, other_forbund, "Annat förbunds notis")
    client.force_login(me)

    assert client.get(COUNT).json() == {"unread": 2}
    page = client.get(LIST).content.decode()
    assert "Min notis om rapporten" in page and "Min andra notis" in page
    assert "Kollegans notis" not in page and "Annat förbunds notis" not in page
    assert "2 olästa" in page


def test_anonymous_is_sent_to_the_login_from_every_notification_page(client, forbund, user_in):
    item = tell(user_in(forbund, Role.Kind.SAMORDNARE), forbund, "x")
    for path in (LIST, COUNT, PREFS, f"/konto/notiser/{item.pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logga-in/")


def test_the_bell_count_costs_one_query_and_every_other_page_none(
    client, forbund, user_in, django_assert_num_queries
):
    me = user_in(forbund, Role.Kind.PROJEKTAGARE)
    tell(me, forbund, "x")
    client.force_login(me)
    client.get(COUNT)  # the session and user are loaded once
    with django_assert_num_queries(3):  # session, user, the count
        assert client.get(COUNT).json() == {"unread": 1}


def test_the_bell_is_in_the_top_bar_of_every_page_without_its_count(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.SAMORDNARE)
    client.force_login(me)
    page = client.get(f"/f/{forbund.slug}/").content.decode()
    assert f'href="{LIST}"' in page and f'data-unread-url="{COUNT}"' in page
    assert "js/notifications.js" in page


def test_unread_come_first_and_newest_first_among_them(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.SAMORDNARE)
    old_read = tell(me, forbund, "Läst för länge sedan")
    notifications.mark_read(user=me, ids=[old_read.pk])
    tell(me, forbund, "Oläst äldre")
    tell(me, forbund, "Oläst nyare")
    client.force_login(me)
    page = client.get(LIST).content.decode()
    assert page.index("Oläst nyare") < page.index("Oläst äldre") < page.index("Läst för länge sedan")


def test_the_list_stays_within_its_query_budget(client, forbund, user_in, django_assert_max_num_queries):
    me = user_in(forbund, Role.Kind.SAMORDNARE)
    actor = UserFactory()
    for number in range(30):
        notifications.notify(
            kind=notifications.Kind.RETURNED,
            forbund=forbund,
            recipients=[me],
            title=f"Nr {number}",
            url="/",
            actor=actor,
        )
    client.force_login(me)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count("Markera som läst") == 30


def test_opening_a_notification_marks_it_read_and_goes_to_its_place(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.PROJEKTAGARE)
    item = tell(me, forbund, "Rapport returnerad", url=f"/f/{forbund.slug}/rapport/12/")
    client.force_login(me)
    response = client.get(f"/konto/notiser/{item.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/f/{forbund.slug}/rapport/12/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert client.get(COUNT).json() == {"unread": 0}


def test_nobody_opens_or_marks_another_persons_notification(client, forbund, user_in):
    owner = user_in(forbund, Role.Kind.PROJEKTAGARE)
    item = tell(owner, forbund, "Inte din")
    client.force_login(user_in(forbund, Role.Kind.SAMORDNARE))
    assert client.get(f"/konto/notiser/{item.pk}/").status_code == 404
    assert client.post(LIST, {"notification": item.pk}).status_code == 404
    client.post(LIST, {"all": "on"})
    item.refresh_from_db()
    assert item.read_at is None


def test_mark_one_and_mark_all_read(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.EKONOM)
    first, second, third = (tell(me, forbund, f"Faktura {n}") for n in range(3))
    client.force_login(me)
    response = client.post(LIST, {"notification": first.pk}, follow=True)
    assert "Notisen är markerad som läst." in response.content.decode()
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    response = client.post(LIST, {"all": "on"}, follow=True)
    assert "2 notiser markerade som lästa." in response.content.decode()
    assert notifications.unread_count(me) == 0


def test_marking_nothing_says_what_is_missing(client, forbund, user_in):
    client.force_login(user_in(forbund, Role.Kind.EKONOM))
    response = client.post(LIST, {})
    assert response.status_code == 200
    assert "Välj vilken notis som ska markeras som läst." in response.content.decode()


def test_an_unsafe_address_in_a_notification_is_never_followed(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.SAMORDNARE)
    item = tell(me, forbund, "x", url="https://angripare.example.com/")
    client.force_login(me)
    assert client.get(f"/konto/notiser/{item.pk}/")["Location"] == "/"


@pytest.mark.parametrize("kind", ROLES)
def test_each_role_chooses_email_per_kind(client, forbund, user_in, kind):
    me = user_in(forbund, kind)
    client.force_login(me)
    page = client.get(PREFS).content.decode()
    assert "Återskickat med kommentar" in page and "Daglig sammanfattning" in page
    data = dict.fromkeys(notifications.Kind.values, Delivery.IMMEDIATELY)
    data.update({"returned": Delivery.DIGEST, "invoice_attest": Delivery.OFF})
    response = client.post(PREFS, data, follow=True)
    assert "Dina val för notiser med e-post är sparade." in response.content.decode()
    chosen = notifications.deliveries(me)
    assert chosen["returned"] == Delivery.DIGEST
    assert chosen["invoice_attest"] == Delivery.OFF
    assert chosen["submitted"] == Delivery.IMMEDIATELY
    # Another user's choices are untouched.
    assert not NotificationPreference.objects.exclude(user=me).exists()


def test_the_choice_form_keeps_what_was_chosen_and_names_the_error(client, forbund, user_in):
    me = user_in(forbund, Role.Kind.SAMORDNARE)
    client.force_login(me)
    data = dict.fromkeys(notifications.Kind.values, Delivery.DIGEST)
    data["returned"] = "ibland"
    response = client.post(PREFS, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Välj Direkt, Daglig sammanfattning eller Av." in page
    assert 'value="digest" checked' in page  # the other choices are not lost
    assert not NotificationPreference.objects.exists()


def test_notices_and_confirmations_are_not_offered_since_their_own_email_always_goes(
    client, forbund, user_in
):
    client.force_login(user_in(forbund, Role.Kind.STYRELSELEDAMOT))
    page = client.get(PREFS).content.decode()
    assert 'name="meeting_notice"' not in page
    assert "skickas alltid med e-post" in page
