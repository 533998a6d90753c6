"""Writes to insatser. Each asks the access module, validates, runs in a transaction and records the
values before and after in the audit trail.

An application's content (its fields, partners, goals, budget, delprocesser and
attachments) is one thing to the people who edit it: every write to it locks the insats's row, is
refused when the insats changed since the form was opened, and counts up the insats's
`lock_version`, so a form opened before any of those changes cannot save over them. A write that
changes the content voids the parties' confirmations of the earlier version and asks the same
representatives again (`confirmations.confirmations_after_change`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam import access, audit, concurrency, workflow
from forbund import generation
from forbund.meetings.services import agenda as agenda_services
from forbund.models import (
    AgendaItem,
    AgendaKind,
    Delegationsbeslut,
    Forbund,
    Medlem,
    MeetingStatus,
    Person,
    Styrelsemote,
    User,
)

from .confirmations import confirmations_after_change
from .models import (
    Attachment,
    Beslut,
    BudgetAmount,
    BudgetLine,
    Delprocess,
    Goal,
    GrantedAmount,
    Insats,
    Milestone,
    StatusChange,
)
from .selectors import missing_confirmations

S = Insats.Status
Values = dict[str, tuple[str, str]]


def _lock(insats: Insats, by: User, opened_version: int | None = None) -> Insats:
    """The insats's row, locked for this write: refused when someone saved it after the form was
    opened, or when the application may not be changed (by this user, or in this state)."""
    current = concurrency.lock_current(insats, opened_version)
    access.require("edit_application", by, current)
    return current


def _touch(insats: Insats, current: Insats) -> None:
    """Count up the version of an insats whose parts changed."""
    concurrency.bump(current)
    insats.lock_version = current.lock_version


# What the log shows of an application ---------------------------------------------------------------


def _application_values(insats: Insats) -> Values:
    """The insats's fields with the partners and goals that are edited together with them."""
    shown = audit.values(insats)
    partners = Medlem.objects.filter(samverkansinsatser=insats).order_by("name")
    shown["partners"] = ("samverkansparter", ", ".join(partner.name for partner in partners))
    for kind, label in Goal.Kind.choices:
        texts = Goal.objects.filter(insats=insats, kind=kind).order_by("order", "id")
        shown[f"goals_{kind}"] = (label.lower(), "; ".join(goal.text for goal in texts))
    return shown


def _budget_values(insats: Insats) -> Values:
    lines = (
        BudgetLine.objects.filter(insats=insats)
        .select_related("delprocess")
        .prefetch_related("amounts")
        .order_by("order", "id")
    )
    shown = [
        f"{line.section_name}, {line.description}: "
        + ", ".join(f"{amount.year} {amount.amount} kr" for amount in line.amounts.all())
        for line in lines
    ]
    return {"budget": ("budget", "; ".join(shown))}


def _record(kind: str, *, insats: Insats, by: User, before: Values, after: Values, description: str) -> None:
    audit.record(
        forbund=insats.forbund,
        actor=by,
        kind=kind,
        obj=insats,
        description=description,
        changes=audit.diff(before, after),
    )


# Application content ------------------------------------------------------------------------------


def _set_partners(insats: Insats, partners: Iterable[Medlem]) -> None:
    insats.partners.set([partner for partner in partners if partner.pk != insats.owner_id])


def _set_goals(insats: Insats, goals: Mapping[str, list[str]]) -> None:
    """Set the insats's resultatmål and effektmål from ordered lists of texts."""
    Goal.objects.filter(insats=insats).delete()
    Goal.objects.bulk_create(
        Goal(insats=insats, kind=kind, text=text.strip(), order=index)
        for kind, texts in goals.items()
        for index, text in enumerate(texts)
        if text.strip()
    )


