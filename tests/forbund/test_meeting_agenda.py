"""The meeting page, the agenda, the notice (kallelse) and the delegationsbeslut register."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forbund.meetings.selectors import notice as notice_selectors
from forbund.meetings.services import agenda
from forbund.meetings.services import notice as notice_services
from forbund.models import (
    AgendaAttachment,
    AgendaItem,
    AgendaTemplateItem,
    Delegationsbeslut,
    MeetingStatus,
    NoticeVersion,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
)
from tests.factories import (
    AgendaItemFactory,
    DelegationsbeslutFactory,
    InsatsFactory,
    PersonFactory,
    ReportPeriodFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    TertialrapportFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

K = Role.Kind
READERS = [K.SAMORDNARE, K.EKONOM, K.STYRELSELEDAMOT, K.ERSATTARE, K.REVISOR]
STANDARD = ["Mötets öppnande", "Val av justerare", "Godkännande av dagordningen"]


def future(days: int = 30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, K.SAMORDNARE)


@pytest.fixture
def meeting(forbund):
    return StyrelsemoteFactory(forbund=forbund, date=future(), place="Kommunhuset, sal 3")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, meeting, **kwargs):
    return reverse(name, kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk, **kwargs})


def titles(meeting) -> list[str]:
    return list(meeting.items.order_by("order").values_list("title", flat=True))


def add_item(meeting, by, title="Budget 2022", **fields) -> AgendaItem:
    return agenda.agenda_item_save(meeting=meeting, item=AgendaItem(title=title, **fields), by=by)


# --- Agenda ------------------------------------------------------------------------------------


def test_first_item_brings_the_standard_items_with_the_closing_item_last(meeting, samordnare):
    add_item(meeting, samordnare)
    assert titles(meeting) == [*STANDARD, "Budget 2022", "Mötets avslutande"]
    assert list(meeting.items.order_by("order").values_list("order", flat=True)) == [1, 2, 3, 4, 5]
    add_item(meeting, samordnare, title="Tertialrapport T1")
    assert titles(meeting)[-2:] == ["Tertialrapport T1", "Mötets avslutande"]


def test_standard_items_come_from_the_forbunds_own_template(meeting, samordnare):
    AgendaTemplateItem.objects.create(forbund=meeting.forbund, order=1, title="Upprop")
    AgendaTemplateItem.objects.create(forbund=meeting.forbund, order=1, title="Nästa möte", at_end=True)
    AgendaItemFactory(meeting=meeting, title="Verksamhetsplan")
    assert agenda.agenda_standard_items_insert(meeting=meeting, by=samordnare) == 2
    assert titles(meeting) == ["Upprop", "Verksamhetsplan", "Nästa möte"]
    assert agenda.agenda_standard_items_insert(meeting=meeting, by=samordnare) == 0


def test_template_page_seeds_the_usual_items_for_a_forbund_without_one(meeting, samordnare, login):
    response = login(samordnare).get(
        reverse("forbund:agenda_template", kwargs={"forbund": meeting.forbund.slug})
    )
    assert response.status_code == 200
    seeded = AgendaTemplateItem.objects.filter(forbund=meeting.forbund)
    assert [t.title for t in seeded] == [*STANDARD, "Mötets avslutande"]


def test_reorder_validates_and_renumbers_in_one_operation(meeting, samordnare):
    a, b, c = (AgendaItemFactory(meeting=meeting, order=n * 10) for n in (1, 2, 3))
    agenda.agenda_reorder(meeting=meeting, order=[c.pk, a.pk, b.pk], by=samordnare)
    assert list(meeting.items.order_by("order").values_list("pk", "order")) == [
        (c.pk, 1),
        (a.pk, 2),
        (b.pk, 3),
    ]
    with pytest.raises(ValidationError, match="Ordningen stämmer inte"):
        agenda.agenda_reorder(meeting=meeting, order=[a.pk, a.pk, b.pk], by=samordnare)
    other = AgendaItemFactory()
    with pytest.raises(ValidationError):
        agenda.agenda_reorder(meeting=meeting, order=[a.pk, b.pk, other.pk], by=samordnare)
    assert list(meeting.items.order_by("order").values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]


def test_move_up_swaps_with_the_item_above_and_renumbers(meeting, samordnare, login):
    a, b = AgendaItemFactory(meeting=meeting, order=5), AgendaItemFactory(meeting=meeting, order=9)
    response = login(samordnare).post(url("forbund:agenda_item_move", meeting, item_pk=b.pk, direction="upp"))
    assert response.status_code == 302
    assert list(meeting.items.order_by("order").values_list("pk", "order")) == [(b.pk, 1), (a.pk, 2)]
    with pytest.raises(ValidationError, match="kan inte flyttas"):
        agenda.agenda_item_move(item=AgendaItem.objects.get(pk=b.pk), direction="upp", by=samordnare)


@pytest.mark.parametrize("status", [MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT])
def test_agenda_cannot_change_once_the_minutes_are_locked(meeting, samordnare, login, status):
    item = AgendaItemFactory(meeting=meeting)
    Styrelsemote.objects.filter(pk=meeting.pk).update(status=status)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="Protokollet är"):
        add_item(meeting, samordnare)
    client = login(samordnare)
    response = client.post(url("forbund:agenda_item_delete", meeting, item_pk=item.pk), follow=True)
    assert "Protokollet är" in response.content.decode()
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    response = client.post(
        url("forbund:agenda_item_edit", meeting, item_pk=item.pk), {"kind": "beslut", "title": "X"}
    )
    assert "Protokollet är" in response.content.decode()
    assert AgendaItem.objects.get(pk=item.pk).title == item.title


def test_items_added_after_the_notice_are_marked_late(meeting, samordnare, monkeypatch):
    add_item(meeting, samordnare)
    notice_services.notice_send(meeting=meeting, by=samordnare)
    late = add_item(meeting, samordnare, title="Extra ärende")
    assert late.added_late
    assert not meeting.items.exclude(pk=late.pk).filter(added_late=True).exists()


# --- Links and uploads -------------------------------------------------------------------------


def test_linking_another_forbunds_insats_is_refused_and_nothing_saved(
    meeting, samordnare, other_forbund, login
):
    foreign = InsatsFactory(forbund=other_forbund)
    with pytest.raises(ValidationError, match="annat förbund"):
        add_item(meeting, samordnare, insats=foreign)
    assert not AgendaItem.objects.exists()
    response = login(samordnare).post(
        url("forbund:agenda_item_create", meeting),
        {"kind": "beslut", "title": "Främmande insats", "link": f"insats:{foreign.pk}"},
    )
    assert response.status_code == 200
    assert "Välj ett underlag som hör till förbundet." in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_samordnare_links_a_tertialrapport_shown_as_a_link_on_the_meeting_page(meeting, samordnare, login):
    report = TertialrapportFactory(period=ReportPeriodFactory(forbund=meeting.forbund))
    client = login(samordnare)
    response = client.post(
        url("forbund:agenda_item_create", meeting),
        {"kind": "information", "title": "Rapport T1", "link": f"rapport:{report.pk}", "presenter": "Eva"},
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Rapport T1")
    assert item.tertialrapport == report
    page = client.get(url("forbund:mote", meeting)).content.decode()
    assert reverse("uppfoljning:report", kwargs={"forbund": meeting.forbund.slug, "pk": report.pk}) in page


def test_upload_of_the_wrong_type_shows_a_swedish_error_and_keeps_the_typed_text(meeting, samordnare, login):
    response = login(samordnare).post(
        url("forbund:agenda_item_create", meeting),
        {
            "kind": "beslut",
            "title": "Ansökan Steg för steg",
            "proposal": "Styrelsen beviljar.",
            "attachment_file": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Filändelsen" in page and "är inte giltig" in page
    assert "Ansökan Steg för steg" in page and "Styrelsen beviljar." in page
    assert not AgendaItem.objects.exists() and not AgendaAttachment.objects.exists()


def test_upload_over_20_mb_is_refused(meeting, samordnare, login):
    big = SimpleUploadedFile("stor.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024), content_type="application/pdf")
    response = login(samordnare).post(
        url("forbund:agenda_item_create", meeting),
        {"kind": "beslut", "title": "Stor", "attachment_file": big},
    )
    assert "Filen är för stor: högst 20 MB." in response.content.decode()
    assert not AgendaAttachment.objects.exists()


def test_uploaded_paper_is_downloadable_by_a_board_member(meeting, samordnare, login, forbund):
    pdf = SimpleUploadedFile("underlag.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    login(samordnare).post(
        url("forbund:agenda_item_create", meeting),
        {"kind": "beslut", "title": "Budget", "attachment_title": "Budgetförslag", "attachment_file": pdf},
    )
    attachment = AgendaAttachment.objects.get()
    assert attachment.title == "Budgetförslag"
    client = login(user_with_role(forbund, K.STYRELSELEDAMOT))
    response = client.get(url("forbund:agenda_attachment", meeting, attachment_pk=attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


# --- The notice --------------------------------------------------------------------------------


@pytest.fixture
def board(forbund):
    """Two ledamöter and an ersättare with e-mail, one person in two seats, one without e-mail and
    one whose term has ended."""
    start = timezone.localdate() - datetime.timedelta(days=365)
    anna = PersonFactory(forbund=forbund, name="Anna Ek", email="anna@kommun.se")
    bo = PersonFactory(forbund=forbund, name="Bo Lind", email="bo@region.se")
    cia = PersonFactory(forbund=forbund, name="Cia Berg", email="cia@fk.se")
    StyrelseuppdragFactory(forbund=forbund, person=anna, start=start, end=None)
    StyrelseuppdragFactory(forbund=forbund, person=bo, start=start, end=None)
    StyrelseuppdragFactory(
        forbund=forbund, person=bo, role=Styrelseuppdrag.Role.ERSATTARE, start=start, end=None
    )
    StyrelseuppdragFactory(
        forbund=forbund, person=cia, role=Styrelseuppdrag.Role.ERSATTARE, start=start, end=None
    )
    StyrelseuppdragFactory(
        forbund=forbund, person=PersonFactory(forbund=forbund, email=""), start=start, end=None
    )
    StyrelseuppdragFactory(forbund=forbund, start=start, end=start + datetime.timedelta(days=10))
    return [anna, bo, cia]


@pytest.fixture
def eager_mail(monkeypatch):
    """No worker runs here: a queued task runs at once in the test's own thread instead."""
    import finsam.tasks  # noqa: F401 - registers the tasks by name
    from finsam import broker
    from finsam.celery import app

    def run_here(task_name, *, args=(), kwargs=None, **options):
        return app.tasks[task_name](*args, **(kwargs or {}))

    monkeypatch.setattr(broker, "send", run_here)


