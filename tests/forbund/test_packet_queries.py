"""The meeting packet reads a fixed number of queries however many insatser, reports and budgets
its agenda carries: the board's packet is the page read most before a meeting."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forbund.models import Role
from tests.factories import (
    AgendaItemFactory,
    BudgetFactory,
    BudgetLineFactory,
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    ReportPeriodFactory,
    StyrelsemoteFactory,
    TertialrapportFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def packet_with(items: int):
    forbund = ForbundFactory()
    owner = MedlemFactory(forbund=forbund, kind="kommun", name="Trelleborgs kommun")
    partner = MedlemFactory(forbund=forbund, kind="region", name="Region Skåne")
    meeting = StyrelsemoteFactory(forbund=forbund, date=datetime.date(2021, 3, 17))
    period = ReportPeriodFactory(forbund=forbund)
    for number in range(items):
        insats = InsatsFactory(forbund=forbund, owner=owner, name=f"Insats {number}")
        insats.partners.add(partner)
        BudgetLineFactory(insats=insats, amounts={2021: 100_000})
        BudgetLineFactory(insats=insats, amounts={2021: 100_000})
        AgendaItemFactory(meeting=meeting, insats=insats, title=f"Ansökan {number}")
        report = TertialrapportFactory(insats=insats, period=period)
        AgendaItemFactory(meeting=meeting, tertialrapport=report, title=f"Rapport {number}")
    AgendaItemFactory(meeting=meeting, budget=BudgetFactory(forbund=forbund), title="Budget")
    return meeting


def queries_for_packet(client, items: int) -> int:
    meeting = packet_with(items)
    client.force_login(user_with_role(meeting.forbund, Role.Kind.STYRELSELEDAMOT))
    url = reverse("forbund:motespaket_html", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "Insats 0" in response.content.decode()
    return len(queries)


def test_the_packet_page_reads_as_many_queries_for_eight_insatser_as_for_two(client):
    small = queries_for_packet(client, 2)
    large = queries_for_packet(client, 8)
    assert large == small, f"{small} frågor för 2 insatser, {large} för 8"
