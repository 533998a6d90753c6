"""Reading a huvudbok (general ledger) exported to Excel. Pure functions: no Django models, no
database, so the format can be tested on its own.

The format, as the upload page documents it:

- The sheet named "Huvudbok", or the workbook's only sheet.
- A header row within the first 10 rows with the columns "Konto" and "Datum", optionally
  "Kontonamn", "Verifikation" and "Text", and either "Belopp" or both "Debet" and "Kredit". Other
  columns are ignored; rows above the header (a title, a period) are skipped.
- One transaction per row. Costs are positive (debet) and income negative (kredit), as in a Swedish
  huvudbok. All dates fall in one calendar year.
- Result accounts (classes 3–8) are the outcome, each mapped to a budget line. Balance accounts
  (classes 1–2: assets, eget kapital and liabilities; debet positive, kredit negative) need no
  mapping: they make the balansräkning and kassaflödesanalys. A balance account's opening balance is
  a row whose Text or Verifikation says "Ingående balans" (or "IB"); it is read only from a file that
  starts in January, and is kept as month 0.

Every problem is collected, each naming its row and column ("Rad 14, kolumn E: …"), so the user can
fix the file in one go; a file that cannot be read at all (not a zip, a truncated sheet) is one
problem too, never an exception. Amounts are read to the öre, summed per account and month and
rounded to whole kronor, by `finsam.money`'s one rule.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from finsam import money

logger = logging.getLogger(__name__)

SHEET_NAME = "Huvudbok"
HEADER_SEARCH_ROWS = 10
PROGRESS_EVERY = 500  # rows between two progress reports
UNREADABLE = "Filen går inte att läsa som en Excelfil (.xlsx)."
DAMAGED = (
    "Filen är skadad och gick inte att läsa till slut (rad {row} var den sista som gick att läsa). "
    "Öppna den i Excel, spara den som .xlsx och ladda upp den igen."
)

# Accepted header texts (compared in lower case, spaces trimmed) for each column we read.
HEADERS: dict[str, set[str]] = {
    "account": {"konto", "kontonr", "kontonummer"},
    "account_name": {"kontonamn", "kontobenämning", "benämning"},
    "date": {"datum", "bokföringsdatum", "transaktionsdatum"},
    "voucher": {"verifikation", "ver", "vernr", "ver.nr", "verifikationsnummer"},
    "text": {"text", "beskrivning", "transaktionstext"},
    "amount": {"belopp"},
    "debit": {"debet"},
    "credit": {"kredit"},
}
COLUMN_LABELS = {
    "account": "Konto",
    "date": "Datum",
    "amount": "Belopp",
    "debit": "Debet",
    "credit": "Kredit",
}
ACCOUNT_PATTERN = re.compile(r"^(\d{3,10})(?:\s+(.*))?$")
BALANCE_CLASSES = ("1", "2")
OPENING_MONTH = 0  # the month an opening balance (ingående balans) is kept as
OPENING_TEXTS = {"ingående balans", "ib", "ingaende balans"}


def is_balance_account(account: str) -> bool:
    """Classes 1–2 of the BAS chart: assets, eget kapital and liabilities."""
    return account.startswith(BALANCE_CLASSES)


MONTH_NAMES = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


@dataclass(frozen=True)
class LedgerError:
    """A problem with the file, as precise as it can be: row (1-based, as Excel numbers them) and
    column letter, or the sheet when the problem is not on one row."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.row is not None:
            place = f"Rad {self.row}" + (f", kolumn {self.column}" if self.column else "")
        else:
            place = f"Blad {self.sheet}" if self.sheet else ""
        return f"{place}: {self.message}" if place else self.message

    def as_json(self) -> dict:
        return {"message": self.message, "sheet": self.sheet, "row": self.row, "column": self.column}

    @classmethod
    def from_json(cls, data: dict) -> LedgerError:
        return cls(
            message=str(data.get("message", "")),
            sheet=str(data.get("sheet", "")),
            row=data.get("row"),
            column=str(data.get("column", "")),
        )