def test_notice_for_a_meeting_in_the_past_is_refused(forbund, samordnare, board):
    past = StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() - datetime.timedelta(days=1))
    AgendaItemFactory(meeting=past)
    with pytest.raises(ValidationError, match="har redan varit"):
        notice_services.notice_send(meeting=past, by=samordnare)
    past.refresh_from_db()
    assert past.status == MeetingStatus.PLANERAT and not NoticeVersion.objects.exists()


def test_notice_with_an_empty_agenda_is_refused(meeting, samordnare):
    with pytest.raises(ValidationError, match="Dagordningen är tom"):
        notice_services.notice_send(meeting=meeting, by=samordnare)


def test_notice_emails_each_board_member_once_with_a_calendar_file(
    meeting, samordnare, board, eager_mail, django_capture_on_commit_callbacks
):
    add_item(meeting, samordnare)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_services.notice_send(meeting=meeting, by=samordnare, notice_text="Välkomna!")
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@kommun.se", "bo@region.se", "cia@fk.se"]
    message = mail.outbox[0]
    assert "Välkomna!" in message.body and "Budget 2022" in message.body
    assert url("forbund:mote", meeting) in message.body
    (filename, ics, mimetype) = message.attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar"
    assert "DTSTART:" in ics and "LOCATION:Kommunhuset\\, sal 3" in ics
    assert notice.version == 1 and len(notice_selectors.notice_recipient_list(notice)) == 3
    assert notice.snapshot["items"][3]["title"] == "Budget 2022"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.KALLAT
    assert meeting.status_changes.get().to_status == MeetingStatus.KALLAT


