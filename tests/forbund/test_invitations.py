"""Invitations: the lifecycle of a link (valid, expired, used, withdrawn, replaced), the account it
makes or the account it adds roles to, and the e-mail through the worker."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from finsam import broker
from forbund.accounts import invitations
from forbund.models import ActivityEvent, Invitation, Role, User

from ..factories import (
    MedlemFactory,
    PersonFactory,
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

    sent = []

    def run_here(task_name, *, args=(), kwargs=None, **options):
        sent.append((task_name, kwargs))
        return app.tasks[task_name].run(*args, **(kwargs or {}))

    monkeypatch.setattr(broker, "send", run_here)
    return sent


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


def _invite(forbund, by, **kwargs):
    values = {"email": "Nya.Ledamoten@Kommun.se", "name": "Nya Ledamoten", "kinds": [Kind.STYRELSELEDAMOT]}
    values.update(kwargs)
    return invitations.invite(forbund=forbund, by=by, **values)


def _token_from_mail() -> str:
    body = mail.outbox[-1].body
    marker = "/konto/inbjudan/"
    start = body.index(marker) + len(marker)
    return body[start : body.index("/", start)]


def test_invitation_stores_only_a_hash_and_mails_the_link(forbund, samordnare, eager_mail, settings):
    settings.FINSAM_BASE_URL = "https://finsam.example.se"
    invitation = _invite(forbund, samordnare)
    assert invitation.email == "nya.ledamoten@kommun.se"
    assert invitation.token not in invitation.token_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nya.ledamoten@kommun.se"]
    assert f"https://finsam.example.se/konto/inbjudan/{invitation.token}/" in message.body
    assert "styrelseledamot" in message.body
    assert invitation.is_pending
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=14)
    assert not Invitation.objects.filter(token_hash__contains=invitation.token).exists()
    assert ActivityEvent.objects.filter(
        forbund=forbund, description__contains="bjöd in Nya Ledamoten"
    ).exists()


def test_broker_down_leaves_no_invitation(forbund, samordnare, broker_down):
    with pytest.raises(broker.BrokerUnavailable):
        _invite(forbund, samordnare)
    assert not Invitation.objects.exists()
    assert not ActivityEvent.objects.filter(description__contains="bjöd in").exists()


def test_only_samordnare_invite(forbund, eager_mail):
    for kind in (Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.REVISOR):
        with pytest.raises(PermissionDenied):
            _invite(forbund, user_with_role(forbund, kind))
    assert not Invitation.objects.exists()


def test_samordnare_of_another_forbund_cannot_invite(forbund, other_forbund, eager_mail):
    with pytest.raises(PermissionDenied):
        _invite(forbund, user_with_role(other_forbund, Kind.SAMORDNARE))


def test_projektagare_invitation_needs_an_organisation(forbund, samordnare, eager_mail):
    with pytest.raises(ValidationError) as error:
        _invite(forbund, samordnare, kinds=[Kind.PROJEKTAGARE])
    assert "medlem" in error.value.message_dict
    other_medlem = MedlemFactory()
    with pytest.raises(ValidationError) as error:
        _invite(forbund, samordnare, kinds=[Kind.PROJEKTAGARE], medlem=other_medlem)
    assert "medlem" in error.value.message_dict


def test_second_invitation_while_one_waits_is_refused(forbund, samordnare, eager_mail):
    _invite(forbund, samordnare)
    with pytest.raises(ValidationError, match="väntar på svar"):
        _invite(forbund, samordnare, email="nya.ledamoten@kommun.se")
    assert Invitation.objects.count() == 1


def test_valid_link_makes_an_account_with_the_roles_and_links_the_person(forbund, samordnare, eager_mail):
    person = PersonFactory(forbund=forbund, name="Nya Ledamoten", email="")
    invitation = _invite(forbund, samordnare, person=person)
    found = invitations.usable(invitations.find(_token_from_mail()))
    assert found == invitation
    user = invitations.accept_new_account(invitation=found, password="Sju-Lingon-Faller-2026")
    assert user.email == "nya.ledamoten@kommun.se"
    assert user.check_password("Sju-Lingon-Faller-2026")
    assert user.get_full_name() == "Nya Ledamoten"
    assert list(Role.objects.filter(user=user, forbund=forbund).values_list("kind", flat=True)) == [
        Kind.STYRELSELEDAMOT
    ]
    person.refresh_from_db()
    assert person.user == user and person.email == "nya.ledamoten@kommun.se"
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.ACCEPTED and invitation.accepted_by == user


def test_used_link_cannot_be_used_again(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    invitations.accept_new_account(invitation=invitation, password="Sju-Lingon-Faller-2026")
    with pytest.raises(invitations.InvitationUnusable, match="redan använd"):
        invitations.usable(invitations.find(invitation.token))
    with pytest.raises(invitations.InvitationUnusable):
        invitations.accept_new_account(invitation=invitation, password="Annat-Lösen-2026-x")
    assert User.objects.filter(email__iexact=invitation.email).count() == 1


def test_expired_link_is_refused_and_makes_no_account(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(invitations.InvitationUnusable, match="gick ut"):
        invitations.usable(invitations.find(invitation.token))
    with pytest.raises(invitations.InvitationUnusable):
        invitations.accept_new_account(invitation=invitation, password="Sju-Lingon-Faller-2026")
    assert not User.objects.filter(email__iexact=invitation.email).exists()


def test_link_just_before_expiry_still_works(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert invitations.usable(invitations.find(invitation.token)) == invitation


def test_withdrawn_link_is_refused(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    invitations.withdraw(invitation=invitation, by=samordnare)
    with pytest.raises(invitations.InvitationUnusable, match="återkallats"):
        invitations.usable(invitations.find(invitation.token))
    with pytest.raises(ValidationError):
        invitations.resend(invitation=invitation, by=samordnare)


def test_resend_replaces_the_link_and_renews_the_expiry(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    old_token = invitation.token
    renewed = invitations.resend(invitation=invitation, by=samordnare)
    assert len(mail.outbox) == 2
    assert _token_from_mail() == renewed.token != old_token
    assert invitations.find(old_token) is None
    assert renewed.is_pending and renewed.send_count == 2
    assert renewed.expires_at > timezone.now() + datetime.timedelta(days=13)


def test_an_old_queued_mail_is_not_sent_after_resend(forbund, samordnare, eager_mail):
    from forbund.accounts import emails

    invitation = _invite(forbund, samordnare)
    old_token = invitation.token
    invitations.resend(invitation=invitation, by=samordnare)
    assert emails.send_invitation(invitation_id=invitation.pk, token=old_token) is False
    assert len(mail.outbox) == 2


def test_existing_account_gets_the_roles_added(forbund, other_forbund, samordnare, eager_mail):
    existing = user_with_role(other_forbund, Kind.SAMORDNARE, user__email="anna@region.se")
    invitation = _invite(forbund, samordnare, email="ANNA@region.se", kinds=[Kind.ERSATTARE])
    assert "redan ett konto" in mail.outbox[-1].body
    with pytest.raises(invitations.InvitationUnusable, match="redan ett konto"):
        invitations.accept_new_account(invitation=invitation, password="Sju-Lingon-Faller-2026")
    invitations.accept_existing(invitation=invitation, user=existing)
    assert set(Role.objects.filter(user=existing).values_list("forbund_id", "kind")) == {
        (other_forbund.pk, Kind.SAMORDNARE),
        (forbund.pk, Kind.ERSATTARE),
    }


def test_another_account_cannot_take_someone_elses_invitation(forbund, samordnare, eager_mail):
    invitation = _invite(forbund, samordnare)
    stranger = UserFactory(email="someone@else.se")
    with pytest.raises(invitations.InvitationUnusable, match="inloggad som"):
        invitations.accept_existing(invitation=invitation, user=stranger)
    assert not Role.objects.filter(user=stranger).exists()


def test_invitation_for_roles_already_held_is_refused(forbund, samordnare, eager_mail):
    user_with_role(forbund, Kind.EKONOM, user__email="ekonom@forbund.se")
    with pytest.raises(ValidationError, match="redan rollen"):
        _invite(forbund, samordnare, email="ekonom@forbund.se", kinds=[Kind.EKONOM])


def test_person_with_the_same_email_is_linked_when_none_was_named(forbund, samordnare, eager_mail):
    person = PersonFactory(forbund=forbund, email="kalle@kommun.se")
    invitation = _invite(forbund, samordnare, email="kalle@kommun.se")
    user = invitations.accept_new_account(invitation=invitation, password="Sju-Lingon-Faller-2026")
    person.refresh_from_db()
    assert person.user == user


def test_person_who_already_has_an_account_is_not_invited(forbund, samordnare, eager_mail):
    person = PersonFactory(forbund=forbund, user=UserFactory())
    with pytest.raises(ValidationError) as error:
        _invite(forbund, samordnare, person=person)
    assert "person" in error.value.message_dict


def test_unknown_token_is_not_found(forbund):
    with pytest.raises(invitations.InvitationUnusable, match="inte giltig"):
        invitations.usable(invitations.find("no-such-token"))


def test_platform_administrator_invites_only_while_the_start_is_open(forbund, eager_mail):
    from django.utils import timezone as tz

    from forbund.models import PlatformAdministrator, Uppstart

    admin = UserFactory()
    PlatformAdministrator.objects.create(user=admin)
    setup = Uppstart.objects.create(forbund=forbund, started_by=admin)
    invitation = _invite(forbund, admin, kinds=[Kind.SAMORDNARE], email="forsta@forbund.se")
    assert invitation.created_by == admin
    Uppstart.objects.filter(pk=setup.pk).update(completed_at=tz.now(), completed_by=admin)
    forbund.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _invite(forbund, UserFactory(), kinds=[Kind.SAMORDNARE], email="andra@forbund.se")
    with pytest.raises(PermissionDenied):
        _invite(forbund, admin, kinds=[Kind.SAMORDNARE], email="andra@forbund.se")
