"""Attendance and quorum, decisions with § numbers, justering, the announcement and the public archive."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from finsam import access
from forbund.meetings.selectors import minutes as selectors
from forbund.meetings.selectors.minutes import quorum
from forbund.meetings.services import minutes
from forbund.meetings.services.minutes import AttendanceEntry, ItemDecision, meeting_transition
from forbund.models import (
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Dokumentjobb,
    Forbund,
    MeetingStatus,
    MinutesApproval,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
)
from tests.factories import (
    KansliuppdragFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
MEETING_PAGES = ["forbund:narvaro", "forbund:protokoll", "forbund:protokoll_utskrift", "forbund:anslag"]
MEETING_POSTS = ["forbund:narvaro", "forbund:protokoll", "forbund:justera"]


@dataclass
class Board:
    forbund: Forbund
    ledamoter: list[Person]
    ersattare: list[Person]  # ersattare[i] is appointed by the same member as ledamoter[i]
    chair: Person
    chair_user: User
    samordnare: User
    staff: Person
    meeting: Styrelsemote

    def entries(self, absent=(), serving=None, ersattare_present=True) -> list[AttendanceEntry]:
        """Attendance: every ledamot present but `absent`; serving maps ersättare → ledamot."""
        serving = serving or {}
        result = [AttendanceEntry(p, Attendance.Role.LEDAMOT, p not in absent) for p in self.ledamoter]
        for e in self.ersattare:
            if e in serving:
                result.append(AttendanceEntry(e, Attendance.Role.TJANSTGORANDE, True, serving[e]))
            else:
                result.append(AttendanceEntry(e, Attendance.Role.ERSATTARE, ersattare_present))
        result.append(AttendanceEntry(self.staff, Attendance.Role.PERSONAL, True))
        return result


def make_board(forbund: Forbund, date: datetime.date | None = None, seats: int = 4) -> Board:
    date = date or D(2021, 3, 17)
    ledamoter, ersattare = [], []
    chair = chair_user = None
    for i in range(seats):
        medlem = MedlemFactory(forbund=forbund, name=f"Kommun {i} ({forbund.slug})")
        seat = StyrelseuppdragFactory(
            forbund=forbund,
            medlem=medlem,
            person__name=f"Ledamot {i} ({forbund.slug})",
            presidium=Styrelseuppdrag.Presidium.ORDFORANDE if i == 0 else "",
        )
        ledamoter.append(seat.person)
        ersattare.append(
            StyrelseuppdragFactory(
                forbund=forbund,
                medlem=medlem,
                role=Styrelseuppdrag.Role.ERSATTARE,
                person__name=f"Ersättare {i} ({forbund.slug})",
            ).person
        )
        if i == 0:
            chair = seat.person
            chair_user = user_with_role(forbund, Role.Kind.STYRELSELEDAMOT)
            Person.objects.filter(pk=chair.pk).update(user=chair_user)
    staff = KansliuppdragFactory(forbund=forbund, person__name=f"Sam Ordnare ({forbund.slug})").person
    meeting = StyrelsemoteFactory(forbund=forbund, date=date, status=MeetingStatus.KALLAT)
    for order, title in enumerate(["Mötets öppnande", "Ansökan om medel", "Information"]):
        AgendaItem.objects.create(meeting=meeting, order=order, title=title, proposal=f"Förslag: {title}")
    return Board(
        forbund=forbund,
        ledamoter=ledamoter,
        ersattare=ersattare,
        chair=chair,
        chair_user=chair_user,
        samordnare=user_with_role(forbund, Role.Kind.SAMORDNARE),
        staff=staff,
        meeting=meeting,
    )


@pytest.fixture
def board(forbund) -> Board:
    return make_board(forbund)


def user_for(person: Person, kind=Role.Kind.STYRELSELEDAMOT) -> User:
    user = user_with_role(person.forbund, kind)
    Person.objects.filter(pk=person.pk).update(user=user)
    return user


def decide_all(board: Board, meeting: Styrelsemote | None = None, **extra) -> None:
    meeting = meeting or board.meeting
    decisions = [ItemDecision(item, decision=item.proposal) for item in meeting.items.all()]
    minutes.minutes_save(meeting=meeting, by=board.samordnare, decisions=decisions, **extra)


def held_and_locked(board: Board, meeting: Styrelsemote | None = None, justerare=None) -> Styrelsemote:
    meeting = meeting or board.meeting
    minutes.attendance_save(meeting=meeting, by=board.samordnare, entries=board.entries())
    decide_all(board, meeting, justerare=justerare or [board.ledamoter[1]])
    meeting_transition(meeting=meeting, to=MeetingStatus.GENOMFORT, by=board.samordnare)
    minutes.minutes_lock(meeting=meeting, by=board.samordnare)
    meeting.refresh_from_db()
    return meeting


# Quorum ---------------------------------------------------------------------------------------


def test_quorum_when_everyone_is_present(board):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    state = quorum(board.meeting)
    assert (state.voting_present, state.ledamoter, state.quorate) == (4, 4, True)
    assert selectors.quorum_text(state) == "Beslutför: 4 av 4 ledamöter med rösträtt närvarande."


def test_quorum_with_absent_ledamot_counts_the_serving_ersattare(board):
    absent = board.ledamoter[1:3]
    serving = {board.ersattare[1]: board.ledamoter[1]}
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=absent, serving=serving)
    )
    state = quorum(board.meeting)
    assert (state.voting_present, state.quorate) == (3, True)
    served = Attendance.objects.get(meeting=board.meeting, person=board.ersattare[1])
    assert (served.role, served.replaces) == (Attendance.Role.TJANSTGORANDE, board.ledamoter[1])


def test_quorum_with_absent_ledamoter_and_no_serving_ersattare_is_lost_at_half(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=board.ledamoter[2:])
    )
    state = quorum(board.meeting)
    assert (state.voting_present, state.quorate, state.needed) == (2, False, 3)
    assert selectors.quorum_text(state) == (
        "Inte beslutför: 2 av 4 ledamöter med rösträtt närvarande, minst 3 behövs."
    )


def test_below_half_is_not_quorate(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=board.ledamoter[1:])
    )
    assert not quorum(board.meeting).quorate


def test_ersattare_cannot_serve_for_a_present_ledamot(board):
    with pytest.raises(ValidationError, match="bara tjänstgöra för en ledamot som är frånvarande"):
        minutes.attendance_save(
            meeting=board.meeting,
            by=board.samordnare,
            entries=board.entries(serving={board.ersattare[1]: board.ledamoter[1]}),
        )
    assert not Attendance.objects.exists()


def test_absent_ledamot_gets_own_members_ersattare_suggested(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=[board.ledamoter[2]])
    )
    rows = {row.person: row for row in selectors.attendance_rows(board.meeting)}
    assert rows[board.ersattare[2]].suggested_for == board.ledamoter[2]
    assert rows[board.ersattare[1]].suggested_for is None
    assert rows[board.staff].role == Attendance.Role.PERSONAL


# Decisions ------------------------------------------------------------------------------------


def test_decision_is_refused_without_quorum_and_nothing_is_saved(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=board.ledamoter[1:])
    )
    item = board.meeting.items.get(title="Ansökan om medel")
    with pytest.raises(ValidationError, match="Styrelsen är inte beslutför"):
        minutes.minutes_save(
            meeting=board.meeting,
            by=board.samordnare,
            decisions=[ItemDecision(item, decision="Beviljas", reservations="Ledamot 0 reserverar sig")],
            justerare=[board.ledamoter[0]],
        )
    item.refresh_from_db()
    assert (item.decision, item.reservations) == ("", "")
    assert not board.meeting.justerare.exists()


def test_decision_page_refuses_without_quorum_with_swedish_reason(board, login):
    client = login(board.samordnare)
    item = board.meeting.items.get(title="Ansökan om medel")
    response = client.post(
        reverse("forbund:protokoll", args=[board.forbund.slug, board.meeting.pk]),
        {f"punkt{item.pk}-decision": "Beviljas"},
    )
    assert response.status_code == 400
    assert "Styrelsen är inte beslutför" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == ""


def test_tie_needs_the_chairs_casting_vote(board):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    item = board.meeting.items.get(title="Ansökan om medel")
    tie = ItemDecision(item, decision="Beviljas", votes_yes=2, votes_no=2)
    with pytest.raises(ValidationError, match="ordförandens utslagsröst"):
        minutes.minutes_save(meeting=board.meeting, by=board.samordnare, decisions=[tie])
    item.refresh_from_db()
    assert item.votes_yes is None

    decided = ItemDecision(item, decision="Beviljas", votes_yes=2, votes_no=2, chair_casting_vote="ja")
    minutes.minutes_save(meeting=board.meeting, by=board.samordnare, decisions=[decided])
    item.refresh_from_db()
    assert (item.votes_yes, item.votes_no, item.votes_abstain, item.chair_casting_vote) == (2, 2, 0, "ja")


def test_more_votes_than_voters_are_refused(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=[board.ledamoter[3]])
    )
    item = board.meeting.items.first()
    with pytest.raises(ValidationError, match="bara 3 har rösträtt"):
        minutes.minutes_save(
            meeting=board.meeting,
            by=board.samordnare,
            decisions=[ItemDecision(item, decision="Ja", votes_yes=3, votes_no=1)],
        )


def test_conflict_of_interest_is_recorded_per_item(board):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    item = board.meeting.items.get(title="Ansökan om medel")
    minutes.minutes_save(
        meeting=board.meeting,
        by=board.samordnare,
        decisions=[ItemDecision(item, decision="Beviljas", conflicts=(board.ledamoter[2],))],
    )
    assert list(ConflictOfInterest.objects.values_list("item", "person")) == [
        (item.pk, board.ledamoter[2].pk)
    ]


def test_justerare_must_be_present(board):
    minutes.attendance_save(
        meeting=board.meeting, by=board.samordnare, entries=board.entries(absent=[board.ledamoter[3]])
    )
    with pytest.raises(ValidationError, match="inte närvarande"):
        minutes.minutes_save(
            meeting=board.meeting, by=board.samordnare, decisions=[], justerare=[board.ledamoter[3]]
        )


def test_paragraphs_continue_across_meetings_and_restart_in_a_new_year(board):
    first = held_and_locked(board)
    second = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 5, 20), status=MeetingStatus.KALLAT)
    for order in range(2):
        AgendaItem.objects.create(meeting=second, order=order, title=f"Punkt {order}")
    held_and_locked(board, second)
    next_year = StyrelsemoteFactory(forbund=board.forbund, date=D(2022, 2, 10), status=MeetingStatus.KALLAT)
    AgendaItem.objects.create(meeting=next_year, order=0, title="Öppnande")
    held_and_locked(board, next_year)

    def paragraphs(meeting):
        return list(meeting.items.order_by("order").values_list("paragraph", flat=True))

    assert paragraphs(first) == [1, 2, 3]
    assert paragraphs(second) == [4, 5]
    assert paragraphs(next_year) == [1]


def test_paragraphs_of_another_forbund_do_not_count(board, other_forbund):
    other = make_board(other_forbund)
    held_and_locked(other)
    meeting = held_and_locked(board)
    assert list(meeting.items.values_list("paragraph", flat=True)) == [1, 2, 3]


def test_locking_needs_a_held_meeting_and_editing_after_lock_is_refused(board):
    with pytest.raises(ValidationError, match="genomfört möte"):
        minutes.minutes_lock(meeting=board.meeting, by=board.samordnare)
    meeting = held_and_locked(board)
    assert meeting.status == MeetingStatus.JUSTERING
    with pytest.raises(ValidationError, match="låst för justering"):
        decide_all(board, meeting)
    with pytest.raises(ValidationError, match="låst för justering"):
        minutes.attendance_save(meeting=meeting, by=board.samordnare, entries=board.entries())


def test_unlock_clears_paragraphs_but_not_after_an_approval(board):
    meeting = held_and_locked(board)
    minutes.minutes_unlock(meeting=meeting, by=board.samordnare)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.GENOMFORT
    assert not meeting.items.filter(paragraph__isnull=False).exists()

    minutes.minutes_lock(meeting=meeting, by=board.samordnare)
    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    with pytest.raises(ValidationError, match="kan inte låsas upp"):
        minutes.minutes_unlock(meeting=meeting, by=board.samordnare)


# Justering ------------------------------------------------------------------------------------


def test_justering_by_ordforande_and_justerare_makes_the_minutes_justerat_and_locked(board):
    justerare = board.ledamoter[1]
    justerare_user = user_for(justerare)
    meeting = held_and_locked(board, justerare=[justerare])

    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.JUSTERING
    assert meeting.announced_on is None

    minutes.minutes_approve(meeting=meeting, by=justerare_user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.JUSTERAT
    assert meeting.announced_on == timezone.localdate()
    assert selectors.announcement_end(meeting) == timezone.localdate() + datetime.timedelta(days=21)
    assert set(MinutesApproval.objects.values_list("person", "role")) == {
        (board.chair.pk, "ordforande"),
        (justerare.pk, "justerare"),
    }
    assert meeting.status_changes.filter(to_status=MeetingStatus.JUSTERAT).exists()

    for edit in (
        lambda: decide_all(board, meeting),
        lambda: minutes.attendance_save(meeting=meeting, by=board.samordnare, entries=board.entries()),
        lambda: minutes.attendance_add(meeting=meeting, by=board.samordnare, person=board.staff, role="gast"),
        lambda: minutes.minutes_unlock(meeting=meeting, by=board.samordnare),
    ):
        with pytest.raises(ValidationError):
            edit()


def test_edit_of_justerat_protocol_on_the_page_is_refused_in_swedish(board, login):
    justerare_user = user_for(board.ledamoter[1])
    meeting = held_and_locked(board)
    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    minutes.minutes_approve(meeting=meeting, by=justerare_user)
    item = meeting.items.first()
    client = login(board.samordnare)
    response = client.post(
        reverse("forbund:protokoll", args=[board.forbund.slug, meeting.pk]),
        {f"punkt{i.pk}-decision": "Ändrat" for i in meeting.items.all()},
    )
    assert response.status_code == 400
    assert "Protokollet är justerat och kan inte längre ändras." in response.content.decode()
    item.refresh_from_db()
    assert item.decision == item.proposal


def test_someone_who_is_neither_ordforande_nor_justerare_cannot_approve(board, login):
    meeting = held_and_locked(board)
    outsider = user_for(board.ledamoter[2])
    with pytest.raises(PermissionDenied, match="Bara ordföranden vid sammanträdet och de valda justerarna"):
        minutes.minutes_approve(meeting=meeting, by=outsider)
    response = login(outsider).post(reverse("forbund:justera", args=[board.forbund.slug, meeting.pk]))
    assert response.status_code == 403
    assert not MinutesApproval.objects.exists()


def test_approval_button_is_shown_only_to_those_who_may_approve(board, login):
    meeting = held_and_locked(board)
    url = reverse("forbund:protokoll", args=[board.forbund.slug, meeting.pk])
    assert "Justera protokollet</button>" in login(board.chair_user).get(url).content.decode()
    outsider = user_for(board.ledamoter[2])
    page = login(outsider).get(url).content.decode()
    assert "Justera protokollet</button>" not in page
    assert "Bara ordföranden vid sammanträdet och de valda justerarna justerar protokollet" in page


def test_approval_through_the_page(board, login):
    meeting = held_and_locked(board)
    response = login(board.chair_user).post(reverse("forbund:justera", args=[board.forbund.slug, meeting.pk]))
    assert response.status_code == 302
    assert MinutesApproval.objects.get().person == board.chair


# Pages ----------------------------------------------------------------------------------------


def meeting_url(name: str, meeting: Styrelsemote) -> str:
    return reverse(name, kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})


@pytest.mark.parametrize(
    "kind",
    [
        Role.Kind.SAMORDNARE,
        Role.Kind.EKONOM,
        Role.Kind.STYRELSELEDAMOT,
        Role.Kind.ERSATTARE,
        Role.Kind.REVISOR,
    ],
)
def test_meeting_readers_can_open_every_minutes_page(board, login, kind):
    client = login(user_with_role(board.forbund, kind))
    for name in MEETING_PAGES:
        assert client.get(meeting_url(name, board.meeting)).status_code == 200, name


def test_projektagare_is_refused_the_minutes_pages(board, user_in, login):
    client = login(user_in(board.forbund, Role.Kind.PROJEKTAGARE))
    for name in MEETING_PAGES:
        assert client.get(meeting_url(name, board.meeting)).status_code == 403, name


@pytest.mark.parametrize("kind", [Role.Kind.STYRELSELEDAMOT, Role.Kind.EKONOM, Role.Kind.REVISOR])
def test_only_samordnare_records_attendance_and_decisions(board, login, kind):
    client = login(user_with_role(board.forbund, kind))
    for name in ["forbund:narvaro", "forbund:protokoll"]:
        response = client.post(meeting_url(name, board.meeting), {})
        assert response.status_code == 403, name
        assert "Bara samordnaren" in response.content.decode()
    response = client.post(
        reverse("forbund:protokoll_status", args=[board.forbund.slug, board.meeting.pk, "genomfort"])
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.KALLAT


def test_board_member_of_another_forbund_gets_404_on_every_meeting_page(board, other_forbund, login):
    client = login(user_with_role(other_forbund, Role.Kind.STYRELSELEDAMOT))
    for name in MEETING_PAGES:
        assert client.get(meeting_url(name, board.meeting)).status_code == 404, name
    for name in MEETING_POSTS:
        assert client.post(meeting_url(name, board.meeting), {}).status_code == 404, name


def test_a_meeting_of_another_forbund_is_404_under_ones_own(board, other_forbund, login):
    other = StyrelsemoteFactory(forbund=other_forbund)
    client = login(board.samordnare)
    for name in MEETING_PAGES:
        url = reverse(name, kwargs={"forbund": board.forbund.slug, "pk": other.pk})
        assert client.get(url).status_code == 404, name


def test_attendance_page_saves_the_list_and_shows_quorum(board, login):
    client = login(board.samordnare)
    url = meeting_url("forbund:narvaro", board.meeting)
    page = client.get(url).content.decode()
    for person in [*board.ledamoter, *board.ersattare, board.staff]:
        assert person.name in page
    data = {f"present_{p.pk}": "on" for p in [*board.ledamoter[:3], *board.ersattare, board.staff]}
    data[f"serves_for_{board.ersattare[3].pk}"] = str(board.ledamoter[3].pk)
    response = client.post(url, data)
    assert response.status_code == 302
    assert quorum(board.meeting).voting_present == 4
    page = client.get(url).content.decode()
    assert "Beslutför: 4 av 4 ledamöter med rösträtt närvarande." in page


def test_attendance_page_adds_a_guest(board, login):
    guest = PersonFactory(forbund=board.forbund, name="Gästa Gästsson")
    response = login(board.samordnare).post(
        meeting_url("forbund:narvaro", board.meeting), {"lagg_till": "1", "person": guest.pk, "role": "gast"}
    )
    assert response.status_code == 302
    assert Attendance.objects.get(person=guest).role == Attendance.Role.GAST


def test_minutes_page_saves_decisions_and_justerare(board, login):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    client = login(board.samordnare)
    item = board.meeting.items.get(title="Ansökan om medel")
    data = {f"punkt{i.pk}-decision": i.proposal for i in board.meeting.items.all()}
    data.update(
        {
            f"punkt{item.pk}-decision": "Styrelsen beviljar 300 000 kr.",
            f"punkt{item.pk}-votes_yes": "2",
            f"punkt{item.pk}-votes_no": "1",
            f"punkt{item.pk}-reservations": "Ledamot 3 reserverar sig.",
            f"punkt{item.pk}-conflicts": [str(board.ledamoter[2].pk)],
            "justerare": [str(board.ledamoter[1].pk)],
        }
    )
    response = client.post(meeting_url("forbund:protokoll", board.meeting), data)
    assert response.status_code == 302, response.content.decode()
    item.refresh_from_db()
    # Ledamot 2 has jäv: three of the four present vote on the item.
    assert (item.decision, item.votes_yes, item.votes_no) == ("Styrelsen beviljar 300 000 kr.", 2, 1)
    assert list(board.meeting.justerare.all()) == [board.ledamoter[1]]
    assert item.conflicts.get().person == board.ledamoter[2]


def test_status_buttons_move_the_meeting_and_lock(board, login):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    decide_all(board, justerare=[board.ledamoter[1]])
    client = login(board.samordnare)
    for target in ["genomfort", "justering"]:
        response = client.post(
            reverse("forbund:protokoll_status", args=[board.forbund.slug, board.meeting.pk, target])
        )
        assert response.status_code == 302
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.JUSTERING
    assert list(board.meeting.items.values_list("paragraph", flat=True)) == [1, 2, 3]


def test_printable_minutes_show_paragraphs_stamps_and_anslag(board):
    justerare_user = user_for(board.ledamoter[1])
    meeting = held_and_locked(board)
    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    minutes.minutes_approve(meeting=meeting, by=justerare_user)
    from django.template.loader import render_to_string

    meeting.refresh_from_db()
    html = render_to_string("forbund/meetings/pdf/minutes.html", selectors.minutes_context(meeting))
    assert "§ 2 Ansökan om medel" in html
    assert f"Justerat digitalt av {board.chair.name}, ordförande" in html
    assert f"Justerat digitalt av {board.ledamoter[1].name}, justerare" in html
    assert f"anslaget {timezone.localdate():%Y-%m-%d}" in html
    assert board.staff.name in html


def test_attendance_and_minutes_pages_have_a_bounded_number_of_queries(
    board, login, django_assert_max_num_queries
):
    minutes.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    for i in range(10):
        AgendaItem.objects.create(meeting=board.meeting, order=10 + i, title=f"Extra {i}")
        PersonFactory(forbund=board.forbund)
    client = login(board.samordnare)
    with django_assert_max_num_queries(30):
        assert client.get(meeting_url("forbund:narvaro", board.meeting)).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(meeting_url("forbund:protokoll", board.meeting)).status_code == 200


# Public archive -------------------------------------------------------------------------------


def justerat(board: Board, meeting: Styrelsemote | None = None) -> Styrelsemote:
    justerare = meeting.justerare.first() if meeting else None
    meeting = held_and_locked(board, meeting)
    minutes.minutes_approve(meeting=meeting, by=board.chair_user)
    person = justerare or board.ledamoter[1]
    user = User.objects.filter(personer=person).first() or user_for(person)
    minutes.minutes_approve(meeting=meeting, by=user)
    meeting.refresh_from_db()
    return meeting


def test_public_archive_shows_only_justerade_protokoll_without_login(board, client):
    done = justerat(board)
    pending = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 6, 1), status=MeetingStatus.KALLAT)
    AgendaItem.objects.create(meeting=pending, title="Hemligt ärende", decision="Inte justerat")
    archive = reverse("public_archive", kwargs={"forbund": board.forbund.slug})

    page = client.get(archive)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Styrelsemöte {done.date:%Y-%m-%d}" in html
    assert f"Styrelsemöte {pending.date:%Y-%m-%d}" not in html

    minutes_page = client.get(
        reverse("public_protokoll", kwargs={"forbund": board.forbund.slug, "pk": done.pk})
    )
    assert minutes_page.status_code == 200
    assert "§ 2 Ansökan om medel" in minutes_page.content.decode()
    anslag = client.get(reverse("public_anslag", kwargs={"forbund": board.forbund.slug, "pk": done.pk}))
    assert (timezone.localdate() + datetime.timedelta(days=21)).isoformat() in anslag.content.decode()

    for name in ["public_protokoll", "public_anslag"]:
        url = reverse(name, kwargs={"forbund": board.forbund.slug, "pk": pending.pk})
        assert client.get(url).status_code == 404


def test_public_archive_search_finds_items_of_justerade_protokoll_only(board, client):
    justerat(board)
    pending = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 6, 1), status=MeetingStatus.GENOMFORT)
    AgendaItem.objects.create(meeting=pending, title="Ansökan om medel, hemlig", decision="Inte justerat")
    archive = reverse("public_archive", kwargs={"forbund": board.forbund.slug})
    html = client.get(archive, {"q": "ansökan"}).content.decode()
    assert "Ansökan om medel</a>" in html
    assert "hemlig" not in html
    assert "Inga ärenden" in client.get(archive, {"q": "finnsinte"}).content.decode()


def test_public_archive_of_one_forbund_does_not_show_another(board, other_forbund, client):
    other = make_board(other_forbund)
    done = justerat(other)
    url = reverse("public_protokoll", kwargs={"forbund": board.forbund.slug, "pk": done.pk})
    assert client.get(url).status_code == 404


def test_public_archive_offers_no_draft_verksamhetsplan(board, client, settings, tmp_path):
    """A finished verksamhetsplan is a draft until the board adopts it (tests/forbund/
    test_document_adoption.py): the archive neither lists nor serves it."""
    settings.MEDIA_ROOT = tmp_path
    klar = Dokumentjobb.objects.create(
        forbund=board.forbund, kind="verksamhetsplan", year=2021, requested_by=board.samordnare, status="klar"
    )
    klar.file.save("vp.pdf", ContentFile(b"%PDF-1.7 plan"))
    html = client.get(reverse("public_archive", kwargs={"forbund": board.forbund.slug})).content.decode()
    assert "Verksamhetsplan och budget 2021" not in html
    draft = reverse("public_verksamhetsplan", kwargs={"forbund": board.forbund.slug, "pk": klar.pk})
    assert client.get(draft).status_code == 404


def test_minutes_panel_shows_quorum_links_and_the_approval_button(board, rf):
    from django.template.loader import render_to_string

    meeting = held_and_locked(board)
    request = rf.get("/")
    request.user = board.chair_user
    may = access.Flags(board.chair_user, forbund=board.forbund, meeting=meeting)
    html = render_to_string(
        "forbund/meetings/minutes_panel.html",
        {"meeting": meeting, "forbund": board.forbund, "may": may},
        request=request,
    )
    assert "Beslutför: 4 av 4 ledamöter med rösträtt närvarande." in html
    assert meeting_url("forbund:narvaro", meeting) in html
    assert meeting_url("forbund:justera", meeting) in html
    assert "Justera protokollet</button>" in html


def test_minutes_template_renders_to_pdf(board):
    from finsam.rendering import render_pdf

    meeting = held_and_locked(board)
    pdf = render_pdf("forbund/meetings/pdf/minutes.html", selectors.minutes_context(meeting))
    assert pdf.startswith(b"%PDF")
