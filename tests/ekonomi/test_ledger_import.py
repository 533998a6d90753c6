"""The huvudbok: reading the Excel format (pure, no database) and importing it all-or-nothing, with
re-imports of the same months replacing, never doubling."""

from __future__ import annotations

import datetime
import io
import random
import zipfile
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from ekonomi.ledger_format import LedgerSummary, parse_ledger
from ekonomi.models import LedgerEntry, LedgerImport
from ekonomi.selectors.outcome import ledger_amounts, ledger_outcome, ledger_preview, outcome_by_target
from ekonomi.services.outcome import ledger_import
from forbund.models import ActivityEvent, Medlem, Role
from tests.factories import (
    AccountMappingFactory,
    CostCategoryFactory,
    InsatsFactory,
    LockedPeriodFactory,
    MedlemFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
HEADER = ["Konto", "Datum", "Verifikation", "Text", "Belopp"]


def xlsx(
    rows: list[list], *, sheet: str = "Huvudbok", above: list[list] | None = None, extra_sheets=()
) -> bytes:
    """An .xlsx with `above` (title rows), then `rows` (the first is usually the header)."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in [*(above or []), *rows]:
        worksheet.append(row)
    for name in extra_sheets:
        workbook.create_sheet(name).append(["Något annat"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(data: bytes):
    return parse_ledger(io.BytesIO(data))


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


# The format ---------------------------------------------------------------------------------------


def test_belopp_column_is_summed_per_account_and_month():
    result = parse(
        xlsx(
            [
                HEADER,
                [4010, D(2021, 1, 5), "1", "Samordnare", 20000],
                [4010, D(2021, 1, 25), "2", "Samordnare", 5000],
                [4010, D(2021, 2, 25), "3", "Samordnare", 25000],
                [3010, D(2021, 1, 20), "4", "Försäkringskassan", -250000],
            ]
        )
    )
    assert result.ok, messages(result)
    assert result.totals() == {
        ("3010", 1): Decimal("-250000"),
        ("4010", 1): Decimal("25000"),
        ("4010", 2): Decimal("25000"),
    }
    assert (result.year, result.first_month, result.last_month) == (2021, 1, 2)


def test_debet_and_kredit_give_costs_positive_and_income_negative():
    result = parse(
        xlsx(
            [
                ["Konto", "Datum", "Debet", "Kredit"],
                [4010, D(2021, 3, 25), 25000, None],
                [3010, D(2021, 3, 20), None, 250000],
                [4010, D(2021, 3, 28), None, 1000],  # a correction
            ]
        )
    )
    assert result.ok, messages(result)
    assert result.totals() == {("3010", 3): Decimal("-250000"), ("4010", 3): Decimal("24000")}


def test_header_is_found_below_title_rows_and_other_columns_are_ignored():
    result = parse(
        xlsx(
            [
                ["Projekt", "Konto", "Kontonamn", "Datum", "Belopp"],
                ["P1", "4010", "Samordnare", "2021-04-01", 100],
            ],
            above=[["Samordningsförbundet Trelleborg"], ["Huvudbok 2021-01-01 – 2021-04-30"], []],
        )
    )
    assert result.ok, messages(result)
    assert result.lines[0].row == 5
    assert result.account_names() == {"4010": "Samordnare"}


def test_header_below_the_first_ten_rows_is_not_found():
    result = parse(xlsx([HEADER, [4010, D(2021, 1, 1), "", "", 1]], above=[["Rubrik"]] * 10))
    assert messages(result) == [
        "Blad Huvudbok: hittar ingen rubrikrad med kolumnerna Konto och Datum bland de första 10 raderna."
    ]


def test_text_in_an_amount_cell_names_sheet_row_and_column():
    rows = [HEADER] + [[4010, D(2021, 1, day), str(day), "", 100] for day in range(1, 13)]
    rows.append([4010, D(2021, 1, 13), "13", "Felskrivet", "tio tusen"])
    result = parse(xlsx(rows, above=[["Huvudbok 2021"]]))
    assert messages(result) == ["Rad 15, kolumn E: 'tio tusen' är inte ett belopp."]
    assert not result.ok


def test_amount_in_column_d_is_named_column_d():
    result = parse(xlsx([["Konto", "Datum", "Text", "Belopp"], [4010, D(2021, 1, 1), "x", "tio tusen"]]))
    assert messages(result) == ["Rad 2, kolumn D: 'tio tusen' är inte ett belopp."]


def test_bad_date_names_row_and_column():
    result = parse(xlsx([HEADER, [4010, "2021-02-30", "1", "", 100], [4010, "igår", "2", "", 100]]))
    assert messages(result) == [
        "Rad 2, kolumn B: '2021-02-30' är inte ett datum (skriv ÅÅÅÅ-MM-DD).",
        "Rad 3, kolumn B: 'igår' är inte ett datum (skriv ÅÅÅÅ-MM-DD).",
    ]


def test_missing_account_and_amount_are_errors_on_their_cells():
    result = parse(
        xlsx([HEADER, [None, D(2021, 1, 1), "1", "Utan konto", 100], [4010, D(2021, 1, 2), "2", "", None]])
    )
    assert messages(result) == [
        "Rad 2, kolumn A: kontonummer saknas.",
        "Rad 3, kolumn E: beloppet saknas.",
    ]


def test_text_in_account_cell_is_an_error():
    result = parse(xlsx([HEADER, ["Summa", D(2021, 1, 1), "", "", 100]]))
    assert messages(result) == ["Rad 2, kolumn A: 'Summa' är inte ett kontonummer."]


def test_missing_date_column_is_named():
    result = parse(xlsx([["Konto", "Text", "Belopp"], [4010, "x", 1]]))
    assert messages(result) == ["Rad 1: rubrikraden saknar kolumnen Datum."]


def test_missing_amount_columns_are_named():
    result = parse(xlsx([["Konto", "Datum", "Text"], [4010, D(2021, 1, 1), "x"]]))
    assert messages(result) == ["Rad 1: rubrikraden saknar kolumnen Belopp (eller Debet och Kredit)."]


def test_debet_without_kredit_is_refused():
    result = parse(xlsx([["Konto", "Datum", "Debet"], [4010, D(2021, 1, 1), 1]]))
    assert messages(result) == ["Rad 1: rubrikraden saknar kolumnen Kredit."]


def test_several_sheets_without_huvudbok_are_refused():
    result = parse(xlsx([HEADER], sheet="Resultatrapport", extra_sheets=["Balansrapport"]))
    assert messages(result) == [
        "Filen har flera blad (”Resultatrapport”, ”Balansrapport”) men inget som heter ”Huvudbok”. "
        "Döp om bladet med huvudboken till Huvudbok."
    ]


def test_huvudbok_sheet_is_chosen_among_several():
    data = xlsx([HEADER, [4010, D(2021, 1, 1), "", "", 5]], sheet="Huvudbok", extra_sheets=["Info"])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.move_sheet("Huvudbok", offset=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse(buffer.getvalue())
    assert result.ok and result.sheet == "Huvudbok"


def test_the_only_sheet_is_read_whatever_its_name():
    result = parse(xlsx([HEADER, [4010, D(2021, 1, 1), "", "", 5]], sheet="Blad1"))
    assert result.ok and result.sheet == "Blad1"


def test_a_file_that_is_not_xlsx_is_refused():
    assert messages(parse(b"Konto;Datum;Belopp\n4010;2021-01-01;100\n")) == [
        "Filen går inte att läsa som en Excelfil (.xlsx)."
    ]


def test_dates_outside_the_files_year_are_refused_row_by_row():
    result = parse(
        xlsx(
            [
                HEADER,
                [4010, D(2021, 1, 1), "", "", 5],
                [4010, D(2020, 12, 31), "", "", 5],
                [4010, D(2021, 2, 1), "", "", 5],
            ]
        )
    )
    assert messages(result) == [
        "Rad 3, kolumn B: 2020-12-31 ligger inte i 2021; en fil får bara gälla ett år."
    ]


def test_swedish_amount_text_account_with_name_and_blank_rows_are_read():
    result = parse(
        xlsx(
            [
                HEADER,
                ["3010 Bidrag Försäkringskassan", "20210120", "", "", "−250 000,00"],
                [],
                [None, None, None, "Summa konto 3010", None],
                ["4010", "2021-01-31", "", "", "1 234,50 kr"],
                [4010, 44227, "", "", 0.5],  # an Excel serial day number: 2021-01-31
            ]
        )
    )
    assert result.ok, messages(result)
    assert result.totals() == {("3010", 1): Decimal("-250000"), ("4010", 1): Decimal("1235")}
    assert result.account_names()["3010"] == "Bidrag Försäkringskassan"


def test_ore_are_summed_before_rounding_to_whole_kronor():
    result = parse(xlsx([HEADER, *([[4010, D(2021, 5, 1), "", "", 0.4]] * 3)]))
    assert result.totals() == {("4010", 5): Decimal("1")}


def test_a_sheet_with_only_a_header_is_refused():
    assert messages(parse(xlsx([HEADER]))) == ["Blad Huvudbok: bladet har inga rader under rubrikraden."]


# Import -------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ekonom(forbund):
    return user_with_role(forbund, Role.Kind.EKONOM)


@pytest.fixture
def mapped(forbund):
    """Accounts 3010 (a member's contribution), 4010 (samordnare) and 4510 (an insats)."""
    medlem = MedlemFactory(forbund=forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan")
    category = CostCategoryFactory(forbund=forbund, name="Samordnare", order=0)
    insats = InsatsFactory(forbund=forbund, name="Yrkeskedjor")
    AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=medlem)
    AccountMappingFactory(forbund=forbund, account="4010", category=category)
    AccountMappingFactory(forbund=forbund, account="4510", category=None, insats=insats)
    return {"medlem": medlem, "category": category, "insats": insats}


def import_rows(forbund, by, rows, filename="huvudbok.xlsx"):
    return ledger_import(forbund=forbund, by=by, file=io.BytesIO(xlsx([HEADER, *rows])), filename=filename)


def months_of(year: int, months: range, account: str, amount: int) -> list[list]:
    return [[account, D(year, month, 15), "", "", amount] for month in months]


def test_import_round_trip_gives_the_known_sums_per_account_and_month(forbund, ekonom, mapped):
    rng = random.Random(2021)  # noqa: S311 - repeatable test data, not a secret
    known: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    rows = []
    for _ in range(300):
        account = rng.choice(["3010", "4010", "4510"])
        month = rng.randint(1, 8)
        amount = rng.randint(1, 100_000) * (-1 if account == "3010" else 1)
        known[(account, month)] += amount
        rows.append([int(account), D(2021, month, rng.randint(1, 28)), "", "", amount])

    imported = import_rows(forbund, ekonom, rows)

    assert (imported.year, imported.first_month, imported.last_month) == (2021, 1, 8)
    assert ledger_amounts(forbund, 2021) == dict(known)
    assert LedgerEntry.objects.filter(ledger_import=imported).count() == len(known)
    assert default_storage.exists(imported.file.name)
    (event,) = ActivityEvent.objects.filter(forbund=forbund, description__startswith="Läste in huvudboken")
    assert event.description.endswith(f"{len(known)} poster")  # one event for the import, with its rows
    assert (event.actor, event.object_id, event.url) == (
        ekonom,
        str(imported.pk),
        imported.get_absolute_url(),
    )


def test_an_error_in_one_row_saves_nothing(forbund, ekonom, mapped, media):
    rows = [*months_of(2021, range(1, 9), "4010", 25000), ["4010", D(2021, 9, 1), "", "", "tio tusen"]]
    with pytest.raises(ValidationError) as error:
        import_rows(forbund, ekonom, rows)
    assert error.value.messages == ["Rad 10, kolumn E: 'tio tusen' är inte ett belopp."]
    assert not LedgerImport.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not (media / "huvudbok").exists()


def test_an_import_that_fails_after_its_first_writes_leaves_nothing(
    forbund, ekonom, mapped, media, monkeypatch
):
    """The new import is saved, the earlier import's months are removed and it is marked replaced,
    and only then does a late entry break a database constraint (a month below zero): nothing of
    the new import may remain, and the earlier import must be whole again."""
    from django.db import IntegrityError

    from ekonomi.ledger_format import ParsedLedger
    from ekonomi.models import AccountMapping

    first = import_rows(forbund, ekonom, months_of(2021, range(1, 5), "4010", 100))  # jan–apr
    files_before = sorted(path.name for path in (media / "huvudbok").iterdir() if path.is_file())
    before = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (LedgerImport, LedgerEntry, AccountMapping, ActivityEvent)
    }
    totals = ParsedLedger.totals

    def totals_with_a_bad_last_row(parsed):
        return {**totals(parsed), ("4010", -1): Decimal(5)}

    monkeypatch.setattr(ParsedLedger, "totals", totals_with_a_bad_last_row)
    with pytest.raises(IntegrityError):
        import_rows(forbund, ekonom, months_of(2021, range(4, 9), "4010", 200), filename="apr-aug.xlsx")

    after = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (LedgerImport, LedgerEntry, AccountMapping, ActivityEvent)
    }
    assert after == before
    first.refresh_from_db()
    assert first.replaced_by is None
    assert ledger_amounts(forbund, 2021) == {("4010", month): 100 for month in range(1, 5)}
    assert sorted(path.name for path in (media / "huvudbok").iterdir() if path.is_file()) == files_before


