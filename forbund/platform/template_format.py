"""The Excel template for a new förbund's existing insatser and board, and reading a filled one.
Pure functions: no database, so the format can be tested on its own (the checks against the
förbund's members and existing records are in `forbund.platform.importer`).

The format, as the template's sheet "Så fyller du i" documents it:

- Sheet "Insatser": Namn, Projektägare (a member's name), Inriktning, Startdatum, Slutdatum, Status
  (Idé, Beviljad, Pågående or Avslutad), Beslutsdatum (the board's grant; not for an idé) and
  Kort beskrivning.
- Sheet "Beviljat": Insats (its name on the Insatser sheet), År, Belopp (kr): the amount the board
  granted for each year of the insats's period.
- Sheet "Styrelse": Namn, E-post, Medlem (who appointed them), Uppdrag (Ledamot or Ersättare),
  Presidium (Ordförande, Vice ordförande or empty), Från, Till.

Row 1 of each sheet is its header (columns found by their header text, in any order); every later
row with anything in it is one record. Every problem is collected, each naming its row and column
("Rad 4, kolumn B: …"), so the file can be fixed in one go.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from finsam import money, xlsx

logger = logging.getLogger(__name__)

HELP_SHEET = "Så fyller du i"
INSATSER = "Insatser"
BEVILJAT = "Beviljat"
STYRELSE = "Styrelse"
FIRST_YEAR, LAST_YEAR = 2004, 2100
UNREADABLE = "Filen går inte att läsa som en Excelfil (.xlsx). Utgå från mallen och spara som .xlsx."


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    help: str = ""


COLUMNS: dict[str, list[Column]] = {
    INSATSER: [
        Column("name", "Namn", True, "Insatsens namn, som förbundet brukar skriva det."),
        Column("owner", "Projektägare", True, "Den medlem som äger insatsen, med namnet som i förbundet."),
        Column("kind", "Inriktning", True, "Individinriktad eller Strukturinriktad."),
        Column("start", "Startdatum", False, "ÅÅÅÅ-MM-DD. Krävs utom för en idé."),
        Column("end", "Slutdatum", False, "ÅÅÅÅ-MM-DD. Krävs utom för en idé."),
        Column("status", "Status", True, "Idé, Beviljad, Pågående eller Avslutad."),
        Column("decided_on", "Beslutsdatum", False, "Dagen styrelsen beviljade insatsen. Inte för en idé."),
        Column("description", "Kort beskrivning", False, "Valfritt."),
    ],
    BEVILJAT: [
        Column("insats", "Insats", True, "Insatsens namn, som på bladet Insatser."),
        Column("year", "År", True, "Ett år inom insatsens period."),
        Column("amount", "Belopp (kr)", True, "Beviljat belopp för året, i hela kronor."),
    ],
    STYRELSE: [
        Column("name", "Namn", True, "Ledamotens eller ersättarens namn."),
        Column("email", "E-post", False, "Valfritt; behövs för att bjuda in personen senare."),
        Column("medlem", "Medlem", True, "Den medlem som utsett personen, med namnet som i förbundet."),
        Column("role", "Uppdrag", True, "Ledamot eller Ersättare."),
        Column("presidium", "Presidium", False, "Ordförande, Vice ordförande eller tomt."),
        Column("start", "Från", True, "ÅÅÅÅ-MM-DD."),
        Column("end", "Till", False, "ÅÅÅÅ-MM-DD, eller tomt om uppdraget fortsätter."),
    ],
}

KINDS = {
    "individinriktad": "individinriktad",
    "strukturinriktad": "strukturinriktad",
    "strukturövergripande": "strukturinriktad",
}
# Only states a förbund's history can be read into: an idea, or an insats the board has granted.
# An application on its way (utkast, inskickad …) is written in finsam, where its parties confirm it.
STATUSES = {
    "idé": "ide",
    "ide": "ide",
    "idé / förstudie": "ide",
    "förstudie": "ide",
    "beviljad": "beviljad",
    "pågående": "pagaende",
    "avslutad": "avslutad",
}
STATUS_LABELS = ["Idé", "Beviljad", "Pågående", "Avslutad"]
GRANTED_STATUSES = frozenset({"beviljad", "pagaende", "avslutad"})
ROLES = {"ledamot": "ledamot", "ordinarie ledamot": "ledamot", "ersättare": "ersattare"}
PRESIDIUM = {"ordförande": "ordforande", "vice ordförande": "vice_ordforande", "vice": "vice_ordforande"}


@dataclass(frozen=True)
class RowError:
    """A problem with the file: its sheet, row (as Excel numbers them) and column letter."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.row is None:
            return f"Bladet {self.sheet}: {self.message}" if self.sheet else self.message
        place = f"Rad {self.row}" + (f", kolumn {self.column}" if self.column else "")
        return f"{place}: {self.message}"

    def as_json(self) -> dict:
        return {"message": self.message, "sheet": self.sheet, "row": self.row, "column": self.column}

    @classmethod
    def from_json(cls, data: dict) -> RowError:
        return cls(
            message=str(data.get("message", "")),
            sheet=str(data.get("sheet", "")),
            row=data.get("row"),
            column=str(data.get("column", "")),
        )