def test_second_notice_makes_version_2_and_keeps_status_kallat(
    meeting, samordnare, board, eager_mail, django_capture_on_commit_callbacks
):
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", content_type="application/pdf")
    agenda.agenda_item_save(
        meeting=meeting, item=AgendaItem(title="Budget"), by=samordnare, attachment_file=pdf
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice_services.notice_send(meeting=meeting, by=samordnare)
    add_item(meeting, samordnare, title="Sent ärende")
    later = PersonFactory(forbund=meeting.forbund, name="Dan Ny", email="dan@kommun.se")
    StyrelseuppdragFactory(forbund=meeting.forbund, person=later, start=timezone.localdate(), end=None)
    with django_capture_on_commit_callbacks(execute=True):
        second = notice_services.notice_send(meeting=meeting, by=samordnare)
    assert second.version == 2
    late = [item for item in second.snapshot["items"] if item["added_late"]]
    assert [item["title"] for item in late] == ["Sent ärende"]
    attachment = second.snapshot["items"][3]["attachments"][0]
    assert attachment["file_name"].endswith(".pdf") and len(attachment["sha256"]) == 64
    assert "Ny version (2)" in mail.outbox[-1].subject
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.KALLAT and meeting.status_changes.count() == 2
    _, rows = notice_selectors.notice_recipient_table(meeting)
    by_email = {row["email"]: row for row in rows}
    assert by_email["dan@kommun.se"]["received"] == [False, True]
    assert by_email["anna@kommun.se"]["latest"] == 2


def test_notice_page_sends_and_the_recipient_page_shows_versions(
    meeting, samordnare, board, eager_mail, login, django_capture_on_commit_callbacks
):
    add_item(meeting, samordnare)
    client = login(samordnare)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("forbund:notice_send", meeting), {"notice_text": "Hej styrelsen"})
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    page = client.get(url("forbund:notices", meeting)).content.decode()
    assert "Anna Ek" in page and "Version 1" in page


