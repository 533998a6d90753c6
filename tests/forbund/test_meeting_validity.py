"""A valid meeting, from the domain rules (DOMAIN.md, "Who votes"; Finsam's förbundsordningar):

- the ordförande presides; if absent, the vice ordförande; else a ledamot chosen for the meeting;
- the minutes are justerade by that meeting's ordförande and the justerare, each logging in;
- an ersättare serves for their own member's ledamot unless the förbund's ersättare are shared, in
  the call-in order recorded on the board;
- the board is beslutför when more than half of the ledamöter (serving ersättare counted) take
  part; a person with jäv does not take part in the item, so quorum is checked per item.

The board here (`make_board`) has four seats, one per member: with four ledamöter more than half is
three. Ledamot 0 is the board's ordförande.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finsam import access
from forbund.meetings.selectors import minutes as selectors
from forbund.meetings.services import minutes as services
from forbund.meetings.services.minutes import ItemDecision, meeting_transition
from forbund.models import (
    ActivityEvent,
    AgendaItem,
    Attendance,
    MeetingStatus,
    MinutesApproval,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
)
from tests.factories import StyrelseuppdragFactory, user_with_role
from tests.forbund.test_meeting_minutes import Board, make_board, user_for

pytestmark = pytest.mark.django_db


def url(name: str, meeting: Styrelsemote) -> str:
    return reverse(name, kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})


@pytest.fixture
def board(forbund) -> Board:
    """Ledamot 0 is ordförande, ledamot 1 vice ordförande."""
    board = make_board(forbund)
    Styrelseuppdrag.objects.filter(person=board.ledamoter[1]).update(
        presidium=Styrelseuppdrag.Presidium.VICE_ORDFORANDE
    )
    return board


def attend(board: Board, absent=(), serving=None, ordforande=None) -> Styrelsemote:
    services.attendance_save(
        meeting=board.meeting,
        by=board.samordnare,
        entries=board.entries(absent=absent, serving=serving),
        ordforande=ordforande,
    )
    board.meeting.refresh_from_db()
    return board.meeting


def lock(board: Board, justerare: list[Person]) -> Styrelsemote:
    meeting = board.meeting
    decisions = [
        ItemDecision(
            item,
            decision=item.decision or item.proposal,
            conflicts=tuple(c.person for c in item.conflicts.all()),
        )
        for item in meeting.items.all()
    ]
    services.minutes_save(meeting=meeting, by=board.samordnare, decisions=decisions, justerare=justerare)
    meeting_transition(meeting=meeting, to=MeetingStatus.GENOMFORT, by=board.samordnare)
    services.minutes_lock(meeting=meeting, by=board.samordnare)
    meeting.refresh_from_db()
    return meeting


# Who presides ---------------------------------------------------------------------------------


def test_the_ordforande_presides_when_present(board):
    assert attend(board).ordforande == board.ledamoter[0]


def test_the_vice_ordforande_presides_when_the_ordforande_is_absent(board):
    assert attend(board, absent=[board.ledamoter[0]]).ordforande == board.ledamoter[1]


def test_with_both_absent_a_chosen_ledamot_is_required(board):
    both = board.ledamoter[:2]
    with pytest.raises(ValidationError, match="Varken ordföranden eller vice ordföranden är närvarande"):
        attend(board, absent=both)
    assert not Attendance.objects.exists()
    with pytest.raises(ValidationError, match="inte närvarande ledamot"):
        attend(board, absent=both, ordforande=board.ledamoter[0])
    assert attend(board, absent=both, ordforande=board.ledamoter[2]).ordforande == board.ledamoter[2]


def test_a_present_ordforande_is_not_passed_over(board):
    with pytest.raises(ValidationError, match="styrelsens ordförande och närvarande"):
        attend(board, ordforande=board.ledamoter[2])
    with pytest.raises(ValidationError, match="styrelsens vice ordförande och närvarande"):
        attend(board, absent=[board.ledamoter[0]], ordforande=board.ledamoter[2])


def test_the_presiding_person_follows_the_attendance_and_is_audited(board):
    attend(board)
    assert attend(board, absent=[board.ledamoter[0]]).ordforande == board.ledamoter[1]
    assert ActivityEvent.objects.filter(
        description__endswith=f"ordförande vid sammanträdet är {board.ledamoter[1]}"
    ).exists()


def test_the_attendance_page_records_the_chosen_ordforande(board, login):
    attend(board)
    client = login(board.samordnare)
    rows = selectors.attendance_rows(board.meeting)
    absent = {board.ledamoter[0].pk, board.ledamoter[1].pk}
    data = {f"present_{row.person.pk}": "on" for row in rows if row.person.pk not in absent}
    data["ordforande"] = str(board.ledamoter[3].pk)
    response = client.post(url("forbund:narvaro", board.meeting), data)
    assert response.status_code == 302, response.content.decode()
    board.meeting.refresh_from_db()
    assert board.meeting.ordforande == board.ledamoter[3]
    page = client.get(url("forbund:narvaro", board.meeting)).content.decode()
    assert f"Ordförande vid sammanträdet:</span> {board.ledamoter[3].name}" in page

    del data["ordforande"]
    page = client.post(url("forbund:narvaro", board.meeting), data).content.decode()
    assert "Välj vilken av de närvarande ledamöterna som är ordförande vid sammanträdet." in page


def test_the_presiding_person_is_shown_on_the_meeting_page_and_in_the_minutes(board, login):
    attend(board, absent=[board.ledamoter[0]])
    client = login(board.samordnare)
    name = board.ledamoter[1].name
    assert f"Ordförande:</span> {name}" in client.get(board.meeting.get_absolute_url()).content.decode()
    assert (
        f"Ordförande:</span> {name}" in client.get(url("forbund:protokoll", board.meeting)).content.decode()
    )
    printed = client.get(url("forbund:protokoll_utskrift", board.meeting)).content.decode()
    assert f"<dt>Ordförande</dt><dd>{name}</dd>" in printed


def test_justerare_are_one_or_two_present_and_not_the_presiding_person(board):
    attend(board)
    with pytest.raises(ValidationError, match="ordförande vid sammanträdet och justerar som ordförande"):
        services.minutes_save(
            meeting=board.meeting, by=board.samordnare, decisions=[], justerare=[board.ledamoter[0]]
        )
    with pytest.raises(ValidationError, match="Välj en eller två justerare"):
        services.minutes_save(
            meeting=board.meeting, by=board.samordnare, decisions=[], justerare=board.ledamoter[1:4]
        )
    services.minutes_save(
        meeting=board.meeting, by=board.samordnare, decisions=[], justerare=board.ledamoter[1:3]
    )
    assert set(board.meeting.justerare.all()) == set(board.ledamoter[1:3])


def test_minutes_without_a_presiding_person_are_not_locked(board):
    Styrelsemote.objects.filter(pk=board.meeting.pk).update(status=MeetingStatus.GENOMFORT)
    board.meeting.justerare.set([board.ledamoter[1]])
    with pytest.raises(ValidationError, match="Ange ordförande vid sammanträdet"):
        services.minutes_lock(meeting=board.meeting, by=board.samordnare)


def test_a_justerad_meeting_keeps_its_presiding_person(board):
    attend(board)
    meeting = lock(board, [board.ledamoter[2]])
    with pytest.raises(ValidationError, match="låst för justering"):
        services.attendance_save(
            meeting=meeting,
            by=board.samordnare,
            entries=board.entries(absent=board.ledamoter[:2]),
            ordforande=board.ledamoter[3],
        )
    meeting.refresh_from_db()
    assert meeting.ordforande == board.ledamoter[0]


# Justering: only the meeting's ordförande and justerare, each logged in -----------------------


@pytest.fixture
def vice_presided(board) -> Styrelsemote:
    """The board's ordförande was absent; the vice presided; ledamot 2 and 3 are justerare."""
    attend(board, absent=[board.ledamoter[0]])
    return lock(board, [board.ledamoter[2], board.ledamoter[3]])