@dataclass(frozen=True)
class LedgerLine:
    """One transaction row of the huvudbok."""

    row: int
    account: str
    date: datetime.date
    amount: Decimal
    account_name: str = ""
    voucher: str = ""
    text: str = ""

    @property
    def is_opening(self) -> bool:
        """An opening balance (ingående balans) row, by its text or voucher."""
        return self.text.strip().lower() in OPENING_TEXTS or self.voucher.strip().lower() in OPENING_TEXTS

    @property
    def month(self) -> int:
        return OPENING_MONTH if self.is_opening else self.date.month


@dataclass
class ParsedLedger:
    sheet: str = ""
    lines: list[LedgerLine] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)
    date_column: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def year(self) -> int | None:
        years = Counter(line.date.year for line in self.lines)
        return years.most_common(1)[0][0] if years else None

    @property
    def months(self) -> list[int]:
        return sorted({line.date.month for line in self.lines})

    @property
    def first_month(self) -> int | None:
        return self.months[0] if self.lines else None

    @property
    def last_month(self) -> int | None:
        return self.months[-1] if self.lines else None

    @property
    def accounts(self) -> list[str]:
        return sorted({line.account for line in self.lines})

    def account_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for line in self.lines:
            if line.account_name and line.account not in names:
                names[line.account] = line.account_name
        return names

    def first_row(self, account: str) -> int | None:
        return next((line.row for line in self.lines if line.account == account), None)

    def totals(self) -> dict[tuple[str, int], Decimal]:
        """Whole kronor per (account, month), summed before rounding."""
        sums: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            sums[(line.account, line.month)] += line.amount
        return {key: money.kronor(value) for key, value in sorted(sums.items())}

    def summary(self) -> LedgerSummary:
        firsts: dict[str, int] = {}
        for line in self.lines:
            firsts.setdefault(line.account, line.row)
        return LedgerSummary(
            sheet=self.sheet,
            line_count=self.line_count,
            year=self.year,
            first_month=self.first_month,
            last_month=self.last_month,
            month_totals=self.totals(),
            names=self.account_names(),
            first_rows=firsts,
            errors=list(self.errors),
        )


@dataclass
class LedgerSummary:
    """What a parsed huvudbok comes to, small enough to keep between the worker's reading and the
    user's confirmation: the totals per account and month, not the transactions. It answers the
    same questions as `ParsedLedger`, so the preview and the import take either."""

    sheet: str = ""
    line_count: int = 0
    year: int | None = None
    first_month: int | None = None
    last_month: int | None = None
    month_totals: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    first_rows: dict[str, int] = field(default_factory=dict)
    errors: list[LedgerError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.line_count)

    @property
    def accounts(self) -> list[str]:
        return sorted(self.first_rows)

    def account_names(self) -> dict[str, str]:
        return dict(self.names)

    def first_row(self, account: str) -> int | None:
        return self.first_rows.get(account)

    def totals(self) -> dict[tuple[str, int], Decimal]:
        return dict(self.month_totals)

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "line_count": self.line_count,
            "year": self.year,
            "first_month": self.first_month,
            "last_month": self.last_month,
            "totals": [
                [account, month, str(amount)] for (account, month), amount in self.month_totals.items()
            ],
            "names": self.names,
            "first_rows": self.first_rows,
        }

    @classmethod
    def from_json(cls, data: dict, errors: Iterable[dict] = ()) -> LedgerSummary:
        return cls(
            sheet=data.get("sheet", ""),
            line_count=data.get("line_count", 0),
            year=data.get("year"),
            first_month=data.get("first_month"),
            last_month=data.get("last_month"),
            month_totals={
                (account, month): Decimal(amount) for account, month, amount in data.get("totals", [])
            },
            names=dict(data.get("names", {})),
            first_rows={account: int(row) for account, row in data.get("first_rows", {}).items()},
            errors=[LedgerError.from_json(error) for error in errors],
        )


