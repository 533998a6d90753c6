"""Text someone typed never becomes a live formula in an Excel export (a first step of issue #13's
safe exports): every export ends in `finsam.xlsx.to_bytes`, which writes such cells as text."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from finsam import audit, xlsx
from forbund.audit_views import audit_log_workbook
from forbund.models import ActivityEvent
from insatser import selectors
from insatser.exports import budget_workbook, insatser_workbook
from tests.factories import BudgetLineFactory, InsatsFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://angripare.example","Klicka här")'
COMMAND = "=cmd|' /C calc'!A0"


def cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_text_not_formula(data: bytes, text: str) -> None:
    found = [cell for cell in cells(data) if cell.value == text]
    assert found, f"{text!r} finns inte i filen"
    assert all(cell.data_type == "s" for cell in found)
    assert not [cell for cell in cells(data) if cell.data_type == "f"]


def test_the_export_helper_writes_formula_like_text_as_text():
    workbook, sheet = xlsx.new_workbook("Test")
    xlsx.append_row(sheet, [HYPERLINK, COMMAND, "@SUM(A1)", 100])

    data = xlsx.to_bytes(workbook)

    assert_text_not_formula(data, HYPERLINK)
    assert_text_not_formula(data, COMMAND)
    assert [cell.value for cell in cells(data)][-1] == 100  # numbers stay numbers


def test_an_insats_named_like_a_formula_is_text_in_the_insatser_export(forbund):
    insats = InsatsFactory(forbund=forbund, name=HYPERLINK, start=datetime.date(2021, 1, 1))

    data = insatser_workbook(insatser=[insats], applied={}, granted={}, years=[2021])

    assert_text_not_formula(data, HYPERLINK)


def test_a_budget_line_like_a_formula_is_text_in_the_insats_budget_export(forbund):
    insats = InsatsFactory(forbund=forbund)
    BudgetLineFactory(insats=insats, description=COMMAND, amounts={2021: 1000})

    data = budget_workbook(insats=insats, table=selectors.budget_table(insats))

    assert_text_not_formula(data, COMMAND)


def test_a_logged_description_like_a_formula_is_text_in_the_log_export(forbund):
    audit.event(forbund=forbund, actor=None, description=HYPERLINK)

    data = audit_log_workbook(ActivityEvent.objects.filter(forbund=forbund), forbund)

    assert_text_not_formula(data, HYPERLINK)
