"""Reads for the årsredovisning: everything it shows that people do not write, computed from the
database: the board, the meetings held, the insatser and their annual reports, the indicators, the
result from the ledger, the balance sheet, the cash flow and the budget comparison. Used by the edit
page, the HTML preview and the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from ekonomi.selectors.balance import ledger_balance
from ekonomi.selectors.budget import budget_in_force, budget_lines, equity_statement
from ekonomi.selectors.comparison import budget_vs_outcome
from ekonomi.selectors.history import History
from finsam import money
from forbund import selectors as forbund_selectors
from forbund.models import Forbund, MeetingStatus, Styrelsemote
from insatser.selectors import granted_in_year

from .. import statistics
from ..models import Arsredovisning, Indikator, ParticipantCount, Tertialrapport
from .documents import insatser_of_year

HELD = (MeetingStatus.GENOMFORT, MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT)


@dataclass
class Balance:
    """The balance sheet and the cash flow; None where a figure is missing."""

    opening_equity: Decimal | None
    result: Decimal
    kassa_bank: Decimal | None
    fordringar: Decimal | None
    skulder: Decimal | None
    kassa_bank_fg: Decimal | None
    fordringar_fg: Decimal | None
    skulder_fg: Decimal | None
    # Where each figure came from (`BALANCE_SOURCES`), the reason for figures typed by hand, and the
    # ledger's last month when the figures come from it.
    sources: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    ledger_month: int | None = None
    ledger_without_opening: bool = False

    @property
    def hand_entered(self) -> list[str]:
        """The labels of the figures typed by hand over the ledger's."""
        return [BALANCE_LABELS[name] for name, source in self.sources.items() if source == HAND]

    @property
    def from_ledger(self) -> bool:
        return LEDGER in self.sources.values()

    @property
    def closing_equity(self) -> Decimal | None:
        return None if self.opening_equity is None else self.opening_equity + self.result

    @property
    def assets(self) -> Decimal | None:
        if self.kassa_bank is None or self.fordringar is None:
            return None
        return self.kassa_bank + self.fordringar

    @property
    def equity_and_liabilities(self) -> Decimal | None:
        if self.closing_equity is None or self.skulder is None:
            return None
        return self.closing_equity + self.skulder

    @property
    def difference(self) -> Decimal | None:
        if self.assets is None or self.equity_and_liabilities is None:
            return None
        return self.assets - self.equity_and_liabilities

    @property
    def change_receivables(self) -> Decimal | None:
        if self.fordringar is None or self.fordringar_fg is None:
            return None
        return self.fordringar - self.fordringar_fg

    @property
    def change_liabilities(self) -> Decimal | None:
        if self.skulder is None or self.skulder_fg is None:
            return None
        return self.skulder - self.skulder_fg

    @property
    def receivables_effect(self) -> Decimal | None:
        """More receivables mean less cash."""
        return None if self.change_receivables is None else -self.change_receivables

    @property
    def cash_flow(self) -> Decimal | None:
        if self.change_receivables is None or self.change_liabilities is None:
            return None
        return self.result - self.change_receivables + self.change_liabilities

    @property
    def cash_at_end(self) -> Decimal | None:
        if self.cash_flow is None or self.kassa_bank_fg is None:
            return None
        return self.kassa_bank_fg + self.cash_flow

    @property
    def cash_difference(self) -> Decimal | None:
        """The cash flow's end against kassa och bank at the year's end: zero when they agree."""
        if self.cash_at_end is None or self.kassa_bank is None:
            return None
        return self.cash_at_end - self.kassa_bank


@dataclass
class InsatsYear:
    insats: object
    participants: str
    ended: str
    outcomes: list[tuple[str, str]]
    reported: bool


