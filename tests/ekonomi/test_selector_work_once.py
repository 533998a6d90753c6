"""The budget page, budget versus utfall (and its Excel export) and the ledger's outcome compute each
figure once per request: the budget's lines, the settings and the account mappings are read once and
passed to what needs them, through every earlier year the opening equity is carried from (the same
SQL twice in one request is work done twice). And they ask as many queries for twelve insatser as
for three."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ekonomi.models import Budget
from ekonomi.selectors.lines import in_force_of
from tests.work_once import YEAR, forbund_with_history, insatser_shown, queries_of, repeated

pytestmark = pytest.mark.django_db

PAGES = {
    "budget": ("ekonomi:budget", {"year": YEAR}, ""),
    "budget mot utfall": ("ekonomi:comparison", {"year": YEAR}, "?period=T1"),
    "budget mot utfall (excel)": ("ekonomi:comparison", {"year": YEAR}, "?period=T1&format=xlsx"),
    "utfall enligt huvudboken": ("ekonomi:ledger", {}, ""),  # the latest year with a ledger: 2021
}


def open_page(client, forbund, page: str):
    name, kwargs, query = PAGES[page]
    url = reverse(name, kwargs={"forbund": forbund.slug, **kwargs}) + query
    client.force_login(forbund.samordnare)
    return queries_of(client, url)


@pytest.mark.parametrize("decided", [False, True], ids=["förslag", "beslutad"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_asks_no_query_twice(client, settings, tmp_path, page, decided):
    settings.MEDIA_ROOT = tmp_path
    forbund = forbund_with_history(insatser=3, decided=decided)

    sqls, response = open_page(client, forbund, page)

    assert repeated(sqls) == {}
    assert insatser_shown(response) == {"Insats 00", "Insats 01", "Insats 02"}


def test_the_budget_page_carries_the_opening_equity_through_the_open_years(client, settings, tmp_path):
    """2019's typed opening equity, 2019's and 2020's forecast results: the page shows the figure
    carried through both open years, each read once."""
    settings.MEDIA_ROOT = tmp_path
    forbund = forbund_with_history(insatser=3)

    sqls, response = open_page(client, forbund, "budget")

    assert repeated(sqls) == {}
    equity = response.context["overview"].equity
    assert equity.is_forecast and equity.result_label == f"Beräknat resultat {YEAR - 1} (prognos)"
    assert equity.preliminary is not None


@pytest.mark.parametrize("page", PAGES)
def test_the_page_asks_as_many_queries_for_twelve_insatser_as_for_three(client, settings, tmp_path, page):
    settings.MEDIA_ROOT = tmp_path
    counts = {}
    for insatser in (3, 12):
        sqls, response = open_page(client, forbund_with_history(insatser=insatser), page)
        assert len(insatser_shown(response)) == insatser
        counts[insatser] = len(sqls)

    assert counts[12] == counts[3], f"{counts[3]} frågor för 3 insatser, {counts[12]} för 12"


def version(number: int, status: str) -> Budget:
    return Budget(year=YEAR, version=number, status=status)


def test_the_budget_in_force_is_the_latest_decided_version_else_the_latest_proposal():
    decided, proposal = Budget.Status.BESLUTAD, Budget.Status.FORSLAG

    assert in_force_of([version(1, decided), version(2, proposal)]).version == 1
    assert in_force_of([version(1, decided), version(3, decided), version(2, proposal)]).version == 3
    assert in_force_of([version(1, proposal), version(2, proposal)]).version == 2
    assert in_force_of([]) is None
