"""Writes for the yearly budget. A decided version is never changed; a revision is a new version."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from finsam import access
from forbund.models import Forbund, Medlem, Styrelsemote, User
from forbund.selectors import medlemmar_in_year
from forbund.services import activity_log

from ..models import (
    DEFAULT_COST_CATEGORIES,
    Budget,
    BudgetCost,
    BudgetIncome,
    BudgetInsatsCost,
    BudgetOutlineYear,
    CostCategory,
)
from ..selectors.budget import funding_check, insats_cost_rows, preliminary_equity_for

ZERO = Decimal(0)


def _require(verdict: access.Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


def _require_proposal(budget: Budget) -> None:
    if budget.is_decided:
        raise ValidationError(
            "En beslutad budget ändras inte. Skapa en revidering, så blir den en ny version."
        )


def cost_categories_ensure(forbund: Forbund) -> list[CostCategory]:
    """The förbund's cost categories, created from the usual list the first time."""
    if not CostCategory.objects.filter(forbund=forbund).exists():
        for order, name in enumerate(DEFAULT_COST_CATEGORIES):
            CostCategory.objects.get_or_create(forbund=forbund, name=name, defaults={"order": order})
    return list(CostCategory.objects.filter(forbund=forbund).order_by("order", "name"))


# Versions -------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(*, forbund: Forbund, year: int, by: User, based_on: Budget | None = None) -> Budget:
    """A new proposal for `year`: a copy of `based_on` (a revision), or an empty budget with one line
    per cost category and the previous year's closing equity as the starting point."""
    _require(access.can_manage_economy(by, forbund))
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
    else:
        budget.opening_equity = preliminary_equity_for(forbund, year)
        if budget.opening_equity is not None:
            budget.opening_equity_note = f"Beräknat eget kapital enligt budget {year - 1}"
    budget.full_clean()
    budget.save()
    if based_on is not None:
        _copy_lines(based_on, budget)
    else:
        BudgetCost.objects.bulk_create(
            BudgetCost(budget=budget, category=category, amount=ZERO)
            for category in cost_categories_ensure(forbund)
        )
    what = f"revidering av version {based_on.version}" if based_on else "ny budget"
    activity_log(forbund=forbund, actor=by, description=f"Skapade {budget} ({what})")
    return budget


