"""A förbund with a full 2021 and a 2020 behind it, and a way to read the queries a page asks, for
the tests that each page computes its figures once (`tests/*/test_selector_work_once.py`): the same
SQL twice in one request is work done twice."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from ekonomi.models import Budget, BudgetInsatsCost, BudgetOtherIncome
from forbund.models import Forbund, Role, Styrelseuppdrag

from .factories import (
    AccountMappingFactory,
    AgendaItemFactory,
    BeslutFactory,
    BudgetCostFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    BudgetLineFactory,
    CostCategoryFactory,
    ForbundFactory,
    InsatsFactory,
    InvoiceFactory,
    KansliuppdragFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    LockedPeriodFactory,
    ParticipantCountFactory,
    ReportPeriodFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    TertialrapportFactory,
    WorkingAgePopulationFactory,
    finsam_parties,
    user_with_role,
)

D = Decimal
YEAR = 2021
COUNTS = {
    ("flow", "nya"): 6,
    ("flow", "fortsatta"): 4,
    ("gender", "kvinnor"): 5,
    ("gender", "man"): 5,
    ("outcome", "arbete"): 3,
}


def forbund_with_history(*, insatser: int, decided: bool = False) -> Forbund:
    """A förbund whose 2021 has everything the economy and follow-up pages read: a budget (a proposal,
    or decided with its insats costs frozen) with incomes, internal costs and other income; a locked
    2019 and an open 2020, budgeted, that the opening equity is carried through; a ledger for
    January–April with income, internal costs and a cost per insats; `insatser` granted insatser with
    invoices and approved reports for T1 and the year; a board, a kansli and the meeting that
    decided the budget."""
    forbund = ForbundFactory()
    parties = finsam_parties(forbund, kommuner=2)
    for name in ("kommun1", "kommun2"):
        WorkingAgePopulationFactory(forbund=forbund, kommun=parties[name], year=YEAR)
    StyrelseuppdragFactory(
        forbund=forbund, medlem=parties["region"], presidium=Styrelseuppdrag.Presidium.ORDFORANDE
    )
    StyrelseuppdragFactory(forbund=forbund, medlem=parties["kommun1"])
    KansliuppdragFactory(forbund=forbund)
    meeting = StyrelsemoteFactory(forbund=forbund, date=datetime.date(YEAR, 3, 17))
    kansli, lokaler = (
        CostCategoryFactory(forbund=forbund, name="Kansli"),
        CostCategoryFactory(forbund=forbund, name="Lokaler"),
    )

    # 2019 was budgeted with its opening equity typed in, and its ledger is locked; 2020 was budgeted
    # without, so 2021's opening equity is carried through 2019's result and 2020's forecast.
    LockedPeriodFactory(forbund=forbund, year=YEAR - 2)
    BudgetFactory(
        forbund=forbund,
        year=YEAR - 2,
        status=Budget.Status.BESLUTAD,
        opening_equity=D(900_000),
        forecast_result_previous_year=D(0),
    )
    previous = BudgetFactory(forbund=forbund, year=YEAR - 1, status=Budget.Status.BESLUTAD)
    if decided:
        budget = BudgetFactory(
            forbund=forbund,
            year=YEAR,
            status=Budget.Status.BESLUTAD,
            decided_item=AgendaItemFactory(meeting=meeting, title=f"Budget {YEAR}"),
            decided_on=meeting.date,
        )
    else:
        budget = BudgetFactory(forbund=forbund, year=YEAR, status=Budget.Status.FORSLAG)
    for year_budget in (previous, budget):
        for name, amount in [
            ("fk", 1_000_000),
            ("region", 500_000),
            ("kommun1", 250_000),
            ("kommun2", 250_000),
        ]:
            BudgetIncomeFactory(budget=year_budget, medlem=parties[name], amount=D(amount))
        BudgetCostFactory(budget=year_budget, category=kansli, amount=D(600_000))
    BudgetCostFactory(budget=budget, category=lokaler, amount=D(120_000))
    BudgetOtherIncome.objects.create(budget=budget, description="ESF-medel", amount=D(80_000))

    AccountMappingFactory(forbund=forbund, account="3010", category=None, medlem=parties["fk"])
    AccountMappingFactory(forbund=forbund, account="4010", category=kansli)
    AccountMappingFactory(forbund=forbund, account="4020", category=lokaler)
    ledger = LedgerImportFactory(forbund=forbund, year=YEAR, first_month=1, last_month=4)
    old_ledger = LedgerImportFactory(forbund=forbund, year=YEAR - 1, first_month=1, last_month=8)
    for month in range(1, 5):
        LedgerEntryFactory(ledger_import=ledger, account="4010", month=month, amount=D(50_000))
        LedgerEntryFactory(ledger_import=ledger, account="4020", month=month, amount=D(10_000))
        LedgerEntryFactory(ledger_import=old_ledger, account="4010", month=month, amount=D(45_000))
    LedgerEntryFactory(ledger_import=ledger, account="3010", month=1, amount=D(-500_000))

    periods = [ReportPeriodFactory(forbund=forbund, year=YEAR, kind=kind) for kind in ("T1", "AR")]
    for number in range(insatser):
        insats = InsatsFactory(forbund=forbund, name=f"Insats {number:02d}", owner=parties["kommun1"])
        insats.partners.add(parties["region"])
        BeslutFactory(insats=insats, amounts={YEAR: 200_000})
        BudgetLineFactory(insats=insats, amounts={YEAR: 200_000})
        if decided:
            BudgetInsatsCost.objects.create(budget=budget, insats=insats, amount=D(200_000))
        account = str(4500 + number)
        AccountMappingFactory(forbund=forbund, account=account, category=None, insats=insats)
        LedgerEntryFactory(ledger_import=ledger, account=account, month=2, amount=D(40_000))
        InvoiceFactory(insats=insats, forbund=forbund)
        for period in periods:
            report = TertialrapportFactory.create_approved(period=period, insats=insats, cost=D(40_000))
            for (dimension, category), count in COUNTS.items():
                ParticipantCountFactory(report=report, dimension=dimension, category=category, count=count)
    forbund.samordnare = user_with_role(forbund, Role.Kind.SAMORDNARE)
    return forbund


def queries_of(client, url: str):
    """The SQL of every query the request asks, and the response."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries], response


def repeated(sqls: list[str]) -> dict[str, int]:
    """Each query asked more than once, with how many times. Every query counts: the session and the
    user are read once by the middleware, and the only writes a read asks (`economy_settings` creating
    the förbund's settings on first read) run in a savepoint whose name is new each time, so nothing
    a page needs has any reason to repeat."""
    counts = Counter(sqls)
    return {sql: count for sql, count in counts.items() if count > 1}


def insatser_shown(response, sheet: str | None = None) -> set[str]:
    """The insatser ("Insats 00" …) a reader finds on the page, or in an Excel export's `sheet` (the
    workbook's first when None)."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        rows = (book[sheet] if sheet else book.active).iter_rows(values_only=True)
        return {str(row[0]) for row in rows if str(row[0]).startswith("Insats ")}
    html = response.content.decode()
    return {f"Insats {number:02d}" for number in range(20) if f"Insats {number:02d}" in html}
