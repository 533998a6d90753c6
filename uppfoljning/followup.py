"""Reads for the förbund's own follow-up: participant sums over every insats's approved reports for a
period, which reports are still missing, the year's indicators and the figures Försäkringskassan's
national follow-up (Uppföljning Finsam) asks for.

Counts below 5 are hidden outside the förbund's staff, and so is anything a reader could use to
work such a count out again from the totals. How, is described at `protect`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from ekonomi.selectors.budget import budget_in_force, budget_overview
from ekonomi.selectors.comparison import Comparison, budget_vs_outcome
from finsam import access
from forbund.models import Forbund, User
from forbund.services import activity_log
from insatser.models import Insats
from insatser.selectors import granted_in_year, overlapping_year

from . import statistics
from .models import Indikator, ParticipantCount, ReportPeriod, Tertialrapport

APPROVED = Tertialrapport.Status.GODKAND
PERIOD_ORDER = {"T1": 1, "T2": 2, "AR": 3}
DIMENSIONS = statistics.INDIVIDUAL_DIMENSIONS  # flow, gender, age, support at start, outcome
SMALL = statistics.SMALL_COUNT
HIDDEN_TEXT = "dolt"
REPORTING_STATUSES = (
    Insats.Status.BEVILJAD,
    Insats.Status.PAGAENDE,
    Insats.Status.AVSLUTAD,
    Insats.Status.IMPLEMENTERAD,
    Insats.Status.AVVECKLAD,
)


# Small-number protection -------------------------------------------------------------------------

SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
INF = 10**9
Key = Hashable
Line = tuple[Sequence[Key], Key]  # cells that add up to a total shown on the same page


def protect(values: dict[Key, int], lines: Sequence[Line]) -> dict[Key, str]:
    """Which counts to hide from readers outside the förbund's staff.

    The rule chosen (primary and secondary cell suppression):
    1. Every count from 1 to 4 is hidden and shown as "<5" (statistics.masked). Zero is shown.
    2. A reader knows every *line*: cells that add up to a total on the same page or export. That is
       each breakdown (gender, age, … adding up to the participants), each insats's row (new +
       continuing = participants; women + men + other = participants) and each column of the
       per-insats table (adding up to the förbund's sum). From these sums a reader can narrow every
       hidden cell to an interval: "<5" is 1–4, a "dolt" cell is 0 or more (and, because rule 3
       takes the smallest, at most the smallest cell still shown in its line). The intervals are
       narrowed across all lines until nothing changes.
    3. While some hidden cell (or hidden total) is narrowed to a single number, the smallest cell still
       shown in a line it belongs to is hidden too and shown as "dolt" (zero cells included, so a
       "dolt" cell may be 0); when such a line has no cell left to hide, its total is hidden.
    So a single "<5" in a breakdown never stands alone: total minus the shown cells is always the sum
    of at least two hidden cells, and never a sum that only one split can give (2 = 1 + 1, 8 = 4 + 4).
    Hiding only the total would not be enough: the same total (the number of participants) is shown
    in several breakdowns and can be added up from new and continuing participants.
    The narrowing is interval reasoning, not a full linear-programming audit: the usual practical
    compromise, and enough for tables this size.
    """
    states = {key: PRIMARY if 0 < value < SMALL else SHOWN for key, value in values.items()}
    order = {key: index for index, key in enumerate(values)}
    while True:
        revealed = _revealed(values, lines, states)
        if not revealed:
            return states
        if not _hide_more(revealed[0], values, lines, states, order):
            # Cannot happen with the lines above; if it ever does, hide everything rather than leak.
            return {key: PRIMARY if state == PRIMARY else SECONDARY for key, state in states.items()}


def _bounds(values, lines, states) -> tuple[dict, dict]:
    """What a reader knows of each cell before adding anything up."""
    low, high = {}, {}
    for key, state in states.items():
        if state == SHOWN:
            low[key] = high[key] = values[key]
        elif state == PRIMARY:
            low[key], high[key] = 1, SMALL - 1
        else:
            low[key], high[key] = 0, INF
    for members, _total in lines:
        cap = min((values[m] for m in members if states[m] == SHOWN), default=INF)
        for member in members:
            if states[member] == SECONDARY and values[member] <= cap:
                high[member] = min(high[member], cap)
    return low, high


def _sum(numbers) -> int:
    return min(sum(numbers), INF)


def _revealed(values, lines, states) -> list[Key]:
    """The hidden cells a reader can work out exactly from the lines."""
    low, high = _bounds(values, lines, states)
    for _ in range(100):
        changed = False
        for members, total in lines:
            low_sum = sum(low[m] for m in members)
            finite_high = sum(high[m] for m in members if high[m] < INF)
            unbounded = sum(1 for m in members if high[m] >= INF)
            implied = {total: (low_sum, INF if unbounded else finite_high)}
            for member in members:
                own_unbounded = high[member] >= INF
                others_high = (
                    INF if unbounded - own_unbounded else finite_high - (0 if own_unbounded else high[member])
                )
                implied[member] = (
                    low[total] - others_high,
                    INF if high[total] >= INF else high[total] - (low_sum - low[member]),
                )
            for key, (new_low, new_high) in implied.items():
                if states[key] == SHOWN:
                    continue
                new_low, new_high = max(low[key], new_low), min(high[key], new_high)
                if (new_low, new_high) != (low[key], high[key]):
                    low[key], high[key] = new_low, new_high
                    changed = True
        if not changed:
            break
    return [key for key, state in states.items() if state != SHOWN and low[key] >= high[key]]


def _hide_more(key, values, lines, states, order) -> bool:
    """Hide the smallest shown cell of a line the revealed cell is in; else that line's total."""
    for members, total in lines:
        if key != total and key not in members:
            continue
        shown = [m for m in members if states[m] == SHOWN]
        if shown:
            states[min(shown, key=lambda m: (values[m], order[m]))] = SECONDARY
            return True
    for members, total in lines:
        if (key == total or key in members) and states[total] == SHOWN:
            states[total] = SECONDARY
            return True
    return False


@dataclass
class Figure:
    """One count as a given reader may see it: exactly, as "<5", or as "dolt"."""

    value: int
    state: str = SHOWN
    exact: bool = True  # the reader is förbund staff

    @property
    def visible(self) -> bool:
        return self.exact or self.state == SHOWN

    @property
    def text(self) -> str:
        if self.visible:
            return str(self.value)
        if self.state == PRIMARY:
            return statistics.masked(self.value)
        return HIDDEN_TEXT

    @property
    def cell(self) -> int | str:
        """For Excel: a number when the reader may see it, else the same text as on the page."""
        return self.value if self.visible else self.text


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

# What the samordnare records for each of the year's indicators.
INDICATOR_RESULT_FIELDS = ("outcome", "achieved")


def indicators_of_year(forbund: Forbund, year: int) -> list[Indikator]:
    return list(Indikator.objects.filter(forbund=forbund, year=year).order_by("order", "id"))


@transaction.atomic
def indicator_outcomes_save(
    *, forbund: Forbund, year: int, by: User, outcomes: dict[int, tuple[str, str]]
) -> int:
    """Record the year's outcome per indicator (id -> (outcome text, achieved)). Samordnare only."""
    if not (verdict := access.can_manage_report_periods(by, forbund)):
        raise PermissionDenied(verdict.reason)
    indicators = {i.pk: i for i in Indikator.objects.select_for_update().filter(forbund=forbund, year=year)}
    if set(outcomes) - set(indicators):
        raise ValidationError("En indikator hör inte till förbundet och året.")
    changed = []
    for pk, (outcome, achieved) in outcomes.items():
        indicator = indicators[pk]
        if (indicator.outcome, indicator.achieved) != (outcome.strip(), achieved):
            indicator.outcome, indicator.achieved = outcome.strip(), achieved
            indicator.full_clean()
            changed.append(indicator)
    Indikator.objects.bulk_update(changed, list(INDICATOR_RESULT_FIELDS))
    if changed:
        activity_log(
            forbund=forbund, actor=by, description=f"Förde in utfall för {len(changed)} indikatorer {year}"
        )
    return len(changed)


# Uppföljning Finsam (Försäkringskassan's national follow-up) -------------------------------------


@dataclass
class NationalInsats:
    insats: Insats
    budget: Decimal | None  # granted for the year
    outcome: Decimal  # the ledger's outcome for the full year (budget versus utfall)
    reported_cost: Decimal | None  # cost in the latest approved report of the year, for comparison
    participants: InsatsRow | None  # the chosen period's approved report, as on the page


@dataclass
class NationalForbund:
    state_allocation: Decimal | None
    equity: Decimal | None
    admin_budget: Decimal | None
    admin_outcome: Decimal


def national_followup(
    forbund: Forbund, year: int, page: FollowUp
) -> tuple[list[NationalInsats], NationalForbund]:
    comparison = budget_vs_outcome(forbund, year, "AR")
    return national_insatser(forbund, year, page, comparison), national_forbund(forbund, year, comparison)


def national_insatser(
    forbund: Forbund, year: int, page: FollowUp, comparison: Comparison
) -> list[NationalInsats]:
    """Per insats running during the year. The outcome is the ledger's (budget versus utfall for the
    full year): the förbund's own booked cost, not what the project owner wrote in a report. The
    latest approved report's cost (reports are cumulative from January) is given beside it, so a
    difference shows. Participants are the chosen period's approved report, exactly as on the page."""
    insatser = list(
        Insats.objects.filter(forbund=forbund, status__in=REPORTING_STATUSES)
        .filter(overlapping_year(year))
        .order_by("name")
    )
    granted = granted_in_year(forbund, year)
    outcome: dict[int, Decimal] = {}
    for row in comparison.insatser.rows:
        if row.link is not None:
            outcome[row.link.pk] = outcome.get(row.link.pk, Decimal(0)) + row.outcome
    latest: dict[int, tuple[int, Decimal | None]] = {}
    approved = Tertialrapport.objects.filter(
        period__forbund=forbund, period__year=year, status=APPROVED
    ).values_list("insats_id", "period__kind", "cost")
    for insats_id, kind, cost in approved:
        if PERIOD_ORDER[kind] > latest.get(insats_id, (0, None))[0]:
            latest[insats_id] = (PERIOD_ORDER[kind], cost)
    rows = {row.insats.pk: row for row in page.insats_rows}
    return [
        NationalInsats(
            insats=insats,
            budget=granted.get(insats.pk),
            outcome=outcome.get(insats.pk, Decimal(0)),
            reported_cost=latest.get(insats.pk, (0, None))[1],
            participants=rows.get(insats.pk),
        )
        for insats in insatser
    ]


def national_forbund(forbund: Forbund, year: int, comparison: Comparison) -> NationalForbund:
    """The state allocation is the state's income in the budget in force: Försäkringskassan's, with
    Arbetsförmedlingen's should the budget have such a row (the state pays through Försäkringskassan).
    Eget kapital is the preliminary equity at the start of the year (budget_overview); the
    administrative budget and outcome are the internal costs, the outcome from the ledger for the
    full year (budget versus utfall)."""
    budget = budget_in_force(forbund, year)
    overview = budget_overview(budget) if budget else None
    return NationalForbund(
        state_allocation=overview.funding.state if overview else None,
        equity=overview.equity.preliminary if overview else None,
        admin_budget=overview.internal_total if overview else None,
        admin_outcome=comparison.internal.total.outcome,
    )
