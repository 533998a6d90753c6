"""The full-year forecast per budget line, as a controller would sign it.

The forecast stands on the ledger read so far (through its last month, whatever period the page
shows) and follows each line's own rhythm:

- an insats follows its grant and its end date: while it runs, the förbund expects to pay what was
  granted for the year; once it has ended (or its final invoice is registered) nothing more comes,
  and what is left of the grant is released;
- a member's contribution follows the förbund's payment plan (twice a year, quarterly …): what was
  due so far, paid or not, plus the payments still to come;
- an internal cost runs at the rate of the months read so far;
- other income (ESF, state project money) is not followed in the ledger: its budget stands;
- a line the ekonom or samordnare has judged differently carries their figure and reason.

When the whole year is read (or the year is locked) the forecast is the outcome.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from finsam import money

from ..models import CONTRIBUTION_MONTHS, ForecastOverride, Invoice

ZERO = Decimal(0)
MONTH_NAMES = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def month_list(months: Iterable[int]) -> str:
    """Month names as "januari och juli"; a run of more than four as "september–december"."""
    months = list(months)
    names = [MONTH_NAMES[month - 1] for month in months]
    if len(names) > 4 and months == list(range(months[0], months[-1] + 1)):
        return f"{names[0]}–{names[-1]}"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} och {names[-1]}"


def _kr(amount: Decimal) -> str:
    whole = f"{money.kronor(amount):,.0f}".replace(",", "\u00a0").replace("-", "−")
    return f"{whole}\u00a0kr"


@dataclass(frozen=True)
class LineForecast:
    """One line's full-year forecast, the reason for it, and (for an insats) the grant released."""

    amount: Decimal
    basis: str
    released: Decimal | None = None


def full_year(outcome: Decimal) -> LineForecast:
    return LineForecast(outcome, "Helårsutfall enligt huvudboken.")


def run_rate(*, budget: Decimal, outcome: Decimal, last_month: int | None) -> LineForecast:
    """An internal cost (or a line without a rhythm of its own): the months read so far, at the same
    rate for the rest of the year. Without any ledger the budget stands."""
    if not last_month:
        return LineForecast(budget, "Ingen huvudbok inläst ännu: budgeten.")
    if last_month >= 12:
        return full_year(outcome)
    amount = money.kronor(outcome * 12 / last_month)
    return LineForecast(
        amount, f"Utfallet januari–{MONTH_NAMES[last_month - 1]} i samma takt resten av året."
    )


def contribution(*, budget: Decimal, outcome: Decimal, last_month: int | None, plan: str) -> LineForecast:
    """A member's contribution paid by `plan`: what was due through the last month read (counted
    even when not yet booked, and said so) plus the payments still to come."""
    months = CONTRIBUTION_MONTHS[plan]
    payments = money.apportion([budget / len(months)] * len(months), budget)
    read = last_month or 0
    if read >= 12:
        return full_year(outcome)
    due = sum((amount for month, amount in zip(months, payments, strict=True) if month <= read), ZERO)
    later = [(month, amount) for month, amount in zip(months, payments, strict=True) if month > read]
    coming = sum((amount for _, amount in later), ZERO)
    amount = max(outcome, due) + coming
    words = [f"Betalas enligt planen ({month_list(months)})"]
    if later:
        words.append(f"{_kr(coming)} återstår ({month_list(month for month, _ in later)})")
    else:
        words.append("allt har förfallit")
    basis = ": ".join(words) + "."
    if outcome < due:
        basis += (
            f" {_kr(due - outcome)} som skulle ha betalats till och med {MONTH_NAMES[read - 1]} "
            "är inte bokförda ännu."
        )
    return LineForecast(amount, basis)


def insats(
    *,
    year: int,
    grant: Decimal,
    outcome: Decimal,
    last_month: int | None,
    end: datetime.date | None,
    invoices: list[Invoice],
) -> LineForecast:
    """An insats follows its grant for the year and its end date. `invoices` are the insats's
    invoices for the year; those for months after the ledger's last month are known costs not yet
    booked. Ended (the end month is read, or the final invoice is registered): the outcome and those
    invoices, nothing more, and the rest of the grant released. Still running: the grant."""
    read = last_month or 0
    if read >= 12:
        released = grant - outcome if grant > outcome else None
        basis = "Helårsutfall enligt huvudboken."
        if released:
            basis += f" {_kr(released)} av beviljat belopp förbrukades inte."
        return LineForecast(outcome, basis, released)
    not_booked = sum(
        (
            invoice.amount
            for invoice in invoices
            if read == 0 or (invoice.period_start.year == year and invoice.period_start.month > read)
        ),
        ZERO,
    )
    ends_this_year = end is not None and end.year <= year
    final = None
    if ends_this_year:
        final = next((invoice for invoice in invoices if invoice.period_end >= end), None)
    if ends_this_year and (end.year < year or end.month <= read or final is not None):
        amount = outcome + not_booked
        released = grant - amount if grant > amount else None
        last = MONTH_NAMES[end.month - 1] if end.year == year else f"{end.year}"
        basis = f"Insatsen slutade {end:%Y-%m-%d}; inget efter {last}."
        if final is not None:
            state = "betald" if final.status == Invoice.Status.BETALD else "registrerad"
            basis += f" Slutfakturan är {state}."
        if not_booked:
            basis += f" {_kr(not_booked)} fakturerat men inte bokfört ännu."
        if released:
            basis += f" {_kr(released)} av beviljat belopp frigörs."
        return LineForecast(amount, basis, released)
    amount = max(grant, outcome)
    if ends_this_year:
        basis = f"Beviljat belopp; insatsen slutar {end:%Y-%m-%d}, inget därefter."
    else:
        basis = "Beviljat belopp för året; insatsen pågår året ut."
    if outcome > grant:
        basis = "Utfallet är redan högre än beviljat belopp."
    return LineForecast(amount, basis)


def other_income(*, budget: Decimal) -> LineForecast:
    return LineForecast(budget, "Budgeten: övriga intäkter följs inte i huvudboken.")


def overridden(override: ForecastOverride, computed: LineForecast) -> LineForecast:
    who = override.set_by.get_full_name() or override.set_by.email
    day = f" {timezone.localdate(override.set_at):%Y-%m-%d}" if override.set_at else ""
    basis = f"Justerad av {who}{day}: {override.comment}"
    return LineForecast(override.amount, basis, computed.released)


def overrides_for(forbund, year: int) -> dict[tuple[str, int], ForecastOverride]:
    """The year's overrides by line: ("medlem", id), ("category", id) or ("insats", id)."""
    found = {}
    for override in ForecastOverride.objects.filter(forbund=forbund, year=year).select_related("set_by"):
        if override.medlem_id:
            found[("medlem", override.medlem_id)] = override
        elif override.category_id:
            found[("category", override.category_id)] = override
        else:
            found[("insats", override.insats_id)] = override
    return found


def invoices_by_insats(forbund, year: int) -> dict[int, list[Invoice]]:
    """The year's invoices per insats (by the period they cover)."""
    found: dict[int, list[Invoice]] = {}
    invoices = Invoice.objects.filter(
        forbund=forbund,
        period_start__lte=datetime.date(year, 12, 31),
        period_end__gte=datetime.date(year, 1, 1),
    ).order_by("period_start", "pk")
    for invoice in invoices:
        found.setdefault(invoice.insats_id, []).append(invoice)
    return found
