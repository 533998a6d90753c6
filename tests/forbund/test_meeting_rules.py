"""The rules of a meeting, written from the domain: the workflow's steps and who takes them, the
justerat lock through every edit path (in the services and in the pages), rättelser, § numbers that
follow the meetings' dates, quorum when one ersättare is named for two ledamöter, no lost updates
and an audit trail with the values before and after."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from finsam import workflow
from forbund.meetings.selectors import minutes as selectors
from forbund.meetings.services import agenda
from forbund.meetings.services import minutes as services
from forbund.meetings.services import notice as notice_services
from forbund.meetings.services.minutes import AttendanceEntry, ItemDecision
from forbund.models import (
    ActivityEvent,
    AgendaAttachment,
    AgendaItem,
    Attendance,
    ConflictOfInterest,
    Delegationsbeslut,
    Dokumentjobb,
    MeetingStatus,
    NoticeVersion,
    Rattelse,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
)
from tests.factories import (
    DelegationsbeslutFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    user_with_role,
)
from tests.forbund.test_meeting_minutes import Board, held_and_locked, justerat, make_board, user_for

pytestmark = pytest.mark.django_db

D = datetime.date
K = Role.Kind
S = MeetingStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def board(forbund) -> Board:
    return make_board(forbund)


def url(name: str, meeting: Styrelsemote, **kwargs) -> str:
    return reverse(name, kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk, **kwargs})


def set_status(meeting: Styrelsemote, status: str) -> Styrelsemote:
    Styrelsemote.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    return meeting


# The workflow ---------------------------------------------------------------------------------

# The meeting's steps as the förbund works: the samordnare sends the notice (again for a new
# version), marks the meeting held, locks the minutes for justering or unlocks them; the minutes
# become justerat when the ordförande and the justerare (board members) have approved them. The
# notice and the last justering are taken by their services, never by a plain button.
MEETING_STEPS = [
    ("planerat", "kallat", {"samordnare"}, True),
    ("kallat", "kallat", {"samordnare"}, True),
    ("kallat", "genomfort", {"samordnare"}, False),
    ("genomfort", "justering", {"samordnare"}, False),
    ("justering", "genomfort", {"samordnare"}, False),
    ("justering", "justerat", {"styrelseledamot", "ersattare"}, True),
]
REFUSED_STEPS = [
    ("planerat", "genomfort"),
    ("planerat", "justering"),
    ("kallat", "justering"),
    ("kallat", "justerat"),
    ("genomfort", "justerat"),
    ("genomfort", "kallat"),
    ("justerat", "genomfort"),
    ("justerat", "justering"),
    ("justerat", "kallat"),
]


def test_the_meeting_workflow_has_exactly_these_steps_and_roles():
    flow = Styrelsemote.workflow
    assert flow.noun == "ett möte"
    steps = sorted((s.source, s.target, set(s.roles), s.automatic) for s in flow.steps)
    assert steps == sorted(MEETING_STEPS)


@pytest.mark.parametrize(("source", "target"), REFUSED_STEPS)
def test_a_step_not_in_the_table_is_refused_even_for_the_samordnare(board, source, target):
    meeting = set_status(board.meeting, source)
    with pytest.raises(ValidationError, match="Ett möte som är"):
        workflow.transition(meeting, to=target, by=board.samordnare)
    meeting.refresh_from_db()
    assert meeting.status == source and not meeting.status_changes.exists()


@pytest.mark.parametrize("kind", [K.EKONOM, K.STYRELSELEDAMOT, K.ERSATTARE, K.REVISOR])
def test_only_the_samordnare_marks_a_meeting_held(board, kind):
    with pytest.raises(PermissionDenied):
        workflow.transition(board.meeting, to=S.GENOMFORT, by=user_with_role(board.forbund, kind))
    assert workflow.steps_for(user_with_role(board.forbund, kind), board.meeting) == []
    change = workflow.transition(
        board.meeting, to=S.GENOMFORT, by=board.samordnare, comment="Hölls i Svedala"
    )
    assert (change.from_status, change.to_status, change.by, change.comment) == (
        S.KALLAT,
        S.GENOMFORT,
        board.samordnare,
        "Hölls i Svedala",
    )
    assert ActivityEvent.objects.filter(
        kind=ActivityEvent.Kind.TRANSITION, object_id=str(board.meeting.pk)
    ).exists()


def test_the_notice_and_the_last_justering_are_no_buttons(board, forbund):
    meeting = set_status(StyrelsemoteFactory(forbund=forbund), S.PLANERAT)
    with pytest.raises(PermissionDenied, match="Kallelsen skickas från mötessidan"):
        workflow.transition(meeting, to=S.KALLAT, by=board.samordnare)
    locked = held_and_locked(board)
    with pytest.raises(PermissionDenied):
        workflow.transition(locked, to=S.JUSTERAT, by=board.chair_user)
    assert [s.target for s in workflow.steps_for(board.samordnare, locked)] == [S.GENOMFORT]


def test_a_new_version_of_the_notice_is_a_step_in_the_history(forbund, monkeypatch):
    samordnare = user_with_role(forbund, K.SAMORDNARE)
    meeting = StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=20))
    agenda.agenda_item_save(meeting=meeting, item=AgendaItem(title="Budget"), by=samordnare)
    notice_services.notice_send(meeting=meeting, by=samordnare)
    notice_services.notice_send(meeting=meeting, by=samordnare)
    history = list(meeting.status_changes.values_list("from_status", "to_status", "comment"))
    assert history == [
        (S.PLANERAT, S.KALLAT, "Kallelse version 1"),
        (S.KALLAT, S.KALLAT, "Kallelse version 2"),
    ]


# The justerat lock ----------------------------------------------------------------------------


@pytest.fixture
def done(board) -> Styrelsemote:
    """Justerade minutes with an uploaded paper and a reported delegationsbeslut."""
    item = board.meeting.items.get(title="Ansökan om medel")
    AgendaAttachment.objects.create(
        item=item,
        title="Ansökan",
        file=ContentFile(b"%PDF-1.4", name="ansokan.pdf"),
        uploaded_by=board.samordnare,
    )
    DelegationsbeslutFactory(forbund=board.forbund, reported_in=item, title="Avtal om lokal")
    return justerat(board)


def _edit_paths(board: Board, meeting: Styrelsemote) -> dict:
    """Every way a service can change what was recorded at the meeting."""
    item = meeting.items.get(title="Ansökan om medel")
    by = board.samordnare
    guest = PersonFactory(forbund=board.forbund)
    return {
        "närvaro": lambda: services.attendance_save(
            meeting=meeting, by=by, entries=board.entries(absent=[board.ledamoter[3]])
        ),
        "gäst i närvarolistan": lambda: services.attendance_add(
            meeting=meeting, by=by, person=guest, role="gast"
        ),
        "beslut": lambda: services.minutes_save(
            meeting=meeting, by=by, decisions=[ItemDecision(item, decision="Avslås")]
        ),
        "jäv": lambda: services.minutes_save(
            meeting=meeting,
            by=by,
            decisions=[ItemDecision(item, decision=item.decision, conflicts=(board.ledamoter[2],))],
        ),
        "justerare": lambda: services.minutes_save(
            meeting=meeting, by=by, decisions=[], justerare=[board.ledamoter[2]]
        ),
        "ny punkt": lambda: agenda.agenda_item_save(
            meeting=meeting, item=AgendaItem(title="Sent ärende"), by=by
        ),
        "ändrad punkt": lambda: agenda.agenda_item_save(
            meeting=meeting, item=AgendaItem.objects.get(pk=item.pk), by=by
        ),
        "borttagen punkt": lambda: agenda.agenda_item_delete(
            item=meeting.items.get(title="Information"), by=by
        ),
        "ordning": lambda: agenda.agenda_reorder(
            meeting=meeting,
            order=list(reversed(meeting.items.order_by("order").values_list("pk", flat=True))),
            by=by,
        ),
        "standardpunkter": lambda: agenda.agenda_standard_items_insert(meeting=meeting, by=by),
        "delegationsbeslut": lambda: agenda.agenda_delegation_item_add(meeting=meeting, by=by),
        "ny handling": lambda: agenda.agenda_item_save(
            meeting=meeting,
            item=AgendaItem.objects.get(pk=item.pk),
            by=by,
            attachment_file=SimpleUploadedFile("ny.pdf", b"%PDF-1.4 ny"),
        ),
        "borttagen handling": lambda: agenda.agenda_attachment_delete(
            attachment=AgendaAttachment.objects.get(), by=by
        ),
        "anmält delegationsbeslut": lambda: agenda.delegationsbeslut_save(
            forbund=board.forbund, instance=Delegationsbeslut.objects.get(title="Avtal om lokal"), by=by
        ),
        "kallelse": lambda: notice_services.notice_send(meeting=meeting, by=by),
        "upplåsning": lambda: services.minutes_unlock(meeting=meeting, by=by),
    }


EDIT_PATHS = [
    "närvaro",
    "gäst i närvarolistan",
    "beslut",
    "jäv",
    "justerare",
    "ny punkt",
    "ändrad punkt",
    "borttagen punkt",
    "ordning",
    "standardpunkter",
    "delegationsbeslut",
    "ny handling",
    "borttagen handling",
    "anmält delegationsbeslut",
    "kallelse",
    "upplåsning",
]


def snapshot(meeting: Styrelsemote) -> dict:
    return {
        "meeting": Styrelsemote.objects.filter(pk=meeting.pk).values().get(),
        "justerare": sorted(meeting.justerare.values_list("pk", flat=True)),
        "items": list(AgendaItem.objects.filter(meeting=meeting).order_by("pk").values()),
        "attendance": list(Attendance.objects.filter(meeting=meeting).order_by("pk").values()),
        "conflicts": list(ConflictOfInterest.objects.order_by("pk").values()),
        "papers": list(AgendaAttachment.objects.order_by("pk").values_list("pk", "file")),
        "delegation": list(Delegationsbeslut.objects.order_by("pk").values()),
        "notices": NoticeVersion.objects.count(),
    }


@pytest.mark.parametrize("path", EDIT_PATHS)
def test_justerade_minutes_are_locked_through_every_edit_path(board, done, path):
    DelegationsbeslutFactory(forbund=board.forbund, decided_on=D(2021, 3, 1))  # one not reported yet
    before = snapshot(done)
    with pytest.raises(ValidationError, match="justerat|kallelse kan inte längre skickas"):
        _edit_paths(board, done)[path]()
    assert snapshot(done) == before


def test_every_edit_path_is_tested(board, done):
    assert sorted(_edit_paths(board, done)) == sorted(EDIT_PATHS)


@pytest.mark.parametrize(
    "path", ["närvaro", "beslut", "jäv", "justerare", "ny punkt", "ordning", "ny handling"]
)
def test_minutes_locked_for_justering_are_locked_too_until_unlocked(board, path):
    meeting = held_and_locked(board)
    before = snapshot(meeting)
    with pytest.raises(ValidationError, match="låst för justering"):
        _edit_paths(board, meeting)[path]()
    assert snapshot(meeting) == before


def test_the_meeting_date_is_locked_on_the_meeting_plans_edit_form(board, done, login):
    response = login(board.samordnare).post(
        url("forbund:mote_edit", done), {"date": "2021-03-18", "start_time": "13:00", "place": "Annat"}
    )
    assert response.status_code in (302, 403)
    done.refresh_from_db()
    assert (done.date, done.place) == (D(2021, 3, 17), "Kommunhuset")


def test_the_pages_of_justerade_minutes_offer_no_edit_buttons(board, done, login):
    client = login(board.samordnare)
    page = client.get(url("forbund:mote", done)).content.decode()
    for button in [
        "Ny punkt",
        "Ändra mötet",
        "Skicka kallelsen",
        "Skicka ny version",
        "Lägg in standardpunkter",
        "Flytta upp",
        "Ta bort",
    ]:
        assert button not in page, button
    assert "Protokollet är justerat; dagordningen kan inte längre ändras." in page
    assert "Gör en rättelse" in page

    page = client.get(url("forbund:narvaro", done)).content.decode()
    assert "Spara närvaron" not in page and "Lägg till" not in page
    assert "Protokollet är justerat och kan inte längre ändras. Gör en rättelse i stället." in page

    page = client.get(url("forbund:protokoll", done)).content.decode()
    assert "Spara protokollet" not in page and "Lås upp protokollet" not in page
    assert "Gör en rättelse" in page

    register = client.get(reverse("forbund:delegationsbeslut", kwargs={"forbund": board.forbund.slug}))
    decision = Delegationsbeslut.objects.get(title="Avtal om lokal")
    assert (
        reverse("forbund:delegationsbeslut_edit", args=[board.forbund.slug, decision.pk])
        not in register.content.decode()
    )


def test_the_edit_pages_of_justerade_minutes_send_the_samordnare_back_with_the_reason(board, done, login):
    client = login(board.samordnare)
    item = done.items.first()
    for name, kwargs in [
        ("forbund:agenda_item_create", {}),
        ("forbund:agenda_item_edit", {"item_pk": item.pk}),
        ("forbund:notice_send", {}),
    ]:
        response = client.get(url(name, done, **kwargs), follow=True)
        assert response.redirect_chain[-1][0] == url("forbund:mote", done), name
        assert "kan inte längre" in response.content.decode(), name
    response = client.post(url("forbund:agenda_item_delete", done, item_pk=item.pk), follow=True)
    assert "Protokollet är justerat" in response.content.decode()
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# Rättelser ------------------------------------------------------------------------------------


def test_a_rattelse_is_recorded_and_shown_wherever_the_minutes_are(board, done, login, client):
    item = done.items.get(title="Ansökan om medel")
    rattelse = services.minutes_correct(
        meeting=done,
        by=board.samordnare,
        item=item,
        correction="Beloppet ska vara 300 000 kr, inte 30 000 kr.",
        reason="Skrivfel i protokollet.",
    )
    assert (rattelse.made_by, rattelse.item, rattelse.where) == (
        board.samordnare,
        item,
        "§ 2 Ansökan om medel",
    )
    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.CORRECTION)
    assert event.actor == board.samordnare and "Skrivfel i protokollet." in str(event.changes)
    item.refresh_from_db()
    assert item.decision == "Förslag: Ansökan om medel"  # the justerade text itself stays

    staff = login(board.samordnare)
    meeting_page = staff.get(url("forbund:mote", done)).content.decode()
    printable = staff.get(url("forbund:protokoll_utskrift", done)).content.decode()
    client.logout()
    public = client.get(reverse("public_protokoll", kwargs={"forbund": board.forbund.slug, "pk": done.pk}))
    for html in (meeting_page, printable, public.content.decode()):
        assert "Beloppet ska vara 300 000 kr, inte 30 000 kr." in html
        assert "Skrivfel i protokollet." in html
        assert "§ 2 Ansökan om medel" in html


def test_a_rattelse_only_of_justerade_minutes_and_only_by_the_samordnare(board):
    meeting = held_and_locked(board)
    with pytest.raises(ValidationError, match="Rättelser görs bara i ett justerat protokoll"):
        services.minutes_correct(
            meeting=meeting, by=board.samordnare, concerns="Närvarolistan", correction="x", reason="y"
        )
    services.minutes_approve(meeting=meeting, by=board.chair_user)
    services.minutes_approve(meeting=meeting, by=user_for(board.ledamoter[1]))
    done = Styrelsemote.objects.get(pk=meeting.pk)
    with pytest.raises(PermissionDenied):
        services.minutes_correct(
            meeting=done, by=board.chair_user, concerns="Närvarolistan", correction="x", reason="y"
        )
    with pytest.raises(ValidationError, match="Ange vilken paragraf"):
        services.minutes_correct(meeting=done, by=board.samordnare, correction="x", reason="y")
    assert not Rattelse.objects.exists()


def test_the_rattelse_page_records_one_rattelse_per_submit(board, done, login):
    client = login(board.samordnare)
    page = client.get(url("forbund:protokoll_rattelse", done))
    assert page.status_code == 200
    token = page.context["form"]["form_token"].value()
    data = {
        "form_token": str(token),
        "concerns": "Närvarolistan",
        "correction": "Ersättare 1 var också närvarande.",
        "reason": "Glömdes i närvarolistan.",
    }
    first = client.post(url("forbund:protokoll_rattelse", done), data)
    second = client.post(url("forbund:protokoll_rattelse", done), data)
    assert first.status_code == second.status_code == 302
    assert Rattelse.objects.get().concerns == "Närvarolistan"
    minutes_page = client.get(url("forbund:protokoll", done)).content.decode()
    assert "Närvarolistan: Ersättare 1 var också närvarande." in minutes_page


@pytest.mark.parametrize("kind", [K.STYRELSELEDAMOT, K.EKONOM, K.REVISOR])
def test_only_the_samordnare_opens_the_rattelse_page(board, done, login, kind):
    client = login(user_with_role(board.forbund, kind))
    assert client.get(url("forbund:protokoll_rattelse", done)).status_code == 403
    response = client.post(
        url("forbund:protokoll_rattelse", done), {"concerns": "x", "correction": "y", "reason": "z"}
    )
    assert response.status_code == 403 and not Rattelse.objects.exists()


def test_a_minutes_pdf_made_before_a_rattelse_is_not_reused(board, done, login, monkeypatch):
    from finsam import rendering

    monkeypatch.setattr(rendering, "_enqueue", lambda job: None)
    client = login(board.samordnare)
    client.post(url("forbund:motesprotokoll_pdf", done))
    Dokumentjobb.objects.update(status=Dokumentjobb.Status.KLAR)
    client.post(url("forbund:motesprotokoll_pdf", done))
    assert Dokumentjobb.objects.count() == 1
    services.minutes_correct(
        meeting=done, by=board.samordnare, concerns="Närvarolistan", correction="x", reason="y"
    )
    client.post(url("forbund:motesprotokoll_pdf", done))
    assert Dokumentjobb.objects.count() == 2


# § numbers ------------------------------------------------------------------------------------


def _held_meeting(board: Board, date: datetime.date, titles: list[str]) -> Styrelsemote:
    meeting = StyrelsemoteFactory(forbund=board.forbund, date=date, status=S.KALLAT)
    for order, title in enumerate(titles):
        AgendaItem.objects.create(meeting=meeting, order=order, title=title, proposal=f"Förslag: {title}")
    return meeting


def paragraphs(meeting: Styrelsemote) -> list[int | None]:
    return list(meeting.items.order_by("order").values_list("paragraph", flat=True))


def test_a_meeting_held_earlier_than_one_planned_before_it_gets_the_lower_paragraphs(board):
    # The board's meeting of 17 March (board.meeting, 3 items) is already in the plan; May's is
    # planned next, and then an extra meeting on 20 January is planned last of all.
    may = _held_meeting(board, D(2021, 5, 20), ["Öppnande", "Budget"])
    january = _held_meeting(board, D(2021, 1, 20), ["Öppnande", "Extra ärende"])
    assert january.pk > may.pk > board.meeting.pk
    held_and_locked(board, january)
    held_and_locked(board)
    held_and_locked(board, may)
    assert paragraphs(january) == [1, 2]
    assert paragraphs(board.meeting) == [3, 4, 5]
    assert paragraphs(may) == [6, 7]


def test_locking_a_later_meetings_minutes_first_is_refused_with_the_reason(board):
    january = _held_meeting(board, D(2021, 1, 20), ["Öppnande", "Extra ärende"])
    held_and_locked(board)  # March takes § 1–3
    minutes = [board.ledamoter[1]]
    services.attendance_save(meeting=january, by=board.samordnare, entries=board.entries())
    services.minutes_save(meeting=january, by=board.samordnare, decisions=[], justerare=minutes)
    services.meeting_transition(meeting=january, to=S.GENOMFORT, by=board.samordnare)
    with pytest.raises(ValidationError, match="Lås protokollen i den ordning mötena hölls"):
        services.minutes_lock(meeting=january, by=board.samordnare)
    january.refresh_from_db()
    assert january.status == S.GENOMFORT and paragraphs(january) == [None, None]


# Quorum ---------------------------------------------------------------------------------------


@pytest.fixture
def shared(forbund) -> Board:
    """Four ledamöter; ersättare 3 is not appointed, ersättare 2 is named for both kommun 2 and 3."""
    board = make_board(forbund)
    Styrelseuppdrag.objects.filter(person=board.ersattare[3]).delete()
    seat = Styrelseuppdrag.objects.get(person=board.ledamoter[3])
    StyrelseuppdragFactory(
        forbund=forbund, medlem=seat.medlem, person=board.ersattare[2], role=Styrelseuppdrag.Role.ERSATTARE
    )
    board.ersattare = board.ersattare[:3]
    return board


def test_an_ersattare_named_for_two_absent_ledamoter_counts_once(shared):
    two, three = shared.ledamoter[2], shared.ledamoter[3]
    services.attendance_save(
        meeting=shared.meeting,
        by=shared.samordnare,
        entries=shared.entries(absent=[two, three], serving={shared.ersattare[2]: two}),
    )
    state = selectors.quorum(shared.meeting)
    assert (state.ledamoter, state.voting_present, state.quorate) == (4, 3, True)


def test_an_ersattare_cannot_serve_for_both_ledamoter_they_are_named_for(shared):
    two, three = shared.ledamoter[2], shared.ledamoter[3]
    entries = shared.entries(absent=[two, three], serving={shared.ersattare[2]: two})
    entries.append(AttendanceEntry(shared.ersattare[2], Attendance.Role.TJANSTGORANDE, True, three))
    with pytest.raises(ValidationError, match="kan bara tjänstgöra för en ledamot åt gången"):
        services.attendance_save(meeting=shared.meeting, by=shared.samordnare, entries=entries)
    assert not Attendance.objects.exists()


def test_with_three_of_four_absent_one_shared_ersattare_does_not_make_the_board_quorate(shared):
    absent = shared.ledamoter[1:]
    services.attendance_save(
        meeting=shared.meeting,
        by=shared.samordnare,
        entries=shared.entries(absent=absent, serving={shared.ersattare[2]: shared.ledamoter[2]}),
    )
    state = selectors.quorum(shared.meeting)
    assert (state.voting_present, state.needed, state.quorate) == (2, 3, False)
    rows = {row.person: row for row in selectors.attendance_rows(shared.meeting)}
    assert rows[shared.ersattare[2]].replaces == shared.ledamoter[2]


# What the pages say ---------------------------------------------------------------------------


def test_the_meeting_page_shows_the_agenda_with_paragraphs_decisions_and_justering(board, login):
    done = justerat(board)
    page = (
        login(user_with_role(board.forbund, K.STYRELSELEDAMOT))
        .get(url("forbund:mote", done))
        .content.decode()
    )
    assert "Protokoll justerat" in page
    for number, title in [(1, "Mötets öppnande"), (2, "Ansökan om medel"), (3, "Information")]:
        assert f"{number}. {title} <span" in page and f"(§ {number})" in page
        assert f"Förslag: {title}" in page
    assert f"{board.chair.name} (ordförande): justerat" in page
    assert f"{board.ledamoter[1].name} (justerare): justerat" in page
    assert "Beslutför: 4 av 4 ledamöter med rösträtt närvarande." in page


def test_the_printable_minutes_name_the_present_the_absent_and_each_decision(board, login):
    absent = board.ledamoter[3]
    services.attendance_save(
        meeting=board.meeting,
        by=board.samordnare,
        entries=board.entries(absent=[absent], serving={board.ersattare[3]: absent}),
    )
    item = board.meeting.items.get(title="Ansökan om medel")
    services.minutes_save(
        meeting=board.meeting,
        by=board.samordnare,
        decisions=[
            ItemDecision(
                item,
                decision="Styrelsen beviljar 300 000 kr.",
                votes_yes=2,
                votes_no=1,
                reservations="Ledamot 2 reserverar sig.",
                conflicts=(board.ledamoter[1],),
            )
        ],
        justerare=[board.ledamoter[2]],
    )
    services.meeting_transition(meeting=board.meeting, to=S.GENOMFORT, by=board.samordnare)
    services.minutes_lock(meeting=board.meeting, by=board.samordnare)
    html = login(board.samordnare).get(url("forbund:protokoll_utskrift", board.meeting)).content.decode()
    assert "Protokollet är inte justerat (protokoll för justering)." in html
    assert f"{board.ersattare[3].name}, för {absent.name}" in html
    assert f"Frånvarande ledamöter</dt><dd>{absent.name}" in html
    assert "§ 2 Ansökan om medel" in html and "Styrelsen beviljar 300 000 kr." in html
    assert "Omröstning: 2 ja, 1 nej, 0 avstår." in html
    assert "Reservationer: Ledamot 2 reserverar sig." in html
    assert f"{board.ledamoter[1].name} deltog inte i handläggningen på grund av jäv." in html
    assert "I ärendet deltog 3 av 4 ledamöter med rösträtt." in html
    assert f"<dt>Ordförande</dt><dd>{board.chair.name}</dd>" in html
    assert f"Justerare: {board.ledamoter[2].name}." in html
    assert f"{board.chair.name}, ordförande: inte justerat" in html
    assert "Styrelsen var beslutför: 4 av 4 ledamöter med rösträtt närvarande." in html


def test_the_anslag_names_the_body_the_dates_and_where_the_minutes_are_kept(board, login):
    done = justerat(board)
    page = login(user_with_role(board.forbund, K.REVISOR)).get(url("forbund:anslag", done)).content.decode()
    today = timezone.localdate()
    assert f"Styrelsen för {board.forbund.name}" in page
    assert 'Sammanträdesdatum</dt><dd class="col-sm-7">2021-03-17' in page
    assert f"{today:%Y-%m-%d}" in page and f"{today + datetime.timedelta(days=21):%Y-%m-%d}" in page
    assert reverse("public_anslag", kwargs={"forbund": board.forbund.slug, "pk": done.pk}) in page
    planned = StyrelsemoteFactory(forbund=board.forbund, date=D(2021, 5, 20))
    unjusterat = login(board.samordnare).get(url("forbund:anslag", planned)).content.decode()
    assert "Protokollet är inte justerat ännu, så det har inte anslagits." in unjusterat


# No lost updates ------------------------------------------------------------------------------


def hidden(page: str, name: str) -> str:
    """The value of a hidden field as the browser gets it."""
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"{name} finns inte i formuläret"
    return found.group(1)


def test_an_agenda_item_saved_by_someone_else_is_not_overwritten(board, login):
    item = board.meeting.items.get(title="Information")
    client = login(board.samordnare)
    opened = hidden(
        client.get(url("forbund:agenda_item_edit", board.meeting, item_pk=item.pk)).content.decode(),
        "opened_version",
    )
    assert opened == str(item.lock_version)
    other = user_with_role(board.forbund, K.SAMORDNARE)
    agenda.agenda_item_save(
        meeting=board.meeting, item=AgendaItem.objects.get(pk=item.pk), by=other, opened_version=int(opened)
    )
    AgendaItem.objects.filter(pk=item.pk).update(title="Information från kansliet")  # what `other` typed
    data = {"kind": "information", "title": "Information från parterna", "opened_version": opened}
    response = client.post(url("forbund:agenda_item_edit", board.meeting, item_pk=item.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan har sparat dagordningspunkt" in page and "Information från parterna" in page
    assert AgendaItem.objects.get(pk=item.pk).title == "Information från kansliet"
    data["opened_version"] = response.context["form"].data["opened_version"]
    assert (
        client.post(url("forbund:agenda_item_edit", board.meeting, item_pk=item.pk), data).status_code == 302
    )
    assert AgendaItem.objects.get(pk=item.pk).title == "Information från parterna"


def test_a_decision_saved_by_someone_else_is_not_overwritten(board, login):
    services.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    item = board.meeting.items.get(title="Ansökan om medel")
    page = login(board.samordnare).get(url("forbund:protokoll", board.meeting)).content.decode()
    opened = int(hidden(page, f"punkt{item.pk}-opened_version"))
    assert opened == item.lock_version
    services.minutes_save(
        meeting=board.meeting,
        by=board.samordnare,
        decisions=[ItemDecision(item, decision="Beviljas 300 000 kr.", opened_version=opened)],
    )
    with pytest.raises(services.StaleDecision, match="Någon annan har sparat"):
        services.minutes_save(
            meeting=board.meeting,
            by=user_with_role(board.forbund, K.SAMORDNARE),
            decisions=[ItemDecision(item, decision="Avslås.", opened_version=opened)],
        )
    item.refresh_from_db()
    assert item.decision == "Beviljas 300 000 kr."


def test_the_minutes_page_keeps_what_was_typed_over_a_decision_saved_meanwhile(board, login):
    services.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    client = login(board.samordnare)
    page = client.get(url("forbund:protokoll", board.meeting)).content.decode()
    items = list(board.meeting.items.all())
    data = {f"punkt{i.pk}-decision": i.proposal for i in items}
    data.update({f"punkt{i.pk}-opened_version": hidden(page, f"punkt{i.pk}-opened_version") for i in items})
    item = board.meeting.items.get(title="Ansökan om medel")
    services.minutes_save(
        meeting=board.meeting,
        by=user_with_role(board.forbund, K.SAMORDNARE),
        decisions=[ItemDecision(item, decision="Beviljas 300 000 kr.", opened_version=item.lock_version)],
    )
    data[f"punkt{item.pk}-decision"] = "Avslås."
    response = client.post(url("forbund:protokoll", board.meeting), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ansökan om medel: Någon annan har sparat" in html and "Avslås." in html
    item.refresh_from_db()
    assert item.decision == "Beviljas 300 000 kr."
    data[f"punkt{item.pk}-opened_version"] = str(item.lock_version)
    assert client.post(url("forbund:protokoll", board.meeting), data).status_code == 302
    item.refresh_from_db()
    assert item.decision == "Avslås."


def test_a_delegationsbeslut_saved_by_someone_else_is_not_overwritten(board, login):
    decision = DelegationsbeslutFactory(forbund=board.forbund, title="Avtal")
    opened = decision.lock_version
    agenda.delegationsbeslut_save(
        forbund=board.forbund, instance=Delegationsbeslut.objects.get(pk=decision.pk), by=board.samordnare
    )
    data = {
        "decided_on": "2021-02-01",
        "title": "Avtal om städning",
        "description": "Beviljat.",
        "decided_by": decision.decided_by_id,
        "opened_version": opened,
    }
    response = login(board.samordnare).post(
        reverse("forbund:delegationsbeslut_edit", args=[board.forbund.slug, decision.pk]), data
    )
    assert response.status_code == 200 and "Någon annan har sparat" in response.content.decode()
    assert Delegationsbeslut.objects.get(pk=decision.pk).title == "Avtal"


def test_a_double_submitted_agenda_item_or_delegationsbeslut_is_made_once(board, login):
    client = login(board.samordnare)
    page = client.get(url("forbund:agenda_item_create", board.meeting)).content.decode()
    data = {"kind": "beslut", "title": "Ny insats", "form_token": hidden(page, "form_token")}
    responses = [client.post(url("forbund:agenda_item_create", board.meeting), data) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert board.meeting.items.filter(title="Ny insats").count() == 1

    create = reverse("forbund:delegationsbeslut_create", kwargs={"forbund": board.forbund.slug})
    data = {
        "decided_on": "2021-02-01",
        "title": "Avtal",
        "description": "Beviljat.",
        "decided_by": board.staff.pk,
        "form_token": hidden(client.get(create).content.decode(), "form_token"),
    }
    assert [client.post(create, data).status_code for _ in range(2)] == [302, 302]
    assert Delegationsbeslut.objects.filter(title="Avtal").count() == 1


# Audit ----------------------------------------------------------------------------------------


def test_attendance_and_decisions_are_audited_with_values_before_and_after(board):
    services.attendance_save(meeting=board.meeting, by=board.samordnare, entries=board.entries())
    created = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.CREATED, description__contains="närvaro")
    assert created.count() == 9  # four ledamöter, four ersättare, the samordnare
    three = board.ledamoter[3]
    services.attendance_save(
        meeting=board.meeting,
        by=board.samordnare,
        entries=board.entries(absent=[three], serving={board.ersattare[3]: three}),
    )
    change = ActivityEvent.objects.get(
        kind=ActivityEvent.Kind.CHANGED, object_repr__startswith=board.ledamoter[3].name
    )
    assert {"label": "närvarande", "before": "ja", "after": "nej", "field": "present"} in change.changes
    assert change.url == url("forbund:narvaro", board.meeting)

    item = board.meeting.items.get(title="Ansökan om medel")
    services.minutes_save(
        meeting=board.meeting,
        by=board.samordnare,
        decisions=[ItemDecision(item, decision="Beviljas.", conflicts=(board.ledamoter[2],))],
    )
    event = ActivityEvent.objects.filter(object_id=str(item.pk), kind=ActivityEvent.Kind.CHANGED).get()
    fields = {c["field"]: (c["before"], c["after"]) for c in event.changes}
    assert fields["decision"] == ("", "Beviljas.")
    assert fields["conflicts"] == ("", board.ledamoter[2].name)
    assert event.url == f"{board.meeting.get_absolute_url()}#punkt-{item.pk}"


def test_a_meeting_knows_its_address():
    meeting = StyrelsemoteFactory()
    assert meeting.get_absolute_url() == f"/f/{meeting.forbund.slug}/moten/{meeting.pk}/"


def test_the_registers_edit_links_ask_the_rules_without_a_query_per_row(board, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(board.samordnare)
    register = reverse("forbund:delegationsbeslut", kwargs={"forbund": board.forbund.slug})
    item = board.meeting.items.first()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(register).status_code == 200
        return len(queries)

    DelegationsbeslutFactory.create_batch(2, forbund=board.forbund, reported_in=item)
    few = count()
    for _ in range(6):
        other = StyrelsemoteFactory(forbund=board.forbund)
        DelegationsbeslutFactory(
            forbund=board.forbund, reported_in=AgendaItem.objects.create(meeting=other, title="Anmälan")
        )
    assert count() == few