@dataclass
class ParsedFile:
    """What the file says, as JSON-ready rows (dates as ISO text, amounts as whole kronor in text),
    each with its `row` and the `columns` letters its values came from."""

    insatser: list[dict] = field(default_factory=list)
    beviljat: list[dict] = field(default_factory=list)
    styrelse: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.insatser or self.beviljat or self.styrelse)

    def as_json(self) -> dict:
        return {"insatser": self.insatser, "beviljat": self.beviljat, "styrelse": self.styrelse}

    @classmethod
    def from_json(cls, data: dict) -> ParsedFile:
        return cls(
            insatser=list(data.get("insatser", [])),
            beviljat=list(data.get("beviljat", [])),
            styrelse=list(data.get("styrelse", [])),
        )


# The template ------------------------------------------------------------------------------------


def build_template(*, forbund_name: str, member_names: list[str]) -> bytes:
    """The empty template, with the förbund's members offered in drop-down lists."""
    workbook, help_sheet = xlsx.new_workbook(HELP_SHEET)
    help_sheet["A1"] = f"Mall för insatser och styrelse – {forbund_name}"
    help_sheet["A1"].font = xlsx.TITLE
    lines = [
        "Fyll i bladen Insatser, Beviljat och Styrelse, en rad per post, under rubrikraden. "
        "Låt rubrikraderna stå kvar; ett blad du inte behöver lämnar du tomt.",
        "Datum skrivs ÅÅÅÅ-MM-DD, belopp i hela kronor utan mellanslag eller ”kr”.",
        "Projektägare och Medlem ska vara en av förbundets medlemmar, stavad som nedan.",
        "Filen läses in helt eller inte alls: finns ett fel visas raden och kolumnen, och inget sparas "
        "förrän filen är rättad. En insats eller ett uppdrag som redan finns läses inte in en gång till.",
    ]
    row = 3
    for line in lines:
        help_sheet.cell(row=row, column=1, value=line)
        row += 1
    row += 1
    for sheet_name, columns in COLUMNS.items():
        help_sheet.cell(row=row, column=1, value=f"Bladet {sheet_name}").font = xlsx.BOLD
        row += 1
        for column in columns:
            mark = " (måste fyllas i)" if column.required else ""
            help_sheet.cell(row=row, column=1, value=f"{column.label}{mark}")
            help_sheet.cell(row=row, column=2, value=column.help)
            row += 1
        row += 1
    help_sheet.cell(row=row, column=1, value="Förbundets medlemmar").font = xlsx.BOLD
    row += 1
    first_member_row = row
    for name in member_names:
        help_sheet.cell(row=row, column=1, value=name)
        row += 1
    help_sheet.column_dimensions["A"].width = 40
    help_sheet.column_dimensions["B"].width = 70
    members_range = (
        f"'{HELP_SHEET}'!$A${first_member_row}:$A${max(row - 1, first_member_row)}" if member_names else None
    )

    choices = {
        (INSATSER, "owner"): members_range,
        (INSATSER, "kind"): '"Individinriktad,Strukturinriktad"',
        (INSATSER, "status"): '"' + ",".join(STATUS_LABELS) + '"',
        (STYRELSE, "medlem"): members_range,
        (STYRELSE, "role"): '"Ledamot,Ersättare"',
        (STYRELSE, "presidium"): '"Ordförande,Vice ordförande"',
    }
    for sheet_name, columns in COLUMNS.items():
        sheet = workbook.create_sheet(sheet_name)
        xlsx.append_header(sheet, [column.label for column in columns], numeric_from=len(columns) + 1)
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(len(column.label) + 4, 16)
            formula = choices.get((sheet_name, column.key))
            if formula:
                validation = DataValidation(type="list", formula1=formula, allow_blank=not column.required)
                validation.error = f"Välj ett av alternativen för {column.label}."
                validation.errorTitle = "Ogiltigt värde"
                sheet.add_data_validation(validation)
                validation.add(f"{letter}2:{letter}1000")
        sheet.freeze_panes = "A2"
    return xlsx.to_bytes(workbook)


