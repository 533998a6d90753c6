"""Writes for the yearly budget. A decided version is never changed; a revision is a new version.

Every write asks `finsam.access` (`manage_economy` to create, `edit_budget` for everything that
changes a version: its income, costs, flerårsplan, equity and texts, and the decision itself), runs
in one transaction and records the values before and after in the audit trail. The decision is the
budget workflow's one step (`ekonomi.workflow`), taken here after the rule is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from finsam import access, audit, concurrency, workflow
from forbund import generation
from forbund.models import AgendaItem, Forbund, Medlem, MeetingStatus, User
from forbund.selectors import medlemmar_in_year

from .. import funding
from ..models import (
    DEFAULT_COST_CATEGORIES,
    Budget,
    BudgetCost,
    BudgetIncome,
    BudgetInsatsCost,
    BudgetOtherIncome,
    BudgetOutlineYear,
    CostCategory,
)
from ..selectors.budget import (
    funding_calculation,
    funding_check,
    insats_cost_rows,
    missing_parties_warning,
)

ZERO = Decimal(0)


# Cost categories --------------------------------------------------------------------------------


def cost_categories_ensure(forbund: Forbund, *, by: User | None = None) -> list[CostCategory]:
    """The förbund's cost categories, created from the usual list the first time."""
    if not CostCategory.objects.filter(forbund=forbund).exists():
        for order, name in enumerate(DEFAULT_COST_CATEGORIES):
            category, created = CostCategory.objects.get_or_create(
                forbund=forbund, name=name, defaults={"order": order}
            )
            if created:
                audit.created(forbund=forbund, actor=by, obj=category)
    return list(CostCategory.objects.filter(forbund=forbund).order_by("order", "name"))


@transaction.atomic
def cost_category_save(*, forbund: Forbund, by: User, category: CostCategory) -> CostCategory:
    """Add or rename a cost category of the förbund's internal costs."""
    access.require("manage_economy", by, forbund)
    category.forbund = forbund
    return concurrency.save_record(
        category,
        by=by,
        forbund=forbund,
        created=f"Lade till kostnadsslaget {category}",
        changed=f"Ändrade kostnadsslaget {category}",
    )


# Versions -------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, forbund: Forbund, year: int, by: User, based_on: Budget | None = None) -> Budget:
    """A new proposal for `year`: a copy of `based_on` (a revision), or an empty budget with one line
    per cost category. Its opening equity is left to the carry-over from the previous year's real
    result or forecast (`ekonomi.selectors.carry_over`), shown with its source, until the decision
    fixes it."""
    access.require("manage_economy", by, forbund)
    generation.invalidate(forbund)
    if based_on is not None and (based_on.forbund_id != forbund.pk or based_on.year != year):
        raise ValidationError("Revideringen måste gälla samma förbund och år.")
    last = Budget.objects.filter(forbund=forbund, year=year).aggregate(last=Max("version"))["last"] or 0
    budget = Budget(forbund=forbund, year=year, version=last + 1, created_by=by, based_on=based_on)
    if based_on is not None:
        for name in (
            "opening_equity",
            "opening_equity_note",
            "forecast_result_previous_year",
            "funding_deviation",
        ):
            setattr(budget, name, getattr(based_on, name))
        budget.comment = f"Revidering av version {based_on.version}."
    budget.full_clean()
    budget.save()
    if based_on is not None:
        _copy_lines(based_on, budget)
    else:
        BudgetCost.objects.bulk_create(
            BudgetCost(budget=budget, category=category, amount=ZERO)
            for category in cost_categories_ensure(forbund, by=by)
        )
    what = f"revidering av version {based_on.version}" if based_on else "ny budget"
    audit.created(forbund=forbund, actor=by, obj=budget, description=f"Skapade {budget} ({what})")
    return budget


def _copy_lines(source: Budget, target: Budget) -> None:
    # A member that has left by the year is not carried into the revision.
    members = set(medlemmar_in_year(target.forbund, target.year).values_list("pk", flat=True))
    BudgetIncome.objects.bulk_create(
        BudgetIncome(budget=target, medlem_id=row.medlem_id, amount=row.amount)
        for row in source.intakter.all()
        if row.medlem_id in members
    )
    BudgetCost.objects.bulk_create(
        BudgetCost(budget=target, category_id=row.category_id, description=row.description, amount=row.amount)
        for row in source.costs.all()
    )
    BudgetOutlineYear.objects.bulk_create(
        BudgetOutlineYear(
            budget=target,
            year=row.year,
            income=row.income,
            internal_costs=row.internal_costs,
            insats_costs=row.insats_costs,
        )
        for row in source.outline.all()
    )
    BudgetOtherIncome.objects.bulk_create(
        BudgetOtherIncome(budget=target, kind=row.kind, description=row.description, amount=row.amount)
        for row in source.other_incomes.all()
    )