def test_the_absent_board_ordforande_cannot_justera(board, vice_presided):
    with pytest.raises(PermissionDenied, match="Bara ordföranden vid sammanträdet"):
        services.minutes_approve(meeting=vice_presided, by=board.chair_user)
    assert not MinutesApproval.objects.exists()


def test_another_ledamot_and_the_samordnare_cannot_justera(board, vice_presided):
    other = board.ersattare[0]  # present, on the board, neither presiding nor justerare
    with pytest.raises(PermissionDenied, match="Bara ordföranden vid sammanträdet"):
        services.minutes_approve(meeting=vice_presided, by=user_for(other, Role.Kind.ERSATTARE))
    with pytest.raises(PermissionDenied, match="inte kopplat till någon person"):
        services.minutes_approve(meeting=vice_presided, by=board.samordnare)
    # Even linked to the staff person who was present, the samordnare is not a justerare.
    Person.objects.filter(pk=board.staff.pk).update(user=board.samordnare)
    with pytest.raises(PermissionDenied, match="Bara ordföranden vid sammanträdet"):
        services.minutes_approve(meeting=vice_presided, by=board.samordnare)
    assert not MinutesApproval.objects.exists()


def test_justerat_only_when_the_presiding_person_and_every_justerare_have_signed(board, vice_presided):
    signers = [
        (board.ledamoter[1], "ordforande"),
        (board.ledamoter[2], "justerare"),
        (board.ledamoter[3], "justerare"),
    ]
    for number, (person, role) in enumerate(signers, start=1):
        assert vice_presided.status == MeetingStatus.JUSTERING
        approval = services.minutes_approve(meeting=vice_presided, by=user_for(person))
        assert (approval.person, approval.role) == (person, role)
        vice_presided.refresh_from_db()
        assert ActivityEvent.objects.filter(description__contains="protokollet justerat av").count() == number
    assert vice_presided.status == MeetingStatus.JUSTERAT
    last = vice_presided.status_changes.get(to_status=MeetingStatus.JUSTERAT)
    assert last.by.personer.get() == board.ledamoter[3]


