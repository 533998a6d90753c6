""" "Användare och behörigheter" and the invitation link: who sees and changes what, the roles given
and ended (the last samordnare stays), the invitee's way in, and the e-mail through a real worker."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from finsam import broker
from forbund.accounts import invitations
from forbund.models import ActivityEvent, Invitation, Person, Role, User

from ..factories import (
    PASSWORD,
    KansliuppdragFactory,
    MedlemFactory,
    PersonFactory,
    StyrelseuppdragFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind


@pytest.fixture
def eager_mail(monkeypatch):
    """No worker runs here: a queued task runs at once in the test's own thread instead."""
    import forbund.tasks  # noqa: F401 - registers the tasks by name
    from finsam.celery import app

    def run_here(task_name, *, args=(), kwargs=None, **options):
        return app.tasks[task_name].run(*args, **(kwargs or {}))

    monkeypatch.setattr(broker, "send", run_here)


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


def url(forbund, name, **kwargs):
    return reverse(f"forbund:{name}", kwargs={"forbund": forbund.slug, **kwargs})


def link_in_mail() -> str:
    return re.search(r"https?://\S+/konto/inbjudan/\S+/", mail.outbox[-1].body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


# Who sees and changes accounts ---------------------------------------------------------------------

LIST_STATUS = {
    Kind.SAMORDNARE: 200,
    Kind.REVISOR: 200,
    Kind.EKONOM: 403,
    Kind.STYRELSELEDAMOT: 403,
    Kind.ERSATTARE: 403,
    Kind.PROJEKTAGARE: 403,
}


@pytest.mark.parametrize(("kind", "status"), LIST_STATUS.items())
def test_who_sees_the_list_of_accounts(forbund, user_in, login, kind, status):
    response = login(user_in(forbund, kind)).get(url(forbund, "accounts"))
    assert response.status_code == status


@pytest.mark.parametrize("kind", [k for k in Kind.values if k != Kind.SAMORDNARE])
def test_only_samordnare_may_open_invite_and_role_pages(forbund, samordnare, user_in, login, kind):
    role = Role.objects.get(user=samordnare, forbund=forbund)
    client = login(user_in(forbund, kind))
    for address in (
        url(forbund, "invite"),
        url(forbund, "account", user_pk=samordnare.pk),
        url(forbund, "role_end", role_pk=role.pk),
    ):
        assert client.get(address).status_code == 403, address
    assert client.post(url(forbund, "role_end", role_pk=role.pk)).status_code == 403
    assert (
        client.post(
            url(forbund, "invite"), {"name": "X", "email": "x@x.se", "kinds": ["revisor"]}
        ).status_code
        == 403
    )
    assert Role.objects.filter(pk=role.pk).exists()
    assert not Invitation.objects.exists()


def test_revisor_sees_the_list_without_buttons(forbund, samordnare, user_in, login):
    html = login(user_in(forbund, Kind.REVISOR)).get(url(forbund, "accounts")).content.decode()
    assert str(samordnare) in html
    assert "Ändra roller" not in html and "Bjud in" not in html


def test_another_forbunds_users_are_invisible(forbund, other_forbund, samordnare, login):
    stranger = user_with_role(other_forbund, Kind.EKONOM)
    client = login(samordnare)
    html = client.get(url(forbund, "accounts")).content.decode()
    assert str(stranger) not in html
    assert client.get(url(forbund, "account", user_pk=stranger.pk)).status_code == 404
    other_role = Role.objects.get(user=stranger)
    assert client.get(url(forbund, "role_end", role_pk=other_role.pk)).status_code == 404
    assert client.post(url(forbund, "role_end", role_pk=other_role.pk)).status_code == 404
    assert client.get(url(other_forbund, "accounts")).status_code == 404
    assert Role.objects.filter(pk=other_role.pk).exists()


def test_another_forbunds_invitation_cannot_be_withdrawn(
    forbund, other_forbund, samordnare, login, eager_mail
):
    theirs = invitations.invite(
        forbund=other_forbund,
        email="a@b.se",
        name="A B",
        kinds=[Kind.REVISOR],
        by=user_with_role(other_forbund, Kind.SAMORDNARE),
    )
    client = login(samordnare)
    assert client.post(url(forbund, "invitation_withdraw", invitation_pk=theirs.pk)).status_code == 404
    assert client.post(url(forbund, "invitation_resend", invitation_pk=theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_pending and theirs.send_count == 1


def test_anonymous_is_sent_to_login(client, forbund):
    response = client.get(url(forbund, "accounts"))
    assert response.status_code == 302 and response.url.startswith("/konto/logga-in/")


def test_list_shows_accounts_roles_organisation_and_last_login(forbund, samordnare, login):
    medlem = MedlemFactory(forbund=forbund, name="Vellinge kommun")
    owner = user_with_role(
        forbund, Kind.PROJEKTAGARE, medlem=medlem, user__first_name="Pia", user__last_name="Ägare"
    )
    Role.objects.create(user=owner, forbund=forbund, kind=Kind.REVISOR)
    User.objects.filter(pk=owner.pk).update(
        last_login=datetime.datetime(2026, 11, 30, 8, 15, tzinfo=datetime.UTC)
    )
    html = login(samordnare).get(url(forbund, "accounts")).content.decode()
    row = html[html.index("Pia Ägare") :][:800]
    assert "Projektägare, Revisor" in row
    assert "Vellinge kommun" in row
    assert "2026-11-30 09:15" in row  # Stockholm time


def test_list_queries_do_not_grow_with_rows(
    forbund, samordnare, login, eager_mail, django_assert_max_num_queries
):
    client = login(samordnare)
    counts = []
    for batch in range(2):
        for i in range(4 if batch else 1):
            user_with_role(forbund, Kind.PROJEKTAGARE)
            StyrelseuppdragFactory(forbund=forbund, person=PersonFactory(forbund=forbund), end=None)
            KansliuppdragFactory(forbund=forbund, person=PersonFactory(forbund=forbund), end=None)
            invitations.invite(
                forbund=forbund,
                email=f"p{batch}{i}@k.se",
                name=f"P {batch}{i}",
                kinds=[Kind.REVISOR],
                by=samordnare,
            )
        with django_assert_max_num_queries(14) as captured:
            response = client.get(url(forbund, "accounts"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} frågor för få rader, {counts[1]} för många"


# Inviting from the page, the board and the kansli -----------------------------------------------------


def test_board_page_offers_invite_for_a_ledamot_without_account(forbund, samordnare, login):
    person = PersonFactory(forbund=forbund, name="Lena Ledamot", email="lena@kommun.se")
    StyrelseuppdragFactory(forbund=forbund, person=person, role="ledamot", end=None)
    with_account = PersonFactory(forbund=forbund, name="Kim Konto", user=UserFactory())
    StyrelseuppdragFactory(forbund=forbund, person=with_account, role="ledamot", end=None)
    client = login(samordnare)
    html = client.get(url(forbund, "styrelse")).content.decode()
    invite_url = f"{url(forbund, 'invite')}?person={person.pk}&amp;tillbaka=styrelse"
    assert invite_url in html
    assert f"?person={with_account.pk}&amp;" not in html
    form = client.get(f"{url(forbund, 'invite')}?person={person.pk}&tillbaka=styrelse").context["form"]
    assert form.initial["name"] == "Lena Ledamot"
    assert form.initial["email"] == "lena@kommun.se"
    assert form.initial["kinds"] == [Kind.STYRELSELEDAMOT]
    assert form.initial["person"] == person.pk


def test_board_page_has_no_invite_for_other_roles(forbund, user_in, login):
    person = PersonFactory(forbund=forbund)
    StyrelseuppdragFactory(forbund=forbund, person=person, end=None)
    html = login(user_in(forbund, Kind.STYRELSELEDAMOT)).get(url(forbund, "styrelse")).content.decode()
    assert "Bjud in" not in html


@pytest.mark.parametrize(
    ("kansli_role", "expected"),
    [("ekonom", [Kind.EKONOM]), ("samordnare", [Kind.SAMORDNARE]), ("forbundschef", [Kind.SAMORDNARE])],
)
def test_kansli_page_prefills_the_role(forbund, samordnare, login, kansli_role, expected):
    person = PersonFactory(forbund=forbund)
    KansliuppdragFactory(forbund=forbund, person=person, role=kansli_role, end=None)
    client = login(samordnare)
    assert f"?person={person.pk}&amp;tillbaka=kansli" in client.get(url(forbund, "kansli")).content.decode()
    form = client.get(f"{url(forbund, 'invite')}?person={person.pk}").context["form"]
    assert form.initial["kinds"] == expected


def test_ersattare_seat_prefills_ersattare(forbund, samordnare, login):
    person = PersonFactory(forbund=forbund)
    StyrelseuppdragFactory(forbund=forbund, person=person, role="ersattare", end=None)
    form = login(samordnare).get(f"{url(forbund, 'invite')}?person={person.pk}").context["form"]
    assert form.initial["kinds"] == [Kind.ERSATTARE]


def test_ended_seat_offers_no_invite(forbund, samordnare, login):
    person = PersonFactory(forbund=forbund, name="Gammal Ledamot")
    StyrelseuppdragFactory(
        forbund=forbund,
        person=person,
        start=datetime.date(2019, 1, 1),
        end=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = login(samordnare)
    assert f"?person={person.pk}&amp;" not in client.get(url(forbund, "styrelse")).content.decode()
    assert "Gammal Ledamot" not in client.get(url(forbund, "accounts")).content.decode()


def test_people_without_account_are_listed_with_invite(forbund, samordnare, login, eager_mail):
    justerare = PersonFactory(forbund=forbund, name="Jonas Justerare", email="jonas@region.se")
    StyrelseuppdragFactory(forbund=forbund, person=justerare, role="ledamot", end=None)
    client = login(samordnare)
    html = client.get(url(forbund, "accounts")).content.decode()
    section = html[html.index('id="utan-konto"') :]
    assert "Jonas Justerare" in section and f"?person={justerare.pk}" in section
    client.post(
        url(forbund, "invite"),
        {
            "name": "Jonas Justerare",
            "email": "jonas@region.se",
            "kinds": ["styrelseledamot"],
            "person": justerare.pk,
        },
    )
    section = client.get(url(forbund, "accounts")).content.decode()
    section = section[section.index('id="utan-konto"') :]
    assert "Inbjuden " in section and f"?person={justerare.pk}" not in section


def test_invite_form_sends_and_lists_the_invitation(forbund, samordnare, login, eager_mail):
    client = login(samordnare)
    response = client.post(
        url(forbund, "invite"),
        {"name": "Ny Revisor", "email": "revisor@pwc.se", "kinds": ["revisor"]},
        follow=True,
    )
    assert "Inbjudan till Ny Revisor skickas till revisor@pwc.se" in response.content.decode()
    assert mail.outbox[-1].to == ["revisor@pwc.se"]
    html = response.content.decode()
    section = html[html.index('id="inbjudningar"') :]
    assert "revisor@pwc.se" in section and "Skicka igen" in section


def test_invite_form_errors_are_swedish_and_keep_what_was_typed(forbund, samordnare, login, eager_mail):
    response = login(samordnare).post(
        url(forbund, "invite"),
        {"name": "Pelle Projekt", "email": "inte-en-adress", "kinds": ["projektagare"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ange en giltig e-postadress" in html or "giltig e-postadress" in html
    assert "Välj den medlemsorganisation" in html
    assert 'value="Pelle Projekt"' in html
    assert not Invitation.objects.exists()


def test_broker_down_shows_a_swedish_message_and_saves_nothing(forbund, samordnare, login, broker_down):
    response = login(samordnare).post(
        url(forbund, "invite"), {"name": "Ny Person", "email": "ny@kommun.se", "kinds": ["revisor"]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Inbjudan skickades inte" in html and "Bakgrundstjänsten går inte att nå" in html
    assert 'value="ny@kommun.se"' in html
    assert not Invitation.objects.exists()


def test_resend_and_withdraw_from_the_page(forbund, samordnare, login, eager_mail):
    invitation = invitations.invite(
        forbund=forbund, email="a@k.se", name="A K", kinds=["revisor"], by=samordnare
    )
    client = login(samordnare)
    client.post(url(forbund, "invitation_resend", invitation_pk=invitation.pk))
    assert len(mail.outbox) == 2
    assert invitations.find(invitation.token) is None
    confirm = client.get(url(forbund, "invitation_withdraw", invitation_pk=invitation.pk))
    assert "Återkalla inbjudan" in confirm.content.decode()
    client.post(url(forbund, "invitation_withdraw", invitation_pk=invitation.pk))
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None and invitation.withdrawn_by == samordnare
    assert ActivityEvent.objects.filter(
        forbund=forbund, description__contains="återkallade inbjudan"
    ).exists()


# Giving and ending roles ---------------------------------------------------------------------------------


def test_samordnare_gives_a_role(forbund, samordnare, user_in, login):
    ekonom = user_in(forbund, Kind.EKONOM)
    response = login(samordnare).post(
        url(forbund, "account", user_pk=ekonom.pk), {"kind": "revisor"}, follow=True
    )
    assert "har nu rollen revisor" in response.content.decode()
    assert set(Role.objects.filter(user=ekonom, forbund=forbund).values_list("kind", flat=True)) == {
        "ekonom",
        "revisor",
    }
    assert ActivityEvent.objects.filter(forbund=forbund, description__contains="rollen revisor").exists()


def test_projektagare_role_needs_an_organisation(forbund, samordnare, user_in, login):
    ekonom = user_in(forbund, Kind.EKONOM)
    client = login(samordnare)
    response = client.post(url(forbund, "account", user_pk=ekonom.pk), {"kind": "projektagare"})
    assert "Välj den medlemsorganisation" in response.content.decode()
    medlem = MedlemFactory(forbund=forbund)
    client.post(url(forbund, "account", user_pk=ekonom.pk), {"kind": "projektagare", "medlem": medlem.pk})
    assert Role.objects.get(user=ekonom, kind="projektagare").medlem == medlem


def test_samordnare_ends_a_role_after_confirming(forbund, samordnare, user_in, login):
    ledamot = user_in(forbund, Kind.STYRELSELEDAMOT)
    role = Role.objects.get(user=ledamot)
    client = login(samordnare)
    page = client.get(url(forbund, "role_end", role_pk=role.pk)).content.decode()
    assert "Avsluta rollen styrelseledamot" in page
    assert Role.objects.filter(pk=role.pk).exists()
    client.post(url(forbund, "role_end", role_pk=role.pk))
    assert not Role.objects.filter(pk=role.pk).exists()
    assert ActivityEvent.objects.filter(
        forbund=forbund, description__contains="avslutade rollen styrelseledamot"
    ).exists()
    # Without a role the förbund no longer exists for them.
    assert login(ledamot).get(url(forbund, "dashboard")).status_code == 404


def test_last_samordnare_cannot_end_their_own_role(forbund, samordnare, login):
    role = Role.objects.get(user=samordnare, forbund=forbund)
    client = login(samordnare)
    page = client.get(url(forbund, "role_end", role_pk=role.pk)).content.decode()
    assert "enda samordnare" in page and "Avsluta rollen</button>" not in page
    response = client.post(url(forbund, "role_end", role_pk=role.pk), follow=True)
    assert "enda samordnare" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_with_two_samordnare_one_may_leave(forbund, samordnare, user_in, login):
    user_in(forbund, Kind.SAMORDNARE)
    role = Role.objects.get(user=samordnare, forbund=forbund)
    response = login(samordnare).post(url(forbund, "role_end", role_pk=role.pk))
    assert not Role.objects.filter(pk=role.pk).exists()
    assert response.status_code == 302 and response.url == "/"


# The invitee's link -------------------------------------------------------------------------------------


def test_new_invitee_sets_a_password_and_lands_on_the_dashboard(forbund, samordnare, client, eager_mail):
    person = PersonFactory(forbund=forbund, name="Nina Ny")
    StyrelseuppdragFactory(forbund=forbund, person=person, role="ledamot", end=None)
    invitations.invite(
        forbund=forbund,
        email="nina@kommun.se",
        name="Nina Ny",
        kinds=["styrelseledamot"],
        by=samordnare,
        person=person,
    )
    path = path_of(link_in_mail())
    page = client.get(path)
    assert "Skapa ditt konto" in page.content.decode()
    weak = client.post(path, {"name": "Nina Ny", "password1": "nina", "password2": "nina"})
    assert weak.status_code == 200 and "lösenord" in weak.content.decode().lower()
    assert not User.objects.filter(email="nina@kommun.se").exists()
    response = client.post(
        path, {"name": "Nina Ny", "password1": "Blåbär-Kvist-2026", "password2": "Blåbär-Kvist-2026"}
    )
    assert response.status_code == 302 and response.url == url(forbund, "dashboard")
    user = User.objects.get(email="nina@kommun.se")
    assert Person.objects.get(pk=person.pk).user == user
    assert client.get(response.url).status_code == 200
    used = client.get(path)
    assert used.status_code == 410 and "redan använd" in used.content.decode()


def test_mismatched_passwords_are_explained(forbund, samordnare, client, eager_mail):
    invitations.invite(forbund=forbund, email="x@k.se", name="X K", kinds=["revisor"], by=samordnare)
    response = client.post(
        path_of(link_in_mail()),
        {"name": "X K", "password1": "Blåbär-Kvist-2026", "password2": "Blåbär-Kvist-2027"},
    )
    assert "Lösenorden är inte lika" in response.content.decode()


def test_samordnare_invitee_is_taken_through_two_factor_setup(
    forbund, samordnare, client, eager_mail, settings
):
    settings.FINSAM_REQUIRE_2FA = True
    invitations.invite(
        forbund=forbund, email="ny.samordnare@f.se", name="Ny Samordnare", kinds=["samordnare"], by=samordnare
    )
    response = client.post(
        path_of(link_in_mail()),
        {"name": "Ny Samordnare", "password1": "Blåbär-Kvist-2026", "password2": "Blåbär-Kvist-2026"},
    )
    dashboard = client.get(response.url)
    assert dashboard.status_code == 302
    assert dashboard.url.startswith(reverse("two_factor_setup"))
    assert f"next={url(forbund, 'dashboard')}".replace("/", "%2F") in dashboard.url


@pytest.mark.parametrize(
    ("change", "status", "text"),
    [
        ({"expires_at": timezone.now() - datetime.timedelta(hours=1)}, 410, "gick ut"),
        ({"withdrawn_at": timezone.now()}, 410, "återkallats"),
    ],
)
def test_unusable_links_explain_themselves(forbund, samordnare, client, eager_mail, change, status, text):
    invitation = invitations.invite(
        forbund=forbund, email="y@k.se", name="Y K", kinds=["revisor"], by=samordnare
    )
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    path = path_of(link_in_mail())
    response = client.get(path)
    assert response.status_code == status and text in response.content.decode()
    post = client.post(
        path, {"name": "Y K", "password1": "Blåbär-Kvist-2026", "password2": "Blåbär-Kvist-2026"}
    )
    assert post.status_code == status
    assert not User.objects.filter(email="y@k.se").exists()


def test_replaced_link_is_not_valid(forbund, samordnare, client, eager_mail):
    invitation = invitations.invite(
        forbund=forbund, email="z@k.se", name="Z K", kinds=["revisor"], by=samordnare
    )
    old = path_of(link_in_mail())
    invitations.resend(invitation=invitation, by=samordnare)
    response = client.get(old)
    assert response.status_code == 404 and "inte giltig" in response.content.decode()


def test_existing_account_logs_in_and_takes_the_roles(forbund, other_forbund, samordnare, client, eager_mail):
    existing = user_with_role(other_forbund, Kind.REVISOR, user__email="eva@region.se", user__username="eva")
    invitations.invite(forbund=forbund, email="eva@region.se", name="Eva", kinds=["ersattare"], by=samordnare)
    path = path_of(link_in_mail())
    page = client.get(path).content.decode()
    assert "Det finns redan ett konto" in page and "Skapa ditt konto" not in page
    # A password posted here makes no second account.
    client.post(path, {"name": "Eva", "password1": "Blåbär-Kvist-2026", "password2": "Blåbär-Kvist-2026"})
    assert User.objects.filter(email__iexact="eva@region.se").count() == 1
    login = client.post(
        reverse("login") + f"?next={path}", {"username": "eva", "password": PASSWORD, "next": path}
    )
    assert login.url == path
    assert "Ta emot inbjudan" in client.get(path).content.decode()
    response = client.post(path)
    assert response.url == url(forbund, "dashboard")
    assert Role.objects.filter(user=existing, forbund=forbund, kind="ersattare").exists()


def test_signed_in_as_someone_else_is_told_to_log_out(forbund, samordnare, client, eager_mail):
    invitations.invite(forbund=forbund, email="q@k.se", name="Q K", kinds=["revisor"], by=samordnare)
    path = path_of(link_in_mail())
    client.force_login(samordnare)
    assert "Logga ut och öppna länken igen" in client.get(path).content.decode()
    client.post(path)
    assert not Role.objects.filter(user=samordnare, kind="revisor").exists()


# The e-mail through a real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker(celery_app, celery_worker, settings):
    import time

    settings.FINSAM_BASE_URL = "https://finsam.example.se"
    from ..factories import ForbundFactory

    forbund = ForbundFactory()
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    invitation = invitations.invite(
        forbund=forbund,
        email="worker@kommun.se",
        name="Wilma Worker",
        kinds=["styrelseledamot"],
        by=samordnare,
    )
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["worker@kommun.se"]
    assert message.subject == f"Inbjudan till {forbund} i finsam"
    assert f"https://finsam.example.se/konto/inbjudan/{invitation.token}/" in message.body


def test_a_role_given_during_a_session_requires_two_factor_soon_after(
    forbund, samordnare, user_in, login, settings
):
    from forbund.accounts import roles, services

    settings.FINSAM_REQUIRE_2FA = True
    ledamot = user_in(forbund, Kind.STYRELSELEDAMOT)
    client = login(ledamot)
    assert client.get(url(forbund, "dashboard")).status_code == 200
    roles.role_give(forbund=forbund, user=ledamot, kind=Kind.EKONOM, by=samordnare)
    session = client.session
    state = session[services.SESSION_STATE_KEY]
    state["at"] -= services.STATE_RECHECK_SECONDS
    session[services.SESSION_STATE_KEY] = state
    session.save()
    response = client.get(url(forbund, "dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_setup"))