def test_an_account_without_mapping_is_refused_naming_its_first_row(forbund, ekonom, mapped):
    rows = [
        *months_of(2021, range(1, 8), "4010", 100),
        ["4999", D(2021, 1, 1), "", "", 5],
        ["4999", D(2021, 2, 1), "", "", 5],
    ]
    with pytest.raises(ValidationError) as error:
        import_rows(forbund, ekonom, rows)
    assert error.value.messages == ["Rad 9: konto 4999 saknar kontokoppling."]
    assert not LedgerImport.objects.exists()


def test_a_locked_year_is_refused(forbund, ekonom, mapped):
    LockedPeriodFactory(forbund=forbund, year=2021)
    with pytest.raises(ValidationError) as error:
        import_rows(forbund, ekonom, months_of(2021, range(1, 3), "4010", 100))
    assert error.value.messages == ["År 2021 är låst: huvudboken för ett låst år kan inte läsas in."]
    assert not LedgerImport.objects.exists()


def test_another_forbunds_locked_year_does_not_matter(forbund, other_forbund, ekonom, mapped):
    LockedPeriodFactory(forbund=other_forbund, year=2021)
    assert import_rows(forbund, ekonom, months_of(2021, range(1, 3), "4010", 100))


def test_reimporting_the_same_months_replaces_and_totals_are_not_doubled(forbund, ekonom, mapped):
    rows = months_of(2021, range(1, 9), "4010", 25000) + months_of(2021, range(1, 9), "3010", -62500)
    first = import_rows(forbund, ekonom, rows)
    corrected = [row if row[1].month != 8 else [*row[:4], row[4] + 1000] for row in rows]
    second = import_rows(forbund, ekonom, corrected)

    first.refresh_from_db()
    assert first.replaced_by == second
    assert second.replaced_by is None
    assert not first.entries.exists()
    amounts = ledger_amounts(forbund, 2021)
    assert sum(amount for (account, _), amount in amounts.items() if account == "4010") == 8 * 25000 + 1000
    assert amounts[("3010", 8)] == Decimal(-61500)
    assert LedgerEntry.objects.filter(ledger_import__forbund=forbund).count() == 16