def test_notice_page_refuses_a_past_meeting_with_a_swedish_message(forbund, samordnare, login):
    past = StyrelsemoteFactory(forbund=forbund, date=datetime.date(2021, 3, 1))
    AgendaItemFactory(meeting=past)
    response = login(samordnare).post(url("forbund:notice_send", past), {"notice_text": "Hej"})
    assert response.status_code == 200
    assert "har redan varit" in response.content.decode()
    assert not NoticeVersion.objects.exists()


def test_ics_has_utc_times_escaped_text_and_crlf_lines(forbund):
    meeting = StyrelsemoteFactory(
        forbund=forbund,
        date=datetime.date(2031, 6, 12),
        start_time=datetime.time(13, 0),
        place="Sal 1; plan 2, A",
    )
    stamp = datetime.datetime(2031, 5, 1, 8, 0, tzinfo=datetime.UTC)
    ics = notice_selectors.meeting_ics(meeting, sequence=1, now=stamp)
    lines = ics.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20310612T110000Z" in lines and "DTEND:20310612T140000Z" in lines
    assert "DTSTAMP:20310501T080000Z" in lines and "SEQUENCE:1" in lines
    assert "LOCATION:Sal 1\\; plan 2\\, A" in lines
    assert f"UID:styrelsemote-{meeting.pk}@" in ics
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = ics.replace("\r\n ", "")
    assert "SUMMARY:Styrelsemöte\\, " + forbund.name.replace(",", "\\,") in unfolded


def test_ics_without_start_time_is_an_all_day_event(forbund):
    meeting = StyrelsemoteFactory(forbund=forbund, date=datetime.date(2031, 6, 12), start_time=None)
    ics = notice_selectors.meeting_ics(meeting)
    assert "DTSTART;VALUE=DATE:20310612" in ics and "DTEND;VALUE=DATE:20310613" in ics


