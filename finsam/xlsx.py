"""Shared helpers for Excel exports (openpyxl): every amount a number cell in whole kronor, dates as
ISO dates, bold shaded headers, frozen panes and fitted columns."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from finsam import money

Value = str | int | datetime.date | None

AMOUNT_FORMAT = "#,##0"  # Excel and LibreOffice show their locale's grouping: 1 234 567 in Swedish.
DATE_FORMAT = "YYYY-MM-DD"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
RIGHT = Alignment(horizontal="right")
MIN_WIDTH, MAX_WIDTH = 8, 60


def amount(value: Decimal | None) -> int | None:
    """Kronor as an int cell, rounded by `finsam.money`'s one rule; None stays an empty cell."""
    return None if value is None else int(money.kronor(value))


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    return workbook, sheet


def append_header(sheet: Worksheet, labels: Sequence[Value], *, numeric_from: int) -> int:
    """A bold, shaded header row; columns from `numeric_from` (1-based) on are aligned with their numbers."""
    cells = _append(sheet, labels)
    for cell in cells:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        if cell.column >= numeric_from:
            cell.alignment = RIGHT
    return cells[0].row


def append_row(sheet: Worksheet, values: Sequence[Value], *, bold: bool = False) -> int:
    cells = _append(sheet, values)
    for cell in cells:
        _format_by_type(cell)
        if bold:
            cell.font = BOLD
    return cells[0].row


def _append(sheet: Worksheet, values: Sequence[Value]) -> list[Cell]:
    """Append one row and return its cells. Asking the sheet for its last row instead would make an
    export quadratic: openpyxl computes `max_row` over every cell written so far."""
    cells = [Cell(sheet, value=value) for value in values] or [Cell(sheet, value=None)]
    sheet.append(cells)
    return cells


def _format_by_type(cell: Cell) -> None:
    """Numbers below a header are kronor; dates are shown as ISO dates."""
    if isinstance(cell.value, int):
        cell.number_format = AMOUNT_FORMAT
        cell.alignment = RIGHT
    elif isinstance(cell.value, datetime.date):
        cell.number_format = DATE_FORMAT


def finish(sheet: Worksheet, *, freeze: str, measure_from: int) -> None:
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


def neutralize_formulas(workbook: Workbook) -> None:
    """No export writes a formula, so a cell openpyxl took for one is text someone typed (an insats
    named `=HYPERLINK(…)`, a budget line `=cmd|…`): it is written as the text it is, never run."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def to_bytes(workbook: Workbook) -> bytes:
    """The finished file. Every export ends here, so every export is safe from formula injection."""
    neutralize_formulas(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
