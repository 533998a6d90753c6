"""Excel exports: an insats's budget and the list of insatser, as spreadsheets förbund can work on.

Every amount is written as a number (whole kronor), never as text or a formula, so the sums in the
file are the same numbers the page shows and the cells still add up when someone edits them.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .models import Insats
from .selectors import BudgetRow, BudgetSection, BudgetTable

Value = str | int | datetime.date | None

AMOUNT_FORMAT = "#,##0"  # Excel and LibreOffice show their locale's grouping: 1 234 567 in Swedish.
DATE_FORMAT = "YYYY-MM-DD"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
RIGHT = Alignment(horizontal="right")
MIN_WIDTH, MAX_WIDTH = 8, 60

BUDGET_COLUMNS = ["Kostnad", "Organisation", "Andel"]
INSATS_COLUMNS = ["Insats", "Status", "Inriktning", "Målgrupp", "Projektägare", "Samverkansparter"]
DATE_COLUMNS = ["Start", "Slut"]


# Budget for one insats -------------------------------------------------------------------------


def budget_workbook(*, insats: Insats, table: BudgetTable) -> bytes:
    """The insats's budget as `budget_table` computes it: sections, lines, sums per year and in total."""
    workbook, sheet = _new_workbook("Budget")
    sheet.append([f"Budget för {insats.name}"])
    sheet["A1"].font = TITLE
    sheet.append([_period(insats), f"Projektägare: {insats.owner.name}"])
    sheet.append([])
    header = _append_header(
        sheet, [*BUDGET_COLUMNS, *table.years, "Summa totalt"], numeric_from=len(BUDGET_COLUMNS) + 1
    )
    for section in table.sections:
        _append_section(sheet, section)
    _append_row(sheet, _totals_row("Summa per år", table.year_totals, table.total), bold=True)
    _finish(sheet, freeze=f"A{header + 1}", measure_from=2)  # the title may spill over, the period may not
    return _to_bytes(workbook)


def _period(insats: Insats) -> str:
    if not (insats.start or insats.end):
        return "Period saknas"
    start, end = (day.isoformat() if day else "…" for day in (insats.start, insats.end))
    return f"Period {start} – {end}"


def _append_section(sheet: Worksheet, section: BudgetSection) -> None:
    _append_row(sheet, [section.name], bold=True)
    for row in section.rows:
        _append_row(sheet, _budget_row(row))
    _append_row(sheet, _totals_row(f"Summa {section.name}", section.year_totals, section.total), bold=True)


def _budget_row(row: BudgetRow) -> list[Value]:
    line = row.line
    organisation = line.organisation.name if line.organisation_id else ""
    return [line.description, organisation, line.share, *map(_amount, row.amounts), _amount(row.total)]


def _totals_row(label: str, year_totals: Sequence[Decimal], total: Decimal) -> list[Value]:
    return [label, *[None] * (len(BUDGET_COLUMNS) - 1), *map(_amount, year_totals), _amount(total)]


# List of insatser ------------------------------------------------------------------------------


def insatser_workbook(
    *,
    insatser: Iterable[Insats],
    applied: dict[int, dict[int, Decimal]],
    granted: dict[int, dict[int, Decimal]],
    years: list[int],
) -> bytes:
    """One row per insats with the granted amount per year; `applied`/`granted` map insats id → year → kr."""
    workbook, sheet = _new_workbook("Insatser")
    granted_columns = [f"Beviljat {year}" for year in years]
    columns = [*INSATS_COLUMNS, *DATE_COLUMNS, *granted_columns, "Ansökt totalt", "Beviljat totalt"]
    first_amount = len(INSATS_COLUMNS) + len(DATE_COLUMNS)
    header = _append_header(sheet, columns, numeric_from=len(INSATS_COLUMNS) + 1)
    rows = [
        _insats_row(
            insats, applied=applied.get(insats.id, {}), granted=granted.get(insats.id, {}), years=years
        )
        for insats in insatser
    ]
    for values in rows:
        _append_row(sheet, values)
    last_insats_row = sheet.max_row
    sums = [sum(values[column] or 0 for values in rows) for column in range(first_amount, len(columns))]
    _append_row(sheet, ["Summa", *[None] * (first_amount - 1), *sums], bold=True)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(sheet.max_column)}{last_insats_row}"
    _finish(sheet, freeze=f"B{header + 1}", measure_from=header)
    return _to_bytes(workbook)


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
        *(_amount(granted.get(year)) for year in years),
        _amount(sum(applied.values(), Decimal(0))),
        _amount(sum(granted.values(), Decimal(0))),
    ]


# Shared helpers --------------------------------------------------------------------------------


def _amount(value: Decimal | None) -> int | None:
    """Kronor as an int cell; None stays an empty cell. Amounts are whole kronor, so nothing is lost."""
    return None if value is None else round(value)


def _new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    return workbook, sheet


def _append_header(sheet: Worksheet, labels: Sequence[Value], *, numeric_from: int) -> int:
    """A bold, shaded header row; columns from `numeric_from` (1-based) on are aligned with their numbers."""
    sheet.append(list(labels))
    row = sheet.max_row
    for cell in sheet[row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        if cell.column >= numeric_from:
            cell.alignment = RIGHT
    return row


def _append_row(sheet: Worksheet, values: Sequence[Value], *, bold: bool = False) -> int:
    sheet.append(list(values))
    row = sheet.max_row
    for cell in sheet[row]:
        _format_by_type(cell)
        if bold:
            cell.font = BOLD
    return row


def _format_by_type(cell: Cell) -> None:
    """Numbers below a header are kronor; dates are shown as ISO dates."""
    if isinstance(cell.value, int):
        cell.number_format = AMOUNT_FORMAT
        cell.alignment = RIGHT
    elif isinstance(cell.value, datetime.date):
        cell.number_format = DATE_FORMAT


def _finish(sheet: Worksheet, *, freeze: str, measure_from: int) -> None:
    """Freeze the rows (and columns) above and left of `freeze`; fit columns to rows from `measure_from`."""
    sheet.freeze_panes = freeze
    for column, width in _content_widths(sheet, from_row=measure_from).items():
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _content_widths(sheet: Worksheet, *, from_row: int) -> dict[int, int]:
    """The widest shown text per column."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=from_row):
        for cell in row:
            widths[cell.column] = max(widths.get(cell.column, 0), len(_shown(cell)))
    return widths


def _shown(cell: Cell) -> str:
    if cell.value is None:
        return ""
    if isinstance(cell.value, int) and cell.number_format == AMOUNT_FORMAT:
        return f"{cell.value:,}"
    if isinstance(cell.value, datetime.date):
        return f"{cell.value:%Y-%m-%d}"
    return str(cell.value)


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
