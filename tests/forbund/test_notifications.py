"""Notifications: each workflow event reaches the people it concerns (and nobody else, never the one
who acted), in the app and by e-mail as each person chose per kind; e-mail goes through the worker,
survives a broker that is down, and waits for the daily summary when asked to."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ekonomi.models import Budget
from finsam import workflow
from forbund import notifications, notifications_events
from forbund.models import (
    Delivery,
    MeetingStatus,
    Notification,
    NotificationPreference,
    Role,
    Styrelseuppdrag,
)
from insatser.models import Insats
from tests.factories import (
    AgendaItemFactory,
    BudgetFactory,
    InsatsFactory,
    InvoiceFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    TertialrapportFactory,
    UserFactory,
    complete_application,
)
from uppfoljning.models import Tertialrapport

pytestmark = pytest.mark.django_db

K = notifications.Kind
BASE = "https://finsam.example.se"


@pytest.fixture(autouse=True)
def site_address(settings):
    settings.FINSAM_BASE_URL = BASE


R = Role.Kind


@pytest.fixture
def queued(monkeypatch):
    """The e-mail tasks `notify` hands to the broker, recorded instead of published."""
    sent = []

    def send(name, *, args=(), kwargs=None, **options):
        sent.append((name, kwargs))

    monkeypatch.setattr(notifications.broker, "send", send)
    return sent


@pytest.fixture
def people(forbund, user_in):
    """One of each role in `forbund`; the projektägare owns `owner`, `stranger` owns another member."""
    owner = MedlemFactory(forbund=forbund, name="Testby kommun")
    return {
        "owner": owner,
        "samordnare": user_in(forbund, R.SAMORDNARE),
        "ekonom": user_in(forbund, R.EKONOM),
        "ledamot": user_in(forbund, R.STYRELSELEDAMOT),
        "ersattare": user_in(forbund, R.ERSATTARE),
        "revisor": user_in(forbund, R.REVISOR),
        "projektagare": user_in(forbund, R.PROJEKTAGARE, medlem=owner),
        "stranger": user_in(forbund, R.PROJEKTAGARE),
    }


def told(kind: str | None = None) -> set:
    items = Notification.objects.all()
    if kind:
        items = items.filter(kind=kind)
    return set(items.values_list("recipient__username", flat=True))


def names(*users) -> set:
    return {user.username for user in users}


# notify itself --------------------------------------------------------------------------------------


def test_notify_creates_one_item_per_person_and_never_for_the_actor(forbund, people, queued):
    samordnare, projektagare = people["samordnare"], people["projektagare"]
    created = notifications.notify(
        kind=K.RETURNED,
        forbund=forbund,
        recipients=[projektagare, projektagare, samordnare],
        title="Rapport returnerad",
        url="/f/x/rapport/1/",
        actor=samordnare,
    )
    assert [item.recipient for item in created] == [projektagare]
    assert told() == names(projektagare)


def test_an_inactive_account_is_not_notified(forbund, people, queued):
    people["projektagare"].is_active = False
    people["projektagare"].save()
    notifications.notify(
        kind=K.APPROVED, forbund=forbund, recipients=[people["projektagare"]], title="x", url="/"
    )
    assert not Notification.objects.exists()


def test_immediate_email_is_queued_after_commit_and_sent_by_the_task(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = notifications.notify(
            kind=K.APPROVED,
            forbund=forbund,
            recipients=[people["projektagare"]],
            title="Rapport godkänd: Insats 1, T1 2021",
            url="/f/testbygd/rapport/7/",
        )
        assert queued == []  # nothing leaves before the commit
    assert queued == [(notifications.SEND_TASK, {"ids": [item.pk]})]
    assert notifications.send_immediate(ids=[item.pk]) == 1
    (message,) = mail.outbox
    assert message.to == [people["projektagare"].email]
    assert "Rapport godkänd: Insats 1, T1 2021" in message.subject
    assert f"{BASE}/f/testbygd/rapport/7/" in message.body
    assert f"{BASE}/konto/notiser/installningar/" in message.body
    item.refresh_from_db()
    assert item.email == Notification.Email.SENT and item.emailed_at is not None
    # Sent once: the sweep after it finds nothing left.
    assert notifications.send_immediate() == 0
    assert len(mail.outbox) == 1


def test_links_in_email_use_the_configured_site_address(forbund, people, queued, settings):
    settings.FINSAM_BASE_URL = "https://finsam.kommun.se/"
    notifications.notify(
        kind=K.APPROVED, forbund=forbund, recipients=[people["ekonom"]], title="x", url="/f/a/"
    )
    notifications.send_immediate()
    assert "https://finsam.kommun.se/f/a/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("delivery", "state", "mails_now"),
    [
        (Delivery.IMMEDIATELY, Notification.Email.PENDING, 1),
        (Delivery.DIGEST, Notification.Email.DIGEST, 0),
        (Delivery.OFF, Notification.Email.NONE, 0),
    ],
)
def test_the_preference_for_the_kind_decides_the_email(forbund, people, queued, delivery, state, mails_now):
    user = people["samordnare"]
    NotificationPreference.objects.create(user=user, kind=K.SUBMITTED, delivery=delivery)
    # The preference for another kind changes nothing here.
    NotificationPreference.objects.create(user=user, kind=K.RETURNED, delivery=Delivery.OFF)
    (item,) = notifications.notify(kind=K.SUBMITTED, forbund=forbund, recipients=[user], title="Ny", url="/")
    assert item.email == state
    assert notifications.send_immediate() == mails_now
    assert len(mail.outbox) == mails_now
    # Whatever the e-mail choice, the item is in the app.
    assert notifications.unread_count(user) == 1


def test_without_any_choice_email_is_sent_immediately(forbund, people, queued):
    assert notifications.deliveries(people["ekonom"])[K.INVOICE_ATTEST] == Delivery.IMMEDIATELY


def test_an_account_without_email_gets_the_item_but_no_email(forbund, people, queued):
    user = people["revisor"]
    user.email = ""
    user.save()
    (item,) = notifications.notify(kind=K.DECIDED, forbund=forbund, recipients=[user], title="x", url="/")
    assert item.email == Notification.Email.NONE
    assert notifications.send_immediate() == 0


def test_history_loaded_without_email_is_in_the_app_only(forbund, people, queued):
    with notifications.without_email():
        (item,) = notifications.notify(
            kind=K.APPROVED, forbund=forbund, recipients=[people["ekonom"]], title="x", url="/"
        )
    assert item.email == Notification.Email.NONE
    (after,) = notifications.notify(
        kind=K.APPROVED, forbund=forbund, recipients=[people["ekonom"]], title="y", url="/"
    )
    assert after.email == Notification.Email.PENDING


def test_broker_down_still_creates_the_item_and_the_sweep_sends_it_later(
    forbund, people, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        (item,) = notifications.notify(
            kind=K.RETURNED, forbund=forbund, recipients=[people["projektagare"]], title="Returnerad", url="/"
        )
    item.refresh_from_db()
    assert item.email == Notification.Email.PENDING
    assert "kunde inte köas" in caplog.text
    assert notifications.unread_count(people["projektagare"]) == 1
    assert mail.outbox == []
    assert notifications.send_immediate() == 1  # the beat sweep
    assert mail.outbox[0].to == [people["projektagare"].email]


def test_the_daily_digest_is_one_email_per_person_with_their_waiting_items(forbund, people, queued):
    anna, bo = people["samordnare"], people["ekonom"]
    for user in (anna, bo):
        for kind in K.values:
            NotificationPreference.objects.create(user=user, kind=kind, delivery=Delivery.DIGEST)
    notifications.notify(
        kind=K.SUBMITTED, forbund=forbund, recipients=[anna], title="Ny ansökan: Steget", url="/a/"
    )
    notifications.notify(
        kind=K.SUBMITTED, forbund=forbund, recipients=[anna, bo], title="Rapport inskickad: Steget", url="/b/"
    )
    already = notifications.notify(
        kind=K.DECIDED, forbund=forbund, recipients=[bo], title="Gammal", url="/c/"
    )[0]
    Notification.objects.filter(pk=already.pk).update(email=Notification.Email.SENT)

    assert notifications.send_immediate() == 0
    assert notifications.send_digests() == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {anna.email, bo.email}
    assert "2 nya notiser" in by_address[anna.email].subject
    assert "Ny ansökan: Steget" in by_address[anna.email].body
    assert f"{BASE}/b/" in by_address[anna.email].body
    assert "1 ny notis" in by_address[bo.email].subject
    assert "Gammal" not in by_address[bo.email].body
    # Nothing goes out twice.
    assert notifications.send_digests() == 0


def test_the_beat_schedule_sends_the_digest_at_seven_stockholm_time_and_sweeps_often(settings):
    digest = settings.CELERY_BEAT_SCHEDULE["send-notification-digests"]
    assert digest["task"] == "forbund.tasks.send_notification_digests"
    assert digest["schedule"].hour == {7} and digest["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Stockholm"
    sweep = settings.CELERY_BEAT_SCHEDULE["send-pending-notification-emails"]
    assert sweep["task"] == "forbund.tasks.send_pending_notification_emails"
    assert sweep["schedule"] <= 600


# Workflow events ------------------------------------------------------------------------------------


def step(record, to, by, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(record, to=to, by=by, **kwargs)


def test_a_submitted_application_reaches_the_samordnare_only(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    insats = complete_application(forbund=forbund, owner=people["owner"], status=Insats.Status.UTKAST)
    step(insats, Insats.Status.INSKICKAD, people["projektagare"], django_capture_on_commit_callbacks)
    assert told() == names(people["samordnare"])
    item = Notification.objects.get()
    assert item.kind == K.SUBMITTED and item.url == insats.get_absolute_url()
    assert insats.name in item.title


def test_a_returned_application_reaches_its_own_projektagare_with_the_comment(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    insats = complete_application(
        forbund=forbund, owner=people["owner"], status=Insats.Status.UNDER_BEREDNING
    )
    step(
        insats,
        Insats.Status.KOMPLETTERING_BEGARD,
        people["samordnare"],
        django_capture_on_commit_callbacks,
        comment="Lägg till målgruppens storlek.",
    )
    assert told() == names(people["projektagare"])  # not the stranger's organisation, not the actor
    assert "Lägg till målgruppens storlek." in Notification.objects.get().body


@pytest.mark.parametrize("target", [Insats.Status.BEVILJAD, Insats.Status.AVSLAGEN])
def test_a_decided_application_reaches_its_own_projektagare(
    forbund, people, queued, django_capture_on_commit_callbacks, target
):
    insats = complete_application(
        forbund=forbund, owner=people["owner"], status=Insats.Status.UNDER_BEREDNING
    )
    step(insats, target, people["samordnare"], django_capture_on_commit_callbacks, automatic=True)
    assert told(K.DECIDED) == names(people["projektagare"])
    assert (
        "beviljad" if target == Insats.Status.BEVILJAD else "avslagen"
    ) in Notification.objects.get().title


def report_of(people, status: str) -> Tertialrapport:
    """A report of a strukturinriktad insats (no participant counts needed) owned by `owner`."""
    owner = people["owner"]
    insats = InsatsFactory(forbund=owner.forbund, owner=owner, kind=Insats.Kind.STRUKTURINRIKTAD)
    return TertialrapportFactory(
        period__forbund=insats.forbund, insats=insats, status=status, cooperation="Veckovisa möten."
    )


def test_a_submitted_report_reaches_the_samordnare(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    report = report_of(people, Tertialrapport.Status.UTKAST)
    step(report, Tertialrapport.Status.INSKICKAD, people["projektagare"], django_capture_on_commit_callbacks)
    assert told(K.SUBMITTED) == names(people["samordnare"])
    assert Notification.objects.get().url == report.get_absolute_url()


def test_a_returned_report_reaches_only_the_owner_organisations_projektagare_with_the_comment(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    report = report_of(people, Tertialrapport.Status.INSKICKAD)
    step(
        report,
        Tertialrapport.Status.RETURNERAD,
        people["samordnare"],
        django_capture_on_commit_callbacks,
        comment="Beskriv avvikelserna mot planen.",
    )
    assert told() == names(people["projektagare"])
    item = Notification.objects.get()
    assert item.kind == K.RETURNED
    assert "Beskriv avvikelserna mot planen." in item.body
    assert item.actor == people["samordnare"]


def test_an_approved_report_reaches_the_projektagare(
    forbund, people, queued, django_capture_on_commit_callbacks
):
    report = report_of(people, Tertialrapport.Status.INSKICKAD)
    step(report, Tertialrapport.Status.GODKAND, people["samordnare"], django_capture_on_commit_callbacks)
    assert told(K.APPROVED) == names(people["projektagare"])


def test_a_step_rolled_back_tells_nobody(forbund, people, queued, django_capture_on_commit_callbacks):
    report = report_of(people, Tertialrapport.Status.INSKICKAD)
    with pytest.raises(ValidationError):  # returning without a comment is refused
        step(
            report, Tertialrapport.Status.RETURNERAD, people["samordnare"], django_capture_on_commit_callbacks
        )
    assert not Notification.objects.exists()


def test_a_decided_budget_reaches_the_ekonom(forbund, people, queued, django_capture_on_commit_callbacks):
    budget = BudgetFactory(forbund=forbund, status=Budget.Status.FORSLAG)
    step(
        budget,
        Budget.Status.BESLUTAD,
        people["samordnare"],
        django_capture_on_commit_callbacks,
        automatic=True,
    )
    assert told() == names(people["ekonom"])
    assert Notification.objects.get().kind == K.DECIDED


def board_seat(forbund, user, role, start, end=None):
    person = PersonFactory(forbund=forbund, user=user)
    return StyrelseuppdragFactory(forbund=forbund, person=person, role=role, start=start, end=end)


def test_a_meeting_notice_reaches_the_board_serving_on_the_meeting_date_in_the_app(
    forbund, people, queued, django_capture_on_commit_callbacks, user_in
):
    meeting = StyrelsemoteFactory(forbund=forbund, date=datetime.date(2022, 3, 10))
    board_seat(forbund, people["ledamot"], Styrelseuppdrag.Role.LEDAMOT, datetime.date(2021, 1, 1))
    board_seat(forbund, people["ersattare"], Styrelseuppdrag.Role.ERSATTARE, datetime.date(2021, 1, 1))
    former = user_in(forbund, R.STYRELSELEDAMOT)
    board_seat(
        forbund, former, Styrelseuppdrag.Role.LEDAMOT, datetime.date(2019, 1, 1), datetime.date(2021, 12, 31)
    )
    step(
        meeting,
        MeetingStatus.KALLAT,
        people["samordnare"],
        django_capture_on_commit_callbacks,
        automatic=True,
    )
    assert told(K.MEETING_NOTICE) == names(people["ledamot"], people["ersattare"])
    # The notice service e-mails the notice with its calendar file: the notification is not e-mailed again.
    assert set(Notification.objects.values_list("email", flat=True)) == {Notification.Email.NONE}
    assert queued == []

    step(
        meeting,
        MeetingStatus.KALLAT,
        people["samordnare"],
        django_capture_on_commit_callbacks,
        automatic=True,
    )
    assert told(K.MEETING_CHANGED) == names(people["ledamot"], people["ersattare"])


def test_sending_the_notice_through_its_service_notifies_the_board(
    forbund, people, queued, django_capture_on_commit_callbacks, celery_app
):
    from forbund.meetings.services.notice import notice_send

    meeting = StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=30))
    AgendaItemFactory(meeting=meeting)
    board_seat(forbund, people["ledamot"], Styrelseuppdrag.Role.LEDAMOT, datetime.date(2021, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        notice_send(meeting=meeting, by=people["samordnare"])
    assert told(K.MEETING_NOTICE) == names(people["ledamot"])
    assert Notification.objects.get().url == meeting.get_absolute_url()


def test_justering_asked_reaches_the_justerare_and_the_presiding_person(
    forbund, people, queued, django_capture_on_commit_callbacks, user_in
):
    meeting = StyrelsemoteFactory(forbund=forbund, status=MeetingStatus.GENOMFORT)
    AgendaItemFactory(meeting=meeting)
    ordforande = PersonFactory(forbund=forbund, user=user_in(forbund, R.STYRELSELEDAMOT))
    justerare = PersonFactory(forbund=forbund, user=people["ledamot"])
    without_account = PersonFactory(forbund=forbund)
    meeting.ordforande = ordforande
    meeting.save()
    meeting.justerare.set([justerare, without_account])
    step(meeting, MeetingStatus.JUSTERING, people["samordnare"], django_capture_on_commit_callbacks)
    assert told(K.JUSTERING) == names(ordforande.user, people["ledamot"])
    assert told() == told(K.JUSTERING)  # not the ersättare, not the rest of the förbund
    assert Notification.objects.first().url.endswith(f"/moten/{meeting.pk}/protokoll/")


def test_a_registered_invoice_reaches_the_ekonom_to_attest_not_the_registrar(forbund, people, queued):
    insats = InsatsFactory(forbund=forbund, owner=people["owner"])
    invoice = InvoiceFactory(forbund=forbund, insats=insats, registered_by=people["samordnare"])
    notifications_events.invoice_registered(invoice, by=people["samordnare"])
    assert told(K.INVOICE_ATTEST) == names(people["ekonom"])
    assert "att attestera" in Notification.objects.get().title


def test_an_invoice_the_only_ekonom_registered_goes_to_the_samordnare(forbund, people, queued):
    insats = InsatsFactory(forbund=forbund, owner=people["owner"])
    invoice = InvoiceFactory(forbund=forbund, insats=insats, registered_by=people["ekonom"])
    notifications_events.invoice_registered(invoice, by=people["ekonom"])
    assert told() == names(people["samordnare"])


def test_an_invoice_goes_to_whom_the_attest_rules_name(forbund, people, queued):
    from ekonomi.selectors.budget import economy_settings

    rules = economy_settings(forbund)
    rules.ekonom_attests = False
    rules.save()
    insats = InsatsFactory(forbund=forbund, owner=people["owner"])
    invoice = InvoiceFactory(forbund=forbund, insats=insats, registered_by=people["revisor"])
    notifications_events.invoice_registered(invoice, by=people["revisor"])
    assert told() == names(people["samordnare"])


def test_a_confirmation_asked_shows_in_the_representatives_app_without_a_second_email(
    forbund, people, queued, celery_app
):
    from insatser.confirmations import confirmation_request

    insats = complete_application(forbund=forbund, owner=people["owner"], status=Insats.Status.UTKAST)
    representative = UserFactory()
    confirmation = confirmation_request(
        insats=insats, by=people["samordnare"], medlem=people["owner"], representative=representative
    )
    item = Notification.objects.get()
    assert item.recipient == representative and item.kind == K.CONFIRMATION
    assert item.email == Notification.Email.NONE  # the request itself is the e-mail
    assert item.url == f"/f/{forbund.slug}/insatser/bekraftelser/{confirmation.pk}/"


def test_another_forbunds_people_are_never_told(
    forbund, other_forbund, people, queued, user_in, django_capture_on_commit_callbacks
):
    elsewhere = user_in(other_forbund, R.SAMORDNARE)
    report = report_of(people, Tertialrapport.Status.UTKAST)
    step(report, Tertialrapport.Status.INSKICKAD, people["projektagare"], django_capture_on_commit_callbacks)
    assert elsewhere.username not in told()


# The real worker ------------------------------------------------------------------------------------


def wait_for_mail(count: int = 1, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_returned_report_is_emailed_by_a_real_worker_on_redis(forbund, user_in, celery_worker):
    owner = MedlemFactory(forbund=forbund)
    samordnare = user_in(forbund, R.SAMORDNARE)
    projektagare = user_in(forbund, R.PROJEKTAGARE, medlem=owner)
    insats = InsatsFactory(forbund=forbund, owner=owner, kind=Insats.Kind.STRUKTURINRIKTAD)
    report = TertialrapportFactory(period__forbund=forbund, insats=insats, status="inskickad")
    workflow.transition(
        report, to=Tertialrapport.Status.RETURNERAD, by=samordnare, comment="Lägg till kostnaden."
    )
    wait_for_mail()
    (message,) = mail.outbox
    assert message.to == [projektagare.email]
    assert "Lägg till kostnaden." in message.body
    assert re.search(re.escape(f"{BASE}/f/{forbund.slug}/rapport/{report.pk}/"), message.body)
    assert Notification.objects.get().email == Notification.Email.SENT