@transaction.atomic
def insats_create(
    *,
    forbund: Forbund,
    by: User,
    insats: Insats,
    partners: Iterable[Medlem] = (),
    goals: Mapping[str, list[str]] | None = None,
    as_idea: bool = False,
) -> Insats:
    """A new application (utkast) or, for the samordnare, an idea under discussion (idé)."""
    if as_idea:
        access.require("register_idea", by, forbund)
    else:
        access.require("create_application", by, forbund, insats.owner if insats.owner_id else None)
    insats.forbund = forbund
    insats.status = S.IDE if as_idea else S.UTKAST  # the first state; every later one is a transition
    insats.full_clean()
    insats.save()
    _set_partners(insats, partners)
    _set_goals(insats, goals or {})
    workflow.begin(insats, by=by)
    _record(
        audit.Kind.CREATED,
        insats=insats,
        by=by,
        before={},
        after=_application_values(insats),
        description=f"Insats skapad: {insats} ({insats.get_status_display().lower()})",
    )
    return insats


@transaction.atomic
def insats_update(
    *,
    insats: Insats,
    by: User,
    opened_version: int | None = None,
    partners: Iterable[Medlem] | None = None,
    goals: Mapping[str, list[str]] | None = None,
) -> Insats:
    """Save the application's text and facts (an edited, unsaved `insats`), with its partners and
    goals when given."""
    generation.invalidate(insats.forbund)
    current = _lock(insats, by, opened_version)
    before = _application_values(current)
    insats.full_clean()
    _check_budget_inside_period(insats)
    insats.lock_version = current.lock_version + 1
    insats.save(update_fields=_edited_fields())
    if partners is not None:
        _set_partners(insats, partners)
    if goals is not None:
        _set_goals(insats, goals)
    current.refresh_from_db()
    _record(
        audit.Kind.CHANGED,
        insats=current,
        by=by,
        before=before,
        after=_application_values(current),
        description=f"Ansökan ändrad: {current}",
    )
    confirmations_after_change(current, by=by)
    return insats


def _edited_fields() -> list[str]:
    """What saving an edited application writes: everything but its förbund and its status, which
    changes only through the workflow (an edit form opened earlier must not put an old one back)."""
    kept = {"id", "forbund", "status", "created_at"}
    return [f.name for f in Insats._meta.concrete_fields if f.name not in kept]


@transaction.atomic
def delprocess_save(
    *, insats: Insats, by: User, delprocess: Delprocess, opened_version: int | None = None
) -> Delprocess:
    current = _lock(insats, by, opened_version)
    before = audit.values(Delprocess.objects.get(pk=delprocess.pk)) if delprocess.pk else None
    delprocess.insats = current
    delprocess.full_clean()
    delprocess.save()
    _touch(insats, current)
    if before is None:
        audit.created(forbund=current.forbund, actor=by, obj=delprocess)
    else:
        audit.changed(forbund=current.forbund, actor=by, obj=delprocess, before=before)
    confirmations_after_change(current, by=by)
    return delprocess


@transaction.atomic
def delprocess_delete(*, delprocess: Delprocess, by: User) -> None:
    """Remove a delprocess and the budget lines that belong to it."""
    insats = delprocess.insats
    current = _lock(insats, by)
    budget_before = _budget_values(current)
    audit.deleted(forbund=current.forbund, actor=by, obj=delprocess)
    delprocess.delete()
    _touch(insats, current)
    budget_after = _budget_values(current)
    if budget_after != budget_before:
        _record(
            audit.Kind.CHANGED,
            insats=current,
            by=by,
            before=budget_before,
            after=budget_after,
            description=f"Budgeten ändrad när delprocessen {delprocess} togs bort: {current}",
        )
    confirmations_after_change(current, by=by)


# Budget -------------------------------------------------------------------------------------------


@dataclass
class BudgetLineData:
    description: str
    section: str = ""
    delprocess: Delprocess | None = None
    organisation: Medlem | None = None
    share: str = ""
    amounts: dict[int, Decimal] = field(default_factory=dict)