def test_notice_message_has_date_place_agenda_and_link(meeting, samordnare, settings):
    settings.FINSAM_BASE_URL = "https://finsam.example.se"
    add_item(meeting, samordnare, proposal="Styrelsen fastställer budgeten.")
    meeting.notice_text = "Varmt välkomna."
    notice = NoticeVersion(meeting=meeting, version=1, snapshot=notice_selectors.notice_snapshot(meeting))
    person = PersonFactory(forbund=meeting.forbund, name="Anna Ek")
    subject, body = notice_selectors.notice_email(meeting=meeting, notice=notice, person=person)
    assert meeting.date.strftime("%Y-%m-%d") in subject
    assert "Hej Anna Ek!" in body and "Varmt välkomna." in body and "Kommunhuset, sal 3" in body
    assert "4. Budget 2022" in body and "Förslag till beslut: Styrelsen fastställer budgeten." in body
    assert f"https://finsam.example.se{url('forbund:mote', meeting)}" in body


def test_calendar_file_can_be_downloaded_from_the_meeting_page(meeting, forbund, login):
    client = login(user_with_role(forbund, K.ERSATTARE))
    response = client.get(url("forbund:mote_ics", meeting))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"DTSTART:" in response.content


# --- Delegationsbeslut -------------------------------------------------------------------------


def test_delegation_item_lists_and_marks_every_unreported_decision(meeting, samordnare, other_forbund):
    first = DelegationsbeslutFactory(forbund=meeting.forbund, decided_on=timezone.localdate())
    second = DelegationsbeslutFactory(forbund=meeting.forbund, decided_on=timezone.localdate())
    after = DelegationsbeslutFactory(
        forbund=meeting.forbund, decided_on=meeting.date + datetime.timedelta(days=1)
    )
    foreign = DelegationsbeslutFactory(forbund=other_forbund)
    item = agenda.agenda_delegation_item_add(meeting=meeting, by=samordnare)
    assert item.kind == AgendaItem.Kind.DELEGATION and item.title == "Anmälan av delegationsbeslut"
    assert set(item.delegationsbeslut.all()) == {first, second}
    after.refresh_from_db(), foreign.refresh_from_db()
    assert after.reported_in is None and foreign.reported_in is None
    with pytest.raises(ValidationError, match="inga oanmälda"):
        agenda.agenda_delegation_item_add(meeting=meeting, by=samordnare)


def test_samordnare_registers_a_delegationsbeslut(forbund, samordnare, login):
    person = PersonFactory(forbund=forbund)
    client = login(samordnare)
    response = client.post(
        reverse("forbund:delegationsbeslut_create", kwargs={"forbund": forbund.slug}),
        {
            "decided_on": "2031-02-01",
            "title": "Förlängd insats",
            "description": "Förlängd en månad.",
            "decided_by": person.pk,
        },
    )
    assert response.status_code == 302
    decision = Delegationsbeslut.objects.get()
    assert decision.recorded_by == samordnare and decision.forbund == forbund
    page = client.get(reverse("forbund:delegationsbeslut", kwargs={"forbund": forbund.slug})).content.decode()
    assert "Förlängd insats" in page and "Inte anmäld" in page


def test_delegationsbeslut_by_a_person_of_another_forbund_is_refused(
    forbund, other_forbund, samordnare, login
):
    response = login(samordnare).post(
        reverse("forbund:delegationsbeslut_create", kwargs={"forbund": forbund.slug}),
        {
            "decided_on": "2031-02-01",
            "title": "X",
            "description": "Y",
            "decided_by": PersonFactory(forbund=other_forbund).pk,
        },
    )
    assert response.status_code == 200 and not Delegationsbeslut.objects.exists()


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", READERS)
def test_board_kansli_and_revisor_read_the_meeting_page(meeting, forbund, login, kind):
    client = login(user_with_role(forbund, kind))
    assert client.get(url("forbund:mote", meeting)).status_code == 200
    assert (
        client.get(reverse("forbund:delegationsbeslut", kwargs={"forbund": forbund.slug})).status_code == 200
    )


def test_projektagare_is_refused_the_meeting_pages_with_reason(meeting, forbund, login, user_in):
    client = login(user_in(forbund, K.PROJEKTAGARE))
    response = client.get(url("forbund:mote", meeting))
    assert response.status_code == 403
    assert "till för styrelsen, kansliet och revisorn" in response.content.decode()
    assert (
        client.get(reverse("forbund:delegationsbeslut", kwargs={"forbund": forbund.slug})).status_code == 403
    )