# Reading a filled template ---------------------------------------------------------------------------


class _CellProblem(ValueError):
    """A value that cannot be read; the message is shown to the user."""


def parse_file(source: str | IO[bytes]) -> ParsedFile:
    """Read a filled template. Never raises for a bad file: the problems are in `errors`."""
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:
        logger.info("Uppstartsfilen gick inte att öppna", exc_info=True)
        return ParsedFile(errors=[RowError(UNREADABLE)])
    result = ParsedFile()
    try:
        names = {name.strip().lower(): name for name in workbook.sheetnames}
        found = False
        for sheet_name in COLUMNS:
            actual = names.get(sheet_name.lower())
            if actual is None:
                continue
            found = True
            rows = _read_sheet(workbook[actual], sheet_name, result)
            getattr(result, _attribute(sheet_name)).extend(rows)
        if not found:
            result.errors.append(
                RowError(
                    "Filen har inget av bladen Insatser, Beviljat och Styrelse. Ladda ner mallen och "
                    "fyll i den."
                )
            )
        elif result.empty and not result.errors:
            result.errors.append(RowError("Filen har inga rader under rubrikraderna."))
    except Exception:
        logger.info("Uppstartsfilen gick inte att läsa till slut", exc_info=True)
        return ParsedFile(errors=[RowError(UNREADABLE)])
    finally:
        workbook.close()
    _check_file(result)
    result.errors.sort(key=error_order)
    return result


def error_order(error: RowError) -> tuple:
    """Sheet by sheet in the template's order, then by row and column, as the user reads the file."""
    sheet = list(COLUMNS).index(error.sheet) if error.sheet in COLUMNS else -1
    return (sheet, error.row or 0, len(error.column), error.column)


def _attribute(sheet_name: str) -> str:
    return {INSATSER: "insatser", BEVILJAT: "beviljat", STYRELSE: "styrelse"}[sheet_name]


def _read_sheet(sheet, sheet_name: str, result: ParsedFile) -> list[dict]:
    columns = COLUMNS[sheet_name]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    texts = [str(value).strip().lower() if value is not None else "" for value in header]
    positions: dict[str, int] = {}
    for column in columns:
        if column.label.lower() in texts:
            positions[column.key] = texts.index(column.label.lower())
    missing = [column.label for column in columns if column.required and column.key not in positions]
    if missing:
        result.errors.append(
            RowError(f"rubrikraden saknar kolumnen {' och '.join(missing)}.", sheet=sheet_name, row=1)
        )
        return []
    read_row = {INSATSER: _insats_row, BEVILJAT: _grant_row, STYRELSE: _board_row}[sheet_name]
    parsed = []
    for number, values in enumerate(rows, start=2):
        cells = {key: _cell(values, index) for key, index in positions.items()}
        if all(value is None for value in cells.values()):
            continue
        letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
        problems: list[RowError] = []

        def problem(key: str, message: str, number=number, letters=letters, problems=problems) -> None:
            problems.append(RowError(message, sheet=sheet_name, row=number, column=letters.get(key, "")))

        row = read_row(cells, problem)
        result.errors.extend(problems)
        # A row with an error is kept (marked) so the checks against the förbund report its other cells
        # too: the user fixes the file once. Nothing is imported while any row has an error.
        parsed.append({"row": number, "columns": letters, "invalid": bool(problems), **row})
    return parsed


