"""The board decides a budget version on the agenda item about it (issue #11): the decision's date is
the meeting's and its § the minutes'; the budget page shows "Styrelsen <datum> § <n>" with a link to
the item; older versions decided with a typed § keep showing it."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ekonomi.models import Budget
from ekonomi.services.budget import BudgetContent, budget_create, budget_decide, budget_save
from forbund.models import AgendaItem, Dokumentjobb, MeetingStatus, Role
from tests.factories import AgendaItemFactory, StyrelsemoteFactory, finsam_parties, user_with_role

pytestmark = pytest.mark.django_db

Kind = Role.Kind
NOVEMBER = datetime.date(2020, 11, 18)


@pytest.fixture
def ekonom(forbund):
    return user_with_role(forbund, Kind.EKONOM)


@pytest.fixture
def proposal(forbund, ekonom):
    parties = finsam_parties(forbund)
    budget = budget_create(forbund=forbund, year=2021, by=ekonom)
    content = BudgetContent(
        incomes={
            parties["fk"]: Decimal(1_000_000),
            parties["region"]: Decimal(500_000),
            parties["kommun1"]: Decimal(500_000),
        },
        costs={},
        outline=[],
        opening_equity=None,
        opening_equity_note="",
        forecast_result_previous_year=None,
        funding_deviation="",
        comment="",
    )
    return budget_save(budget=budget, by=ekonom, content=content)


def item_about(budget, date=NOVEMBER, **meeting):
    meeting = StyrelsemoteFactory(forbund=budget.forbund, date=date, **meeting)
    return AgendaItemFactory(meeting=meeting, budget=budget, title=f"Budget {budget.year}")


def page_text(client, budget) -> str:
    content = html.unescape(client.get(budget.get_absolute_url()).content.decode())
    return " ".join(re.sub(r"<[^>]+>", "", content).split())


def test_the_decision_takes_date_and_meeting_from_the_item(proposal, ekonom):
    item = item_about(proposal)

    budget = budget_decide(budget=proposal, by=ekonom, item=item)

    budget.refresh_from_db()
    assert budget.is_decided
    assert (budget.decided_item, budget.decided_meeting, budget.decided_on) == (item, item.meeting, NOVEMBER)


def test_the_budget_page_shows_the_paragraph_once_the_minutes_number_it(proposal, ekonom, login):
    item = item_about(proposal)
    budget_decide(budget=proposal, by=ekonom, item=item)
    client = login(ekonom)

    assert "Styrelsen 2020-11-18 § (numreras i protokollet)" in page_text(client, proposal)

    AgendaItem.objects.filter(pk=item.pk).update(paragraph=31)  # what locking the minutes does

    assert "Styrelsen 2020-11-18 § 31" in page_text(client, proposal)
    assert item.get_absolute_url() in client.get(proposal.get_absolute_url()).content.decode()


def test_an_item_of_another_forbund_is_refused(proposal, ekonom, other_forbund):
    foreign = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=other_forbund))

    with pytest.raises(ValidationError, match="Dagordningspunkten hör till ett annat förbunds möte."):
        budget_decide(budget=proposal, by=ekonom, item=foreign)
    assert not Budget.objects.get(pk=proposal.pk).is_decided


def test_an_item_about_something_else_is_refused(proposal, ekonom):
    other = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=proposal.forbund), title="Attestordning")

    with pytest.raises(ValidationError, match="handlar inte om den här budgetversionen"):
        budget_decide(budget=proposal, by=ekonom, item=other)
    assert not Budget.objects.get(pk=proposal.pk).is_decided


def test_an_item_in_justerade_minutes_is_refused(proposal, ekonom):
    item = item_about(proposal, status=MeetingStatus.JUSTERAT)

    with pytest.raises(ValidationError, match="justerat.*rättelse"):
        budget_decide(budget=proposal, by=ekonom, item=item)
    assert not Budget.objects.get(pk=proposal.pk).is_decided


def test_an_older_decision_with_a_typed_paragraph_stays_readable(proposal, ekonom, login):
    meeting = StyrelsemoteFactory(forbund=proposal.forbund, date=NOVEMBER)
    Budget.objects.filter(pk=proposal.pk).update(
        status=Budget.Status.BESLUTAD, decided_on=NOVEMBER, decided_meeting=meeting, decided_paragraph="§ 31"
    )

    assert "Styrelsemöte 2020-11-18 § 31 (äldre registrering)" in page_text(login(ekonom), proposal)


def test_the_budget_page_asks_no_more_queries_for_a_decision_on_an_item(proposal, ekonom, login):
    client = login(ekonom)
    budget_decide(budget=proposal, by=ekonom, item=item_about(proposal))
    # The same budget as if decided before items carried decisions: a meeting and a typed §.
    legacy = Budget.objects.get(pk=proposal.pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(proposal.get_absolute_url()).status_code == 200
        return len(captured)

    queries()  # the first request also reads the session and the user
    on_item = queries()
    Budget.objects.filter(pk=legacy.pk).update(decided_item=None, decided_paragraph="§ 31")
    assert on_item == queries()


def test_a_verksamhetsplan_shows_the_meeting_and_paragraph_that_decided_it(forbund, ekonom, login):
    job = Dokumentjobb.objects.create(
        forbund=forbund, kind=Dokumentjobb.Kind.VERKSAMHETSPLAN, year=2022, requested_by=ekonom
    )
    meeting = StyrelsemoteFactory(forbund=forbund, date=datetime.date(2021, 11, 17))
    item = AgendaItemFactory(meeting=meeting, dokumentjobb=job, title="Verksamhetsplan och budget 2022")
    url = reverse("uppfoljning:job", kwargs={"forbund": forbund.slug, "pk": job.pk})
    client = login(ekonom)

    def text() -> str:
        return " ".join(re.sub(r"<[^>]+>", "", html.unescape(client.get(url).content.decode())).split())

    assert "Styrelsen 2021-11-17" not in text()  # on the agenda, not yet decided

    AgendaItem.objects.filter(pk=item.pk).update(decision="Styrelsen fastställer planen.", paragraph=52)

    assert "Beslut: Styrelsen 2021-11-17 § 52" in text()