def _copy_lines(source: Budget, target: Budget) -> None:
    BudgetIncome.objects.bulk_create(
        BudgetIncome(budget=target, medlem_id=row.medlem_id, amount=row.amount)
        for row in source.intakter.all()
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
def budget_save(*, budget: Budget, by: User, content: BudgetContent) -> Budget:
    """Save a proposal's income, internal costs, equity and multi-year plan in one go. Income that
    breaks the 50/25/25 rule is accepted only with a recorded reason."""
    # Read the status under a lock: a copy loaded before someone decided the budget must not
    # overwrite the decided version (nor save its stale status back).
    budget = Budget.objects.select_for_update().select_related("forbund").get(pk=budget.pk)
    _require(access.can_manage_economy(by, budget.forbund))
    _require_proposal(budget)
    errors = _content_errors(budget, content)
    if errors:
        raise ValidationError(errors)
    budget.opening_equity = content.opening_equity
    budget.opening_equity_note = content.opening_equity_note.strip()
    budget.forecast_result_previous_year = content.forecast_result_previous_year
    budget.funding_deviation = content.funding_deviation.strip()
    budget.comment = content.comment.strip()
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
    activity_log(forbund=budget.forbund, actor=by, description=f"Ändrade {budget}")
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
        errors.append(
            "Intäkterna följer inte fördelningen 50/25/25 (staten hälften, regionen en fjärdedel, kommunerna "
            "en fjärdedel). Justera beloppen eller motivera avvikelsen."
        )
    return errors


# Decision -------------------------------------------------------------------------------------


@transaction.atomic
def budget_decide(
    *,
    budget: Budget,
    by: User,
    decided_on: datetime.date,
    meeting: Styrelsemote | None = None,
    paragraph: str = "",
) -> Budget:
    """Record the board's decision. The insats costs are fixed as granted on that day."""
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    _require(access.can_manage_economy(by, budget.forbund))
    _require_proposal(budget)
    if meeting is not None and meeting.forbund_id != budget.forbund_id:
        raise ValidationError({"decided_meeting": "Mötet hör till ett annat förbund."})
    if not budget.intakter.exists():
        raise ValidationError("Budgeten saknar intäkter.")
    rows = insats_cost_rows(budget)
    BudgetInsatsCost.objects.bulk_create(
        BudgetInsatsCost(budget=budget, insats=row.insats, amount=row.amount) for row in rows
    )
    budget.status = Budget.Status.BESLUTAD
    budget.decided_on = decided_on
    budget.decided_meeting = meeting
    budget.decided_paragraph = paragraph.strip()
    budget.decided_by = by
    budget.full_clean()
    budget.save()
    activity_log(forbund=budget.forbund, actor=by, description=f"Registrerade beslut om {budget}")
    return budget


# The funding calculator -----------------------------------------------------------------------


class KommunSplit:
    POPULATION = "invanare"
    EQUAL = "lika"
    BY_HAND = "hand"
    choices = [
        (POPULATION, "Efter invånare i arbetsför ålder"),
        (EQUAL, "Lika delar"),
        (BY_HAND, "Fördela själv"),
    ]


def funding_proposal(
    *,
    forbund: Forbund,
    year: int,
    party: str,
    amount: Decimal,
    split: str = KommunSplit.POPULATION,
) -> dict[Medlem, Decimal]:
    """What each member pays when one party's contribution is known. `party` is "state"
    (Försäkringskassan's payment, which covers Arbetsförmedlingen too), "region" or "kommuner"
    (their quarter together). The kommuner's quarter is split by working-age population, equally,
    or left for the user (zero each). Rounding remainders go to the largest kommun, so the sum holds."""
    # Whole kronor: an odd krona of the state's allocation cannot be matched by the others, so the
    # state pays twice the (whole) quarter and the proposal passes funding_check.
    quarter = _whole({"state": amount / 2, "region": amount, "kommuner": amount}[party])
    members = list(medlemmar_in_year(forbund, year))
    proposal: dict[Medlem, Decimal] = {}
    for medlem in members:
        if medlem.kind == Medlem.Kind.FORSAKRINGSKASSAN:
            proposal[medlem] = 2 * quarter
        elif medlem.kind == Medlem.Kind.ARBETSFORMEDLINGEN:
            proposal[medlem] = ZERO
        elif medlem.kind == Medlem.Kind.REGION:
            proposal[medlem] = quarter
    kommuner = [m for m in members if m.kind == Medlem.Kind.KOMMUN]
    proposal.update(_split_kommuner(kommuner, quarter, year, split))
    return proposal


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), ROUND_DOWN)


def _split_kommuner(kommuner: list[Medlem], total: Decimal, year: int, split: str) -> dict[Medlem, Decimal]:
    if not kommuner:
        return {}
    if split == KommunSplit.BY_HAND:
        return dict.fromkeys(kommuner, ZERO)
    weights = {kommun: Decimal(1) for kommun in kommuner}
    if split == KommunSplit.POPULATION:
        counts = {row.kommun_id: row.count for row in _population(kommuner, year)}
        if all(counts.get(kommun.pk) for kommun in kommuner):
            weights = {kommun: Decimal(counts[kommun.pk]) for kommun in kommuner}
    weight_total = sum(weights.values(), ZERO)
    shares = {kommun: _whole(total * weight / weight_total) for kommun, weight in weights.items()}
    largest = max(kommuner, key=lambda kommun: (weights[kommun], -kommun.pk))
    shares[largest] += total - sum(shares.values(), ZERO)
    return shares


def _population(kommuner: list[Medlem], year: int):
    from forbund.models import WorkingAgePopulation

    return WorkingAgePopulation.objects.filter(kommun__in=kommuner, year=year)
