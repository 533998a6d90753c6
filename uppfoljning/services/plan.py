"""Writes for the verksamhetsplan: its text, the year's indicators and planned activities, and the
indicators' outcome when the year is followed up."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam import access, audit, concurrency
from forbund.models import Forbund, User

from ..models import Indikator, PlannedActivity, Verksamhetsplan

Values = dict[str, tuple[str, str]]


@dataclass
class IndicatorData:
    indicator: str
    measure: str


@dataclass
class ActivityData:
    activity: str
    when: str
    responsible: str
    follow_up: str


@dataclass
class IndicatorOutcome:
    outcome: str
    achieved: str
    opened_version: int | None = None


def _plan_values(plan: Verksamhetsplan) -> Values:
    """The plan as the audit log shows it: its texts, indicators and activities."""
    shown = audit.values(plan)
    indicators = Indikator.objects.filter(forbund_id=plan.forbund_id, year=plan.year).order_by("order", "id")
    shown["indicators"] = ("indikatorer", "; ".join(f"{i.indicator} ({i.measure})" for i in indicators))
    activities = PlannedActivity.objects.filter(forbund_id=plan.forbund_id, year=plan.year).order_by(
        "order", "id"
    )
    shown["activities"] = (
        "planerade aktiviteter",
        "; ".join(f"{a.activity}, {a.when}, {a.responsible}, {a.follow_up}" for a in activities),
    )
    return shown


def _copy_from(plan: Verksamhetsplan, previous: Verksamhetsplan) -> None:
    forbund, year = plan.forbund, plan.year
    for name in Verksamhetsplan.TEXT_FIELDS:
        setattr(plan, name, getattr(previous, name))
    Indikator.objects.bulk_create(
        Indikator(forbund=forbund, year=year, indicator=i.indicator, measure=i.measure, order=i.order)
        for i in Indikator.objects.filter(forbund=forbund, year=previous.year)
    )
    PlannedActivity.objects.bulk_create(
        PlannedActivity(
            forbund=forbund,
            year=year,
            activity=a.activity,
            when=a.when.replace(str(previous.year), str(year)),
            responsible=a.responsible,
            follow_up=a.follow_up,
            order=a.order,
        )
        for a in PlannedActivity.objects.filter(forbund=forbund, year=previous.year)
    )


@transaction.atomic
def verksamhetsplan_for(*, forbund: Forbund, year: int, by: User) -> Verksamhetsplan:
    """The year's plan; a new one starts from the latest earlier year's text, indicators and
    activities, so the samordnare edits rather than rewrites."""
    plan = Verksamhetsplan.objects.filter(forbund=forbund, year=year).first()
    if plan is not None:
        return plan
    access.require("manage_documents", by, forbund)
    previous = Verksamhetsplan.objects.filter(forbund=forbund, year__lt=year).order_by("-year").first()
    plan = Verksamhetsplan(forbund=forbund, year=year)
    if previous is not None:
        _copy_from(plan, previous)
    plan.full_clean()
    plan.save()
    audit.created(forbund=forbund, actor=by, obj=plan)
    return plan


def _indicators_replace(forbund: Forbund, year: int, rows: list[IndicatorData]) -> None:
    """Update the year's indicators in place, row by row, so outcomes already recorded for them
    are kept; rows beyond the new list are removed."""
    existing = list(Indikator.objects.filter(forbund=forbund, year=year).order_by("order", "id"))
    for index, row in enumerate(rows):
        if index < len(existing):
            indicator = existing[index]
            wanted = (row.indicator, row.measure, index)
            if (indicator.indicator, indicator.measure, indicator.order) == wanted:
                continue
            indicator.indicator, indicator.measure, indicator.order = row.indicator, row.measure, index
            indicator.lock_version += 1
            indicator.save(update_fields=["indicator", "measure", "order", "lock_version"])
        else:
            Indikator.objects.create(
                forbund=forbund, year=year, indicator=row.indicator, measure=row.measure, order=index
            )
    Indikator.objects.filter(pk__in=[indicator.pk for indicator in existing[len(rows) :]]).delete()


def _activities_replace(forbund: Forbund, year: int, rows: list[ActivityData]) -> None:
    PlannedActivity.objects.filter(forbund=forbund, year=year).delete()
    PlannedActivity.objects.bulk_create(
        PlannedActivity(
            forbund=forbund,
            year=year,
            activity=row.activity,
            when=row.when,
            responsible=row.responsible,
            follow_up=row.follow_up,
            order=index,
        )
        for index, row in enumerate(rows)
    )


@transaction.atomic
def verksamhetsplan_save(
    *,
    plan: Verksamhetsplan,
    by: User,
    indicators: list[IndicatorData],
    activities: list[ActivityData],
    opened_version: int | None = None,
) -> Verksamhetsplan:
    """Save the plan's texts, indicators and activities together; refused over someone else's save
    since the form was opened on `opened_version`."""
    access.require("manage_documents", by, plan.forbund)
    current = concurrency.lock_current(plan, opened_version)
    before = _plan_values(current)
    plan.lock_version = current.lock_version + 1
    plan.full_clean()
    plan.save()
    _indicators_replace(plan.forbund, plan.year, indicators)
    _activities_replace(plan.forbund, plan.year, activities)
    audit.record(
        forbund=plan.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=plan,
        description=f"Ändrade texterna i verksamhetsplan {plan.year}",
        changes=audit.diff(before, _plan_values(plan)),
    )
    return plan


@transaction.atomic
def indicator_outcomes_save(
    *, forbund: Forbund, year: int, by: User, outcomes: dict[int, IndicatorOutcome]
) -> int:
    """Record the year's outcome per indicator (by id). Refused, for all of them, when someone saved
    one of them after the form was opened. Returns how many changed."""
    access.require("follow_up_indicators", by, forbund)
    indicators = {i.pk: i for i in Indikator.objects.select_for_update().filter(forbund=forbund, year=year)}
    if set(outcomes) - set(indicators):
        raise ValidationError("En indikator hör inte till förbundet och året.")
    stale = [
        concurrency.stale_message(indicators[pk], row.opened_version)
        for pk, row in outcomes.items()
        if row.opened_version is not None and indicators[pk].lock_version != row.opened_version
    ]
    if stale:
        raise concurrency.StaleEdit(" ".join(stale), current_version=0)
    changed = 0
    for pk, row in outcomes.items():
        indicator = indicators[pk]
        if (indicator.outcome, indicator.achieved) == (row.outcome.strip(), row.achieved):
            continue
        before = audit.values(indicator)
        indicator.outcome, indicator.achieved = row.outcome.strip(), row.achieved
        indicator.lock_version += 1
        indicator.full_clean()
        indicator.save(update_fields=["outcome", "achieved", "lock_version"])
        audit.changed(
            forbund=forbund,
            actor=by,
            obj=indicator,
            before=before,
            description=f"Förde in utfallet för indikatorn {indicator}",
        )
        changed += 1
    return changed