def insatser_with_annual_reports(
    forbund: Forbund, year: int, *, granted: dict[int, Decimal] | None = None
) -> list[InsatsYear]:
    """Each insats of the year with the participants and outcomes of its approved annual report,
    small counts hidden (the annual report is a public document). `granted`: see `insatser_of_year`."""
    insatser = insatser_of_year(forbund, year, granted=granted)
    counts = (
        ParticipantCount.objects.filter(
            report__period__forbund=forbund,
            report__period__year=year,
            report__period__kind="AR",
            report__status=Tertialrapport.Status.GODKAND,
        )
        .values("report__insats", "dimension", "category")
        .annotate(total=Sum("count"))
    )
    by_insats: dict[int, statistics.Counts] = {}
    for row in counts:
        by_insats.setdefault(row["report__insats"], {})[(row["dimension"], row["category"])] = row["total"]
    approved = set(
        Tertialrapport.objects.filter(
            period__forbund=forbund,
            period__year=year,
            period__kind="AR",
            status=Tertialrapport.Status.GODKAND,
        ).values_list("insats_id", flat=True)
    )
    result = []
    for insats in insatser:
        own = by_insats.get(insats.pk, {})
        outcomes = list(
            zip(
                [label for _, label in statistics.OUTCOME.categories],
                statistics.masked_dimension(statistics.OUTCOME, own),
                strict=True,
            )
        )
        result.append(
            InsatsYear(
                insats=insats,
                participants=statistics.masked(statistics.participants(own)),
                ended=statistics.masked(statistics.ended(own)),
                outcomes=[(label, value) for label, value in outcomes if value != "0"],
                reported=insats.pk in approved,
            )
        )
    return result


@dataclass(frozen=True)
class SummaryRow:
    """A line of "Ekonomin i sammandrag", in kronor rounded to whole thousands."""

    label: str
    budget_year: Decimal
    outcome: Decimal

    @property
    def deviation(self) -> Decimal:
        return self.outcome - self.budget_year


def summary_in_tkr(comparison) -> list[SummaryRow]:
    """Income, internal costs, insatser and the result as printed in tkr: in each column the result is
    the printed income less the printed costs (`money.tkr_table`), and each deviation is the
    difference of the printed figures, so the table adds up as read."""
    rows = [comparison.income.total, comparison.internal.total, comparison.insatser.total]
    signs = [1, -1, -1]  # the result is income less the two kinds of costs
    shown: dict[str, tuple[list[Decimal], Decimal]] = {}
    for column in ("budget_year", "outcome"):
        values, result = money.tkr_table(
            [sign * getattr(row, column) for sign, row in zip(signs, rows, strict=True)]
        )
        shown[column] = (
            [sign * value * money.TUSEN for sign, value in zip(signs, values, strict=True)],
            result * money.TUSEN,
        )
    summary = [
        SummaryRow(row.label, shown["budget_year"][0][index], shown["outcome"][0][index])
        for index, row in enumerate(rows)
    ]
    summary.append(SummaryRow(comparison.result.label, shown["budget_year"][1], shown["outcome"][1]))
    return summary


HAND, LEDGER, PREVIOUS = "inskrivet för hand", "huvudboken", "förra årets utgående"
BALANCE_LABELS = {
    "eget_kapital_ingaende": "eget kapital vid årets början",
    "kassa_bank_fg": "kassa och bank vid årets början",
    "fordringar_fg": "kortfristiga fordringar vid årets början",
    "skulder_fg": "kortfristiga skulder vid årets början",
    "kassa_bank": "kassa och bank vid årets slut",
    "fordringar": "kortfristiga fordringar vid årets slut",
    "skulder": "kortfristiga skulder vid årets slut",
}


def _closing_figures(forbund: Forbund, year: int) -> dict[str, Decimal]:
    """A year's closing kassa och bank, fordringar and skulder, by the names of the next year's
    opening fields: from its årsredovisning where typed, else from its ledger."""
    ledger = ledger_balance(forbund, year)
    figures = {f"{name}_fg": value for name, value in (ledger.figures() if ledger else {}).items()}
    report = Arsredovisning.objects.filter(forbund=forbund, year=year).first()
    for name in ("kassa_bank", "fordringar", "skulder"):
        typed = getattr(report, name) if report else None
        if typed is not None:
            figures[f"{name}_fg"] = typed
    return figures


