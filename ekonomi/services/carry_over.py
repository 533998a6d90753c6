"""Writes for carrying the economy from one year into the next: next year's proposal from this
year's budget, a budget's other income, the members' payment plan and the people's forecast
overrides. Each asks `finsam.access`, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam import access, audit, money
from forbund.models import Forbund, User
from forbund.selectors import medlemmar_in_year

from ..models import (
    Budget,
    BudgetCost,
    BudgetIncome,
    BudgetOtherIncome,
    BudgetOutlineYear,
    ContributionPlan,
    EconomySettings,
    ForecastOverride,
)
from ..selectors.budget import economy_settings
from .budget import cost_categories_ensure

ZERO = Decimal(0)


# Next year from this year -------------------------------------------------------------------------


def next_year_contributions(source: Budget, year: int) -> dict[int, Decimal]:
    """Each member's contribution for `year` (member id → kronor): the flerårsplan's income for that
    year split in the shares the members pay in `source` (kronor by largest remainder), or the same
    amounts as in `source` when the plan has no such year. Members who have left by then get nothing."""
    members = {medlem.pk for medlem in medlemmar_in_year(source.forbund, year)}
    current = {
        row.medlem_id: row.amount for row in source.intakter.order_by("medlem_id") if row.medlem_id in members
    }
    planned = source.outline.filter(year=year).first()
    base = sum(current.values(), ZERO)
    if planned is None or not base:
        return current
    ids = list(current)
    amounts = money.apportion([planned.income * current[pk] / base for pk in ids], planned.income)
    return dict(zip(ids, amounts, strict=True))


@transaction.atomic
def budget_create_next_year(*, source: Budget, by: User) -> Budget:
    """Next year's first proposal, made from `source`: its internal costs copied (and a zero line for
    any new cost category), the members' contributions from its flerårsplan, the later plan years
    kept, and the insatser from their multi-year grants (a proposal reads the grants for its year).
    The opening equity is the carry-over from the real result or the forecast. Refused when the year
    already has a budget."""
    forbund = source.forbund
    access.require("manage_economy", by, forbund)
    year = source.year + 1
    # One at a time per förbund, so two clicks cannot both find the year empty.
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    if Budget.objects.filter(forbund=forbund, year=year).exists():
        raise ValidationError(f"Det finns redan en budget för {year}. Öppna den i stället.")
    budget = Budget(
        forbund=forbund,
        year=year,
        version=1,
        created_by=by,
        funding_deviation=source.funding_deviation,
        comment=f"Förslag utgått från budget {source.year} version {source.version}.",
    )
    budget.full_clean()
    budget.save()
    copied = {row.category_id: row for row in source.costs.all()}
    BudgetCost.objects.bulk_create(
        BudgetCost(
            budget=budget,
            category=category,
            description=copied[category.pk].description if category.pk in copied else "",
            amount=copied[category.pk].amount if category.pk in copied else ZERO,
        )
        for category in cost_categories_ensure(forbund, by=by)
    )
    BudgetIncome.objects.bulk_create(
        BudgetIncome(budget=budget, medlem_id=medlem_id, amount=amount)
        for medlem_id, amount in next_year_contributions(source, year).items()
    )
    BudgetOutlineYear.objects.bulk_create(
        BudgetOutlineYear(
            budget=budget,
            year=row.year,
            income=row.income,
            internal_costs=row.internal_costs,
            insats_costs=row.insats_costs,
        )
        for row in source.outline.filter(year__gt=year)
    )
    audit.created(
        forbund=forbund,
        actor=by,
        obj=budget,
        description=f"Skapade {budget} från budget {source.year} version {source.version}",
    )
    return budget


# Other income -------------------------------------------------------------------------------------


@transaction.atomic
def other_income_add(*, budget: Budget, by: User, income: BudgetOtherIncome) -> BudgetOtherIncome:
    """Add a line of other income (ESF, state project money …) to a proposal."""
    budget = Budget.objects.select_for_update().select_related("forbund").get(pk=budget.pk)
    access.require("edit_budget", by, budget)
    income.budget = budget
    income.description = income.description.strip()
    income.full_clean()
    income.save()
    budget.lock_version += 1
    budget.save(update_fields=["lock_version"])
    audit.created(
        forbund=budget.forbund,
        actor=by,
        obj=income,
        description=f"Lade till {income} ({income.amount} kr) i {budget}",
    )
    return income


@transaction.atomic
def other_income_remove(*, income: BudgetOtherIncome, by: User) -> None:
    budget = Budget.objects.select_for_update().select_related("forbund").get(pk=income.budget_id)
    access.require("edit_budget", by, budget)
    audit.deleted(
        forbund=budget.forbund,
        actor=by,
        obj=income,
        description=f"Tog bort {income} ({income.amount} kr) ur {budget}",
    )
    income.delete()
    budget.lock_version += 1
    budget.save(update_fields=["lock_version"])


# The payment plan and forecast overrides -----------------------------------------------------------


@transaction.atomic
def contribution_plan_save(*, forbund: Forbund, by: User, plan: str) -> EconomySettings:
    """When the members pay their contributions; the forecast of the income follows it."""
    access.require("manage_economy", by, forbund)
    if plan not in ContributionPlan.values:
        raise ValidationError({"contribution_plan": "Välj en av betalningsplanerna."})
    settings = economy_settings(forbund)
    before = audit.values(settings)
    settings.contribution_plan = plan
    settings.full_clean()
    settings.save(update_fields=["contribution_plan"])
    audit.changed(
        forbund=forbund,
        actor=by,
        obj=settings,
        description=f"Medlemsbidragen betalas: {settings.get_contribution_plan_display().lower()}",
        before=before,
    )
    return settings


@transaction.atomic
def forecast_override_set(
    *, forbund: Forbund, by: User, year: int, line, amount: Decimal, comment: str
) -> ForecastOverride:
    """Set (or change) a person's full-year forecast for one line: a member's contribution, a cost
    category or an insats. The reason is required; the computed forecast stays visible beside it."""
    access.require("override_forecast", by, forbund, year)
    field = {"Medlem": "medlem", "CostCategory": "category", "Insats": "insats"}[type(line).__name__]
    override = (
        ForecastOverride.objects.select_for_update()
        .filter(forbund=forbund, year=year, **{field: line})
        .first()
    )
    created = override is None
    if created:
        override = ForecastOverride(forbund=forbund, year=year, **{field: line})
    before = audit.values(override)
    override.amount = amount
    override.comment = (comment or "").strip()
    override.set_by = by
    override.full_clean()
    override.save()
    words = f"prognosen {year} för {line} till {amount} kr: {override.comment}"
    if created:
        audit.created(forbund=forbund, actor=by, obj=override, description=f"Justerade {words}")
    else:
        audit.changed(forbund=forbund, actor=by, obj=override, description=f"Ändrade {words}", before=before)
    return override


@transaction.atomic
def forecast_override_remove(*, override: ForecastOverride, by: User) -> None:
    """Go back to the computed forecast for the line."""
    access.require("override_forecast", by, override.forbund, override.year)
    audit.deleted(
        forbund=override.forbund,
        actor=by,
        obj=override,
        description=f"Tog bort den justerade prognosen {override.year} för {override.line}",
    )
    override.delete()
