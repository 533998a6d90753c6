"""Writes to the förbund core. Each runs in a transaction, checks its rule, validates the model and
records who changed what in the audit trail (`finsam.audit`), with the field values before and after.

The account events (logins, logouts, failed logins, password changes) are recorded here too: Django's
auth signals call them (`forbund.apps`), so each förbund's *Logg* shows who signed in to it."""

from __future__ import annotations

from django.db import models, transaction

from finsam import access, audit, concurrency

from . import generation
from .models import ActivityEvent, Arbetsgrupp, Forbund, GroupMeeting, GroupMembership, Person, User

AccountEvent = ActivityEvent.Kind


def _noun(instance: models.Model) -> str:
    return str(instance._meta.verbose_name)


def _ask(rule: str | None, by: User, forbund: Forbund, record: models.Model) -> None:
    """Ask `rule` about what it is about: the förbund, or the record as it is stored now."""
    if rule is None:
        return
    subject = forbund if access.get_rule(rule).subject == "forbund" else record
    access.require(rule, by, subject)


@transaction.atomic
def forbund_record_save(
    *,
    forbund: Forbund,
    instance: models.Model,
    by: User,
    opened_version: int | None = None,
    rule: str | None = None,
) -> models.Model:
    """Create or update one record of the förbund's organisation (member, board assignment, staff,
    group, person, meeting, population count). The record is bound to `forbund` whatever the input
    said, validated, saved and recorded with its values before and after.

    `rule` is the access rule the write needs (`manage_organisation`, or `edit_meeting` for a meeting,
    asked about the meeting as stored, so a justerat meeting's date cannot be changed). An update is
    refused with `StaleEdit` when someone saved the record after the form was opened
    (`opened_version`)."""
    instance.forbund = forbund
    if instance.pk is None:
        _ask(rule, by, forbund, instance)
    generation.invalidate(forbund)

    def check(current: models.Model) -> None:
        _ask(rule, by, forbund, current)

    return concurrency.save_record(
        instance,
        by=by,
        forbund=forbund,
        opened_version=opened_version,
        check=check,
        created=f"Lade till {_noun(instance)}: {instance}",
        changed=f"Ändrade {_noun(instance)}: {instance}",
    )


@transaction.atomic
def forbund_update(*, forbund: Forbund, by: User, opened_version: int | None = None) -> Forbund:
    """Save the förbund's own facts (name, organisationsnummer, ändamål …) as edited in a form."""

    def check(current: Forbund) -> None:
        access.require("manage_organisation", by, current)

    return concurrency.save_edit(
        forbund,
        by=by,
        forbund=forbund,
        opened_version=opened_version,
        check=check,
        description="Ändrade förbundets uppgifter",
    )


@transaction.atomic
def group_member_add(*, arbetsgrupp: Arbetsgrupp, person: Person, role: str, by: User) -> GroupMembership:
    access.require("manage_organisation", by, arbetsgrupp.forbund)
    generation.invalidate(arbetsgrupp.forbund)
    membership = GroupMembership(arbetsgrupp=arbetsgrupp, person=person, role=role)
    membership.full_clean()
    membership.save()
    audit.created(
        forbund=arbetsgrupp.forbund,
        actor=by,
        obj=membership,
        description=f"Lade till {person} i {arbetsgrupp}",
    )
    return membership


@transaction.atomic
def group_member_remove(*, membership: GroupMembership, by: User) -> None:
    arbetsgrupp, person = membership.arbetsgrupp, membership.person
    access.require("manage_organisation", by, arbetsgrupp.forbund)
    generation.invalidate(arbetsgrupp.forbund)
    audit.deleted(
        forbund=arbetsgrupp.forbund,
        actor=by,
        obj=membership,
        description=f"Tog bort {person} ur {arbetsgrupp}",
    )
    membership.delete()


@transaction.atomic
def group_meeting_add(*, arbetsgrupp: Arbetsgrupp, meeting: GroupMeeting, by: User) -> GroupMeeting:
    access.require("manage_organisation", by, arbetsgrupp.forbund)
    generation.invalidate(arbetsgrupp.forbund)
    meeting.arbetsgrupp = arbetsgrupp
    meeting.full_clean()
    meeting.save()
    audit.created(
        forbund=arbetsgrupp.forbund,
        actor=by,
        obj=meeting,
        description=f"Lade till möte {meeting.date:%Y-%m-%d} för {arbetsgrupp}",
    )
    return meeting


@transaction.atomic
def group_meeting_remove(*, meeting: GroupMeeting, by: User) -> None:
    arbetsgrupp = meeting.arbetsgrupp
    access.require("manage_organisation", by, arbetsgrupp.forbund)
    generation.invalidate(arbetsgrupp.forbund)
    audit.deleted(
        forbund=arbetsgrupp.forbund,
        actor=by,
        obj=meeting,
        description=f"Tog bort möte {meeting.date:%Y-%m-%d} för {arbetsgrupp}",
    )
    meeting.delete()


# The account: logins, logouts, failed logins and password changes --------------------------------


def _forbund_of(user: User) -> list[Forbund]:
    return list(Forbund.objects.filter(roles__user=user).distinct().order_by("pk"))


def _account_event(*, user: User, kind: str, actor: User | None, description: str) -> list[ActivityEvent]:
    """One row in every förbund where the account has a role (one without a förbund if it has none),
    so each förbund's log shows who signed in to it."""
    return [
        audit.record(forbund=forbund, actor=actor, kind=kind, obj=user, description=description)
        for forbund in _forbund_of(user) or [None]
    ]


@transaction.atomic
def account_login_record(*, user: User) -> list[ActivityEvent]:
    return _account_event(user=user, kind=AccountEvent.LOGIN, actor=user, description=f"{user} loggade in")


@transaction.atomic
def account_logout_record(*, user: User) -> list[ActivityEvent]:
    return _account_event(user=user, kind=AccountEvent.LOGOUT, actor=user, description=f"{user} loggade ut")


@transaction.atomic
def account_login_failed_record(*, username: str) -> list[ActivityEvent]:
    """A failed login for an existing account names it and goes to that account's förbund (without an
    actor: nobody was signed in). For an unknown name it goes to no förbund (the administration sees
    it) and the name is not kept: people type their password in the username box."""
    username = (username or "")[:150]
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is None:
        return [
            audit.record(
                forbund=None,
                actor=None,
                kind=AccountEvent.LOGIN_FAILED,
                description="Misslyckad inloggning med ett användarnamn som inte finns",
            )
        ]
    return _account_event(
        user=user,
        kind=AccountEvent.LOGIN_FAILED,
        actor=None,
        description=f"Misslyckad inloggning som ”{username}”",
    )


@transaction.atomic
def account_password_change_record(*, user: User, reset: bool = False) -> list[ActivityEvent]:
    how = "via en återställningslänk" if reset else "själv"
    return _account_event(
        user=user,
        kind=AccountEvent.PASSWORD_CHANGED,
        actor=user,
        description=f"{user} bytte lösenord {how}",
    )
