"""Excel export for Försäkringskassan's national follow-up (Uppföljning Finsam), with the page's
participant sums. Every figure the reader may see is a number cell; a hidden count is the same
text as on the page ("<5" or "dolt")."""

from __future__ import annotations

from finsam import xlsx
from finsam.xlsx import TITLE

from .selectors.followup import INSATS_COLUMNS, FollowUp
from .selectors.national import NationalForbund, NationalInsats

INSATS_HEADER = [
    "Insats",
    "Inriktning",
    "Målgrupp",
    "ESF-medfinansierad",
    "Budget för året (beviljat, kr)",
    "Utfall för året (huvudboken, kr)",
    "Kostnad enligt senaste godkända rapport (kr)",
    "Budgeterat antal deltagare",
    "Deltagare",
    "Kvinnor",
    "Män",
    "Annat",
]


def followup_workbook(page: FollowUp, insatser: list[NationalInsats], forbund: NationalForbund) -> bytes:
    title = f"{page.forbund.name}: Uppföljning Finsam {page.year}"
    workbook, sheet = xlsx.new_workbook("Insatser")
    sheet.append([title])
    sheet["A1"].font = TITLE
    sheet.append([f"Deltagare enligt godkända rapporter, {page.kind_label.lower()}."])
    header = xlsx.append_header(sheet, INSATS_HEADER, numeric_from=5)
    for row in insatser:
        insats = row.insats
        people = row.participants
        counts = (
            [people.figures[code].cell for code in ("deltagare", "kvinnor", "man", "annat")]
            if people
            else [None] * 4
        )
        xlsx.append_row(
            sheet,
            [
                insats.name,
                insats.get_kind_display(),
                insats.get_malgrupp_display(),
                "Ja" if insats.esf_cofunded else "Nej",
                xlsx.amount(row.budget),
                xlsx.amount(row.outcome),
                xlsx.amount(row.reported_cost),
                insats.budgeted_participants,
                *counts,
            ],
        )
    xlsx.finish(sheet, freeze=f"B{header + 1}", measure_from=header)

    sheet = workbook.create_sheet("Förbund")
    sheet.append([title])
    sheet["A1"].font = TITLE
    header = xlsx.append_header(sheet, ["", "Belopp (kr)"], numeric_from=2)
    for label, value in [
        ("Statlig tilldelning (intäkt från Försäkringskassan enligt budgeten)", forbund.state_allocation),
        ("Eget kapital vid årets början (preliminärt)", forbund.equity),
        ("Administrativ budget (interna kostnader)", forbund.admin_budget),
        ("Administrativt utfall (interna kostnader, helår)", forbund.admin_outcome),
    ]:
        xlsx.append_row(sheet, [label, xlsx.amount(value)])
    xlsx.finish(sheet, freeze=f"A{header + 1}", measure_from=header)

    _participant_sheet(workbook, page, title)
    return xlsx.to_bytes(workbook)


def _participant_sheet(workbook, page: FollowUp, title: str) -> None:
    sheet = workbook.create_sheet("Deltagare")
    sheet.append([f"{title}, {page.kind_label.lower()}: deltagare enligt godkända rapporter"])
    sheet["A1"].font = TITLE
    header = xlsx.append_header(sheet, ["", "Antal"], numeric_from=2)
    for breakdown in page.breakdowns:
        xlsx.append_row(sheet, [breakdown.title], bold=True)
        for row in breakdown.rows:
            xlsx.append_row(sheet, [row.label, row.figure.cell])
        xlsx.append_row(sheet, [breakdown.total_label, breakdown.total.cell], bold=True)
    sheet.append([])
    xlsx.append_header(sheet, ["Insats", *(label for _, label in INSATS_COLUMNS)], numeric_from=2)
    for row in page.insats_rows:
        xlsx.append_row(sheet, [row.insats.name, *(figure.cell for figure in row.cells)])
    if page.insats_rows:
        xlsx.append_row(sheet, ["Summa", *(page.totals[code].cell for code, _ in INSATS_COLUMNS)], bold=True)
    xlsx.finish(sheet, freeze=f"B{header + 1}", measure_from=header)
