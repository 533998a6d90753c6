"""Writes for tertial and annual reports: periods and the reports they create, and saving a draft.
A report changes status only through the workflow engine (`uppfoljning.workflow`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from finsam import access, audit, concurrency
from forbund.models import Forbund, User

from .. import statistics
from ..models import GoalProgress, ParticipantCount, ReportPeriod, Tertialrapport
from ..selectors.reports import TEXT_FIELDS, insatser_reporting_in, report_values

# Periods and the reports they create --------------------------------------------------------------


@transaction.atomic
def report_period_save(*, forbund: Forbund, by: User, period: ReportPeriod) -> ReportPeriod:
    """Save a period and create a report for every insats running during it."""
    access.require("manage_report_periods", by, forbund)
    stored = ReportPeriod.objects.filter(pk=period.pk).first() if period.pk else None
    if stored is not None and stored.forbund_id != forbund.pk:
        raise PermissionDenied("Perioden hör till ett annat förbund.")
    before = audit.values(stored) if stored is not None else None
    period.forbund = forbund
    period.full_clean()
    period.save()
    created = reports_ensure(period=period, by=by)
    description = f"Sparade rapportperioden {period} ({created} nya rapporter)"
    if before is None:
        audit.created(forbund=forbund, actor=by, obj=period, description=description)
    else:
        audit.changed(forbund=forbund, actor=by, obj=period, before=before, description=description)
    return period


@transaction.atomic
def reports_ensure(*, period: ReportPeriod, by: User | None = None) -> int:
    """Create the missing reports of a period; running it again creates nothing new."""
    existing = set(period.reports.values_list("insats_id", flat=True))
    missing = [insats for insats in insatser_reporting_in(period) if insats.pk not in existing]
    reports = Tertialrapport.objects.bulk_create(
        Tertialrapport(insats=insats, period=period) for insats in missing
    )
    for report in reports:
        audit.created(forbund=period.forbund, actor=by, obj=report)
    return len(reports)


# Drafts -----------------------------------------------------------------------------------------


@dataclass
class ReportData:
    cooperation: str = ""
    activities: str = ""
    deviations: str = ""
    implementation: str = ""
    cost: Decimal | None = None
    cost_comment: str = ""
    goals: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # goal id -> (status, comment)
    counts: statistics.Counts = field(default_factory=dict)


def _check(report: Tertialrapport, data: ReportData) -> None:
    if data.cost is not None and data.cost < 0:
        raise ValidationError({"cost": "Kostnaden kan inte vara negativ."})
    if any(count < 0 for count in data.counts.values()):
        raise ValidationError("Antal kan inte vara negativa.")
    goals = set(report.insats.goals.values_list("pk", flat=True))
    if set(data.goals) - goals:
        raise ValidationError("Ett mål hör inte till insatsen.")


@transaction.atomic
def report_save(
    *, report: Tertialrapport, by: User, data: ReportData, opened_version: int | None = None
) -> Tertialrapport:
    """Save a draft: refused over someone else's save since `opened_version`, and once the report is
    submitted or approved. Numbers that disagree may be saved (the report is filled in over several
    sittings); they stop only the submission."""
    current = concurrency.lock_current(report, opened_version)
    access.require("edit_report", by, current)
    _check(current, data)
    before = report_values(current)
    for name in (*TEXT_FIELDS, "cost", "cost_comment"):
        value = getattr(data, name)
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    current.started_at = current.started_at or timezone.now()
    current.lock_version += 1
    current.full_clean()
    current.save()
    current.goal_progress.all().delete()
    GoalProgress.objects.bulk_create(
        GoalProgress(report=current, goal_id=goal_id, status=status, comment=comment.strip())
        for goal_id, (status, comment) in data.goals.items()
    )
    current.counts.all().delete()
    ParticipantCount.objects.bulk_create(
        ParticipantCount(report=current, dimension=dimension, category=category, count=count)
        for (dimension, category), count in data.counts.items()
        if count
    )
    audit.record(
        forbund=current.period.forbund,
        actor=by,
        kind=audit.Kind.CHANGED,
        obj=current,
        description=f"Sparade utkastet till rapporten {current}",
        changes=audit.diff(before, report_values(current)),
    )
    report.lock_version = current.lock_version
    return current