class _CellProblem(ValueError):
    """A value that cannot be read; the message is shown to the user."""


def parse_ledger(source: str | IO[bytes], *, progress: Callable[[int], None] | None = None) -> ParsedLedger:
    """Read a huvudbok from a path or a binary file object, calling `progress(row)` every
    `PROGRESS_EVERY` rows. Never raises for a bad file: the problems are in the result's `errors`.
    Whatever openpyxl or the XML parser raises on a damaged file (a bad zip, a truncated sheet) is
    a bad file, so every exception is caught here; the details go to the log."""
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception:
        logger.info("Huvudboken gick inte att öppna", exc_info=True)
        return ParsedLedger(errors=[LedgerError(UNREADABLE)])
    reached = [0]

    def reached_row(row: int) -> None:
        reached[0] = row
        if progress is not None and row % PROGRESS_EVERY == 0:
            progress(row)

    try:
        return _parse_workbook(workbook, reached_row)
    except Exception:
        logger.info("Huvudboken gick inte att läsa till slut", exc_info=True)
        return ParsedLedger(errors=[LedgerError(DAMAGED.format(row=reached[0]))])
    finally:
        workbook.close()


def _parse_workbook(workbook, reached_row: Callable[[int], None]) -> ParsedLedger:
    names = workbook.sheetnames
    sheet_name = next((name for name in names if name.strip().lower() == SHEET_NAME.lower()), None)
    if sheet_name is None and len(names) == 1:
        sheet_name = names[0]
    if sheet_name is None:
        listed = ", ".join(f"”{name}”" for name in names)
        return ParsedLedger(
            errors=[
                LedgerError(
                    f"Filen har flera blad ({listed}) men inget som heter ”{SHEET_NAME}”. "
                    f"Döp om bladet med huvudboken till {SHEET_NAME}."
                )
            ]
        )
    result = ParsedLedger(sheet=sheet_name)
    rows = workbook[sheet_name].iter_rows(values_only=True)
    header_row, columns = _find_header(rows, result)
    if columns is None:
        return result
    result.date_column = get_column_letter(columns["date"] + 1)
    for number, values in enumerate(rows, start=header_row + 1):
        reached_row(number)
        line = _parse_row(number, values, columns, result)
        if line is not None:
            result.lines.append(line)
    if not result.lines and not result.errors:
        result.errors.append(LedgerError("bladet har inga rader under rubrikraden.", sheet=sheet_name))
    _check_one_year(result)
    _check_opening_balances(result)
    result.errors.sort(key=lambda error: error.row or 0)
    return result


def _check_opening_balances(result: ParsedLedger) -> None:
    """An opening balance belongs to a balance account and to the start of the year."""
    openings = [line for line in result.lines if line.is_opening]
    if not openings:
        return
    first = result.first_month
    kept = []
    for line in result.lines:
        if line.is_opening and not is_balance_account(line.account):
            message = (
                f"ingående balans på konto {line.account}: bara balanskonton (klass 1–2) har ingående balans."
            )
        elif line.is_opening and first != 1:
            message = "ingående balans läses bara in med en fil som börjar i januari."
        else:
            kept.append(line)
            continue
        result.errors.append(LedgerError(message, sheet=result.sheet, row=line.row))
    result.lines = kept


def _find_header(rows: Iterable[tuple], result: ParsedLedger) -> tuple[int, dict[str, int] | None]:
    for number, values in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        texts = [str(value).strip().lower() if value is not None else "" for value in values]
        if not any(text in HEADERS["account"] for text in texts):
            continue
        columns: dict[str, int] = {}
        for index, text in enumerate(texts):
            for key, accepted in HEADERS.items():
                if text in accepted and key not in columns:
                    columns[key] = index
        missing = [COLUMN_LABELS["date"]] if "date" not in columns else []
        if "amount" not in columns:
            if "debit" in columns and "credit" not in columns:
                missing.append(COLUMN_LABELS["credit"])
            elif "credit" in columns and "debit" not in columns:
                missing.append(COLUMN_LABELS["debit"])
            elif "debit" not in columns:
                missing.append("Belopp (eller Debet och Kredit)")
        if missing:
            result.errors.append(
                LedgerError(
                    f"rubrikraden saknar kolumnen {' och '.join(missing)}.", sheet=result.sheet, row=number
                )
            )
            return number, None
        return number, columns
    result.errors.append(
        LedgerError(
            f"hittar ingen rubrikrad med kolumnerna Konto och Datum bland de första {HEADER_SEARCH_ROWS} "
            "raderna.",
            sheet=result.sheet,
        )
    )
    return 0, None