def test_justering_page_refuses_everyone_else_for_every_role(board, vice_presided, login, user_in):
    """The justera POST, for a user of each role linked to a person who neither presided nor was
    chosen justerare: refused, nothing recorded."""
    outsider = board.ersattare[1]
    for kind in Role.Kind.values:
        user = user_in(board.forbund, kind)
        Person.objects.filter(pk=outsider.pk).update(user=user)
        response = login(user).post(url("forbund:justera", vice_presided))
        assert response.status_code == 403, kind
    assert not MinutesApproval.objects.exists()
    response = login(user_for(board.ledamoter[1])).post(url("forbund:justera", vice_presided))
    assert response.status_code == 302
    assert MinutesApproval.objects.get().person == board.ledamoter[1]


def test_the_page_says_plainly_when_a_justerare_has_no_account(board, vice_presided, login):
    user_for(board.ledamoter[1])
    user_for(board.ledamoter[2])
    page = login(board.samordnare).get(url("forbund:protokoll", vice_presided)).content.decode()
    name = board.ledamoter[3].name
    assert f"{name} har inget konto och kan inte justera – be samordnaren bjuda in personen" in page
    assert f"{board.ledamoter[2].name} har inget konto" not in page
    verdict = access.check("approve_minutes", user_for(board.ledamoter[2]), vice_presided)
    assert verdict.allowed


# Ersättare: own member unless shared, in the call-in order ------------------------------------


def test_an_ersattare_cannot_serve_for_another_members_ledamot(board):
    absent = board.ledamoter[2]
    with pytest.raises(ValidationError, match="ersättare för en annan medlem"):
        attend(board, absent=[absent], serving={board.ersattare[3]: absent})
    assert not Attendance.objects.exists()
    attend(board, absent=[absent], serving={board.ersattare[2]: absent})
    assert selectors.quorum(board.meeting).voting_present == 4


def test_with_shared_ersattare_any_ersattare_may_serve(board):
    board.forbund.ersattare_shared = True
    board.forbund.save()
    absent = board.ledamoter[2]
    attend(board, absent=[absent], serving={board.ersattare[3]: absent})
    served = Attendance.objects.get(person=board.ersattare[3])
    assert (served.role, served.replaces) == (Attendance.Role.TJANSTGORANDE, absent)
    state = selectors.quorum(board.meeting)
    assert (state.voting_present, state.ledamoter, state.quorate) == (4, 4, True)


