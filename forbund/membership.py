"""Joining and leaving the förbund, with their consequences, and the rule for splitting the quarters.

A member leaves on a date after a decision by its fullmäktige or board. The samordnare first sees
what follows (`leave_plan`): the board seats still running end on that date, seats that would start
after it are removed, income rows in budget proposals for later years are taken out, decided later
budgets are named (they must be revised: a decided budget is never changed), and a party the law
requires that would then be missing is said plainly. `medlem_leave` does exactly what the plan the
samordnare confirmed said, in one transaction with the audit trail, or refuses when the plan has
changed since it was shown.

A member joins with `medlem_join`: the member and its decision in one go. In its first year it pays
for the months it is a member, unless the samordnare sets the amount (`first_year_amount`).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ekonomi import funding
from finsam import access, audit, concurrency

from . import generation
from .models import (
    AgreedShare,
    Forbund,
    FundingRule,
    Medlem,
    MembershipEvent,
    Styrelseuppdrag,
    User,
)


@dataclass
class Decision:
    """The member's decision to join or leave."""

    decided_by: str
    decided_on: datetime.date
    reference: str
    note: str = ""


# Leaving ------------------------------------------------------------------------------------------


@dataclass
class LeavePlan:
    medlem: Medlem
    date: datetime.date
    ending: list[Styrelseuppdrag] = field(default_factory=list)  # running on the date: end on it
    removing: list[Styrelseuppdrag] = field(default_factory=list)  # starting after the date
    incomes: list = field(default_factory=list)  # BudgetIncome rows in later proposals: removed
    decided_budgets: list = field(default_factory=list)  # later decided budgets: to be revised
    missing: list[str] = field(default_factory=list)  # required parties missing after the date

    @property
    def missing_message(self) -> str:
        day_after = self.date + datetime.timedelta(days=1)
        return funding.missing_parties_message(self.missing, f"från {day_after:%Y-%m-%d}")

    @property
    def fingerprint(self) -> str:
        """What the samordnare confirmed: the same seats and budget rows, each at its version."""
        parts = [f"{self.medlem.pk}:{self.date.isoformat()}"]
        parts += [f"e{u.pk}.{u.lock_version}" for u in self.ending]
        parts += [f"r{u.pk}.{u.lock_version}" for u in self.removing]
        parts += [f"i{row.pk}" for row in self.incomes]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def leave_plan(*, medlem: Medlem, date: datetime.date) -> LeavePlan:
    """Everything leaving on `date` (the last day as member) will change, for the samordnare to confirm."""
    from ekonomi.models import Budget, BudgetIncome

    seats = Styrelseuppdrag.objects.filter(medlem=medlem).select_related("person").order_by("start", "pk")
    plan = LeavePlan(medlem=medlem, date=date)
    plan.ending = list(seats.filter(start__lte=date).filter(Q(end__isnull=True) | Q(end__gt=date)))
    plan.removing = list(seats.filter(start__gt=date))
    plan.incomes = list(
        BudgetIncome.objects.filter(
            medlem=medlem, budget__year__gt=date.year, budget__status=Budget.Status.FORSLAG
        )
        .select_related("budget")
        .order_by("budget__year", "budget__version")
    )
    plan.decided_budgets = list(
        Budget.objects.filter(
            forbund_id=medlem.forbund_id,
            year__gt=date.year,
            status=Budget.Status.BESLUTAD,
            intakter__medlem=medlem,
        ).order_by("year", "version")
    )
    plan.missing = funding.missing_parties(members_after(medlem.forbund, date, without=medlem))
    return plan


def members_after(forbund: Forbund, date: datetime.date, *, without: Medlem | None = None) -> list[str]:
    """The kinds of the members on the day after `date`."""
    day = date + datetime.timedelta(days=1)
    members = Medlem.objects.filter(forbund=forbund, joined__lte=day).filter(
        Q(left__isnull=True) | Q(left__gte=day)
    )
    if without is not None:
        members = members.exclude(pk=without.pk)
    return list(members.values_list("kind", flat=True))


