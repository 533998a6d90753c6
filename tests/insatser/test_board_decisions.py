"""Decisions on applications are agenda items' decisions (issue #11): a board decision is recorded on
the item about the insats and shows the meeting's date and the minutes' §; a decision under delegation
goes into the register of delegationsbeslut and is reported to the next meeting by itself."""

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

from forbund.meetings.services.agenda import agenda_item_save
from forbund.models import AgendaItem, AgendaKind, Delegationsbeslut, MeetingStatus, Role
from insatser import services
from insatser.models import Beslut, Insats
from tests.factories import (
    AgendaItemFactory,
    BeslutFactory,
    DelegationsbeslutFactory,
    InsatsFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    complete_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
D = datetime.date
S = Insats.Status
UNNUMBERED = "§ (numreras i protokollet)"


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


@pytest.fixture
def insats(forbund):
    return complete_application(forbund=forbund, status=S.UNDER_BEREDNING, name="Steget vidare")


MARCH = D(2021, 3, 17)


def item_about(insats, date=MARCH, **meeting):
    meeting = StyrelsemoteFactory(forbund=insats.forbund, date=date, **meeting)
    return AgendaItemFactory(meeting=meeting, insats=insats, title=f"Ansökan om medel: {insats.name}")


def numbered(item, paragraph):
    """What locking the minutes does to the item (`minutes_lock` numbers the meeting's items)."""
    AgendaItem.objects.filter(pk=item.pk).update(paragraph=paragraph)


def grant(insats, by, **where):
    return services.insats_decide(
        insats=insats, by=by, outcome=Beslut.Outcome.BEVILJAD, amounts={2021: Decimal(400_000)}, **where
    )


def page_html(client, insats) -> str:
    return html.unescape(client.get(insats.get_absolute_url()).content.decode())


def page_text(client, insats) -> str:
    """The page as a reader sees it: without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", page_html(client, insats)).split())


# A board decision is the decision of the item about the insats ------------------------------------


def test_a_grant_on_an_item_shows_the_meeting_and_its_paragraph_once_numbered(insats, samordnare, login):
    item = item_about(insats)
    beslut = grant(insats, samordnare, agenda_item=item)
    client = login(samordnare)

    assert beslut.decided_on == D(2021, 3, 17)  # the meeting's date, not typed
    assert f"Styrelsen 2021-03-17 {UNNUMBERED}" in page_text(client, insats)

    numbered(item, 12)

    assert "Styrelsen 2021-03-17 § 12" in page_text(client, insats)
    assert f'href="{item.get_absolute_url()}"' in page_html(client, insats)


def test_the_item_can_be_put_on_an_open_meetings_agenda_with_the_decision(insats, samordnare):
    meeting = StyrelsemoteFactory(forbund=insats.forbund, date=D(2021, 5, 19))

    beslut = grant(insats, samordnare, new_item_meeting=meeting)

    item = beslut.agenda_item
    assert (item.meeting, item.insats, item.kind) == (meeting, insats, AgendaKind.BESLUT)
    assert beslut.decided_on == D(2021, 5, 19)


def test_an_item_of_another_forbund_is_refused(insats, samordnare, other_forbund):
    foreign = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=other_forbund))

    with pytest.raises(ValidationError, match="Dagordningspunkten hör till ett annat förbunds möte."):
        grant(insats, samordnare, agenda_item=foreign)
    assert not Beslut.objects.exists()


def test_an_item_about_something_else_is_refused(insats, samordnare):
    other = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=insats.forbund), title="Attestordning")

    with pytest.raises(ValidationError, match="Dagordningspunkten handlar inte om den här insatsen."):
        grant(insats, samordnare, agenda_item=other)
    assert not Beslut.objects.exists()


def test_an_item_in_justerade_minutes_is_refused_a_correction_is_a_rattelse(insats, samordnare):
    item = item_about(insats, status=MeetingStatus.JUSTERAT)

    with pytest.raises(ValidationError, match="justerat.*rättelse"):
        grant(insats, samordnare, agenda_item=item)
    insats.refresh_from_db()
    assert insats.status == S.UNDER_BEREDNING


def test_an_item_in_minutes_locked_for_justering_may_still_carry_the_decision(insats, samordnare):
    item = item_about(insats, status=MeetingStatus.JUSTERING)

    assert grant(insats, samordnare, agenda_item=item).agenda_item == item


def test_a_board_decision_without_an_item_is_refused(insats, samordnare):
    with pytest.raises(ValidationError, match="Välj dagordningspunkten där styrelsen beslutade"):
        grant(insats, samordnare)


def test_an_older_decision_with_a_typed_paragraph_stays_readable(insats, samordnare, login):
    meeting = StyrelsemoteFactory(forbund=insats.forbund, date=D(2020, 12, 3))
    BeslutFactory(insats=insats, decided_on=D(2020, 12, 3), meeting=meeting, paragraph="§ 12")

    assert "Styrelsemöte 2020-12-03 § 12 (äldre registrering)" in page_text(login(samordnare), insats)


# Decisions under delegation -------------------------------------------------------------------


def test_a_delegation_decision_is_reported_in_the_next_open_meetings_delegation_item(
    insats, samordnare, login
):
    # A meeting after the decision whose minutes are locked takes no more items.
    StyrelsemoteFactory(forbund=insats.forbund, date=D(2021, 5, 10), status=MeetingStatus.JUSTERING)
    june = StyrelsemoteFactory(forbund=insats.forbund, date=D(2021, 6, 10))
    agenda_item_save(meeting=june, item=AgendaItem(title="Verksamhetsplan"), by=samordnare)

    beslut = grant(insats, samordnare, on_delegation=True, decided_on=D(2021, 5, 2), delegation_point="4.1")

    decision = beslut.delegationsbeslut
    assert (decision.decided_on, decision.delegation_point) == (D(2021, 5, 2), "4.1")
    assert decision.decided_by.user == samordnare
    reported = decision.reported_in
    assert (reported.meeting, reported.kind) == (june, AgendaKind.DELEGATION)
    assert list(june.items.filter(kind=AgendaKind.DELEGATION)) == [reported]
    assert beslut.decided_on == D(2021, 5, 2)
    page = page_text(login(samordnare), insats)
    assert f"Beslut på delegation 2021-05-02 (anmält till styrelsen 2021-06-10 {UNNUMBERED})" in page

    numbered(reported, 7)
    assert "Beslut på delegation 2021-05-02 (anmält till styrelsen 2021-06-10 § 7)" in page_text(
        login(samordnare), insats
    )


def test_the_register_of_delegationsbeslut_names_the_insats(insats, samordnare, login):
    grant(insats, samordnare, on_delegation=True, decided_on=D(2021, 5, 2))

    url = reverse("forbund:delegationsbeslut", kwargs={"forbund": insats.forbund.slug})
    content = login(samordnare).get(url).content.decode()

    insats_url = reverse("insatser:detail", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})
    assert f'<a href="{insats_url}#beslut">{insats.name}</a>' in content


def test_a_delegation_decision_waits_for_the_next_agenda_and_is_reported_when_it_is_made(insats, samordnare):
    beslut = grant(insats, samordnare, on_delegation=True, decided_on=D(2021, 5, 2))
    decision = Delegationsbeslut.objects.get(pk=beslut.delegationsbeslut_id)
    assert decision.reported_in is None  # no meeting planned yet

    june = StyrelsemoteFactory(forbund=insats.forbund, date=D(2021, 6, 10))
    agenda_item_save(meeting=june, item=AgendaItem(title="Verksamhetsplan"), by=samordnare)

    decision.refresh_from_db()
    assert decision.reported_in.meeting == june
    assert decision.reported_in.kind == AgendaKind.DELEGATION


def test_a_delegation_decision_needs_its_date(insats, samordnare):
    with pytest.raises(ValidationError, match="Ange vilken dag beslutet fattades på delegation."):
        grant(insats, samordnare, on_delegation=True)
    assert not Delegationsbeslut.objects.exists()


# The decision page ------------------------------------------------------------------------------


def decide_url(insats) -> str:
    return reverse("insatser:decide", kwargs={"forbund": insats.forbund.slug, "pk": insats.pk})


def test_the_samordnare_records_the_grant_on_the_item_from_the_page(insats, samordnare, login):
    item = item_about(insats)
    client = login(samordnare)

    response = client.post(
        decide_url(insats),
        {"outcome": "beviljad", "decided_by": "styrelsen", "agenda_item": item.pk, "amount_2021": "400000"},
    )

    assert response.status_code == 302
    assert Beslut.objects.get(insats=insats).agenda_item == item


def test_the_page_offers_only_items_about_this_insats(insats, samordnare, login, other_forbund):
    foreign = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=other_forbund), insats=None)
    unrelated = AgendaItemFactory(meeting=StyrelsemoteFactory(forbund=insats.forbund), title="Attestordning")
    client = login(samordnare)

    for item in (foreign, unrelated):
        response = client.post(
            decide_url(insats),
            {"outcome": "avslagen", "decided_by": "styrelsen", "agenda_item": item.pk},
        )
        assert response.status_code == 200
        assert "Välj en dagordningspunkt om insatsen i listan." in html.unescape(response.content.decode())
    assert not Beslut.objects.exists()


def test_a_board_decision_without_item_or_meeting_says_what_is_missing(insats, samordnare, login):
    response = login(samordnare).post(decide_url(insats), {"outcome": "avslagen", "decided_by": "styrelsen"})

    assert response.status_code == 200
    assert "Välj dagordningspunkten där styrelsen beslutade" in html.unescape(response.content.decode())
    assert not Beslut.objects.exists()


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Kind.SAMORDNARE, 200),
        (Kind.EKONOM, 403),
        (Kind.STYRELSELEDAMOT, 403),
        (Kind.ERSATTARE, 403),
        (Kind.REVISOR, 403),
        (Kind.PROJEKTAGARE, 403),
    ],
)
def test_who_may_open_and_post_the_decision_page(insats, login, kind, status):
    extra = {"medlem": insats.owner} if kind == Kind.PROJEKTAGARE else {}
    client = login(user_with_role(insats.forbund, kind, **extra))
    item = item_about(insats)

    assert client.get(decide_url(insats)).status_code == status
    response = client.post(
        decide_url(insats), {"outcome": "avslagen", "decided_by": "styrelsen", "agenda_item": item.pk}
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Beslut.objects.filter(insats=insats).exists() == (status == 200)


def test_another_forbunds_samordnare_gets_404(insats, login, other_forbund):
    client = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    assert client.get(decide_url(insats)).status_code == 404
    assert client.post(decide_url(insats), {"outcome": "avslagen"}).status_code == 404


# Fixed queries ---------------------------------------------------------------------------------


def test_the_insats_page_asks_the_same_queries_however_many_decisions_it_shows(forbund, samordnare, login):
    client = login(samordnare)

    def queries_for(decisions: int) -> int:
        insats = complete_application(forbund=forbund, owner=MedlemFactory(forbund=forbund))
        for number in range(decisions):
            item = item_about(insats, date=D(2021, 1, 10 + number))
            numbered(item, number + 1)
            BeslutFactory(insats=insats, agenda_item=item, meeting=item.meeting, decided_on=item.meeting.date)
            delegation = Delegationsbeslut.objects.create(
                forbund=forbund,
                decided_on=D(2021, 2, 1 + number),
                title="Ansökan",
                description="Beviljad",
                decided_by=PersonFactory(forbund=forbund),
                recorded_by=samordnare,
                reported_in=item,
            )
            BeslutFactory(insats=insats, delegationsbeslut=delegation, decided_on=delegation.decided_on)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(insats.get_absolute_url()).status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(1)


def test_the_delegation_register_asks_the_same_queries_however_many_rows(forbund, samordnare, login):
    client = login(samordnare)
    url = reverse("forbund:delegationsbeslut", kwargs={"forbund": forbund.slug})

    def queries_for(rows: int) -> int:
        for _ in range(rows):
            delegation = DelegationsbeslutFactory(forbund=forbund, recorded_by=samordnare)
            BeslutFactory(insats=InsatsFactory(forbund=forbund), delegationsbeslut=delegation)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(4)