def _cell(values: tuple, index: int) -> Any:
    if index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read(cells: dict, key: str, reader, problem, *, required: bool = False, what: str = ""):
    value = cells.get(key)
    if value is None:
        if required:
            problem(key, f"{what} saknas.")
        return None
    try:
        return reader(value)
    except _CellProblem as error:
        problem(key, str(error))
        return None


def _insats_row(cells: dict, problem) -> dict:
    status = _read(
        cells, "status", _choice(STATUSES, "en status", STATUS_LABELS), problem, required=True, what="status"
    )
    dated = status is not None and status != "ide"
    row = {
        "name": _read(cells, "name", _name, problem, required=True, what="namn"),
        "owner": _read(cells, "owner", _name, problem, required=True, what="projektägare"),
        "kind": _read(
            cells,
            "kind",
            _choice(KINDS, "en inriktning", ["Individinriktad", "Strukturinriktad"]),
            problem,
            required=True,
            what="inriktning",
        ),
        "start": _read(cells, "start", _date, problem, required=dated, what="startdatum"),
        "end": _read(cells, "end", _date, problem, required=dated, what="slutdatum"),
        "status": status,
        "decided_on": _read(cells, "decided_on", _date, problem, required=dated, what="beslutsdatum"),
        "description": _read(cells, "description", _long_text, problem),
    }
    if status == "ide" and row["decided_on"]:
        problem("decided_on", "en idé har inget beslut; lämna beslutsdatum tomt eller ange en annan status.")
    if row["start"] and row["end"] and row["end"] < row["start"]:
        problem("end", "slutdatum ligger före startdatum.")
    if status == "avslutad" and row["end"] and row["end"] > timezone.localdate().isoformat():
        problem("end", "en avslutad insats kan inte sluta i framtiden.")
    if row["decided_on"] and row["end"] and row["decided_on"] > row["end"]:
        problem("decided_on", "beslutsdatum ligger efter slutdatum.")
    return row


def _grant_row(cells: dict, problem) -> dict:
    return {
        "insats": _read(cells, "insats", _name, problem, required=True, what="insats"),
        "year": _read(cells, "year", _year, problem, required=True, what="år"),
        "amount": _read(cells, "amount", _amount, problem, required=True, what="belopp"),
    }


def _board_row(cells: dict, problem) -> dict:
    row = {
        "name": _read(cells, "name", _name, problem, required=True, what="namn"),
        "email": _read(cells, "email", _email, problem),
        "medlem": _read(cells, "medlem", _name, problem, required=True, what="medlem"),
        "role": _read(
            cells,
            "role",
            _choice(ROLES, "ett uppdrag", ["Ledamot", "Ersättare"]),
            problem,
            required=True,
            what="uppdrag",
        ),
        "presidium": _read(
            cells,
            "presidium",
            _choice(PRESIDIUM, "en roll i presidiet", ["Ordförande", "Vice ordförande"]),
            problem,
        )
        or "",
        "start": _read(cells, "start", _date, problem, required=True, what="från-datum"),
        "end": _read(cells, "end", _date, problem),
    }
    if row["presidium"] and row["role"] == "ersattare":
        problem("presidium", "bara en ledamot kan ingå i presidiet, inte en ersättare.")
    if row["start"] and row["end"] and row["end"] < row["start"]:
        problem("end", "uppdraget kan inte sluta innan det börjar.")
    return row


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = f"{value:%Y-%m-%d}"
    return str(value).strip()


def _name(value: Any) -> str:
    text = re.sub(r"\s+", " ", _text(value))
    if len(text) > 200:
        raise _CellProblem(f"högst 200 tecken (här {len(text)}).")
    return text


def _long_text(value: Any) -> str:
    text = _text(value)
    if len(text) > 5000:
        raise _CellProblem(f"högst 5 000 tecken (här {len(text)}).")
    return text


