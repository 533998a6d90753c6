"""Writes to the förbund core. Each runs in a transaction, validates the model and logs who did it."""

from __future__ import annotations

from django.db import models, transaction

from .models import ActivityEvent, Arbetsgrupp, Forbund, GroupMeeting, GroupMembership, Person, User


def activity_log(*, forbund: Forbund, actor: User | None, description: str, obj=None) -> ActivityEvent:
    """An event without field values; services that change a record use `finsam.audit` instead."""
    from finsam import audit

    return audit.event(forbund=forbund, actor=actor, description=description, obj=obj)


def _describe(instance: models.Model, created: bool) -> str:
    verb = "Lade till" if created else "Ändrade"
    return f"{verb} {instance._meta.verbose_name}: {instance}"


@transaction.atomic
def forbund_record_save(*, forbund: Forbund, instance: models.Model, by: User) -> models.Model:
    """Create or update one record of the förbund's organisation (member, board assignment, staff,
    group, person, meeting, population count). The record is bound to `forbund` whatever the
    input said, validated, saved and logged."""
    created = instance.pk is None
    instance.forbund = forbund
    instance.full_clean()
    instance.save()
    activity_log(forbund=forbund, actor=by, description=_describe(instance, created))
    return instance


@transaction.atomic
def forbund_update(*, forbund: Forbund, by: User) -> Forbund:
    forbund.full_clean()
    forbund.save()
    activity_log(forbund=forbund, actor=by, description="Ändrade förbundets uppgifter")
    return forbund


@transaction.atomic
def group_member_add(*, arbetsgrupp: Arbetsgrupp, person: Person, role: str, by: User) -> GroupMembership:
    membership = GroupMembership(arbetsgrupp=arbetsgrupp, person=person, role=role)
    membership.full_clean()
    membership.save()
    activity_log(
        forbund=arbetsgrupp.forbund,
        actor=by,
        description=f"Lade till {person} i {arbetsgrupp}",
    )
    return membership


@transaction.atomic
def group_member_remove(*, membership: GroupMembership, by: User) -> None:
    arbetsgrupp, person = membership.arbetsgrupp, membership.person
    membership.delete()
    activity_log(forbund=arbetsgrupp.forbund, actor=by, description=f"Tog bort {person} ur {arbetsgrupp}")


@transaction.atomic
def group_meeting_add(*, arbetsgrupp: Arbetsgrupp, meeting: GroupMeeting, by: User) -> GroupMeeting:
    meeting.arbetsgrupp = arbetsgrupp
    meeting.full_clean()
    meeting.save()
    activity_log(
        forbund=arbetsgrupp.forbund,
        actor=by,
        description=f"Lade till möte {meeting.date:%Y-%m-%d} för {arbetsgrupp}",
    )
    return meeting


@transaction.atomic
def group_meeting_remove(*, meeting: GroupMeeting, by: User) -> None:
    arbetsgrupp = meeting.arbetsgrupp
    meeting.delete()
    activity_log(
        forbund=arbetsgrupp.forbund,
        actor=by,
        description=f"Tog bort möte {meeting.date:%Y-%m-%d} för {arbetsgrupp}",
    )