@transaction.atomic
def medlem_leave(
    *, medlem: Medlem, by: User, date: datetime.date, decision: Decision, confirmed: str
) -> MembershipEvent:
    """The member leaves on `date`: the plan shown to the samordnare (`confirmed` is its fingerprint)
    is carried out, or nothing is when the plan has changed since it was shown."""
    access.require("manage_organisation", by, medlem.forbund)
    generation.invalidate(medlem.forbund)
    medlem = Medlem.objects.select_for_update().select_related("forbund").get(pk=medlem.pk)
    if medlem.left is not None:
        raise ValidationError(f"{medlem} har redan utträtt ur förbundet ({medlem.left:%Y-%m-%d}).")
    if date < medlem.joined:
        raise ValidationError({"date": "Utträdet kan inte ligga före inträdet."})
    plan = leave_plan(medlem=medlem, date=date)
    if plan.fingerprint != confirmed:
        raise ValidationError(
            "Listan över vad utträdet ändrar har ändrats sedan den visades (någon har ändrat "
            "styrelseuppdrag eller budgetar). Kontrollera den nya listan och bekräfta igen."
        )
    event = MembershipEvent(
        forbund=medlem.forbund,
        medlem=medlem,
        kind=MembershipEvent.Kind.LEAVE,
        date=date,
        decided_by=decision.decided_by.strip(),
        decided_on=decision.decided_on,
        reference=decision.reference.strip(),
        note=decision.note.strip(),
        created_by=by,
    )
    event.full_clean()
    event.save()

    before = audit.values(medlem)
    medlem.left = date
    medlem.lock_version += 1
    medlem.full_clean()
    medlem.save()
    audit.record(
        forbund=medlem.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=medlem,
        description=f"{medlem} utträder ur förbundet {date:%Y-%m-%d} ({event.decided_by}, "
        f"{event.decided_on:%Y-%m-%d}, {event.reference})",
        changes=audit.diff(before, audit.values(medlem)),
    )
    audit.created(forbund=medlem.forbund, actor=by, obj=event, description=f"Registrerade {event}")

    for uppdrag in plan.ending:
        seat_before = audit.values(uppdrag)
        uppdrag.end = date
        uppdrag.lock_version += 1
        uppdrag.save(update_fields=["end", "lock_version"])
        audit.record(
            forbund=medlem.forbund,
            actor=by,
            kind=audit.Kind.CHANGED,
            obj=uppdrag,
            description=f"Styrelseuppdraget slutar {date:%Y-%m-%d} när {medlem} utträder: {uppdrag}",
            changes=audit.diff(seat_before, audit.values(uppdrag)),
        )
    for uppdrag in plan.removing:
        audit.deleted(
            forbund=medlem.forbund,
            actor=by,
            obj=uppdrag,
            description=f"Styrelseuppdraget togs bort (skulle börja efter utträdet): {uppdrag}",
        )
        uppdrag.delete()
    for row in plan.incomes:
        audit.event(
            forbund=medlem.forbund,
            actor=by,
            obj=row.budget,
            description=f"Intäkten från {medlem} ({row.amount} kr) togs bort ur {row.budget}, "
            f"version {row.budget.version}, eftersom {medlem} utträder {date:%Y-%m-%d}",
        )
        concurrency.bump(row.budget)
        row.delete()
    return event


# Joining ------------------------------------------------------------------------------------------


@transaction.atomic
def medlem_join(
    *,
    forbund: Forbund,
    by: User,
    kind: str,
    name: str,
    organisationsnummer: str,
    date: datetime.date,
    decision: Decision,
    first_year_amount: Decimal | None = None,
) -> MembershipEvent:
    """A new member joins on `date` on its decision: the member and the decision are recorded together."""
    access.require("manage_organisation", by, forbund)
    generation.invalidate(forbund)
    medlem = Medlem(
        forbund=forbund,
        kind=kind,
        name=name.strip(),
        organisationsnummer=organisationsnummer.strip(),
        joined=date,
    )
    medlem.full_clean()
    medlem.save()
    event = MembershipEvent(
        forbund=forbund,
        medlem=medlem,
        kind=MembershipEvent.Kind.JOIN,
        date=date,
        decided_by=decision.decided_by.strip(),
        decided_on=decision.decided_on,
        reference=decision.reference.strip(),
        note=decision.note.strip(),
        first_year_amount=first_year_amount,
        created_by=by,
    )
    event.full_clean()
    event.save()
    audit.created(
        forbund=forbund, actor=by, obj=medlem, description=f"{medlem} träder in i förbundet {date:%Y-%m-%d}"
    )
    audit.created(forbund=forbund, actor=by, obj=event, description=f"Registrerade {event}")
    return event