def _email(value: Any) -> str:
    text = _text(value)
    try:
        validate_email(text)
    except ValidationError:
        raise _CellProblem(f"”{text}” är ingen e-postadress.") from None
    return text.lower()


def _choice(options: dict[str, str], noun: str, labels: list[str]):
    def read(value: Any) -> str:
        text = _text(value)
        code = options.get(text.lower())
        if code is None:
            allowed = ", ".join(labels[:-1]) + " eller " + labels[-1]
            raise _CellProblem(f"”{text}” är inte {noun} som går att läsa in; skriv {allowed}.")
        return code

    return read


def _date(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise _CellProblem(f"”{text}” är inte ett datum (skriv ÅÅÅÅ-MM-DD).")


def _year(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise _CellProblem(f"”{text}” är inte ett år (skriv t.ex. 2025).")
    return int(text)


def _amount(value: Any) -> str:
    """Whole kronor, not negative; accepts numbers and Swedish text such as "1 250 000"."""
    if isinstance(value, bool):
        raise _CellProblem(f"”{value}” är inte ett belopp.")
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", _text(value)).removesuffix("kr").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise _CellProblem(f"”{_text(value)}” är inte ett belopp i kronor.") from None
    if not amount.is_finite() or amount >= Decimal(10) ** 12:
        raise _CellProblem(f"”{_text(value)}” är inte ett belopp i kronor.")
    if amount < 0:
        raise _CellProblem("beloppet kan inte vara negativt.")
    return str(money.kronor(amount))


def _check_file(result: ParsedFile) -> None:
    """What the rows say about each other: names are unique, grants belong to a granted insats in the
    file and lie inside its period, one amount per insats and year."""
    seen: dict[str, int] = {}
    for row in result.insatser:
        if not row["name"]:
            continue
        key = row["name"].lower()
        if key in seen:
            result.errors.append(
                RowError(
                    f"insatsen ”{row['name']}” finns redan på rad {seen[key]}.",
                    sheet=INSATSER,
                    row=row["row"],
                    column=row["columns"]["name"],
                )
            )
        else:
            seen[key] = row["row"]
    by_name = {row["name"].lower(): row for row in result.insatser if row["name"]}
    years_seen: dict[tuple[str, int], int] = {}
    for grant in result.beviljat:
        if not grant["insats"]:
            continue
        insats = by_name.get(grant["insats"].lower())
        place = {"sheet": BEVILJAT, "row": grant["row"]}
        if insats is not None and insats["invalid"]:
            continue  # its row on the Insatser sheet has an error already
        if insats is None:
            result.errors.append(
                RowError(
                    f"insatsen ”{grant['insats']}” finns inte på bladet Insatser.",
                    column=grant["columns"]["insats"],
                    **place,
                )
            )
            continue
        if insats["status"] not in GRANTED_STATUSES:
            result.errors.append(
                RowError(
                    f"insatsen ”{insats['name']}” är en idé och har inget beviljat belopp.",
                    column=grant["columns"]["insats"],
                    **place,
                )
            )
            continue
        if grant["year"] is None:
            continue
        first, last = int(insats["start"][:4]), int(insats["end"][:4])
        if not first <= grant["year"] <= last:
            result.errors.append(
                RowError(
                    f"{grant['year']} ligger utanför insatsens period ({first}–{last}).",
                    column=grant["columns"]["year"],
                    **place,
                )
            )
        key = (insats["name"].lower(), grant["year"])
        if key in years_seen:
            result.errors.append(
                RowError(
                    f"beloppet för {insats['name']} {grant['year']} står redan på rad {years_seen[key]}.",
                    column=grant["columns"]["year"],
                    **place,
                )
            )
        else:
            years_seen[key] = grant["row"]
    board_seen: dict[tuple, int] = {}
    for row in result.styrelse:
        if row["invalid"]:
            continue
        key = (row["name"].lower(), row["medlem"].lower(), row["role"], row["start"])
        if key in board_seen:
            result.errors.append(
                RowError(
                    f"samma uppdrag för {row['name']} står redan på rad {board_seen[key]}.",
                    sheet=STYRELSE,
                    row=row["row"],
                    column=row["columns"]["name"],
                )
            )
        else:
            board_seen[key] = row["row"]