def test_reimporting_some_months_keeps_the_earlier_imports_other_months(forbund, ekonom, mapped):
    first = import_rows(forbund, ekonom, months_of(2021, range(1, 5), "4010", 100))  # jan–apr
    second = import_rows(forbund, ekonom, months_of(2021, range(4, 9), "4010", 200))  # apr–aug

    first.refresh_from_db()
    assert first.replaced_by == second
    assert sorted(first.entries.values_list("month", flat=True)) == [1, 2, 3]
    amounts = ledger_amounts(forbund, 2021)
    assert [amounts[("4010", month)] for month in range(1, 9)] == [100] * 3 + [200] * 5


def test_import_of_another_year_replaces_nothing(forbund, ekonom, mapped):
    first = import_rows(forbund, ekonom, months_of(2021, range(1, 3), "4010", 100))
    import_rows(forbund, ekonom, months_of(2022, range(1, 3), "4010", 100))
    first.refresh_from_db()
    assert first.replaced_by is None
    assert ledger_amounts(forbund, 2021) == {("4010", 1): 100, ("4010", 2): 100}


@pytest.mark.parametrize(
    "kind", [Role.Kind.STYRELSELEDAMOT, Role.Kind.ERSATTARE, Role.Kind.REVISOR, Role.Kind.PROJEKTAGARE]
)
def test_only_samordnare_and_ekonom_may_import(forbund, mapped, kind):
    with pytest.raises(PermissionDenied):
        import_rows(forbund, user_with_role(forbund, kind), months_of(2021, range(1, 3), "4010", 100))
    assert not LedgerImport.objects.exists()