# The rule for splitting the quarters --------------------------------------------------------------


def funding_rule(forbund: Forbund) -> FundingRule:
    """The förbund's rule; until it is set, both quarters are split by working-age population."""
    return FundingRule.objects.filter(forbund=forbund).first() or FundingRule(forbund=forbund)


def agreed_shares(forbund: Forbund) -> dict[int, Decimal]:
    """The agreed share (percent) of each member that has one, by member id."""
    return dict(AgreedShare.objects.filter(forbund=forbund).values_list("medlem_id", "percent"))


@transaction.atomic
def funding_rule_save(
    *,
    forbund: Forbund,
    by: User,
    kommun_method: str,
    region_method: str,
    shares: dict[Medlem, Decimal | None],
    opened_version: int | None = None,
) -> FundingRule:
    """Save how the quarters are split, and the agreed shares (a member left empty has none)."""
    access.require("manage_organisation", by, forbund)
    rule, _ = FundingRule.objects.select_for_update().get_or_create(forbund=forbund)
    if opened_version is not None and rule.lock_version != opened_version:
        raise concurrency.StaleEdit(
            concurrency.stale_message(rule, opened_version), current_version=rule.lock_version
        )
    before = audit.values(rule)
    for medlem in shares:
        if medlem.forbund_id != forbund.pk:
            raise ValidationError("En andel gäller en organisation som inte är medlem i förbundet.")
    stored = {row.medlem_id: row for row in AgreedShare.objects.filter(forbund=forbund)}
    share_before = {
        f"share_{pk}": (f"Andel för {row.medlem}", str(row.percent)) for pk, row in stored.items()
    }
    for medlem, percent in shares.items():
        current = stored.get(medlem.pk)
        if percent is None:
            if current is not None:
                current.delete()
            continue
        row = current or AgreedShare(forbund=forbund, medlem=medlem)
        row.percent = percent
        row.full_clean()
        row.save()
    rule.kommun_method, rule.region_method = kommun_method, region_method
    rule.lock_version += 1
    rule.full_clean()
    rule.save()
    share_after = {
        f"share_{row.medlem_id}": (f"Andel för {row.medlem}", str(row.percent))
        for row in AgreedShare.objects.filter(forbund=forbund).select_related("medlem")
    }
    gone = {name: (label, "") for name, (label, _) in share_before.items() if name not in share_after}
    audit.record(
        forbund=forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=rule,
        description="Ändrade fördelningen av medlemsbidragen",
        changes=audit.diff({**before, **share_before}, {**audit.values(rule), **gone, **share_after}),
    )
    return rule


# Board seats that have not started -----------------------------------------------------------------


def seat_removable(uppdrag: Styrelseuppdrag, today: datetime.date) -> bool:
    """A seat that has not started (or would start after its member has left) can be removed; one
    that has started is history and is ended instead."""
    left = uppdrag.medlem.left
    return uppdrag.start > today or (left is not None and uppdrag.start > left)


@transaction.atomic
def styrelseuppdrag_remove(*, uppdrag: Styrelseuppdrag, by: User, today: datetime.date) -> None:
    access.require("manage_organisation", by, uppdrag.forbund)
    generation.invalidate(uppdrag.forbund)
    uppdrag = (
        Styrelseuppdrag.objects.select_for_update().select_related("medlem", "person").get(pk=uppdrag.pk)
    )
    if not seat_removable(uppdrag, today):
        raise ValidationError(
            "Uppdraget har redan börjat och tas inte bort: det hör till styrelsens historik. "
            "Ange i stället ett slutdatum."
        )
    audit.deleted(
        forbund=uppdrag.forbund, actor=by, obj=uppdrag, description=f"Tog bort styrelseuppdraget: {uppdrag}"
    )
    uppdrag.delete()
