"""Reads for the förbund's own follow-up: participant sums over every insats's approved reports for a
period, which reports are still missing, the charts, and the year's indicators.

Counts below 5 are hidden outside the förbund's staff, and so is anything a reader could use to
work such a count out again from the totals (`protection.protect`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum

from forbund.models import Forbund
from insatser.models import Insats

from .. import statistics
from ..models import Indikator, ParticipantCount, ReportPeriod, Tertialrapport
from .protection import SHOWN, Figure, Key, Line, protect

APPROVED = Tertialrapport.Status.GODKAND
PERIOD_ORDER = {"T1": 1, "T2": 2, "AR": 3}
PERIOD_LABELS = {"T1": "Tertial 1", "T2": "Tertial 2", "AR": "Årsrapport"}
DIMENSIONS = statistics.INDIVIDUAL_DIMENSIONS  # flow, gender, age, support at start, outcome


# Participant sums ---------------------------------------------------------------------------------


@dataclass
class BreakdownRow:
    code: str
    label: str
    figure: Figure


@dataclass
class Breakdown:
    code: str
    title: str
    rows: list[BreakdownRow]
    total: Figure
    total_label: str = "Summa"

    def figure(self, code: str) -> Figure:
        return next(row.figure for row in self.rows if row.code == code)


INSATS_COLUMNS = [
    ("nya", "Nya"),
    ("fortsatta", "Fortsatta"),
    ("deltagare", "Deltagare"),
    ("avslutade", "Avslutade"),
    ("kvinnor", "Kvinnor"),
    ("man", "Män"),
    ("annat", "Annat"),
]


@dataclass
class InsatsRow:
    insats: Insats
    report: Tertialrapport
    figures: dict[str, Figure]

    @property
    def cells(self) -> list[Figure]:
        return [self.figures[code] for code, _ in INSATS_COLUMNS]


@dataclass
class FollowUp:
    forbund: Forbund
    year: int
    kind: str
    period: ReportPeriod | None
    exact: bool
    breakdowns: list[Breakdown]
    insats_rows: list[InsatsRow]
    pending: list[Tertialrapport]
    structural: list[Tertialrapport]
    approved_count: int
    totals: dict[str, Figure] = field(default_factory=dict)  # the förbund's sum per insats column

    @property
    def kind_label(self) -> str:
        return ReportPeriod.Kind(self.kind).label

    def breakdown(self, code: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.code == code)


def period_of(forbund: Forbund, year: int, kind: str) -> ReportPeriod | None:
    return ReportPeriod.objects.filter(forbund=forbund, year=year, kind=kind).first()


def default_kind(forbund: Forbund, year: int) -> str:
    """The latest period of the year that exists, or T1."""
    kinds = set(ReportPeriod.objects.filter(forbund=forbund, year=year).values_list("kind", flat=True))
    return max(kinds, key=PERIOD_ORDER.get, default="T1")


def _approved_counts(period: ReportPeriod):
    return ParticipantCount.objects.filter(
        report__period=period,
        report__status=APPROVED,
        report__insats__kind=Insats.Kind.INDIVIDINRIKTAD,
        dimension__in=[d.code for d in DIMENSIONS],
    )


def participant_sums(period: ReportPeriod) -> statistics.Counts:
    """The sum of every approved report's counts in the period, per dimension and category: one query."""
    rows = _approved_counts(period).values("dimension", "category").annotate(total=Sum("count")).order_by()
    return {(row["dimension"], row["category"]): row["total"] for row in rows}


def participant_sums_per_insats(period: ReportPeriod) -> dict[int, statistics.Counts]:
    """The same sums per insats: one query."""
    rows = (
        _approved_counts(period)
        .values("report__insats", "dimension", "category")
        .annotate(total=Sum("count"))
        .order_by()
    )
    result: dict[int, statistics.Counts] = {}
    for row in rows:
        result.setdefault(row["report__insats"], {})[(row["dimension"], row["category"])] = row["total"]
    return result


def _insats_values(counts: statistics.Counts) -> dict[str, int]:
    get = counts.get
    return {
        "nya": get(("flow", "nya"), 0),
        "fortsatta": get(("flow", "fortsatta"), 0),
        "deltagare": statistics.participants(counts),
        "avslutade": statistics.ended(counts),
        "kvinnor": get(("gender", "kvinnor"), 0),
        "man": get(("gender", "man"), 0),
        "annat": get(("gender", "annat"), 0),
    }


def _layout(sums: statistics.Counts, per_insats: dict[int, statistics.Counts]):
    """Every count on the page keyed, and the lines a reader can add up (see `protect`)."""
    values: dict[Key, int] = {}
    lines: list[Line] = []
    values["deltagare"] = statistics.participants(sums)
    for dimension in DIMENSIONS:
        for code, _label in dimension.categories:
            values[(dimension.code, code)] = sums.get((dimension.code, code), 0)
    lines.append(([("flow", "nya"), ("flow", "fortsatta")], "deltagare"))
    breakdown_totals = {}
    for dimension in DIMENSIONS:
        if dimension is statistics.FLOW:
            continue
        members = [(dimension.code, code) for code, _ in dimension.categories]
        summed = statistics.total(sums, dimension)
        same = {"deltagare": values["deltagare"], ("flow", "avslutade"): values[("flow", "avslutade")]}
        expected = ("flow", "avslutade") if dimension is statistics.OUTCOME else "deltagare"
        total_key = expected if same[expected] == summed else ("total", dimension.code)
        values.setdefault(total_key, summed)
        breakdown_totals[dimension.code] = total_key
        lines.append((members, total_key))
    for insats_id, counts in per_insats.items():
        row = _insats_values(counts)
        for code, value in row.items():
            values[(insats_id, code)] = value
        lines.append(([(insats_id, "nya"), (insats_id, "fortsatta")], (insats_id, "deltagare")))
        if row["kvinnor"] + row["man"] + row["annat"] == row["deltagare"]:
            lines.append(([(insats_id, c) for c in ("kvinnor", "man", "annat")], (insats_id, "deltagare")))
    column_totals = {
        "nya": ("flow", "nya"),
        "fortsatta": ("flow", "fortsatta"),
        "deltagare": "deltagare",
        "avslutade": ("flow", "avslutade"),
        "kvinnor": ("gender", "kvinnor"),
        "man": ("gender", "man"),
        "annat": ("gender", "annat"),
    }
    if per_insats:
        for code, total_key in column_totals.items():
            lines.append(([(insats_id, code) for insats_id in per_insats], total_key))
    return values, lines, breakdown_totals, column_totals


