"""Writes about förhinder and serving ersättare.

A ledamot reports förhinder for a coming meeting (or the samordnare records it on their behalf); the
ledamot is prefilled as absent in the attendance list, and the förbund's ersättare are asked one at
a time in their recorded call-in order (`Styrelseuppdrag.call_order`; the same member's ersättare
unless the förbund's ersättare are shared). The ersättare asked answers in the app: "nej" asks the
next one, "ja" prefills the attendance list with the ersättare serving for the ledamot. A förhinder
withdrawn before the meeting voids the requests and takes back what it prefilled.

Every write locks the meeting's row, asks the access module about the records as stored, writes an
audit entry and notifies the people concerned (`forbund.notifications`, kinds `forhinder` and
`substitute`). The samordnare may change the attendance afterwards like any other.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from finsam import access, audit
from forbund import notifications
from forbund.models import Attendance, Forhinder, Inkallelse, Person, Role, Styrelsemote, User

from ..selectors.forhinder import ersattare_in_call_order


def _lock(meeting: Styrelsemote) -> Styrelsemote:
    return Styrelsemote.objects.select_for_update(of=("self",)).select_related("forbund").get(pk=meeting.pk)


def _samordnare(meeting: Styrelsemote):
    return User.objects.filter(roles__forbund_id=meeting.forbund_id, roles__kind=Role.Kind.SAMORDNARE)


def _users(*persons: Person | None) -> list[User]:
    return [person.user for person in persons if person is not None and person.user_id is not None]


def _when(meeting: Styrelsemote) -> str:
    time = f" kl. {meeting.start_time:%H:%M}" if meeting.start_time else ""
    return f"{meeting.date:%Y-%m-%d}{time}"


# Reporting and withdrawing ---------------------------------------------------------------------


@transaction.atomic
def forhinder_report(*, meeting: Styrelsemote, person: Person, by: User, note: str = "") -> Forhinder:
    """Record that `person`, a ledamot, cannot attend `meeting`, and ask the first ersättare."""
    meeting = _lock(meeting)
    access.require("report_forhinder", by, meeting, person)
    if person.forbund_id != meeting.forbund_id:
        raise ValidationError("Personen hör till ett annat förbund.")
    if Forhinder.objects.filter(meeting=meeting, person=person, withdrawn_at__isnull=True).exists():
        raise ValidationError(f"Förhinder för {person} vid mötet {meeting.date:%Y-%m-%d} är redan anmält.")
    forhinder = Forhinder(meeting=meeting, person=person, note=note.strip(), reported_by=by)
    forhinder.full_clean()
    forhinder.save()
    on_behalf = person.user_id != by.pk
    audit.created(
        forbund=meeting.forbund,
        actor=by,
        obj=forhinder,
        description=f"{meeting}: förhinder för {person}" + (" (anmält av samordnaren)" if on_behalf else ""),
    )
    _mark_absent(meeting, person, by)
    body = f"Meddelande: {forhinder.note}" if forhinder.note else ""
    notifications.notify(
        kind=notifications.Kind.FORHINDER,
        forbund=meeting.forbund,
        recipients=[*_samordnare(meeting), *(_users(person) if on_behalf else [])],
        title=f"{person} har förhinder till styrelsemötet {_when(meeting)}",
        url=forhinder.get_absolute_url(),
        body=body,
        actor=by,
    )
    _ask_next(forhinder, meeting, by)
    return forhinder


@transaction.atomic
def forhinder_withdraw(*, forhinder: Forhinder, by: User) -> Forhinder:
    """The ledamot can attend after all: the förhinder is withdrawn (kept, with who and when), the
    requests still open or accepted are voided and their ersättare told, and the attendance list
    loses what the förhinder prefilled."""
    meeting = _lock(forhinder.meeting)
    forhinder = (
        Forhinder.objects.select_for_update(of=("self",)).select_related("person").get(pk=forhinder.pk)
    )
    forhinder.meeting = meeting
    access.require("withdraw_forhinder", by, forhinder)
    now = timezone.now()
    forhinder.withdrawn_at, forhinder.withdrawn_by = now, by
    forhinder.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.event(
        forbund=meeting.forbund,
        actor=by,
        obj=forhinder,
        description=f"{meeting}: förhindret för {forhinder.person} är återkallat",
    )
    told: list[Person] = []
    for ask in forhinder.inkallelser.select_related("person").filter(voided_at__isnull=True):
        if ask.answer == Inkallelse.Answer.NEJ:
            continue
        if ask.is_serving:
            _remove_serving(meeting, ask.person, forhinder.person, by)
        ask.voided_at = now
        ask.save(update_fields=["voided_at"])
        told.append(ask.person)
    _unmark_absent(meeting, forhinder.person, by)
    notifications.notify(
        kind=notifications.Kind.SUBSTITUTE,
        forbund=meeting.forbund,
        recipients=_users(*told),
        title=f"Du behöver inte tjänstgöra vid styrelsemötet {_when(meeting)}",
        url=meeting.get_absolute_url(),
        body=f"{forhinder.person} kan delta i mötet och har återkallat sitt förhinder.",
        actor=by,
    )
    notifications.notify(
        kind=notifications.Kind.FORHINDER,
        forbund=meeting.forbund,
        recipients=[*_samordnare(meeting), *_users(forhinder.person)],
        title=f"{forhinder.person} har återkallat sitt förhinder till styrelsemötet {_when(meeting)}",
        url=forhinder.get_absolute_url(),
        actor=by,
    )
    return forhinder


# The call-in of ersättare ------------------------------------------------------------------------


def _ask_next(forhinder: Forhinder, meeting: Styrelsemote, by: User) -> Inkallelse | None:
    """Ask the first ersättare in the call-in order who has not been asked for this meeting already
    (each person is asked once per meeting and serves for one ledamot at most). Without one left,
    the samordnare is told."""
    taken = set(
        Inkallelse.objects.filter(forhinder__meeting=meeting, voided_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    with_forhinder = set(
        Forhinder.objects.filter(meeting=meeting, withdrawn_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    for seat in ersattare_in_call_order(meeting, forhinder.person):
        if seat.person_id in taken or seat.person_id in with_forhinder:
            continue
        ask = Inkallelse.objects.create(forhinder=forhinder, person=seat.person)
        audit.created(
            forbund=meeting.forbund,
            actor=by,
            obj=ask,
            description=f"{meeting}: {seat.person} tillfrågad att tjänstgöra för {forhinder.person}",
        )
        note = f"\n\nLedamotens meddelande: {forhinder.note}" if forhinder.note else ""
        notifications.notify(
            kind=notifications.Kind.SUBSTITUTE,
            forbund=meeting.forbund,
            recipients=_users(seat.person),
            title=f"Kan du tjänstgöra för {forhinder.person} vid styrelsemötet {_when(meeting)}?",
            url=ask.get_absolute_url(),
            body=(
                f"{forhinder.person} har förhinder. Du är näst på tur att kallas in som ersättare. "
                f"Svara ja eller nej i finsam; vid nej tillfrågas nästa ersättare.{note}"
            ),
            actor=by,
        )
        return ask
    audit.event(
        forbund=meeting.forbund,
        actor=by,
        obj=forhinder,
        description=f"{meeting}: ingen ersättare kvar att kalla in för {forhinder.person}",
    )
    notifications.notify(
        kind=notifications.Kind.SUBSTITUTE,
        forbund=meeting.forbund,
        recipients=_samordnare(meeting),
        title=f"Ingen ersättare kan kallas in för {forhinder.person} vid styrelsemötet {_when(meeting)}",
        url=forhinder.get_absolute_url(),
        body="Alla ersättare som kan tjänstgöra för ledamoten är redan tillfrågade eller har tackat nej.",
        actor=by,
    )
    return None


@transaction.atomic
def inkallelse_answer(*, inkallelse: Inkallelse, by: User, accept: bool, comment: str = "") -> Inkallelse:
    """The ersättare's answer. Yes: they serve for the ledamot and the attendance list says so. No: the
    next ersättare in the call-in order is asked."""
    meeting = _lock(inkallelse.forhinder.meeting)
    ask = (
        Inkallelse.objects.select_for_update(of=("self",))
        .select_related("person", "forhinder__person")
        .get(pk=inkallelse.pk)
    )
    ask.forhinder.meeting = meeting
    access.require("answer_inkallelse", by, ask)
    forhinder = ask.forhinder
    if forhinder.withdrawn_at is not None:
        raise ValidationError("Förhindret är återkallat; ingen ersättare behövs.")
    ask.answer = Inkallelse.Answer.JA if accept else Inkallelse.Answer.NEJ
    ask.answered_at, ask.answered_by, ask.comment = timezone.now(), by, comment.strip()
    ask.full_clean()
    ask.save(update_fields=["answer", "answered_at", "answered_by", "comment"])
    answer = "tjänstgör" if accept else "kan inte tjänstgöra"
    audit.event(
        forbund=meeting.forbund,
        actor=by,
        obj=ask,
        description=f"{meeting}: {ask.person} {answer} för {forhinder.person}",
    )
    if accept:
        _add_serving(meeting, ask.person, forhinder.person, by)
        notifications.notify(
            kind=notifications.Kind.SUBSTITUTE,
            forbund=meeting.forbund,
            recipients=[*_samordnare(meeting), *_users(forhinder.person)],
            title=f"{ask.person} tjänstgör för {forhinder.person} vid styrelsemötet {_when(meeting)}",
            url=forhinder.get_absolute_url(),
            body=ask.comment,
            actor=by,
        )
    else:
        _ask_next(forhinder, meeting, by)
    return ask


# The attendance list --------------------------------------------------------------------------------


def _mark_absent(meeting: Styrelsemote, person: Person, by: User) -> None:
    record = Attendance.objects.filter(meeting=meeting, person=person).first()
    if record is None:
        record = Attendance(meeting=meeting, person=person, role=Attendance.Role.LEDAMOT, present=False)
        record.full_clean()
        record.save()
        audit.created(
            forbund=meeting.forbund, actor=by, obj=record, description=f"{meeting}: närvaro för {record}"
        )
    elif record.present:
        before = audit.values(record)
        record.present = False
        record.save(update_fields=["present"])
        audit.changed(
            forbund=meeting.forbund,
            actor=by,
            obj=record,
            before=before,
            description=f"{meeting}: {person} frånvarande (förhinder)",
        )


def _unmark_absent(meeting: Styrelsemote, person: Person, by: User) -> None:
    """Back to not recorded: the ledamot is expected at the meeting like everyone else."""
    record = Attendance.objects.filter(
        meeting=meeting, person=person, role=Attendance.Role.LEDAMOT, present=False
    ).first()
    if record is not None:
        audit.deleted(
            forbund=meeting.forbund, actor=by, obj=record, description=f"{meeting}: närvaron för {person}"
        )
        record.delete()


def _add_serving(meeting: Styrelsemote, ersattare: Person, ledamot: Person, by: User) -> None:
    other = (
        Attendance.objects.filter(meeting=meeting, replaces=ledamot)
        .exclude(person=ersattare)
        .select_related("person")
        .first()
    )
    if other is not None:
        raise ValidationError(f"{other.person} står redan som tjänstgörande för {ledamot} i närvarolistan.")
    record = Attendance.objects.filter(meeting=meeting, person=ersattare).first()
    if record is None:
        record = Attendance(
            meeting=meeting,
            person=ersattare,
            role=Attendance.Role.TJANSTGORANDE,
            present=True,
            replaces=ledamot,
        )
        record.full_clean()
        record.save()
        audit.created(
            forbund=meeting.forbund, actor=by, obj=record, description=f"{meeting}: närvaro för {record}"
        )
        return
    before = audit.values(record)
    record.role, record.present, record.replaces = Attendance.Role.TJANSTGORANDE, True, ledamot
    record.save(update_fields=["role", "present", "replaces"])
    audit.changed(
        forbund=meeting.forbund,
        actor=by,
        obj=record,
        before=before,
        description=f"{meeting}: {ersattare} tjänstgör för {ledamot}",
    )


def _remove_serving(meeting: Styrelsemote, ersattare: Person, ledamot: Person, by: User) -> None:
    record = Attendance.objects.filter(
        meeting=meeting, person=ersattare, role=Attendance.Role.TJANSTGORANDE, replaces=ledamot
    ).first()
    if record is not None:
        audit.deleted(
            forbund=meeting.forbund,
            actor=by,
            obj=record,
            description=f"{meeting}: {ersattare} tjänstgör inte för {ledamot}",
        )
        record.delete()
