"""Excel export of budget versus utfall, with real number cells and the page's sums."""

from __future__ import annotations

from finsam import xlsx
from finsam.xlsx import TITLE

from .selectors.comparison import Comparison, ComparisonRow, ComparisonSection

COLUMNS = ["", "Budget helår", "Budget perioden", "Utfall perioden", "Avvikelse", "Prognos helår"]


def comparison_workbook(comparison: Comparison, forbund_name: str) -> bytes:
    workbook, sheet = xlsx.new_workbook("Budget mot utfall")
    sheet.append([f"{forbund_name}: budget mot utfall {comparison.year}, {comparison.period_label}"])
    sheet["A1"].font = TITLE
    header = xlsx.append_header(sheet, COLUMNS, numeric_from=2)
    for section in (comparison.income, comparison.internal, comparison.insatser):
        _append_section(sheet, section)
    xlsx.append_row(sheet, _values(comparison.costs), bold=True)
    xlsx.append_row(sheet, _values(comparison.result), bold=True)
    xlsx.finish(sheet, freeze=f"B{header + 1}", measure_from=header)
    return xlsx.to_bytes(workbook)


def _append_section(sheet, section: ComparisonSection) -> None:
    xlsx.append_row(sheet, [section.title], bold=True)
    for row in section.rows:
        xlsx.append_row(sheet, _values(row))
    xlsx.append_row(sheet, _values(section.total), bold=True)


def _values(row: ComparisonRow) -> list:
    amounts = [row.budget_year, row.budget_period, row.outcome, row.deviation, row.forecast]
    return [row.label, *(xlsx.amount(value) for value in amounts)]