def _cell(values: tuple, index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    value = values[index]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _parse_row(
    number: int, values: tuple, columns: dict[str, int], result: ParsedLedger
) -> LedgerLine | None:
    read = {key: _cell(values, index) for key, index in columns.items()}
    money_keys = ["amount"] if "amount" in columns else ["debit", "credit"]
    if all(read.get(key) is None for key in ["account", "date", *money_keys]):
        return None  # a blank row, or a row with only text

    def problem(key: str, message: str) -> None:
        result.errors.append(
            LedgerError(message, sheet=result.sheet, row=number, column=get_column_letter(columns[key] + 1))
        )

    failed = False
    parsed: dict[str, Any] = {}
    for key, reader in [("account", _account), ("date", _date)]:
        try:
            parsed[key] = reader(read.get(key))
        except _CellProblem as error:
            problem(key, str(error))
            failed = True
    amount = Decimal(0)
    if all(read.get(key) is None for key in money_keys):
        problem(money_keys[0], "beloppet saknas.")
        failed = True
    for key in money_keys:
        try:
            value = _amount(read.get(key))
        except _CellProblem as error:
            problem(key, str(error))
            failed = True
            continue
        amount += -value if key == "credit" else value
    if failed:
        return None
    account, name = parsed["account"]
    return LedgerLine(
        row=number,
        account=account,
        date=parsed["date"],
        amount=amount,
        account_name=_text(read.get("account_name")) or name,
        voucher=_text(read.get("voucher")),
        text=_text(read.get("text")),
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _account(value: Any) -> tuple[str, str]:
    if value is None:
        raise _CellProblem("kontonummer saknas.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = ACCOUNT_PATTERN.match(str(value).strip())
    if match is None:
        raise _CellProblem(f"'{value}' är inte ett kontonummer.")
    return match[1], (match[2] or "").strip()


def _date(value: Any) -> datetime.date:
    if value is None:
        raise _CellProblem("datum saknas.")
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            value = str(int(value))
        elif 1 <= value < 100000:
            # A date cell without a date format: Excel's serial day number.
            return from_excel(value).date()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise _CellProblem(f"'{value}' är inte ett datum (skriv ÅÅÅÅ-MM-DD).")


def _amount(value: Any) -> Decimal:
    """An amount in kronor, to the öre. Accepts numbers and Swedish text such as "−1 234,50"."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        raise _CellProblem(f"'{value}' är inte ett belopp.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return money.ore(value)
    text = str(value).strip()
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace("−", "-").removesuffix("kr")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned):
        raise _CellProblem(f"'{text}' är inte ett belopp.")
    try:
        return money.ore(Decimal(cleaned))
    except InvalidOperation as error:
        raise _CellProblem(f"'{text}' är inte ett belopp.") from error


def _check_one_year(result: ParsedLedger) -> None:
    year = result.year
    if year is None:
        return
    outside = [line for line in result.lines if line.date.year != year]
    for line in outside:
        result.errors.append(
            LedgerError(
                f"{line.date:%Y-%m-%d} ligger inte i {year}; en fil får bara gälla ett år.",
                sheet=result.sheet,
                row=line.row,
                column=result.date_column,
            )
        )
    if outside:
        result.lines = [line for line in result.lines if line.date.year == year]


def month_name(month: int) -> str:
    return "IB" if month == OPENING_MONTH else MONTH_NAMES[month - 1]