def followup(forbund: Forbund, year: int, kind: str, *, exact: bool) -> FollowUp:
    """The period's sums over all insatser, only from approved reports, as the reader may see them."""
    period = period_of(forbund, year, kind)
    reports = (
        list(Tertialrapport.objects.filter(period=period).select_related("insats").order_by("insats__name"))
        if period
        else []
    )
    sums = participant_sums(period) if period else {}
    per_insats = participant_sums_per_insats(period) if period else {}
    values, lines, breakdown_totals, column_totals = _layout(sums, per_insats)
    states = dict.fromkeys(values, SHOWN) if exact else protect(values, lines)

    def figure(key) -> Figure:
        return Figure(values[key], states[key], exact)

    breakdowns = []
    for dimension in DIMENSIONS:
        rows = [
            BreakdownRow(code, label, figure((dimension.code, code))) for code, label in dimension.categories
        ]
        if dimension is statistics.FLOW:
            breakdowns.append(
                Breakdown(
                    dimension.code,
                    dimension.title,
                    rows,
                    figure("deltagare"),
                    "Deltagare (nya och fortsatta)",
                )
            )
        else:
            breakdowns.append(
                Breakdown(dimension.code, dimension.title, rows, figure(breakdown_totals[dimension.code]))
            )
    approved = [r for r in reports if r.status == APPROVED]
    insats_rows = [
        InsatsRow(
            insats=report.insats,
            report=report,
            figures={code: figure((report.insats_id, code)) for code, _ in INSATS_COLUMNS},
        )
        for report in approved
        if report.insats.kind == Insats.Kind.INDIVIDINRIKTAD and report.insats_id in per_insats
    ]
    # An approved individinriktad report without counts is a row of zeros.
    for report in approved:
        if report.insats.kind == Insats.Kind.INDIVIDINRIKTAD and report.insats_id not in per_insats:
            insats_rows.append(
                InsatsRow(
                    report.insats, report, {code: Figure(0, SHOWN, exact) for code, _ in INSATS_COLUMNS}
                )
            )
    insats_rows.sort(key=lambda row: row.insats.name)
    return FollowUp(
        forbund=forbund,
        year=year,
        kind=kind,
        period=period,
        exact=exact,
        breakdowns=breakdowns,
        insats_rows=insats_rows,
        pending=[r for r in reports if r.status != APPROVED],
        structural=[r for r in approved if r.insats.kind != Insats.Kind.INDIVIDINRIKTAD],
        approved_count=len(approved),
        totals={code: figure(key) for code, key in column_totals.items()},
    )


# Charts --------------------------------------------------------------------------------------------

CHART_WIDTH, LABEL_WIDTH, VALUE_WIDTH, ROW_HEIGHT, CHART_PAD = 520, 200, 48, 26, 8


@dataclass
class ChartBar:
    label: str
    text: str
    y: float
    width: float  # 0 when the count is hidden: a bar's length would give the number away
    text_x: float


@dataclass
class BarChart:
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bars: list[ChartBar]


def bar_chart(breakdown: Breakdown, *, year: int, period_label: str) -> BarChart:
    """A small horizontal bar chart of one breakdown, drawn by the template as SVG. Hidden counts get
    no bar, only their text, so the chart never shows more than the table."""
    visible = [row.figure.value for row in breakdown.rows if row.figure.visible]
    top = max(visible, default=0) or 1
    plot = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH - CHART_PAD
    bars = []
    for index, row in enumerate(breakdown.rows):
        width = round(plot * row.figure.value / top, 1) if row.figure.visible else 0
        bars.append(
            ChartBar(
                label=row.label,
                text=row.figure.text,
                y=CHART_PAD + index * ROW_HEIGHT,
                width=width,
                text_x=LABEL_WIDTH + width + 6,
            )
        )
    described = ", ".join(f"{row.label} {row.figure.text}" for row in breakdown.rows)
    return BarChart(
        title=f"{breakdown.title}, {period_label} {year}",
        description=f"Stapeldiagram. {described}. Samma siffror finns i tabellen.",
        width=CHART_WIDTH,
        height=CHART_PAD * 2 + ROW_HEIGHT * len(breakdown.rows),
        label_width=LABEL_WIDTH,
        bars=bars,
    )


# Indicators ----------------------------------------------------------------------------------------


def indicators_of_year(forbund: Forbund, year: int) -> list[Indikator]:
    return list(Indikator.objects.filter(forbund=forbund, year=year).order_by("order", "id"))
