"""Eget kapital carried from one year into the next, from the real result.

The equity at the end of a year is the equity at its start plus the year's result. Which result
depends on how far the year has come:

- its årsredovisning is fastställd by the board: the ledger's result, opening from the
  årsredovisning's own figure when it has one ("Från fastställd årsredovisning 2025");
- its ledger is locked (`LockedPeriod`): the ledger's result ("Från bokslutet 2025, låst 2026-02-10");
- otherwise the year is still open and the result is the forecast (`ekonomi.selectors.forecast`),
  and the figure says so ("Prognos").

The equity at a year's start is, in this order: what its årsredovisning states; the end of the
previous year when that year is closed; the figures typed into the year's budget; the end of the
previous year by forecast, when the app knows that year. The plan (the budgeted result) never
carries over.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from forbund.models import Forbund

from .history import Basis, History

ZERO = Decimal(0)
MAX_YEARS_BACK = 15


@dataclass(frozen=True)
class YearEnd:
    """Eget kapital at the end of `year`: the start, the year's result, and where they come from."""

    year: int
    opening: Decimal
    result: Decimal
    basis: str
    source: str

    @property
    def closing(self) -> Decimal:
        return self.opening + self.result

    @property
    def is_actual(self) -> bool:
        return self.basis != Basis.PROGNOS

    @property
    def result_label(self) -> str:
        if self.basis == Basis.ARSREDOVISNING:
            return f"Resultat {self.year} enligt fastställd årsredovisning"
        if self.basis == Basis.BOKSLUT:
            return f"Resultat {self.year} enligt bokslutet"
        return f"Beräknat resultat {self.year} (prognos)"


def closed_source(forbund: Forbund, year: int) -> tuple[str, str] | None:
    """(basis, source text) when the year is closed by an adopted årsredovisning or a locked ledger."""
    return History(forbund).closed.get(year)


def actual_result(forbund: Forbund, year: int, *, history: History | None = None) -> Decimal:
    """The year's result in the ledger: member income less internal and insats costs (mapped accounts;
    a locked year has no others)."""
    from .outcome import outcome_by_target

    history = history if history is not None else History(forbund)
    outcome = outcome_by_target(forbund, year, mappings=history.mappings)
    return (
        sum(outcome.medlem.values(), ZERO)
        - sum(outcome.category.values(), ZERO)
        - sum(outcome.insats.values(), ZERO)
    )


def forecast_result(forbund: Forbund, year: int, *, history: History | None = None) -> tuple[Decimal, str]:
    """The year's result by forecast, and the words for its source."""
    from .comparison import MONTH_NAMES, budget_vs_outcome
    from .lines import budget_lines

    history = history if history is not None else History(forbund)
    lines = budget_lines(history.budget_in_force(year))
    comparison = budget_vs_outcome(forbund, year, locked=False, lines=lines, history=history)
    read = comparison.last_ledger_month
    if read:
        month = MONTH_NAMES[read - 1]
        words = f"Prognos: {year} är inte avslutat (utfall till och med {month}, prognos därefter)"
    else:
        words = f"Prognos: {year} är inte avslutat (ingen huvudbok inläst, budgeten)"
    return comparison.result.forecast, words


def _start(history: History, year: int, depth: int) -> Decimal | None:
    """Eget kapital at the start of `year` (see the module's order)."""
    if year in history.stated:
        return history.stated[year]
    deeper = depth < MAX_YEARS_BACK
    if deeper and year - 1 in history.closed:
        previous = _end(history, year - 1, depth + 1)
        if previous is not None:
            return previous.closing
    budget = history.budget_in_force(year)
    if budget is not None and budget.opening_equity is not None:
        return budget.opening_equity + (budget.forecast_result_previous_year or ZERO)
    if deeper and year - 1 in history.known:
        previous = _end(history, year - 1, depth + 1)
        if previous is not None:
            return previous.closing
    return None


def _end(history: History, year: int, depth: int) -> YearEnd | None:
    closed = history.closed.get(year)
    if closed is None and year not in history.known:
        return None
    opening = _start(history, year, depth)
    if opening is None:
        return None
    if closed is not None:
        basis, source = closed
        return YearEnd(year, opening, actual_result(history.forbund, year, history=history), basis, source)
    result, source = forecast_result(history.forbund, year, history=history)
    return YearEnd(year, opening, result, Basis.PROGNOS, source)


def equity_at_start(forbund: Forbund, year: int) -> Decimal | None:
    """Eget kapital at the start of `year`, or None when nothing says."""
    return _start(History(forbund), year, 0)


def year_end_equity(forbund: Forbund, year: int) -> YearEnd | None:
    """Eget kapital at the end of `year`, from the real result when the year is closed and from the
    forecast while it is open. None when the start of the year is unknown."""
    return _end(History(forbund), year, 0)


def carry_over_into(
    forbund: Forbund, year: int, *, closed_only: bool = False, history: History | None = None
) -> YearEnd | None:
    """What opens `year`'s budget: the end of the year before. `closed_only`: only when that year is
    closed (a decided budget asks whether the real figure is known yet). `history`: what the page
    already read about the förbund."""
    history = history if history is not None else History(forbund)
    if closed_only and year - 1 not in history.closed:
        return None
    return _end(history, year - 1, 0)
