"""Förhinder and serving ersättare, from the domain: a ledamot who cannot come reports förhinder; the
förbund's ersättare are asked one at a time in their recorded call-in order (the same member's
ersättare unless the förbundsordning makes them shared); the first who says yes serves and stands in
the attendance list as serving for the ledamot; a förhinder withdrawn before the meeting takes it all
back. Only the ledamot reports (or the samordnare for them); only the ersättare asked answers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from forbund.meetings.selectors import forhinder as selectors
from forbund.meetings.selectors.minutes import attendance_rows
from forbund.meetings.services import forhinder as services
from forbund.models import (
    Attendance,
    Forhinder,
    Medlem,
    MeetingStatus,
    Notification,
    Person,
    Role,
    Styrelseuppdrag,
    User,
)
from tests.factories import (
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

D = datetime.date
K = Role.Kind


def seat(forbund, medlem, name, role="ledamot", call_order=None, account_kind=None) -> Person:
    person = PersonFactory(forbund=forbund, medlem=medlem, name=name)
    StyrelseuppdragFactory(
        forbund=forbund,
        medlem=medlem,
        person=person,
        role=role,
        start=D(2020, 1, 1),
        end=None,
        call_order=call_order,
    )
    if account_kind:
        user = user_with_role(forbund, account_kind)
        Person.objects.filter(pk=person.pk).update(user=user)
        person.refresh_from_db()
    return person


class Board:
    """Kommunen: ledamot Lisa, ersättare Örjan (called in first) and Anna (second): the call-in order
    is neither the alphabet nor the order they were entered. Regionen: ledamot Rolf, ersättare Rut."""

    def __init__(self, forbund):
        self.forbund = forbund
        self.kommun = MedlemFactory(forbund=forbund, name="Testby kommun")
        self.region = MedlemFactory(forbund=forbund, name="Region Test", kind=Medlem.Kind.REGION)
        self.lisa = seat(forbund, self.kommun, "Lisa Ledamot", account_kind=K.STYRELSELEDAMOT)
        self.anna = seat(
            forbund, self.kommun, "Anna Andra", "ersattare", call_order=2, account_kind=K.ERSATTARE
        )
        self.orjan = seat(
            forbund, self.kommun, "Örjan Först", "ersattare", call_order=1, account_kind=K.ERSATTARE
        )
        self.rolf = seat(forbund, self.region, "Rolf Region", account_kind=K.STYRELSELEDAMOT)
        self.rut = seat(
            forbund, self.region, "Rut Region", "ersattare", call_order=1, account_kind=K.ERSATTARE
        )
        self.samordnare = user_with_role(forbund, K.SAMORDNARE)
        self.meeting = StyrelsemoteFactory(
            forbund=forbund,
            date=timezone.localdate() + datetime.timedelta(days=20),
            status=MeetingStatus.KALLAT,
        )


@pytest.fixture
def board(forbund) -> Board:
    return Board(forbund)


def asked(forhinder) -> list[str]:
    return [ask.person.name for ask in forhinder.inkallelser.order_by("asked_at", "id")]


# The call-in order ---------------------------------------------------------------------------------


def test_the_first_ersattare_in_the_call_in_order_is_asked_and_told(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)

    assert asked(forhinder) == ["Örjan Först"]
    told = Notification.objects.get(recipient=board.orjan.user, kind="substitute")
    assert "Lisa Ledamot" in told.title
    assert told.url == forhinder.inkallelser.get().get_absolute_url()
    assert Notification.objects.filter(recipient=board.samordnare, kind="forhinder").exists()
    assert not Notification.objects.filter(recipient=board.anna.user).exists()


def test_a_no_asks_the_next_ersattare_and_a_yes_fills_the_attendance_list(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    first = forhinder.inkallelser.get()
    services.inkallelse_answer(inkallelse=first, by=board.orjan.user, accept=False, comment="Bortrest")

    assert asked(forhinder) == ["Örjan Först", "Anna Andra"]
    second = forhinder.inkallelser.get(person=board.anna)
    services.inkallelse_answer(inkallelse=second, by=board.anna.user, accept=True)

    serving = Attendance.objects.get(meeting=board.meeting, person=board.anna)
    assert serving.role == Attendance.Role.TJANSTGORANDE
    assert serving.replaces == board.lisa and serving.present
    assert not Attendance.objects.get(meeting=board.meeting, person=board.lisa).present
    rows = {row.person.name: row for row in attendance_rows(board.meeting)}
    assert rows["Anna Andra"].replaces == board.lisa
    assert Notification.objects.filter(recipient=board.lisa.user, kind="substitute").exists()
    state = selectors.meeting_forhinder(board.meeting)[0]
    assert state.summary == "Anna Andra tjänstgör"


def test_without_shared_ersattare_another_members_ersattare_is_never_asked(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    for person in (board.orjan, board.anna):
        ask = forhinder.inkallelser.get(person=person)
        services.inkallelse_answer(inkallelse=ask, by=person.user, accept=False)

    assert asked(forhinder) == ["Örjan Först", "Anna Andra"]
    assert selectors.meeting_forhinder(board.meeting)[0].summary == "Ingen ersättare kan kallas in"
    told = Notification.objects.filter(recipient=board.samordnare, kind="substitute").get()
    assert "Ingen ersättare" in told.title


def test_with_shared_ersattare_the_call_in_order_runs_across_members(board):
    board.forbund.ersattare_shared = True
    board.forbund.save()
    Styrelseuppdrag.objects.filter(person=board.orjan).update(call_order=2)
    Styrelseuppdrag.objects.filter(person=board.anna).update(call_order=3)
    board.meeting.refresh_from_db()

    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)

    assert asked(forhinder) == ["Rut Region"]


def test_an_ersattare_asked_or_serving_for_one_ledamot_is_not_asked_for_another(board):
    board.forbund.ersattare_shared = True
    board.forbund.save()
    Styrelseuppdrag.objects.filter(person=board.rut).update(call_order=2)
    Styrelseuppdrag.objects.filter(person=board.anna).update(call_order=3)
    first = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    second = services.forhinder_report(meeting=board.meeting, person=board.rolf, by=board.rolf.user)

    assert asked(first) == ["Örjan Först"]
    assert asked(second) == ["Rut Region"]
    services.inkallelse_answer(inkallelse=second.inkallelser.get(), by=board.rut.user, accept=False)
    assert asked(second) == ["Rut Region", "Anna Andra"]


def test_withdrawing_forhinder_voids_the_request_and_empties_the_prefilled_attendance(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    services.inkallelse_answer(inkallelse=ask, by=board.orjan.user, accept=True)

    services.forhinder_withdraw(forhinder=forhinder, by=board.lisa.user)

    forhinder.refresh_from_db()
    ask.refresh_from_db()
    assert forhinder.is_withdrawn and forhinder.withdrawn_by == board.lisa.user
    assert ask.voided_at is not None
    assert not Attendance.objects.filter(meeting=board.meeting).exists()
    assert Notification.objects.filter(recipient=board.orjan.user, title__contains="behöver inte").exists()
    # A new förhinder can be reported after a withdrawal; the kept record stays beside it.
    services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    assert Forhinder.objects.filter(meeting=board.meeting, person=board.lisa).count() == 2


# Who may do what ---------------------------------------------------------------------------------


def test_a_ledamot_cannot_report_forhinder_for_someone_else(board):
    with pytest.raises(PermissionDenied):
        services.forhinder_report(meeting=board.meeting, person=board.rolf, by=board.lisa.user)
    assert not Forhinder.objects.exists()


def test_an_ersattare_does_not_report_forhinder(board):
    with pytest.raises(PermissionDenied):
        services.forhinder_report(meeting=board.meeting, person=board.orjan, by=board.orjan.user)


def test_the_samordnare_records_forhinder_on_a_ledamots_behalf_and_the_ledamot_is_told(board):
    services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.samordnare, note="Ringde in")

    forhinder = Forhinder.objects.get()
    assert forhinder.reported_by == board.samordnare and forhinder.note == "Ringde in"
    assert Notification.objects.filter(recipient=board.lisa.user, kind="forhinder").exists()


def test_the_samordnare_cannot_record_forhinder_for_an_ersattare(board):
    with pytest.raises(PermissionDenied):
        services.forhinder_report(meeting=board.meeting, person=board.orjan, by=board.samordnare)


def test_forhinder_is_reported_once(board):
    services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    with pytest.raises(ValidationError, match="redan anmält"):
        services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)


def test_only_the_ersattare_asked_answers(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    for user in (board.anna.user, board.samordnare, board.lisa.user, board.rut.user):
        with pytest.raises(PermissionDenied):
            services.inkallelse_answer(inkallelse=ask, by=user, accept=True)
    ask.refresh_from_db()
    assert ask.answer == "" and not Attendance.objects.filter(person=board.orjan).exists()


def test_an_answer_is_given_once(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    services.inkallelse_answer(inkallelse=ask, by=board.orjan.user, accept=True)
    with pytest.raises(ValidationError, match="redan svarat"):
        services.inkallelse_answer(inkallelse=ask, by=board.orjan.user, accept=False)


def test_forhinder_is_not_reported_for_a_meeting_that_has_begun(board):
    board.meeting.date = timezone.localdate() - datetime.timedelta(days=1)
    board.meeting.save()
    with pytest.raises(ValidationError, match="redan börjat"):
        services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)


def test_a_withdrawal_after_the_meeting_is_refused(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    board.meeting.status = MeetingStatus.GENOMFORT
    board.meeting.save()
    with pytest.raises(ValidationError):
        services.forhinder_withdraw(forhinder=forhinder, by=board.lisa.user)


def test_another_ledamot_cannot_withdraw_a_forhinder(board):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    with pytest.raises(PermissionDenied):
        services.forhinder_withdraw(forhinder=forhinder, by=board.rolf.user)


# The pages, for every role --------------------------------------------------------------------


def url(board, name, **kwargs) -> str:
    return reverse(name, kwargs={"forbund": board.forbund.slug, "pk": board.meeting.pk, **kwargs})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lisa", 200),
        ("samordnare", 200),
        ("orjan", 403),
        (K.EKONOM, 403),
        (K.REVISOR, 403),
        (K.PROJEKTAGARE, 403),
        (K.STYRELSELEDAMOT, 403),  # a ledamot account without a seat
        ("other_forbund", 404),
    ],
)
def test_who_may_open_the_forhinder_page(board, client, other_forbund, who, status):
    user = account(board, who, other_forbund)
    client.force_login(user)
    assert client.get(url(board, "forbund:forhinder_report")).status_code == status


def account(board, who, other_forbund) -> User:
    if who == "samordnare":
        return board.samordnare
    if who == "other_forbund":
        return user_with_role(other_forbund, K.SAMORDNARE)
    if who in ("lisa", "orjan", "anna", "rolf"):
        return getattr(board, who).user
    extra = {"medlem": board.kommun} if who == K.PROJEKTAGARE else {}
    return user_with_role(board.forbund, who, **extra)


def test_anonymous_is_sent_to_login(board, client):
    response = client.get(url(board, "forbund:forhinder_report"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_a_ledamot_reports_forhinder_in_the_page(board, client):
    client.force_login(board.lisa.user)
    response = client.post(url(board, "forbund:forhinder_report"), {"note": "Konferens i Malmö"}, follow=True)

    assert "Förhindret för Lisa Ledamot är anmält." in response.content.decode()
    assert Forhinder.objects.get().note == "Konferens i Malmö"
    page = client.get(board.meeting.get_absolute_url()).content.decode()
    assert "Örjan Först är tillfrågad och har inte svarat" in page
    assert "Återkalla förhindret" in page


def test_the_samordnare_must_choose_the_ledamot_and_keeps_the_note(board, client):
    client.force_login(board.samordnare)
    response = client.post(url(board, "forbund:forhinder_report"), {"note": "Sjuk"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Välj vilken ledamot som har förhinder." in content and "Sjuk" in content
    assert not Forhinder.objects.exists()
    choices = client.get(url(board, "forbund:forhinder_report")).content.decode()
    assert "Lisa Ledamot" in choices and "Örjan Först" not in choices


def test_a_personnummer_in_the_note_is_refused(board, client):
    client.force_login(board.lisa.user)
    response = client.post(url(board, "forbund:forhinder_report"), {"note": "Gäller 19800101-0019"})
    assert response.status_code == 200 and not Forhinder.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("orjan", 200),
        ("samordnare", 200),
        ("anna", 403),
        ("lisa", 403),
        (K.EKONOM, 403),
        (K.REVISOR, 403),
        (K.PROJEKTAGARE, 403),
        ("other_forbund", 404),
    ],
)
def test_who_may_open_the_request_to_serve(board, client, other_forbund, who, status):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    client.force_login(account(board, who, other_forbund))
    assert client.get(ask.get_absolute_url()).status_code == status


def test_the_ersattare_accepts_in_the_page_and_the_attendance_page_shows_them_serving(board, client):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    client.force_login(board.orjan.user)
    page = client.get(ask.get_absolute_url()).content.decode()
    assert "Kan du tjänstgöra för Lisa Ledamot?" in page
    assert url(board, "forbund:motespaket_html") in page

    response = client.post(ask.get_absolute_url(), {"answer": "ja"}, follow=True)

    assert "Du tjänstgör för Lisa Ledamot" in response.content.decode()
    attendance = client.get(url(board, "forbund:narvaro")).content.decode()
    assert "Tjänstgörande ersättare för Lisa Ledamot" in attendance


def test_the_samordnare_reads_the_request_but_cannot_answer_it(board, client):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    ask = forhinder.inkallelser.get()
    client.force_login(board.samordnare)
    assert client.post(ask.get_absolute_url(), {"answer": "ja"}).status_code == 403
    ask.refresh_from_db()
    assert ask.answer == ""


def test_withdraw_in_the_page_by_someone_else_is_refused(board, client):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    client.force_login(board.rolf.user)
    response = client.post(url(board, "forbund:forhinder_withdraw", forhinder_pk=forhinder.pk))
    assert response.status_code == 403
    forhinder.refresh_from_db()
    assert not forhinder.is_withdrawn


def test_another_forbunds_forhinder_is_not_found(board, client, other_forbund):
    forhinder = services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    other_meeting = StyrelsemoteFactory(forbund=other_forbund, date=board.meeting.date)
    client.force_login(board.lisa.user)
    wrong = reverse(
        "forbund:forhinder_withdraw",
        kwargs={"forbund": board.forbund.slug, "pk": other_meeting.pk, "forhinder_pk": forhinder.pk},
    )
    assert client.post(wrong).status_code == 404


def test_reporting_twice_in_the_page_says_why(board, client):
    services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    client.force_login(board.lisa.user)
    response = client.post(url(board, "forbund:forhinder_report"), {"note": "Igen"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "redan anmält" in content
    assert Forhinder.objects.count() == 1


def test_a_too_long_note_is_refused_on_the_field_even_after_a_forhinder(board, client):
    services.forhinder_report(meeting=board.meeting, person=board.lisa, by=board.lisa.user)
    client.force_login(board.lisa.user)
    content = client.post(url(board, "forbund:forhinder_report"), {"note": "x" * 301}).content.decode()
    assert "Meddelandet får vara högst 300 tecken (nu 301)." in content