def test_the_attendance_page_refuses_a_cross_member_ersattare_in_swedish(board, login):
    attend(board)
    rows = selectors.attendance_rows(board.meeting)
    absent = board.ledamoter[2]
    data = {f"present_{row.person.pk}": "on" for row in rows if row.person != absent}
    data[f"serves_for_{board.ersattare[3].pk}"] = str(absent.pk)
    page = login(board.samordnare).post(url("forbund:narvaro", board.meeting), data).content.decode()
    assert "bara för en ledamot från sin egen medlem" in page
    assert not Attendance.objects.filter(role=Attendance.Role.TJANSTGORANDE).exists()


def set_order(person: Person, order: int) -> None:
    Styrelseuppdrag.objects.filter(person=person, role=Styrelseuppdrag.Role.ERSATTARE).update(
        call_order=order
    )


def test_the_members_ersattare_are_suggested_in_call_in_order(board):
    seat = Styrelseuppdrag.objects.get(person=board.ledamoter[2])
    second = StyrelseuppdragFactory(
        forbund=board.forbund,
        medlem=seat.medlem,
        role=Styrelseuppdrag.Role.ERSATTARE,
        person__name="Andra ersättaren",
        call_order=1,
    ).person
    set_order(board.ersattare[2], 2)
    board.ersattare.append(second)
    attend(board, absent=[board.ledamoter[2]])
    rows = {row.person: row for row in selectors.attendance_rows(board.meeting)}
    assert rows[second].suggested_for == board.ledamoter[2]
    assert rows[board.ersattare[2]].suggested_for is None


def test_shared_ersattare_are_suggested_in_the_forbunds_call_in_order(board):
    board.forbund.ersattare_shared = True
    board.forbund.save()
    for order, index in enumerate([3, 0, 2, 1], start=1):
        set_order(board.ersattare[index], order)
    attend(board, absent=[board.ledamoter[2], board.ledamoter[1]])
    rows = {row.person: row for row in selectors.attendance_rows(board.meeting)}
    # Ledamot 1 and 2 are absent; ersättare 3 is first in the order, then ersättare 0.
    suggested = {row.suggested_for for row in rows.values() if row.suggested_for}
    assert suggested == {board.ledamoter[1], board.ledamoter[2]}
    assert rows[board.ersattare[3]].suggested_for is not None
    assert rows[board.ersattare[0]].suggested_for is not None
    assert rows[board.ersattare[2]].suggested_for is None


def test_only_an_ersattare_seat_has_a_call_in_order(board):
    seat = Styrelseuppdrag.objects.get(person=board.ledamoter[2])
    seat.call_order = 1
    with pytest.raises(ValidationError, match="Inkallelseordning anges bara för ersättare"):
        seat.full_clean()


def test_the_board_page_shows_the_call_in_order_and_the_rule(board, login):
    set_order(board.ersattare[2], 2)
    page = login(board.samordnare).get(reverse("forbund:styrelse", args=[board.forbund.slug]) + "?ar=2021")
    html = page.content.decode()
    assert "Inkallelseordning" in html
    assert "En ersättare tjänstgör bara för en frånvarande ledamot från sin egen medlem" in html


def test_the_samordnare_sets_shared_ersattare_on_the_forbunds_form(board, login):
    client = login(board.samordnare)
    form_url = reverse("forbund:edit", args=[board.forbund.slug])
    form = client.get(form_url).context["form"]
    assert "gemensamma" in form.fields["ersattare_shared"].help_text
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(ersattare_shared="on", opened_version=board.forbund.lock_version)
    response = client.post(form_url, data)
    assert response.status_code == 302, response.content.decode()
    board.forbund.refresh_from_db()
    assert board.forbund.ersattare_shared is True
    assert "Gemensamma" in client.get(reverse("forbund:detail", args=[board.forbund.slug])).content.decode()
    refused = login(user_with_role(board.forbund, Role.Kind.STYRELSELEDAMOT)).post(form_url, data)
    assert refused.status_code == 403


# Jäv and quorum per item ----------------------------------------------------------------------


def decide(board: Board, item: AgendaItem, conflicts=(), **votes) -> None:
    services.minutes_save(
        meeting=board.meeting,
        by=board.samordnare,
        decisions=[ItemDecision(item, decision="Beviljas.", conflicts=tuple(conflicts), **votes)],
    )


