"""Reads for tertial and annual reports: which insatser report, the status board, what a report holds
and shows to whom, what stops its submission, what it looked like when it was sent, and the reports
waiting for the samordnare."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from finsam import access, audit
from forbund.models import Forbund, User
from insatser.models import GRANTED_STATUSES, Insats

from .. import statistics
from ..models import ReminderLog, ReportPeriod, ReportStatusChange, Tertialrapport

S = Tertialrapport.Status

TEXT_FIELDS = ("cooperation", "activities", "deviations", "implementation")


def insatser_reporting_in(period: ReportPeriod) -> QuerySet[Insats]:
    """Insatser granted and running at some time during the period."""
    return Insats.objects.filter(
        forbund_id=period.forbund_id,
        status__in=GRANTED_STATUSES,
        start__lte=period.end,
        end__gte=period.start,
    )


# The status board and the periods ------------------------------------------------------------------


def default_report_year(forbund: Forbund) -> int:
    """The latest year with report periods, or this year."""
    latest = (
        ReportPeriod.objects.filter(forbund=forbund).order_by("-year").values_list("year", flat=True).first()
    )
    return latest or timezone.localdate().year


def periods_of_year(forbund: Forbund, year: int) -> list[ReportPeriod]:
    """The year's periods in calendar order, each with `report_count`."""
    periods = ReportPeriod.objects.filter(forbund=forbund, year=year).annotate(report_count=Count("reports"))
    return sorted(periods, key=lambda period: period.end)


@dataclass
class StatusBoard:
    year: int
    years: list[int]
    periods: list[ReportPeriod]
    rows: list[tuple[Insats, list[Tertialrapport | None]]]  # per insats, its report in each period

    def period_totals(self) -> list[dict]:
        """Per period, how many of its reports are shown, approved, submitted and late: the year's
        totals under the table (the board is one year; earlier years are a click away)."""
        totals = []
        for column, _ in enumerate(self.periods):
            reports = [cells[column] for _, cells in self.rows if cells[column] is not None]
            totals.append(
                {
                    "count": len(reports),
                    "approved": sum(1 for report in reports if report.status == S.GODKAND),
                    "submitted": sum(1 for report in reports if report.status == S.INSKICKAD),
                    "late": sum(1 for report in reports if report.late),
                }
            )
        return totals


def status_board(user: User, forbund: Forbund, year: int, today: datetime.date) -> StatusBoard:
    """Every report of the year the user may see, as a table of insatser by period."""
    periods = periods_of_year(forbund, year)
    reports = (
        access.reports_visible_to(user, forbund)
        .filter(period__in=periods)
        .select_related("insats", "period")
        .order_by("insats__name", "period__kind")
    )
    board: dict[Insats, dict[int, Tertialrapport]] = {}
    for report in reports:
        report.late = report.is_late(today)
        board.setdefault(report.insats, {})[report.period_id] = report
    rows = [(insats, [cells.get(period.pk) for period in periods]) for insats, cells in board.items()]
    years = set(ReportPeriod.objects.filter(forbund=forbund).values_list("year", flat=True))
    return StatusBoard(year=year, years=sorted(years | {year, today.year}), periods=periods, rows=rows)


def reports_to_review(user: User, forbund: Forbund) -> QuerySet[Tertialrapport]:
    """Submitted reports waiting for the samordnare's review; empty for everyone else."""
    if not access.check("manage_report_periods", user, forbund):
        return Tertialrapport.objects.none()
    return (
        Tertialrapport.objects.filter(period__forbund=forbund, status=S.INSKICKAD)
        .select_related("insats", "period")
        .order_by("period__due_date")
    )


# One report --------------------------------------------------------------------------------------


def counts_of(report: Tertialrapport) -> statistics.Counts:
    return {(c.dimension, c.category): c.count for c in report.counts.all()}


