"""Writes to insatser. Each checks access, validates, runs in a transaction and leaves a trace."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from finsam import access
from forbund.models import Forbund, Medlem, Styrelsemote, User
from forbund.services import activity_log

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
    Signature,
    StatusChange,
)
from .workflow import TRANSITIONS

S = Insats.Status


def _require(verdict: access.Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


# Application content ------------------------------------------------------------------------------


@transaction.atomic
def insats_create(
    *, forbund: Forbund, by: User, insats: Insats, partners: Iterable[Medlem] = (), as_idea: bool = False
) -> Insats:
    """A new application (utkast) or, for the samordnare, an idea under discussion (idé)."""
    _require(access.can_register_idea(by, forbund) if as_idea else access.can_create_application(by, forbund))
    if not as_idea and not access.can_manage_organisation(by, forbund):
        if not access.projektagare_medlemmar(by, forbund).filter(pk=insats.owner_id).exists():
            raise ValidationError({"owner": "Du kan bara söka medel för din egen organisation."})
    insats.forbund = forbund
    insats.status = S.IDE if as_idea else S.UTKAST
    insats.full_clean()
    insats.save()
    insats.partners.set([partner for partner in partners if partner.pk != insats.owner_id])
    StatusChange.objects.create(insats=insats, from_status="", to_status=insats.status, by=by)
    activity_log(
        forbund=forbund, actor=by, description=f"Skapade insatsen {insats} ({insats.get_status_display()})"
    )
    return insats


@transaction.atomic
def insats_update(*, insats: Insats, by: User, partners: Iterable[Medlem] | None = None) -> Insats:
    _require(access.can_edit_application(by, insats))
    insats.full_clean()
    _check_budget_inside_period(insats)
    insats.save()
    if partners is not None:
        insats.partners.set([partner for partner in partners if partner.pk != insats.owner_id])
    activity_log(forbund=insats.forbund, actor=by, description=f"Ändrade ansökan för {insats}")
    return insats


@transaction.atomic
def goals_replace(*, insats: Insats, by: User, goals: Mapping[str, list[str]]) -> None:
    """Set the insats's resultatmål and effektmål from ordered lists of texts."""
    _require(access.can_edit_application(by, insats))
    insats.goals.all().delete()
    Goal.objects.bulk_create(
        Goal(insats=insats, kind=kind, text=text.strip(), order=index)
        for kind, texts in goals.items()
        for index, text in enumerate(texts)
        if text.strip()
    )


@transaction.atomic
def delprocess_save(*, insats: Insats, by: User, delprocess: Delprocess) -> Delprocess:
    _require(access.can_edit_application(by, insats))
    delprocess.insats = insats
    delprocess.full_clean()
    delprocess.save()
    activity_log(
        forbund=insats.forbund, actor=by, description=f"Sparade delprocessen {delprocess} i {insats}"
    )
    return delprocess


@transaction.atomic
def delprocess_delete(*, delprocess: Delprocess, by: User) -> None:
    insats = delprocess.insats
    _require(access.can_edit_application(by, insats))
    activity_log(
        forbund=insats.forbund, actor=by, description=f"Tog bort delprocessen {delprocess} ur {insats}"
    )
    delprocess.delete()


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


