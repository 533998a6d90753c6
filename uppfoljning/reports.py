"""Writes for tertial and annual reports: periods, automatic creation, saving drafts, and the one
function that moves a report through its workflow. (Split from services.py by concept.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from finsam import access
from forbund.models import Forbund, User
from forbund.services import activity_log
from insatser.models import Insats

from . import statistics
from .models import GoalProgress, ParticipantCount, ReportPeriod, ReportStatusChange, Tertialrapport
from .workflow import REPORT_TRANSITIONS

S = Tertialrapport.Status
REPORTING_STATUSES = (
    Insats.Status.BEVILJAD,
    Insats.Status.PAGAENDE,
    Insats.Status.AVSLUTAD,
    Insats.Status.IMPLEMENTERAD,
    Insats.Status.AVVECKLAD,
)


def _require(verdict: access.Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


# Periods and automatic creation -----------------------------------------------------------------


@transaction.atomic
def report_period_save(*, forbund: Forbund, by: User, period: ReportPeriod) -> ReportPeriod:
    """Save a period and create a report for every insats running during it."""
    _require(access.can_manage_report_periods(by, forbund))
    period.forbund = forbund
    period.full_clean()
    period.save()
    created = reports_ensure(period=period)
    activity_log(
        forbund=forbund, actor=by, description=f"Sparade rapportperioden {period} ({created} nya rapporter)"
    )
    return period


def insatser_reporting_in(period: ReportPeriod):
    """Insatser granted and running at some time during the period."""
    return Insats.objects.filter(
        forbund_id=period.forbund_id,
        status__in=REPORTING_STATUSES,
        start__lte=period.end,
        end__gte=period.start,
    )


@transaction.atomic
def reports_ensure(*, period: ReportPeriod) -> int:
    """Create the missing reports of a period; running it again creates nothing new."""
    existing = set(period.reports.values_list("insats_id", flat=True))
    missing = [insats for insats in insatser_reporting_in(period) if insats.pk not in existing]
    Tertialrapport.objects.bulk_create(Tertialrapport(insats=insats, period=period) for insats in missing)
    return len(missing)


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


@transaction.atomic
def report_save(*, report: Tertialrapport, by: User, data: ReportData) -> Tertialrapport:
    """Save a draft. Numbers that disagree may be saved (the report is filled in over several
    sittings); they stop only the submission."""
    report = (
        Tertialrapport.objects.select_for_update()
        .select_related("period__forbund", "insats")
        .get(pk=report.pk)
    )
    _require(access.can_edit_report(by, report))
    if data.cost is not None and data.cost < 0:
        raise ValidationError({"cost": "Kostnaden kan inte vara negativ."})
    if any(count < 0 for count in data.counts.values()):
        raise ValidationError("Antal kan inte vara negativa.")
    goals = {goal.pk for goal in report.insats.goals.all()}
    if set(data.goals) - goals:
        raise ValidationError("Ett mål hör inte till insatsen.")
    for name in ("cooperation", "activities", "deviations", "implementation", "cost", "cost_comment"):
        value = getattr(data, name)
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    report.started_at = report.started_at or timezone.now()
    report.save()
    report.goal_progress.all().delete()
    GoalProgress.objects.bulk_create(
        GoalProgress(report=report, goal_id=goal_id, status=status, comment=comment.strip())
        for goal_id, (status, comment) in data.goals.items()
    )
    report.counts.all().delete()
    ParticipantCount.objects.bulk_create(
        ParticipantCount(report=report, dimension=dimension, category=category, count=count)
        for (dimension, category), count in data.counts.items()
        if count
    )
    return report


def counts_of(report: Tertialrapport) -> statistics.Counts:
    return {(c.dimension, c.category): c.count for c in report.counts.all()}


def submission_problems(report: Tertialrapport) -> list[str]:
    problems = statistics.problems(counts_of(report), report.insats.kind)
    if not report.cooperation.strip():
        problems.append("Beskriv hur samverkan fungerar och har utvecklats.")
    if report.insats.kind == Insats.Kind.INDIVIDINRIKTAD and not statistics.participants(counts_of(report)):
        problems.append("Ange hur många deltagare insatsen har haft under perioden.")
    return problems


def invoiced_in_period(report: Tertialrapport) -> Decimal | None:
    """The sum of the insats's invoices for the period, to prefill the report's cost."""
    from ekonomi.models import Invoice

    period = report.period
    total = (
        Invoice.objects.filter(
            insats=report.insats, period_start__gte=period.start, period_end__lte=period.end
        )
        .aggregate(total=Sum("amount"))
        .get("total")
    )
    return total


def snapshot(report: Tertialrapport) -> dict:
    return {
        "texts": {
            name: getattr(report, name)
            for name in ("cooperation", "activities", "deviations", "implementation")
        },
        "cost": None if report.cost is None else str(report.cost),
        "cost_comment": report.cost_comment,
        "goals": [
            {"goal": p.goal.text, "status": p.status, "comment": p.comment}
            for p in report.goal_progress.select_related("goal")
        ],
        "counts": {f"{d}/{c}": n for (d, c), n in sorted(counts_of(report).items())},
    }


@transaction.atomic
def report_transition(*, report: Tertialrapport, to: str, by: User, comment: str = "") -> ReportStatusChange:
    """The one place a report changes status. Submitting checks the numbers and keeps the report as
    it was sent; returning needs a comment; every change is recorded."""
    report = (
        Tertialrapport.objects.select_for_update()
        .select_related("period__forbund", "insats")
        .get(pk=report.pk)
    )
    _require(access.can_transition_report(by, report, to))
    transition = REPORT_TRANSITIONS[(report.status, to)]
    if transition.needs_comment and not comment.strip():
        raise ValidationError({"comment": "Skriv vad som ska kompletteras."})
    kept = None
    if to == S.INSKICKAD:
        problems = submission_problems(report)
        if problems:
            raise ValidationError(problems)
        kept = snapshot(report)
    change = ReportStatusChange.objects.create(
        report=report, from_status=report.status, to_status=to, by=by, comment=comment.strip(), snapshot=kept
    )
    report.status = to
    report.save(update_fields=["status", "updated_at"])
    step = f"{change.get_from_status_display()} → {change.get_to_status_display()}"
    activity_log(forbund=report.period.forbund, actor=by, description=f"Rapport {report}: {step}")
    return change


def late_reports(forbund: Forbund, today) -> list[Tertialrapport]:
    return list(
        Tertialrapport.objects.filter(period__forbund=forbund, period__due_date__lt=today)
        .filter(Q(status=S.UTKAST) | Q(status=S.RETURNERAD))
        .select_related("insats", "period")
    )