def _check_budget_inside_period(insats: Insats) -> None:
    years = set(insats.years)
    outside = sorted(
        set(BudgetAmount.objects.filter(line__insats=insats).values_list("year", flat=True)) - years
    )
    if outside and insats.pk:
        listed = ", ".join(str(year) for year in outside)
        raise ValidationError(
            {"end": f"Budgeten har belopp för {listed}, utanför perioden. Ändra budgeten först."}
        )


def _budget_errors(insats: Insats, lines: list[BudgetLineData]) -> list[str]:
    years = set(insats.years)
    errors = []
    for number, line in enumerate(lines, start=1):
        if line.delprocess and line.delprocess.insats_id != insats.pk:
            errors.append(f"Rad {number}: delprocessen hör till en annan insats.")
        if line.organisation and line.organisation.forbund_id != insats.forbund_id:
            errors.append(f"Rad {number}: organisationen hör till ett annat förbund.")
        for year, amount in line.amounts.items():
            if year not in years:
                errors.append(f"Rad {number}: {year} ligger utanför insatsens period.")
            if amount < 0:
                errors.append(f"Rad {number}: beloppet för {year} får inte vara negativt.")
            if amount != amount.to_integral_value():
                errors.append(f"Rad {number}: ange hela kronor för {year}.")
    return errors


@transaction.atomic
def budget_replace(
    *, insats: Insats, by: User, lines: list[BudgetLineData], opened_version: int | None = None
) -> None:
    """Replace the budget as applied for. Years must lie inside the period; amounts are whole
    kronor, zero or more. Either every line is saved or none is."""
    current = _lock(insats, by, opened_version)
    if not current.years:
        raise ValidationError("Ange insatsens period innan budgeten fylls i.")
    errors = _budget_errors(current, lines)
    if errors:
        raise ValidationError(errors)
    before = _budget_values(current)
    BudgetLine.objects.filter(insats=current).delete()
    for order, data in enumerate(lines):
        line = BudgetLine.objects.create(
            insats=current,
            section="" if data.delprocess else data.section.strip(),
            delprocess=data.delprocess,
            description=data.description.strip(),
            organisation=data.organisation,
            share=data.share.strip(),
            order=order,
        )
        BudgetAmount.objects.bulk_create(
            BudgetAmount(line=line, year=year, amount=amount) for year, amount in sorted(data.amounts.items())
        )
    _touch(insats, current)
    _record(
        audit.Kind.CHANGED,
        insats=current,
        by=by,
        before=before,
        after=_budget_values(current),
        description=f"Budgeten ändrad: {current}",
    )
    confirmations_after_change(current, by=by)


