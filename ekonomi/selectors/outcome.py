"""Reads for the outcome: invoices, late invoicing, account mappings and the imported ledger.

Amounts in the ledger keep its signs (costs positive, income negative). Tables by budget line turn
income positive, as a budget shows it, and say so in their headings.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from forbund.models import Forbund
from insatser.models import RUNNING_STATUSES, Insats

from ..ledger_format import LedgerError, LedgerSummary, ParsedLedger, is_balance_account, month_name
from ..models import AccountMapping, Invoice, LedgerEntry, LedgerImport, LockedPeriod
from .lines import economy_settings

ZERO = Decimal(0)
BALANCE_ACCOUNT_REGEX = r"^[12]"  # classes 1–2, as `ledger_format.is_balance_account`


# Invoices -----------------------------------------------------------------------------------------


def invoices_for(forbund: Forbund) -> QuerySet[Invoice]:
    # The insats is named in the förbund too (it always is the same), so PostgreSQL joins this
    # förbund's insatser rather than hashing every förbund's (34 ms of 35 on national data).
    return (
        Invoice.objects.filter(forbund=forbund, insats__forbund=forbund)
        .select_related("insats", "forbund")
        .order_by("-period_end", "insats__name", "-pk")
    )


def invoice_years(forbund: Forbund) -> list[int]:
    bounds = Invoice.objects.filter(forbund=forbund).aggregate(
        first=Min("period_start"), last=Max("period_end")
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def invoice_total(invoices: QuerySet[Invoice]) -> Decimal:
    return invoices.aggregate(total=Sum("amount"))["total"] or ZERO


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later (earlier if negative), or that month's last day when it
    is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


@dataclass(frozen=True)
class LateInvoicing:
    insats: Insats
    last_period_end: datetime.date | None
    interval_months: int

    @property
    def description(self) -> str:
        if self.last_period_end is None:
            return f"ingen faktura sedan starten {self.insats.start:%Y-%m-%d}"
        return f"senast fakturerat till och med {self.last_period_end:%Y-%m-%d}"


def late_invoicing(forbund: Forbund, today: datetime.date) -> list[LateInvoicing]:
    """Running insatser (granted or ongoing, period started) not invoiced for longer than the
    förbund's invoicing interval: their latest invoice's period ended more than that many months ago,
    or they have had none since a start more than that long ago. An insats invoiced to its end is
    not late."""
    interval = economy_settings(forbund).invoice_interval_months
    insatser = (
        Insats.objects.filter(forbund=forbund, status__in=RUNNING_STATUSES, start__lte=today)
        .annotate(last_invoiced=Max("invoices__period_end", filter=Q(invoices__is_credit_note=False)))
        .order_by("name")
    )
    late = []
    for insats in insatser:
        if insats.last_invoiced is None:
            due = add_months(insats.start, interval)
        elif insats.end and insats.last_invoiced >= insats.end:
            continue
        else:
            due = add_months(insats.last_invoiced, interval)
        if today > due:
            late.append(LateInvoicing(insats, insats.last_invoiced, interval))
    return sorted(late, key=lambda item: item.last_period_end or item.insats.start)


# Account mappings ---------------------------------------------------------------------------------


def account_mappings(forbund: Forbund) -> QuerySet[AccountMapping]:
    return AccountMapping.objects.filter(forbund=forbund).select_related("category", "insats", "medlem")


def account_mapping_dict(forbund: Forbund) -> dict[str, AccountMapping]:
    return {mapping.account: mapping for mapping in account_mappings(forbund)}


# Outcome tables -----------------------------------------------------------------------------------


@dataclass
class OutcomeRow:
    label: str
    detail: str = ""
    amounts: list[Decimal] = field(default_factory=list)
    unmapped: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass
class OutcomeSection:
    title: str
    rows: list[OutcomeRow]
    totals: OutcomeRow


@dataclass
class OutcomeTable:
    """Amounts per account and month (as in the ledger) and per budget line and month (income
    positive)."""

    year: int
    months: list[int]
    accounts: list[OutcomeRow]
    account_totals: OutcomeRow
    sections: list[OutcomeSection]
    result: OutcomeRow

    @property
    def month_names(self) -> list[str]:
        return [month_name(month) for month in self.months]

    @property
    def has_unmapped(self) -> bool:
        return any(row.unmapped for row in self.accounts)

    @property
    def is_empty(self) -> bool:
        return not self.accounts


def _sum_rows(label: str, rows: list[OutcomeRow], width: int) -> OutcomeRow:
    return OutcomeRow(label, amounts=[sum((row.amounts[i] for row in rows), ZERO) for i in range(width)])


def outcome_table(
    *,
    year: int,
    amounts: Mapping[tuple[str, int], Decimal],
    mappings: Mapping[str, AccountMapping],
    names: Mapping[str, str] | None = None,
) -> OutcomeTable:
    """Lay out amounts per (account, month) by account and by budget line. Balance accounts (classes
    1–2) are no outcome and are left out (`ekonomi.selectors.balance` reads them)."""
    names = names or {}
    amounts = {key: amount for key, amount in amounts.items() if not is_balance_account(key[0])}
    months = sorted({month for _, month in amounts})
    column = {month: index for index, month in enumerate(months)}
    width = len(months)
    by_account: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * width)
    for (account, month), amount in amounts.items():
        by_account[account][column[month]] += amount

    accounts = []
    lines: dict[tuple[str, int], OutcomeRow] = {}
    order: dict[tuple[str, int], tuple] = {}
    for account in sorted(by_account):
        mapping = mappings.get(account)
        name = (mapping.name if mapping else "") or names.get(account, "")
        target = str(mapping.target) if mapping else "Saknar kontokoppling"
        accounts.append(
            OutcomeRow(
                account, f"{name} → {target}" if name else target, by_account[account], mapping is None
            )
        )
        if mapping is None:
            continue
        if mapping.medlem_id:
            key, sort, sign = ("medlem", mapping.medlem_id), (mapping.medlem.kind, mapping.medlem.name), -1
        elif mapping.category_id:
            key, sort, sign = (
                ("category", mapping.category_id),
                (mapping.category.order, mapping.category.name),
                1,
            )
        else:
            key, sort, sign = ("insats", mapping.insats_id), (mapping.insats.name,), 1
        row = lines.setdefault(key, OutcomeRow(str(mapping.target), amounts=[ZERO] * width))
        order[key] = sort
        row.amounts = [
            total + sign * amount for total, amount in zip(row.amounts, by_account[account], strict=True)
        ]

    sections = []
    for kind, title in [
        ("medlem", "Intäkter från medlemmar"),
        ("category", "Interna kostnader"),
        ("insats", "Insatser"),
    ]:
        rows = [lines[key] for key in sorted((k for k in lines if k[0] == kind), key=lambda k: order[k])]
        sections.append(OutcomeSection(title, rows, _sum_rows(f"Summa {title.lower()}", rows, width)))
    income, internal, insatser = (section.totals for section in sections)
    result = OutcomeRow(
        "Resultat",
        amounts=[income.amounts[i] - internal.amounts[i] - insatser.amounts[i] for i in range(width)],
    )
    return OutcomeTable(
        year=year,
        months=months,
        accounts=accounts,
        account_totals=_sum_rows("Summa", accounts, width),
        sections=sections,
        result=result,
    )


# The imported ledger ------------------------------------------------------------------------------


def ledger_imports(forbund: Forbund) -> QuerySet[LedgerImport]:
    return (
        LedgerImport.objects.filter(forbund=forbund)
        .select_related("imported_by", "replaced_by")
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-imported_at", "-pk")
    )


def ledger_years(forbund: Forbund) -> list[int]:
    return sorted(
        set(LedgerImport.objects.filter(forbund=forbund).values_list("year", flat=True)), reverse=True
    )


def ledger_amounts(forbund: Forbund, year: int) -> dict[tuple[str, int], Decimal]:
    """The outcome per (account, month) of a year, summed in the database. Replaced months have no
    entries left, so every import that still has entries counts. Result accounts only: balance
    accounts (classes 1–2) and opening balances are the balance sheet's."""
    rows = (
        LedgerEntry.objects.filter(ledger_import__forbund=forbund, year=year, month__gte=1)
        .exclude(account__regex=BALANCE_ACCOUNT_REGEX)
        .values("account", "month")
        .annotate(total=Sum("amount"))
        .order_by("account", "month")
    )
    return {(row["account"], row["month"]): row["total"] for row in rows}