@transaction.atomic
def budget_replace(*, insats: Insats, by: User, lines: list[BudgetLineData]) -> None:
    """Replace the budget as applied for. Years must lie inside the period; amounts are whole
    kronor, zero or more. Either every line is saved or none is."""
    _require(access.can_edit_application(by, insats))
    years = set(insats.years)
    if not years:
        raise ValidationError("Ange insatsens period innan budgeten fylls i.")
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
    if errors:
        raise ValidationError(errors)
    insats.budget_lines.all().delete()
    for order, data in enumerate(lines):
        line = BudgetLine.objects.create(
            insats=insats,
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
    activity_log(forbund=insats.forbund, actor=by, description=f"Sparade budgeten för {insats}")


# Signatures and attachments ---------------------------------------------------------------------


@transaction.atomic
def signature_record(*, insats: Insats, by: User, medlem: Medlem, name: str, title: str) -> Signature:
    """Record that a party's authorised representative has confirmed the application."""
    _require(access.can_edit_application(by, insats))
    if medlem.pk not in parties_of(insats):
        raise ValidationError({"medlem": "Organisationen står inte bakom ansökan."})
    signature, _ = Signature.objects.update_or_create(
        insats=insats,
        medlem=medlem,
        defaults={"name": name.strip(), "title": title.strip(), "recorded_by": by},
    )
    activity_log(
        forbund=insats.forbund, actor=by, description=f"{name} ({medlem}) bekräftade ansökan för {insats}"
    )
    return signature


def parties_of(insats: Insats) -> set[int]:
    return {insats.owner_id, *insats.partners.values_list("pk", flat=True)}


@transaction.atomic
def attachment_add(*, insats: Insats, by: User, file, description: str = "") -> Attachment:
    _require(access.can_edit_application(by, insats))
    attachment = Attachment(insats=insats, file=file, description=description, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    activity_log(forbund=insats.forbund, actor=by, description=f"Lade till bilagan {attachment} i {insats}")
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    insats = attachment.insats
    _require(access.can_edit_application(by, insats))
    activity_log(forbund=insats.forbund, actor=by, description=f"Tog bort bilagan {attachment} ur {insats}")
    attachment.file.delete(save=False)
    attachment.delete()


# Workflow -----------------------------------------------------------------------------------------


def submission_problems(insats: Insats) -> list[str]:
    """What stops an application from being submitted, in words the applicant understands."""
    problems = []
    if not (insats.start and insats.end):
        problems.append("Ange insatsens period (start- och slutdatum).")
    if not insats.partners.exists():
        problems.append("Minst två medlemmar måste stå bakom ansökan: ange minst en samverkanspart.")
    if not insats.malgrupp:
        problems.append("Ange målgrupp.")
    if not insats.goals.exists():
        problems.append("Ange minst ett mål.")
    if not BudgetAmount.objects.filter(line__insats=insats, amount__gt=0).exists():
        problems.append("Fyll i budgeten.")
    signed = set(insats.signatures.values_list("medlem_id", flat=True))
    missing = Medlem.objects.filter(pk__in=parties_of(insats) - signed).order_by("name")
    problems.extend(f"Behörig företrädare för {medlem} har inte bekräftat ansökan." for medlem in missing)
    return problems


def application_snapshot(insats: Insats) -> dict:
    """The application as submitted, kept on the status change so later edits never rewrite it."""
    return {
        "name": insats.name,
        "kind": insats.kind,
        "malgrupp": insats.malgrupp,
        "period": [
            insats.start.isoformat() if insats.start else None,
            insats.end.isoformat() if insats.end else None,
        ],
        "owner": str(insats.owner),
        "partners": sorted(str(partner) for partner in insats.partners.all()),
        "goals": [{"kind": goal.kind, "text": goal.text} for goal in insats.goals.all()],
        "budget": [
            {
                "section": line.section_name,
                "description": line.description,
                "amounts": {str(a.year): str(a.amount) for a in line.amounts.all()},
            }
            for line in insats.budget_lines.select_related("delprocess").prefetch_related("amounts")
        ],
        "signatures": [
            {"medlem": str(sig.medlem), "name": sig.name, "title": sig.title}
            for sig in insats.signatures.all()
        ],
    }


@transaction.atomic
def insats_transition(
    *, insats: Insats, to: str, by: User, comment: str = "", recording_decision: bool = False
) -> StatusChange:
    """The one place an insats changes status: checks the transition and the role, records who,
    when and why, and keeps the submitted application. A grant or refusal happens only while
    recording the board's decision (`insats_decide`)."""
    insats = Insats.objects.select_for_update().get(pk=insats.pk)
    _require(access.can_transition(by, insats, to))
    transition = TRANSITIONS[(insats.status, to)]
    if transition.by_decision and not recording_decision:
        raise PermissionDenied(
            "Beviljande och avslag registreras som styrelsens beslut, med belopp och paragraf."
        )
    if transition.needs_comment and not comment.strip():
        raise ValidationError({"comment": "Skriv vad som ska kompletteras."})
    snapshot = None
    if to == S.INSKICKAD:
        problems = submission_problems(insats)
        if problems:
            raise ValidationError(problems)
        snapshot = application_snapshot(insats)
    change = StatusChange.objects.create(
        insats=insats,
        from_status=insats.status,
        to_status=to,
        by=by,
        comment=comment.strip(),
        snapshot=snapshot,
    )
    insats.status = to
    insats.save(update_fields=["status", "updated_at"])
    activity_log(
        forbund=insats.forbund,
        actor=by,
        description=f"{insats}: {change.get_from_status_display()} → {change.get_to_status_display()}",
    )
    return change


@transaction.atomic
def insats_decide(
    *,
    insats: Insats,
    by: User,
    outcome: str,
    decided_on: datetime.date,
    meeting: Styrelsemote | None = None,
    paragraph: str = "",
    motivation: str = "",
    amounts: Mapping[int, Decimal] | None = None,
) -> Beslut:
    """Record the board's decision; a grant carries an amount per year inside the period."""
    insats = Insats.objects.select_for_update().get(pk=insats.pk)
    _require(access.can_decide(by, insats))
    amounts = {year: amount for year, amount in (amounts or {}).items() if amount is not None}
    if meeting is not None and meeting.forbund_id != insats.forbund_id:
        raise ValidationError({"meeting": "Mötet hör till ett annat förbund."})
    if outcome == Beslut.Outcome.BEVILJAD:
        outside = sorted(set(amounts) - set(insats.years))
        if outside:
            raise ValidationError(f"{', '.join(map(str, outside))} ligger utanför insatsens period.")
        if any(amount < 0 for amount in amounts.values()):
            raise ValidationError("Beviljade belopp får inte vara negativa.")
        if not any(amount > 0 for amount in amounts.values()):
            raise ValidationError("Ange beviljat belopp för minst ett år.")
    else:
        amounts = {}
    beslut = Beslut(
        insats=insats,
        outcome=outcome,
        decided_on=decided_on,
        meeting=meeting,
        paragraph=paragraph.strip(),
        motivation=motivation.strip(),
        recorded_by=by,
    )
    beslut.full_clean()
    beslut.save()
    GrantedAmount.objects.bulk_create(
        GrantedAmount(beslut=beslut, year=year, amount=amount) for year, amount in sorted(amounts.items())
    )
    comment = f"Styrelsens beslut {decided_on:%Y-%m-%d}"
    if beslut.reference:
        comment += f" ({beslut.reference})"
    insats_transition(insats=insats, to=outcome, by=by, comment=comment, recording_decision=True)
    return beslut


# Follow-up -------------------------------------------------------------------------------------


@transaction.atomic
def milestone_save(*, insats: Insats, by: User, milestone: Milestone) -> Milestone:
    _require(access.can_follow_up_insats(by, insats))
    milestone.insats = insats
    milestone.full_clean()
    milestone.save()
    activity_log(forbund=insats.forbund, actor=by, description=f"Sparade delmålet {milestone} för {insats}")
    return milestone
