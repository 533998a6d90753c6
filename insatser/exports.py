"""Excel exports: an insats's budget and the list of insatser, as spreadsheets förbund can work on.

Every amount is written as a number (whole kronor), never as text or a formula, so the sums in the
file are the same numbers the page shows and the cells still add up when someone edits them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from finsam import money, xlsx
from finsam.xlsx import TITLE, Value

from .models import Insats
from .selectors import BudgetRow, BudgetSection, BudgetTable

BUDGET_COLUMNS = ["Kostnad", "Organisation", "Andel"]
INSATS_COLUMNS = ["Insats", "Status", "Inriktning", "Målgrupp", "Projektägare", "Samverkansparter"]
DATE_COLUMNS = ["Start", "Slut"]


# Budget for one insats -------------------------------------------------------------------------


def budget_workbook(*, insats: Insats, table: BudgetTable) -> bytes:
    """The insats's budget as `budget_table` computes it: sections, lines, sums per year and in total."""
    workbook, sheet = xlsx.new_workbook("Budget")
    sheet.append([f"Budget för {insats.name}"])
    sheet["A1"].font = TITLE
    sheet.append([_period(insats), f"Projektägare: {insats.owner.name}"])
    sheet.append([])
    header = xlsx.append_header(
        sheet, [*BUDGET_COLUMNS, *table.years, "Summa totalt"], numeric_from=len(BUDGET_COLUMNS) + 1
    )
    for section in table.sections:
        _append_section(sheet, section)
    xlsx.append_row(sheet, _totals_row("Summa per år", table.year_totals, table.total), bold=True)
    xlsx.finish(
        sheet, freeze=f"A{header + 1}", measure_from=2
    )  # the title may spill over, the period may not
    return xlsx.to_bytes(workbook)


def _period(insats: Insats) -> str:
    if not (insats.start or insats.end):
        return "Period saknas"
    start, end = (day.isoformat() if day else "…" for day in (insats.start, insats.end))
    return f"Period {start} – {end}"


def _append_section(sheet: Worksheet, section: BudgetSection) -> None:
    xlsx.append_row(sheet, [section.name], bold=True)
    for row in section.rows:
        xlsx.append_row(sheet, _budget_row(row))
    xlsx.append_row(
        sheet, _totals_row(f"Summa {section.name}", section.year_totals, section.total), bold=True
    )


def _budget_row(row: BudgetRow) -> list[Value]:
    line = row.line
    organisation = line.organisation.name if line.organisation_id else ""
    return [
        line.description,
        organisation,
        line.share,
        *map(xlsx.amount, row.amounts),
        xlsx.amount(row.total),
    ]


def _totals_row(label: str, year_totals: Sequence[Decimal], total: Decimal) -> list[Value]:
    return [label, *[None] * (len(BUDGET_COLUMNS) - 1), *map(xlsx.amount, year_totals), xlsx.amount(total)]


# List of insatser ------------------------------------------------------------------------------


def insatser_workbook(
    *,
    insatser: Iterable[Insats],
    applied: dict[int, dict[int, Decimal]],
    granted: dict[int, dict[int, Decimal]],
    years: list[int],
) -> bytes:
    """One row per insats with the granted amount per year; `applied`/`granted` map insats id → year → kr."""
    workbook, sheet = xlsx.new_workbook("Insatser")
    granted_columns = [f"Beviljat {year}" for year in years]
    columns = [*INSATS_COLUMNS, *DATE_COLUMNS, *granted_columns, "Ansökt totalt", "Beviljat totalt"]
    first_amount = len(INSATS_COLUMNS) + len(DATE_COLUMNS)
    header = xlsx.append_header(sheet, columns, numeric_from=len(INSATS_COLUMNS) + 1)
    rows = [
        _insats_row(
            insats, applied=applied.get(insats.id, {}), granted=granted.get(insats.id, {}), years=years
        )
        for insats in insatser
    ]
    for values in rows:
        xlsx.append_row(sheet, values)
    last_insats_row = sheet.max_row
    sums = [sum(values[column] or 0 for values in rows) for column in range(first_amount, len(columns))]
    xlsx.append_row(sheet, ["Summa", *[None] * (first_amount - 1), *sums], bold=True)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(sheet.max_column)}{last_insats_row}"
    xlsx.finish(sheet, freeze=f"B{header + 1}", measure_from=header)
    return xlsx.to_bytes(workbook)


def _insats_row(
    insats: Insats, *, applied: dict[int, Decimal], granted: dict[int, Decimal], years: list[int]
) -> list[Value]:
    return [
        insats.name,
        insats.get_status_display(),
        insats.get_kind_display(),
        insats.get_malgrupp_display(),
        insats.owner.name,
        ", ".join(partner.name for partner in insats.partners.all()),
        insats.start,
        insats.end,
        *(xlsx.amount(granted.get(year)) for year in years),
        xlsx.amount(money.total(applied.values())),
        xlsx.amount(money.total(granted.values())),
    ]


# Shared helpers --------------------------------------------------------------------------------