def budget_values(budget: Budget) -> dict[str, tuple[str, str]]:
    """A version's fields and lines as a reader sees them, for the audit trail: what changed in a
    save is then listed line by line ("Intäkt från Region Skåne: 500000 → 600000")."""
    shown = audit.values(budget)
    for row in budget.intakter.select_related("medlem"):
        shown[f"income_{row.medlem_id}"] = (f"Intäkt från {row.medlem}", str(row.amount))
    for row in budget.costs.select_related("category"):
        shown[f"cost_{row.category_id}"] = (f"Kostnad för {row.category}", str(row.amount))
        shown[f"cost_text_{row.category_id}"] = (f"Beskrivning av {row.category}", row.description)
    for row in budget.outline.all():
        shown[f"plan_income_{row.year}"] = (f"Intäkter {row.year}", str(row.income))
        shown[f"plan_internal_{row.year}"] = (f"Interna kostnader {row.year}", str(row.internal_costs))
        shown[f"plan_insats_{row.year}"] = (f"Insatskostnader {row.year}", str(row.insats_costs))
    return shown


def _changes(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> list[audit.Change]:
    """Lines that are gone count as changed to nothing."""
    gone = {name: (label, "") for name, (label, _) in before.items() if name not in after}
    return audit.diff(before, {**gone, **after})


# Content --------------------------------------------------------------------------------------


@dataclass
class OutlineData:
    year: int
    income: Decimal
    internal_costs: Decimal
    insats_costs: Decimal


@dataclass
class BudgetContent:
    incomes: Mapping[Medlem, Decimal]
    costs: Mapping[CostCategory, tuple[str, Decimal]]
    outline: list[OutlineData]
    opening_equity: Decimal | None
    opening_equity_note: str
    forecast_result_previous_year: Decimal | None
    funding_deviation: str
    comment: str


@transaction.atomic
def budget_save(
    *, budget: Budget, by: User, content: BudgetContent, opened_version: int | None = None
) -> Budget:
    """Save a proposal's income, internal costs, equity, texts and multi-year plan in one go. Income
    that breaks the 50/25/25 rule is accepted only with a recorded reason. Refused for a decided
    version (a revision is a new version) and, with `StaleEdit`, when someone saved the version after
    the form was opened on `opened_version`."""
    # Read the status under a lock: a copy loaded before someone decided the budget must not
    # overwrite the decided version (nor save its stale status back).
    generation.invalidate(budget.forbund)
    budget = concurrency.lock_current(budget, opened_version)
    access.require("edit_budget", by, budget)
    errors = _content_errors(budget, content)
    if errors:
        raise ValidationError(errors)
    before = budget_values(budget)
    budget.opening_equity = content.opening_equity
    budget.opening_equity_note = content.opening_equity_note.strip()
    budget.forecast_result_previous_year = content.forecast_result_previous_year
    budget.funding_deviation = content.funding_deviation.strip()
    budget.comment = content.comment.strip()
    budget.lock_version += 1
    budget.full_clean()
    budget.save()
    budget.intakter.all().delete()
    BudgetIncome.objects.bulk_create(
        BudgetIncome(budget=budget, medlem=medlem, amount=amount)
        for medlem, amount in content.incomes.items()
    )
    budget.costs.all().delete()
    BudgetCost.objects.bulk_create(
        BudgetCost(budget=budget, category=category, description=description.strip(), amount=amount)
        for category, (description, amount) in content.costs.items()
    )
    budget.outline.all().delete()
    BudgetOutlineYear.objects.bulk_create(
        BudgetOutlineYear(
            budget=budget,
            year=row.year,
            income=row.income,
            internal_costs=row.internal_costs,
            insats_costs=row.insats_costs,
        )
        for row in content.outline
    )
    audit.record(
        forbund=budget.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=budget,
        description=f"Ändrade {budget}",
        changes=_changes(before, budget_values(budget)),
    )
    return budget


def _content_errors(budget: Budget, content: BudgetContent) -> list[str]:
    errors = []
    amounts = [*content.incomes.values(), *(amount for _, amount in content.costs.values())]
    for row in content.outline:
        amounts += [row.income, row.internal_costs, row.insats_costs]
    if any(amount < 0 for amount in amounts):
        errors.append("Belopp får inte vara negativa.")
    if any(amount != amount.to_integral_value() for amount in amounts):
        errors.append("Ange hela kronor.")
    if any(medlem.forbund_id != budget.forbund_id for medlem in content.incomes):
        errors.append("En intäkt kommer från en organisation som inte är medlem i förbundet.")
    if any(category.forbund_id != budget.forbund_id for category in content.costs):
        errors.append("Ett kostnadsslag hör till ett annat förbund.")
    if any(row.year <= budget.year for row in content.outline):
        errors.append(f"Flerårsplanen gäller åren efter {budget.year}.")
    check = funding_check(dict(content.incomes))
    if not check.follows_rule and not content.funding_deviation.strip():
        missing = missing_parties_warning(budget.forbund, budget.year)
        if missing:
            errors.append(missing)
        errors.append(
            "Intäkterna följer inte fördelningen 50/25/25 (staten hälften, regionen en fjärdedel, kommunerna "
            "en fjärdedel). Justera beloppen eller motivera avvikelsen."
        )
    return errors


# Decision -------------------------------------------------------------------------------------


def _check_decision_item(budget: Budget, item: AgendaItem) -> None:
    """The board decides a budget version on an agenda item about it, in minutes not yet justerade."""
    if item.meeting.forbund_id != budget.forbund_id:
        raise ValidationError({"decided_item": "Dagordningspunkten hör till ett annat förbunds möte."})
    if item.budget_id != budget.pk:
        raise ValidationError({"decided_item": "Dagordningspunkten handlar inte om den här budgetversionen."})
    if item.meeting.status == MeetingStatus.JUSTERAT:
        raise ValidationError(
            {
                "decided_item": "Protokollet från mötet är justerat och kan inte få fler beslut. "
                "Gör en rättelse av protokollet i stället."
            }
        )


def _carried_equity(budget: Budget) -> dict:
    """A proposal that opened with the carry-over (nothing typed) is decided on that figure: it is
    written into the version so the decided document never changes."""
    if budget.opening_equity is not None:
        return {}
    from ..selectors.budget import budget_overview

    equity = budget_overview(budget).equity
    if equity.opening is None:
        return {}
    return {
        "opening_equity": equity.opening,
        "opening_equity_note": f"{equity.opening_note} ({equity.source})"[:200],
        "forecast_result_previous_year": equity.forecast_previous_year,
    }


@transaction.atomic
def budget_decide(*, budget: Budget, by: User, item: AgendaItem) -> Budget:
    """Record the board's decision, taken on `item` of a meeting's agenda: the budget workflow's
    step förslag → beslutad. The date is the meeting's, the § the minutes'. The insats costs are
    fixed as granted on that day."""
    generation.invalidate(budget.forbund)
    budget = Budget.objects.select_for_update().select_related("forbund").get(pk=budget.pk)
    access.require("edit_budget", by, budget)
    item = AgendaItem.objects.select_related("meeting").get(pk=item.pk)
    _check_decision_item(budget, item)
    if not budget.intakter.exists():
        raise ValidationError("Budgeten saknar intäkter.")
    decision = {
        "decided_on": item.meeting.date,
        "decided_meeting": item.meeting,
        "decided_item": item,
        "decided_by": by,
    }
    decision.update(_carried_equity(budget))
    for name, value in decision.items():
        setattr(budget, name, value)
    budget.full_clean()
    BudgetInsatsCost.objects.bulk_create(
        BudgetInsatsCost(budget=budget, insats=row.insats, amount=row.amount)
        for row in insats_cost_rows(budget)
    )
    workflow.transition(budget, to=Budget.Status.BESLUTAD, by=by, automatic=True, changes=decision)
    return budget


# The funding calculator -----------------------------------------------------------------------


def funding_proposal(*, forbund: Forbund, year: int, start: str, amount: Decimal) -> funding.Funding:
    """What each member pays for `year` when the total, the state's half or one quarter is known,
    split by the förbund's rule (`ekonomi.funding`). Writes nothing: the edit page fills the income
    fields from it. Raises `funding.FundingRefused` when a party the law requires is missing."""
    return funding_calculation(forbund, year, start=start, amount=amount)