def test_jav_that_drops_an_item_below_quorum_refuses_the_decision(board):
    """Three of four present is quorate (3 > 2); one of them jävig leaves two, which is not."""
    attend(board, absent=[board.ledamoter[3]])
    item = board.meeting.items.get(title="Ansökan om medel")
    with pytest.raises(ValidationError, match="inte beslutför i ärendet Ansökan om medel"):
        decide(board, item, conflicts=[board.ledamoter[2]])
    item.refresh_from_db()
    assert (item.decision, item.conflicts.count()) == ("", 0)
    decide(board, board.meeting.items.get(title="Information"))  # the other items stay decidable


def test_jav_that_keeps_the_item_quorate_allows_the_decision(board):
    """Four of four present; one jävig leaves three of four, more than half."""
    attend(board)
    item = board.meeting.items.get(title="Ansökan om medel")
    decide(board, item, conflicts=[board.ledamoter[2]])
    item.refresh_from_db()
    assert item.decision == "Beviljas."


def test_jav_removes_the_person_from_the_items_voting_count(board):
    attend(board)
    item = board.meeting.items.get(title="Ansökan om medel")
    with pytest.raises(ValidationError, match="4 röster, men bara 3 har rösträtt"):
        decide(board, item, conflicts=[board.ledamoter[2]], votes_yes=3, votes_no=1)
    decide(board, item, conflicts=[board.ledamoter[2]], votes_yes=2, votes_no=1)


def test_jav_of_someone_without_a_vote_leaves_the_count(board):
    attend(board, absent=[board.ledamoter[3]])
    item = board.meeting.items.get(title="Ansökan om medel")
    decide(board, item, conflicts=[board.ersattare[0]], votes_yes=3)
    item.refresh_from_db()
    assert item.votes_yes == 3


def test_the_minutes_page_refuses_an_item_without_quorum_in_swedish(board, login):
    attend(board, absent=[board.ledamoter[3]])
    item = board.meeting.items.get(title="Ansökan om medel")
    data = {
        f"punkt{item.pk}-decision": "Beviljas.",
        f"punkt{item.pk}-conflicts": [str(board.ledamoter[2].pk)],
    }
    response = login(board.samordnare).post(url("forbund:protokoll", board.meeting), data)
    assert response.status_code == 400
    assert "Styrelsen är inte beslutför i ärendet Ansökan om medel" in response.content.decode()


def test_the_minutes_say_who_took_no_part_because_of_jav_and_how_many_voted(board, login, client):
    attend(board)
    item = board.meeting.items.get(title="Ansökan om medel")
    decide(board, item, conflicts=[board.ledamoter[2]])
    meeting = lock(board, [board.ledamoter[1]])
    expected = [
        f"{board.ledamoter[2].name} deltog inte i handläggningen på grund av jäv.",
        "I ärendet deltog 3 av 4 ledamöter med rösträtt.",
    ]
    samordnare = login(board.samordnare)
    for page in ("forbund:protokoll", "forbund:protokoll_utskrift"):
        html = samordnare.get(url(page, meeting)).content.decode()
        assert all(text in html for text in expected), page
    services.minutes_approve(meeting=meeting, by=board.chair_user)
    services.minutes_approve(meeting=meeting, by=user_for(board.ledamoter[1]))
    client.logout()
    public = client.get(reverse("public_protokoll", args=[board.forbund.slug, meeting.pk])).content.decode()
    assert all(text in public for text in expected)


# Queries ----------------------------------------------------------------------------------------


def count_queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_meeting_pages_do_not_query_per_item_or_per_jav(board, login):
    attend(board)
    client = login(board.samordnare)
    pages = ["forbund:narvaro", "forbund:protokoll", "forbund:protokoll_utskrift", "forbund:mote"]
    before = {page: count_queries(client, url(page, board.meeting)) for page in pages}
    for order in range(3, 8):
        item = AgendaItem.objects.create(meeting=board.meeting, order=order, title=f"Punkt {order}")
        decide(board, item, conflicts=[board.ledamoter[order % 4]])
    after = {page: count_queries(client, url(page, board.meeting)) for page in pages}
    assert after == before