def balance_figures(forbund: Forbund, report: Arsredovisning) -> tuple[dict, dict, object]:
    """Each balance figure of the årsredovisning and its source: typed by hand (an override, with
    `balance_comment` saying why), else the ledger's balance accounts, else, for the opening figures,
    last year's closing ones. Returns (figures, sources, the ledger's balance or None)."""
    ledger = ledger_balance(forbund, report.year)
    from_ledger = ledger.figures() if ledger else {}
    previous: dict | None = None
    figures: dict[str, Decimal | None] = {}
    sources: dict[str, str] = {}
    for name in Arsredovisning.BALANCE_FIELDS:
        typed = getattr(report, name)
        if typed is not None:
            figures[name], sources[name] = typed, HAND
        elif name in from_ledger:
            figures[name], sources[name] = from_ledger[name], LEDGER
        elif name.endswith("_fg"):
            if previous is None:
                previous = _closing_figures(forbund, report.year - 1)
            if previous.get(name) is not None:
                figures[name], sources[name] = previous[name], PREVIOUS
            else:
                figures[name] = None
        else:
            figures[name] = None
    return figures, sources, ledger


def arsredovisning_context(forbund: Forbund, year: int) -> dict:
    """Everything the årsredovisning shows, each figure computed once: the year's members, grants and
    budget lines are read once and passed to the budget comparison and the insatser, and the opening
    equity the ledger or the report does not give is the budget's (`equity_statement`), without the
    rest of the budget document."""
    report = Arsredovisning.objects.filter(forbund=forbund, year=year).first() or Arsredovisning(
        forbund=forbund, year=year
    )
    medlemmar = list(forbund_selectors.medlemmar_in_year(forbund, year))
    granted = granted_in_year(forbund, year)
    lines = budget_lines(budget_in_force(forbund, year), members=medlemmar, granted=granted)
    history = History(forbund)
    comparison = budget_vs_outcome(forbund, year, "AR", lines=lines, history=history)
    figures, sources, ledger = balance_figures(forbund, report)
    opening = figures.pop("eget_kapital_ingaende")
    if opening is None and lines.budget is not None:
        opening = equity_statement(lines.budget, lines.result, history=history).preliminary
    result = comparison.result.outcome
    balance = Balance(
        opening_equity=opening,
        result=result,
        **figures,
        sources=sources,
        comment=report.balance_comment,
        ledger_month=ledger.last_month if ledger and ledger.has_opening else None,
        ledger_without_opening=bool(ledger and not ledger.has_opening),
    )
    meetings = list(
        Styrelsemote.objects.filter(forbund=forbund, date__year=year)
        .order_by("date")
        .prefetch_related("items")
    )
    return {
        "report": report,
        "comparison": comparison,
        "balance": balance,
        "balanskrav_met": result >= 0,
        "budget": lines.budget,
        "medlemmar": medlemmar,
        "board": forbund_selectors.board_by_medlem(forbund, year),
        "kansli": list(forbund_selectors.kansli_in_year(forbund, year)),
        "meetings_held": [m for m in meetings if m.status in HELD],
        "meetings_planned": meetings,
        "insatser": insatser_with_annual_reports(forbund, year, granted=granted),
        "indicators": list(Indikator.objects.filter(forbund=forbund, year=year)),
        "ansvarsfrihet": list(report.ansvarsfrihet.select_related("medlem")) if report.pk else [],
        "revisorer": [line.strip() for line in report.revisorer.splitlines() if line.strip()],
        "sections": [comparison.income, comparison.internal, comparison.insatser],
        "summary_rows": summary_in_tkr(comparison),
    }
