"""The balance sheet from the ledger: the import reads balance accounts (classes 1–2) with their
opening balances, the årsredovisning's balansräkning and kassaflödesanalys come from them, and a
figure typed by hand is an override that says why.

The ledger of 2022 below, worked by hand:

  opening (ingående balans, 2022-01-01)  bank 1930 2 000 000, kundfordringar 1510 30 000,
                                         eget kapital 2010 −1 918 000, leverantörsskulder 2440 −112 000
  member contribution received           3010 −1 000 000 / 1930 +1 000 000
  contribution accrued                   3010 −20 000 / 1510 +20 000
  costs paid                             4010 +1 200 000 / 1930 −1 200 000
  cost not yet paid                      4010 +13 000 / 2440 −13 000

  result = 1 020 000 − 1 213 000 = −193 000
  closing: kassa och bank 1 800 000, fordringar 50 000, skulder 125 000, eget kapital 1 918 000 − 193 000
  assets 1 850 000 = eget kapital 1 725 000 + skulder 125 000
  cash flow = −193 000 − 20 000 + 13 000 = −200 000; 2 000 000 − 200 000 = 1 800 000
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ekonomi.ledger_format import parse_ledger
from ekonomi.models import LedgerEntry
from ekonomi.selectors.balance import ledger_balance
from ekonomi.selectors.outcome import ledger_amounts, ledger_problems
from ekonomi.services.outcome import ledger_import
from forbund.models import Role
from tests.factories import (
    AccountMappingFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    CostCategoryFactory,
    MedlemFactory,
    user_with_role,
)
from uppfoljning.models import Arsredovisning
from uppfoljning.selectors.arsredovisning import arsredovisning_context
from uppfoljning.services.arsredovisning import arsredovisning_save

from .test_ledger_import import HEADER, xlsx

pytestmark = pytest.mark.django_db

D = datetime.date
K = Decimal
IB = "Ingående balans"

LEDGER_2022 = [
    HEADER,
    ["1930", D(2022, 1, 1), "IB", IB, 2_000_000],
    ["1510", D(2022, 1, 1), "IB", IB, 30_000],
    ["2010", D(2022, 1, 1), "IB", IB, -1_918_000],
    ["2440", D(2022, 1, 1), "IB", IB, -112_000],
    ["3010", D(2022, 1, 25), "1", "Bidrag", -1_000_000],
    ["1930", D(2022, 1, 25), "1", "Bidrag", 1_000_000],
    ["3010", D(2022, 12, 31), "2", "Upplupet bidrag", -20_000],
    ["1510", D(2022, 12, 31), "2", "Upplupet bidrag", 20_000],
    ["4010", D(2022, 6, 30), "3", "Samordnare", 1_200_000],
    ["1930", D(2022, 6, 30), "3", "Samordnare", -1_200_000],
    ["4010", D(2022, 12, 31), "4", "Obetald faktura", 13_000],
    ["2440", D(2022, 12, 31), "4", "Obetald faktura", -13_000],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ekonom(forbund):
    medlem = MedlemFactory(forbund=forbund)
    # The year's budget has the member's contribution (the comparison shows a budget's members).
    BudgetIncomeFactory(budget=BudgetFactory(forbund=forbund, year=2022), medlem=medlem, amount=1_020_000)
    AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=medlem)
    AccountMappingFactory(forbund=forbund, account="4010", category=CostCategoryFactory(forbund=forbund))
    return user_with_role(forbund, Role.Kind.EKONOM)


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Role.Kind.SAMORDNARE)


def imported(forbund, by, rows=LEDGER_2022, name="huvudbok-2022.xlsx"):
    return ledger_import(forbund=forbund, by=by, file=io.BytesIO(xlsx(rows)), filename=name)


# Reading the file ----------------------------------------------------------------------------------


def test_opening_balances_are_read_as_month_0_and_balance_accounts_need_no_mapping(forbund, ekonom):
    parsed = parse_ledger(io.BytesIO(xlsx(LEDGER_2022)))
    assert parsed.errors == []
    totals = parsed.totals()
    assert totals[("1930", 0)] == K(2_000_000) and totals[("1930", 1)] == K(1_000_000)
    assert ledger_problems(forbund, parsed) == []


def test_an_unmapped_result_account_is_still_refused(forbund, ekonom):
    parsed = parse_ledger(io.BytesIO(xlsx([*LEDGER_2022, ["4090", D(2022, 3, 1), "5", "Övrigt", 100]])))
    assert [str(problem) for problem in ledger_problems(forbund, parsed)] == [
        "Rad 14: konto 4090 saknar kontokoppling."
    ]


def test_opening_balances_only_from_a_file_that_starts_in_january():
    rows = [HEADER, ["1930", D(2022, 5, 1), "IB", IB, 500_000], ["4010", D(2022, 5, 3), "1", "", 100]]
    parsed = parse_ledger(io.BytesIO(xlsx(rows)))
    assert [str(error) for error in parsed.errors] == [
        "Rad 2: ingående balans läses bara in med en fil som börjar i januari."
    ]


def test_a_result_account_has_no_opening_balance():
    parsed = parse_ledger(io.BytesIO(xlsx([HEADER, ["4010", D(2022, 1, 1), "IB", IB, 100]])))
    assert [str(error) for error in parsed.errors] == [
        "Rad 2: ingående balans på konto 4010: bara balanskonton (klass 1–2) har ingående balans."
    ]


# The import and the balance sheet ------------------------------------------------------------------


def test_the_balance_lines_come_from_the_imported_ledger(forbund, ekonom):
    imported(forbund, ekonom)
    balance = ledger_balance(forbund, 2022)
    assert balance.has_opening and balance.last_month == 12
    assert balance.figures() == {
        "eget_kapital_ingaende": K(1_918_000),
        "kassa_bank_fg": K(2_000_000),
        "fordringar_fg": K(30_000),
        "skulder_fg": K(112_000),
        "kassa_bank": K(1_800_000),
        "fordringar": K(50_000),
        "skulder": K(125_000),
    }


def test_balance_accounts_are_no_outcome(forbund, ekonom):
    imported(forbund, ekonom)
    assert ledger_amounts(forbund, 2022) == {
        ("3010", 1): K(-1_000_000),
        ("3010", 12): K(-20_000),
        ("4010", 6): K(1_200_000),
        ("4010", 12): K(13_000),
    }


def test_a_second_import_from_january_replaces_the_opening_balances(forbund, ekonom):
    imported(forbund, ekonom)
    imported(forbund, ekonom, name="igen.xlsx")
    assert LedgerEntry.objects.filter(account="1930", month=0).count() == 1
    assert ledger_balance(forbund, 2022).kassa_bank == K(1_800_000)


def test_a_ledger_without_opening_balances_gives_no_figures(forbund, ekonom):
    imported(forbund, ekonom, rows=[row for row in LEDGER_2022 if IB not in row])
    balance = ledger_balance(forbund, 2022)
    assert not balance.has_opening and balance.figures() == {}


def test_the_arsredovisning_balance_sheet_and_cash_flow_add_up_from_the_ledger(forbund, ekonom):
    imported(forbund, ekonom)
    balance = arsredovisning_context(forbund, 2022)["balance"]
    assert balance.result == K(-193_000)
    assert (balance.assets, balance.closing_equity, balance.equity_and_liabilities) == (
        K(1_850_000),
        K(1_725_000),
        K(1_850_000),
    )
    assert balance.difference == 0
    assert (balance.receivables_effect, balance.change_liabilities, balance.cash_flow) == (
        K(-20_000),
        K(13_000),
        K(-200_000),
    )
    assert balance.cash_at_end == K(1_800_000) and balance.cash_difference == 0
    assert balance.from_ledger and not balance.hand_entered


# Hand entry is an override with a comment ----------------------------------------------------------


def test_a_figure_typed_over_the_ledgers_needs_a_comment(forbund, ekonom, samordnare):
    imported(forbund, ekonom)
    report = Arsredovisning.objects.create(forbund=forbund, year=2022)
    report.kassa_bank = K(1_799_000)
    with pytest.raises(ValidationError) as error:
        arsredovisning_save(report=report, by=samordnare)
    assert (
        "Huvudboken har redan kassa och bank vid årets slut" in error.value.message_dict["balance_comment"][0]
    )

    report.balance_comment = "Bankens saldobesked 2022-12-31 visar 1 000 kr lägre: avgift bokförd 2023."
    arsredovisning_save(report=report, by=samordnare)
    balance = arsredovisning_context(forbund, 2022)["balance"]
    assert balance.kassa_bank == K(1_799_000)
    assert balance.hand_entered == ["kassa och bank vid årets slut"]
    assert balance.comment.startswith("Bankens saldobesked")
    assert balance.fordringar == K(50_000)  # the others still from the ledger
    assert balance.difference == K(-1_000)


def test_without_balance_accounts_the_figures_are_typed_without_a_comment(forbund, samordnare):
    report = Arsredovisning.objects.create(forbund=forbund, year=2022)
    report.kassa_bank = K(700_000)
    arsredovisning_save(report=report, by=samordnare)
    balance = arsredovisning_context(forbund, 2022)["balance"]
    assert balance.kassa_bank == K(700_000) and balance.hand_entered == ["kassa och bank vid årets slut"]


def test_the_opening_figures_fall_back_on_last_years_closing(forbund, ekonom):
    imported(forbund, ekonom)
    balance = arsredovisning_context(forbund, 2023)["balance"]
    assert (balance.kassa_bank_fg, balance.fordringar_fg, balance.skulder_fg) == (
        K(1_800_000),
        K(50_000),
        K(125_000),
    )
    assert balance.sources["kassa_bank_fg"] == "förra årets utgående"


def test_the_edit_page_shows_each_figure_and_its_source(forbund, ekonom, samordnare, login):
    from django.urls import reverse

    imported(forbund, ekonom)
    page = login(samordnare).get(
        reverse("uppfoljning:arsredovisning", kwargs={"forbund": forbund.slug, "year": 2022})
    )
    text = page.content.decode()
    assert "Balansposterna hämtas ur huvudbokens balanskonton" in text
    assert "1\xa0800\xa0000\xa0kr" in text and "huvudboken" in text
