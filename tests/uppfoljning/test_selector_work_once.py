"""The årsredovisning, the verksamhetsplan and the follow-up page with its Uppföljning Finsam export
compute each figure once per request: the budget lines, the year's members and grants, the settings
and the account mappings are read once and passed to the comparison, the budget document and the
carried-over equity that need them (the same SQL twice in one request is work done twice). And they
ask as many queries for twelve insatser as for three."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from finsam import rendering
from tests.work_once import YEAR, forbund_with_history, insatser_shown, queries_of, repeated

pytestmark = pytest.mark.django_db

PAGES = {
    "årsredovisning": ("uppfoljning:arsredovisning_preview", ""),
    "verksamhetsplan": ("uppfoljning:verksamhetsplan_preview", ""),
    "uppföljning": ("uppfoljning:followup", "?period=AR"),
    "uppföljning finsam (excel)": ("uppfoljning:followup", "?period=AR&format=xlsx"),
}


def open_page(client, forbund, page: str):
    name, query = PAGES[page]
    url = reverse(name, kwargs={"forbund": forbund.slug, "year": YEAR}) + query
    client.force_login(forbund.samordnare)
    return queries_of(client, url)


@pytest.mark.parametrize("decided", [False, True], ids=["förslag", "beslutad"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_asks_no_query_twice(client, settings, tmp_path, page, decided):
    settings.MEDIA_ROOT = tmp_path
    forbund = forbund_with_history(insatser=3, decided=decided)

    sqls, response = open_page(client, forbund, page)

    assert repeated(sqls) == {}
    assert insatser_shown(response, "Insatser") == {"Insats 00", "Insats 01", "Insats 02"}


@pytest.mark.parametrize("page", PAGES)
def test_the_page_asks_as_many_queries_for_twelve_insatser_as_for_three(client, settings, tmp_path, page):
    settings.MEDIA_ROOT = tmp_path
    counts = {}
    for insatser in (3, 12):
        sqls, response = open_page(client, forbund_with_history(insatser=insatser), page)
        assert len(insatser_shown(response, "Insatser")) == insatser
        counts[insatser] = len(sqls)

    assert counts[12] == counts[3], f"{counts[3]} frågor för 3 insatser, {counts[12]} för 12"


@pytest.mark.parametrize("kind", ["arsredovisning", "verksamhetsplan"])
def test_the_worker_sets_both_editions_from_one_context_without_asking_again(settings, tmp_path, kind):
    """The worker builds a document's context once and sets the draft and the clean master from it
    (`finsam.rendering`): building it asks no query twice, and setting the pages asks none at all,
    where the decided budget's board decision is shown too."""
    settings.MEDIA_ROOT = tmp_path
    forbund = forbund_with_history(insatser=3, decided=True)
    document = rendering.DOCUMENT_TYPES[kind]

    with CaptureQueriesContext(connection) as built:
        context = document.context(forbund, YEAR)
    context.update(forbund=forbund, year=YEAR, generated_at=timezone.now())
    with CaptureQueriesContext(connection) as set_pages:
        draft = render_to_string(document.template, {**context, "draft": True})
        render_to_string(document.template, {**context, "draft": False})

    assert repeated([query["sql"] for query in built.captured_queries]) == {}
    assert [query["sql"] for query in set_pages.captured_queries] == []
    assert "Insats 02" in draft
    if kind == "verksamhetsplan":
        assert f"Budgeten beslutad: Styrelsen {YEAR}-03-17" in draft