def test_outcome_by_budget_line_turns_income_positive(forbund, ekonom, mapped):
    import_rows(
        forbund,
        ekonom,
        months_of(2021, range(1, 3), "3010", -500)
        + months_of(2021, range(1, 3), "4010", 100)
        + months_of(2021, range(1, 3), "4510", 300),
    )
    table = ledger_outcome(forbund, 2021)
    income, internal, insatser = table.sections
    assert [(row.label, row.total) for row in income.rows] == [("Försäkringskassan", 1000)]
    assert [(row.label, row.amounts) for row in internal.rows] == [("Samordnare", [100, 100])]
    assert insatser.totals.total == 600
    assert table.result.amounts == [100, 100]
    by_target = outcome_by_target(forbund, 2021, last_month=1)
    assert by_target.medlem == {mapped["medlem"].pk: 500}
    assert by_target.category == {mapped["category"].pk: 100}
    assert by_target.insats == {mapped["insats"].pk: 300}


def test_preview_lists_problems_or_totals_and_the_imports_it_replaces(forbund, ekonom, mapped):
    earlier = import_rows(forbund, ekonom, months_of(2021, range(1, 3), "4010", 100))
    preview = ledger_preview(forbund, parse(xlsx([HEADER, *months_of(2021, range(2, 4), "4010", 7)])))
    assert preview.ok
    assert preview.replaces == [earlier]
    assert preview.period == "feb–mar 2021"
    assert preview.table.accounts[0].amounts == [7, 7]

    bad = ledger_preview(forbund, parse(xlsx([HEADER, ["4999", D(2021, 1, 1), "", "", 1]])))
    assert [str(problem) for problem in bad.problems] == ["Rad 2: konto 4999 saknar kontokoppling."]
    assert bad.table is None