@pytest.mark.parametrize("kind", [K.EKONOM, K.STYRELSELEDAMOT, K.ERSATTARE, K.REVISOR])
def test_only_samordnare_changes_the_agenda(meeting, forbund, login, kind):
    item = AgendaItemFactory(meeting=meeting)
    client = login(user_with_role(forbund, kind))
    assert client.get(url("forbund:agenda_item_create", meeting)).status_code == 403
    assert client.post(url("forbund:agenda_item_delete", meeting, item_pk=item.pk)).status_code == 403
    assert client.post(url("forbund:agenda_standard_items", meeting)).status_code == 403
    assert client.post(url("forbund:notice_send", meeting), {"notice_text": ""}).status_code == 403
    assert (
        client.get(reverse("forbund:delegationsbeslut_create", kwargs={"forbund": forbund.slug})).status_code
        == 403
    )
    assert AgendaItem.objects.count() == 1 and not NoticeVersion.objects.exists()
    page = client.get(url("forbund:mote", meeting)).content.decode()
    assert "Ny punkt" not in page and "Skicka kallelsen" not in page


def test_another_forbunds_meeting_and_item_are_404(meeting, forbund, other_forbund, samordnare, login):
    foreign = StyrelsemoteFactory(forbund=other_forbund, date=future())
    foreign_item = AgendaItemFactory(meeting=foreign)
    client = login(samordnare)
    own_slug = {"forbund": forbund.slug}
    assert client.get(reverse("forbund:mote", kwargs={**own_slug, "pk": foreign.pk})).status_code == 404
    assert client.get(url("forbund:mote", foreign)).status_code == 404
    edit = reverse(
        "forbund:agenda_item_edit", kwargs={**own_slug, "pk": meeting.pk, "item_pk": foreign_item.pk}
    )
    assert client.get(edit).status_code == 404
    delete = reverse(
        "forbund:agenda_item_delete", kwargs={**own_slug, "pk": meeting.pk, "item_pk": foreign_item.pk}
    )
    assert client.post(delete).status_code == 404
    assert AgendaItem.objects.filter(pk=foreign_item.pk).exists()


def test_meeting_plan_links_each_date_to_the_meeting_page_for_readers_only(meeting, forbund, login, user_in):
    plan = reverse("forbund:moten", kwargs={"forbund": forbund.slug}) + f"?ar={meeting.date.year}"
    link = url("forbund:mote", meeting)
    assert link in login(user_with_role(forbund, K.STYRELSELEDAMOT)).get(plan).content.decode()
    assert link not in login(user_in(forbund, K.PROJEKTAGARE)).get(plan).content.decode()


def test_meeting_page_queries_do_not_grow_with_the_agenda(meeting, forbund, samordnare, login):
    client = login(samordnare)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("forbund:mote", meeting)).status_code == 200
        return len(queries)

    for _ in range(2):
        item = AgendaItemFactory(meeting=meeting, insats=InsatsFactory(forbund=forbund))
        AgendaAttachment.objects.create(
            item=item, title="PM", file=SimpleUploadedFile("pm.pdf", b"%PDF"), uploaded_by=samordnare
        )
    few = count()
    for _ in range(6):
        item = AgendaItemFactory(meeting=meeting, insats=InsatsFactory(forbund=forbund))
        AgendaAttachment.objects.create(
            item=item, title="PM", file=SimpleUploadedFile("pm.pdf", b"%PDF"), uploaded_by=samordnare
        )
        DelegationsbeslutFactory(forbund=forbund, reported_in=item)
    assert count() == few
    assert few <= 25


def test_delegationsbeslut_register_queries_do_not_grow_with_rows(forbund, samordnare, login):
    from tests.factories import DelegationsbeslutFactory

    client = login(samordnare)
    register = reverse("forbund:delegationsbeslut", kwargs={"forbund": forbund.slug})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(register).status_code == 200
        return len(queries)

    DelegationsbeslutFactory.create_batch(2, forbund=forbund)
    few = count()
    DelegationsbeslutFactory.create_batch(8, forbund=forbund)
    assert count() == few
