"""Writes for the verksamhetsplan's text, indicators and planned activities."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from finsam import access
from forbund.models import Forbund, User
from forbund.services import activity_log

from .models import Indikator, PlannedActivity, Verksamhetsplan


def _require(verdict: access.Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


@transaction.atomic
def verksamhetsplan_for(*, forbund: Forbund, year: int) -> Verksamhetsplan:
    """The year's plan; a new one starts from the latest earlier year's text, indicators and
    activities, so the samordnare edits rather than rewrites."""
    plan = Verksamhetsplan.objects.filter(forbund=forbund, year=year).first()
    if plan is not None:
        return plan
    previous = Verksamhetsplan.objects.filter(forbund=forbund, year__lt=year).order_by("-year").first()
    plan = Verksamhetsplan(forbund=forbund, year=year)
    if previous is not None:
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
    plan.save()
    return plan


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


def _indicators_replace(forbund: Forbund, year: int, rows: list[IndicatorData]) -> None:
    """Update the year's indicators in place, row by row, so outcomes already recorded for them
    are kept; rows beyond the new list are removed."""
    existing = list(Indikator.objects.filter(forbund=forbund, year=year).order_by("order", "id"))
    for index, row in enumerate(rows):
        if index < len(existing):
            indicator = existing[index]
            indicator.indicator, indicator.measure, indicator.order = row.indicator, row.measure, index
            indicator.save(update_fields=["indicator", "measure", "order"])
        else:
            Indikator.objects.create(
                forbund=forbund, year=year, indicator=row.indicator, measure=row.measure, order=index
            )
    Indikator.objects.filter(pk__in=[indicator.pk for indicator in existing[len(rows) :]]).delete()


@transaction.atomic
def verksamhetsplan_save(
    *, plan: Verksamhetsplan, by: User, indicators: list[IndicatorData], activities: list[ActivityData]
) -> Verksamhetsplan:
    _require(access.can_manage_documents(by, plan.forbund))
    plan.full_clean()
    plan.save()
    forbund, year = plan.forbund, plan.year
    _indicators_replace(forbund, year, indicators)
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
        for index, row in enumerate(activities)
    )
    activity_log(forbund=forbund, actor=by, description=f"Ändrade texterna i verksamhetsplan {year}")
    return plan