# Damaged files and progress ----------------------------------------------------------------------


def truncated(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The same workbook with one part cut in half, as an interrupted export leaves it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, content[: len(content) // 2] if info.filename == part else content)
    return buffer.getvalue()


def test_a_truncated_sheet_is_one_swedish_problem_not_an_exception():
    rows = [HEADER, *months_of(2021, range(1, 13), "4010", 100) * 20]
    result = parse(truncated(xlsx(rows)))
    [message] = messages(result)
    assert message.startswith("Filen är skadad och gick inte att läsa till slut")
    assert not result.ok


def test_progress_is_reported_every_500_rows():
    rows = [HEADER, *months_of(2021, range(1, 13), "4010", 1) * 100]  # 1 200 transactions
    reached = []
    result = parse_ledger(io.BytesIO(xlsx(rows)), progress=reached.append)
    assert result.ok and result.line_count == 1200
    assert reached == [500, 1000]


def test_a_summary_answers_like_the_parsed_file_and_survives_json():
    rows = [HEADER, ["4010", D(2021, 1, 25), "1", "Lön", 100.4], ["4010", D(2021, 1, 26), "2", "", 0.2]]
    rows += [["3010 Bidrag", D(2021, 2, 1), "3", "", -500], ["4999", D(2021, 2, 1), "4", "", "tio"]]
    parsed = parse(xlsx(rows))
    summary = LedgerSummary.from_json(parsed.summary().as_json(), [e.as_json() for e in parsed.errors])
    assert summary.totals() == parsed.totals() == {("3010", 2): Decimal(-500), ("4010", 1): Decimal(101)}
    assert summary.accounts == parsed.accounts == ["3010", "4010"]
    assert summary.account_names() == {"3010": "Bidrag"}
    assert (summary.year, summary.first_month, summary.last_month) == (2021, 1, 2)
    assert summary.first_row("4010") == 2 and summary.line_count == 3
    assert [str(error) for error in summary.errors] == ["Rad 5, kolumn E: 'tio' är inte ett belopp."]