def count_groups(report: Tertialrapport, *, exact: bool) -> list[tuple[statistics.Dimension, list]]:
    """The report's counts per dimension as (label, shown) pairs: exact for those who may see small
    counts, otherwise masked so that no participant can be singled out."""
    counts = counts_of(report)
    groups = []
    for dimension in statistics.dimensions_for(report.insats.kind):
        labels = [label for _, label in dimension.categories]
        if exact:
            shown = [str(counts.get((dimension.code, code), 0)) for code, _ in dimension.categories]
        else:
            shown = statistics.masked_dimension(dimension, counts)
        groups.append((dimension, list(zip(labels, shown, strict=True))))
    return groups


def submission_problems(report: Tertialrapport) -> list[str]:
    """What stops the report from being submitted, in words the project owner understands."""
    counts = counts_of(report)
    problems = statistics.problems(counts, report.insats.kind)
    if not report.cooperation.strip():
        problems.append("Beskriv hur samverkan fungerar och har utvecklats.")
    if report.insats.kind == Insats.Kind.INDIVIDINRIKTAD and not statistics.participants(counts):
        problems.append("Ange hur många deltagare insatsen har haft under perioden.")
    return problems


def invoiced_in_period(report: Tertialrapport) -> Decimal | None:
    """The sum of the insats's invoices for the period, to prefill the report's cost."""
    from ekonomi.models import Invoice

    period = report.period
    return (
        Invoice.objects.filter(
            insats=report.insats, period_start__gte=period.start, period_end__lte=period.end
        )
        .aggregate(total=Sum("amount"))
        .get("total")
    )


def report_snapshot(report: Tertialrapport) -> dict:
    """Texts, cost, goals and counts as they are now: what the history keeps of a submission."""
    return {
        "texts": {name: getattr(report, name) for name in TEXT_FIELDS},
        "cost": None if report.cost is None else str(report.cost),
        "cost_comment": report.cost_comment,
        "goals": [
            {"goal": p.goal.text, "status": p.status, "comment": p.comment}
            for p in report.goal_progress.select_related("goal")
        ],
        "counts": {f"{d}/{c}": n for (d, c), n in sorted(counts_of(report).items())},
    }


def report_values(report: Tertialrapport) -> dict[str, tuple[str, str]]:
    """The report as the audit log shows it: its fields, and its goals and counts in words."""
    shown = audit.values(report)
    goals = report.goal_progress.select_related("goal").order_by("goal__kind", "goal__order", "goal_id")
    shown["goals"] = (
        "måluppfyllelse",
        "; ".join(f"{p.goal.text}: {p.get_status_display() or '–'} {p.comment}".strip() for p in goals),
    )
    # The log is read by the revisor too: small counts are masked there as everywhere outside the
    # kansli (the exact figures stay in the report and in its submitted versions).
    counts = counts_of(report)
    shown["counts"] = (
        "antal",
        ", ".join(
            f"{dimension.code}/{code} {value}"
            for dimension in statistics.dimensions_for(report.insats.kind)
            for (code, _), value in zip(
                dimension.categories, statistics.masked_dimension(dimension, counts), strict=True
            )
            if counts.get((dimension.code, code))
        ),
    )
    return shown


def report_history(report: Tertialrapport) -> QuerySet[ReportStatusChange]:
    return ReportStatusChange.objects.filter(report=report).select_related("by").order_by("at", "id")


def last_return(report: Tertialrapport) -> ReportStatusChange | None:
    """Why the samordnare returned the report, while it is returned."""
    if report.status != S.RETURNERAD:
        return None
    return report.status_changes.filter(to_status=S.RETURNERAD).order_by("at", "id").last()


# Reminders ---------------------------------------------------------------------------------------


def reminders_sent(forbund: Forbund) -> QuerySet[ReminderLog]:
    """The reminders sent in a förbund, newest first, with report, insats and period for a log table."""
    return (
        ReminderLog.objects.filter(report__period__forbund=forbund)
        .select_related("report__insats", "report__period")
        .order_by("-sent_at", "-pk")
    )