# Attachments -------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, insats: Insats, by: User, file, description: str = "") -> Attachment:
    current = _lock(insats, by)
    attachment = Attachment(insats=current, file=file, description=description, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    _touch(insats, current)
    audit.created(forbund=current.forbund, actor=by, obj=attachment)
    confirmations_after_change(current, by=by)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    insats = attachment.insats
    current = _lock(insats, by)
    audit.deleted(forbund=current.forbund, actor=by, obj=attachment)
    attachment.file.delete(save=False)
    attachment.delete()
    _touch(insats, current)
    confirmations_after_change(current, by=by)


# Workflow -----------------------------------------------------------------------------------------


@transaction.atomic
def insats_transition(*, insats: Insats, to: str, by: User, comment: str = "") -> StatusChange:
    """Move an insats one step in its workflow (`insatser.workflow`). A grant or a refusal is not a
    step anyone takes here: it follows from recording the board's decision (`insats_decide`)."""
    generation.invalidate(insats.forbund)
    return workflow.transition(insats, to=to, by=by, comment=comment)


def _granted_text(amounts: Mapping[int, Decimal]) -> str:
    return ", ".join(f"{year} {amount} kr" for year, amount in sorted(amounts.items()))


def _check_confirmed(insats: Insats) -> None:
    """The board grants only an application every party behind it has confirmed, as it stands, through
    a named representative: a grant of text a party never saw would bind that party to it. (A refusal
    needs no confirmation: a party that will not confirm is a reason to refuse.)"""
    missing = missing_confirmations(insats)
    if missing:
        names = ", ".join(str(medlem) for medlem in missing)
        raise ValidationError(
            f"Ansökan kan inte beviljas: {names} har inte bekräftat den nuvarande versionen genom en "
            "behörig företrädare."
        )


def _check_board_item(insats: Insats, item: AgendaItem) -> None:
    """A board decision is an agenda item's decision: an item of this förbund's meeting, about this
    insats, in minutes that are not yet justerade (after justering a correction is a rättelse)."""
    meeting = item.meeting
    if meeting.forbund_id != insats.forbund_id:
        raise ValidationError({"agenda_item": "Dagordningspunkten hör till ett annat förbunds möte."})
    if item.insats_id != insats.pk:
        raise ValidationError({"agenda_item": "Dagordningspunkten handlar inte om den här insatsen."})
    if meeting.status == MeetingStatus.JUSTERAT:
        raise ValidationError(
            {
                "agenda_item": "Protokollet från mötet är justerat och kan inte få fler beslut. "
                "Gör en rättelse av protokollet i stället."
            }
        )


def _board_item_add(insats: Insats, meeting: Styrelsemote, by: User) -> AgendaItem:
    """Put the application on the meeting's agenda as a beslutsärende."""
    if meeting.forbund_id != insats.forbund_id:
        raise ValidationError({"new_item_meeting": "Mötet hör till ett annat förbund."})
    item = AgendaItem(
        kind=AgendaKind.BESLUT,
        title=f"Ansökan om medel: {insats.name}"[:200],
        proposal="Styrelsen beslutar om ansökan.",
        insats=insats,
    )
    return agenda_services.agenda_item_save(meeting=meeting, item=item, by=by)


def _person_for(user: User, forbund: Forbund) -> Person:
    """The user as the förbund's register of persons names them (a delegationsbeslut names a person)."""
    person = Person.objects.filter(forbund=forbund, user=user).order_by("id").first()
    if person is not None:
        return person
    person = Person(forbund=forbund, user=user, name=user.get_full_name() or user.get_username())
    person.full_clean()
    person.save()
    audit.created(forbund=forbund, actor=user, obj=person, description=f"Lade till personen {person}")
    return person


def _delegationsbeslut_create(
    insats: Insats, by: User, outcome: str, decided_on: datetime.date, delegation_point: str, amounts
) -> Delegationsbeslut:
    verb = "Beviljade" if outcome == Beslut.Outcome.BEVILJAD else "Avslog"
    description = f"{verb} ansökan om medel för {insats.name}."
    if amounts:
        description += f" Beviljat: {_granted_text(amounts)}."
    decision = Delegationsbeslut(
        forbund=insats.forbund,
        decided_on=decided_on,
        title=f"Ansökan om medel: {insats.name}"[:200],
        description=description,
        delegation_point=delegation_point.strip(),
        decided_by=_person_for(by, insats.forbund),
        recorded_by=by,
    )
    decision.full_clean()
    decision.save()
    audit.created(
        forbund=insats.forbund,
        actor=by,
        obj=decision,
        description=f"Registrerade delegationsbeslut: {decision}",
    )
    agenda_services.delegationsbeslut_report_to_next_meeting(decision=decision, by=by)
    decision.refresh_from_db(fields=["reported_in", "lock_version"])
    return decision


def _check_amounts(current: Insats, outcome: str, amounts: dict[int, Decimal]) -> dict[int, Decimal]:
    if outcome != Beslut.Outcome.BEVILJAD:
        return {}
    outside = sorted(set(amounts) - set(current.years))
    if outside:
        raise ValidationError(f"{', '.join(map(str, outside))} ligger utanför insatsens period.")
    if any(amount < 0 for amount in amounts.values()):
        raise ValidationError("Beviljade belopp får inte vara negativa.")
    if not any(amount > 0 for amount in amounts.values()):
        raise ValidationError("Ange beviljat belopp för minst ett år.")
    _check_confirmed(current)
    return amounts


@transaction.atomic
def insats_decide(
    *,
    insats: Insats,
    by: User,
    outcome: str,
    agenda_item: AgendaItem | None = None,
    new_item_meeting: Styrelsemote | None = None,
    on_delegation: bool = False,
    decided_on: datetime.date | None = None,
    delegation_point: str = "",
    motivation: str = "",
    amounts: Mapping[int, Decimal] | None = None,
) -> Beslut:
    """Record a decision on an application; a grant carries an amount per year inside the period. The
    insats becomes beviljad or avslagen as part of it.

    A board decision is the decision of an agenda item about this insats (`agenda_item`, or a new
    item put on `new_item_meeting`'s agenda): its date is the meeting's and its § the minutes'. A
    decision under delegation (`on_delegation`, on `decided_on`) is entered in the register of
    delegationsbeslut and reported to the next meeting whose agenda is open."""
    generation.invalidate(insats.forbund)
    current = Insats.objects.select_for_update().select_related("forbund").get(pk=insats.pk)
    access.require("decide", by, current)
    amounts = _check_amounts(
        current, outcome, {year: amount for year, amount in (amounts or {}).items() if amount is not None}
    )
    beslut = Beslut(insats=current, outcome=outcome, motivation=motivation.strip(), recorded_by=by)
    if on_delegation:
        if decided_on is None:
            raise ValidationError({"decided_on": "Ange vilken dag beslutet fattades på delegation."})
        beslut.decided_on = decided_on
        beslut.delegationsbeslut = _delegationsbeslut_create(
            current, by, outcome, decided_on, delegation_point, amounts
        )
    else:
        if agenda_item is None and new_item_meeting is not None:
            agenda_item = _board_item_add(current, new_item_meeting, by)
        if agenda_item is None:
            raise ValidationError(
                {
                    "agenda_item": "Välj dagordningspunkten där styrelsen beslutade, eller registrera "
                    "beslutet som ett beslut på delegation."
                }
            )
        agenda_item = AgendaItem.objects.select_related("meeting").get(pk=agenda_item.pk)
        _check_board_item(current, agenda_item)
        beslut.agenda_item = agenda_item
        beslut.meeting = agenda_item.meeting
        beslut.decided_on = agenda_item.meeting.date
    beslut.full_clean()
    beslut.save()
    GrantedAmount.objects.bulk_create(
        GrantedAmount(beslut=beslut, year=year, amount=amount) for year, amount in sorted(amounts.items())
    )
    audit.record(
        forbund=current.forbund,
        actor=by,
        kind=audit.Kind.CREATED,
        obj=beslut,
        description=f"Beslut om {current}: {beslut} ({beslut.reference})",
        changes=audit.diff(
            {}, {**audit.values(beslut), "amounts": ("beviljat belopp", _granted_text(amounts))}
        ),
    )
    comment = beslut.reference
    workflow.transition(insats, to=outcome, by=by, comment=comment, automatic=True)
    return beslut


# Follow-up -------------------------------------------------------------------------------------


@transaction.atomic
def milestone_create(*, insats: Insats, by: User, milestone: Milestone) -> Milestone:
    access.require("follow_up_insats", by, insats)
    milestone.insats = insats
    milestone.full_clean()
    milestone.save()
    audit.created(forbund=insats.forbund, actor=by, obj=milestone)
    return milestone


def milestone_update(
    *, insats: Insats, by: User, milestone: Milestone, opened_version: int | None = None
) -> Milestone:
    """Save an edited milestone, unless someone saved it after the form was opened."""
    access.require("follow_up_insats", by, insats)
    return concurrency.save_edit(milestone, by=by, forbund=insats.forbund, opened_version=opened_version)