def ledger_outcome(forbund: Forbund, year: int) -> OutcomeTable:
    return outcome_table(
        year=year, amounts=ledger_amounts(forbund, year), mappings=account_mapping_dict(forbund)
    )


@dataclass
class OutcomeByTarget:
    """The ledger's outcome for a year by budget line; income positive."""

    medlem: dict[int, Decimal] = field(default_factory=dict)
    category: dict[int, Decimal] = field(default_factory=dict)
    insats: dict[int, Decimal] = field(default_factory=dict)
    unmapped: dict[str, Decimal] = field(default_factory=dict)


def outcome_by_target(
    forbund: Forbund,
    year: int,
    last_month: int = 12,
    *,
    mappings: Mapping[str, AccountMapping] | None = None,
) -> OutcomeByTarget:
    """For comparing budget and outcome: sums per member, cost category and insats up to and
    including `last_month`. `mappings` (`account_mapping_dict`), when the caller already has them,
    save asking again."""
    mappings = account_mapping_dict(forbund) if mappings is None else mappings
    result = OutcomeByTarget()
    for (account, month), amount in ledger_amounts(forbund, year).items():
        if month > last_month:
            continue
        mapping = mappings.get(account)
        if mapping is None:
            result.unmapped[account] = result.unmapped.get(account, ZERO) + amount
        elif mapping.medlem_id:
            result.medlem[mapping.medlem_id] = result.medlem.get(mapping.medlem_id, ZERO) - amount
        elif mapping.category_id:
            result.category[mapping.category_id] = result.category.get(mapping.category_id, ZERO) + amount
        else:
            result.insats[mapping.insats_id] = result.insats.get(mapping.insats_id, ZERO) + amount
    return result


def overlapping_imports(
    forbund: Forbund, year: int, first_month: int, last_month: int
) -> QuerySet[LedgerImport]:
    """Earlier imports still in force that share a month with a new one: the new one replaces them
    for those months."""
    return LedgerImport.objects.filter(
        forbund=forbund,
        year=year,
        replaced_by__isnull=True,
        first_month__lte=last_month,
        last_month__gte=first_month,
    ).order_by("imported_at", "pk")


def ledger_problems(
    forbund: Forbund,
    parsed: ParsedLedger | LedgerSummary,
    mappings: Mapping[str, AccountMapping] | None = None,
) -> list[LedgerError]:
    """Everything that stops a file from being imported: the format's errors, accounts without a
    mapping (each named by the first row it appears on) and a locked year."""
    problems = []
    year = parsed.year
    if year is not None and LockedPeriod.objects.filter(forbund=forbund, year=year).exists():
        problems.append(LedgerError(f"År {year} är låst: huvudboken för ett låst år kan inte läsas in."))
    problems.extend(parsed.errors)
    if not parsed.line_count and not problems:
        problems.append(LedgerError("Filen innehåller inga transaktioner."))
    mappings = account_mapping_dict(forbund) if mappings is None else mappings
    for account in parsed.accounts:
        if account not in mappings and not is_balance_account(account):
            problems.append(
                LedgerError(
                    f"konto {account} saknar kontokoppling.",
                    sheet=parsed.sheet,
                    row=parsed.first_row(account),
                )
            )
    return problems


@dataclass
class LedgerPreview:
    parsed: ParsedLedger | LedgerSummary
    problems: list[LedgerError]
    table: OutcomeTable | None
    replaces: list[LedgerImport]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def period(self) -> str:
        if not self.parsed.line_count:
            return ""
        first, last = self.parsed.first_month, self.parsed.last_month
        months = month_name(first) if first == last else f"{month_name(first)}–{month_name(last)}"
        return f"{months} {self.parsed.year}"


def ledger_preview(forbund: Forbund, parsed: ParsedLedger | LedgerSummary) -> LedgerPreview:
    """What importing `parsed` would do: its problems, or its totals and the imports it replaces."""
    mappings = account_mapping_dict(forbund)
    problems = ledger_problems(forbund, parsed, mappings)
    if problems or parsed.year is None:
        return LedgerPreview(parsed, problems, None, [])
    table = outcome_table(
        year=parsed.year, amounts=parsed.totals(), mappings=mappings, names=parsed.account_names()
    )
    replaces = list(overlapping_imports(forbund, parsed.year, parsed.first_month, parsed.last_month))
    return LedgerPreview(parsed, problems, table, replaces)
