"""Reminders about tertial reports: to the insats owner's projektägare only, once per kind, logged."""

import datetime
import time

import pytest
from django.core import mail
from django.urls import reverse

from forbund.models import Role
from uppfoljning.models import ReminderLog
from uppfoljning.selectors.reports import reminders_sent
from uppfoljning.services import reminders

from ..factories import (
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    ReportPeriodFactory,
    RoleFactory,
    TertialrapportFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

DUE = datetime.date(2021, 5, 15)
BEFORE = ReminderLog.Kind.BEFORE_DUE
LATE = ReminderLog.Kind.LATE


@pytest.fixture(autouse=True)
def mail_sent_at_once(request, monkeypatch):
    """No worker runs in these tests: the queued e-mail task runs in the test's own thread instead
    (the real worker is tested at the end, and queues the mail for real)."""
    if request.node.get_closest_marker("celery_worker"):
        return
    import finsam.tasks  # noqa: F401 - registers the tasks by name
    from finsam.celery import app

    def run_here(task_name, *, args=(), kwargs=None, **options):
        return app.tasks[task_name](*args, **(kwargs or {}))

    monkeypatch.setattr(reminders.broker, "send", run_here)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(today) runs the service as beat would, and sends what it queued once it has committed."""

    def _run(today: datetime.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.send_report_reminders(today=today)

    return _run


def owner_of(report, username: str = "agare", **user_kwargs):
    user = UserFactory(username=username, **user_kwargs)
    RoleFactory(
        user=user, forbund=report.period.forbund, kind=Role.Kind.PROJEKTAGARE, medlem=report.insats.owner
    )
    return user


@pytest.fixture
def report():
    return TertialrapportFactory(
        period=ReportPeriodFactory(year=2021, kind="T1", due_date=DUE, reminder_days=7),
        insats=InsatsFactory(name="Steget vidare"),
    )


def test_reminder_is_sent_reminder_days_before_due_date_to_the_owners_projektagare_only(report, run):
    forbund = report.period.forbund
    owner = owner_of(report, email="agare@kommun.se")
    user_with_role(forbund, Role.Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund))  # other member
    user_with_role(forbund, Role.Kind.SAMORDNARE)
    elsewhere = ForbundFactory()
    user_with_role(elsewhere, Role.Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=elsewhere))

    assert run(DUE - datetime.timedelta(days=8)) == 0
    assert mail.outbox == []

    assert run(DUE - datetime.timedelta(days=7)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "Påminnelse: Tertial 1 2021 för Steget vidare ska lämnas senast 2021-05-15"
    link = "http://127.0.0.1:8000" + reverse(
        "uppfoljning:report", kwargs={"forbund": forbund.slug, "pk": report.pk}
    )
    assert link in message.body
    assert "Steget vidare" in message.body
    assert "senast 2021-05-15, det vill säga om 7 dagar" in message.body
    assert "2021-01-01–2021-04-30" in message.body
    assert f"projektägare för {report.insats.owner} i {forbund}" in message.body


def test_link_uses_the_configured_base_url(report, run, settings):
    settings.FINSAM_BASE_URL = "https://finsam.example.se"
    owner_of(report, email="agare@kommun.se")
    run(DUE)
    assert "https://finsam.example.se/" in mail.outbox[0].body
    assert "det vill säga i dag" in mail.outbox[0].body


def test_reminder_is_not_sent_twice(report, run):
    owner_of(report, email="agare@kommun.se")
    assert run(DUE - datetime.timedelta(days=5)) == 1
    assert run(DUE - datetime.timedelta(days=5)) == 0
    assert run(DUE - datetime.timedelta(days=1)) == 0
    assert run(DUE) == 0
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.filter(report=report).count() == 1


def test_late_notice_is_sent_once_after_the_due_date(report, run):
    owner_of(report, email="agare@kommun.se")
    run(DUE - datetime.timedelta(days=2))
    assert run(DUE + datetime.timedelta(days=1)) == 1
    assert run(DUE + datetime.timedelta(days=2)) == 0
    assert run(DUE + datetime.timedelta(days=30)) == 0

    assert len(mail.outbox) == 2
    late = mail.outbox[1]
    assert late.subject == "Rapporten är sen: Tertial 1 2021 för Steget vidare"
    assert "skulle ha lämnats till" in late.body
    assert "senast 2021-05-15 och är inte inskickad" in late.body
    assert sorted(report.reminders.values_list("kind", flat=True)) == sorted([BEFORE, LATE])


def test_late_notice_without_earlier_reminder_when_the_window_was_missed(report, run):
    owner_of(report, email="agare@kommun.se")
    assert run(DUE + datetime.timedelta(days=3)) == 1
    assert list(report.reminders.values_list("kind", flat=True)) == [LATE]


@pytest.mark.parametrize(("days_late", "sent"), [(59, 1), (60, 1), (61, 0), (90, 0)])
def test_the_late_notice_goes_out_up_to_60_days_after_the_due_date_and_not_later(
    report, run, days_late, sent
):
    # The window's upper bound: on day 60 a report still open is chased by e-mail, from day 61 by
    # the samordnare (a first late notice months after the due date helps nobody).
    owner_of(report, email="agare@kommun.se")

    assert run(DUE + datetime.timedelta(days=days_late)) == sent
    assert report.reminders.filter(kind=LATE).count() == sent


@pytest.mark.parametrize("create", ["create_submitted", "create_approved"])
def test_no_reminders_for_submitted_or_approved_reports(run, create):
    period = ReportPeriodFactory(due_date=DUE)
    report = getattr(TertialrapportFactory, create)(period=period)
    owner_of(report, email="agare@kommun.se")

    assert run(DUE - datetime.timedelta(days=1)) == 0
    assert run(DUE + datetime.timedelta(days=1)) == 0
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_returned_report_is_reminded_and_told_it_was_returned(run):
    report = TertialrapportFactory.create_returned(period=ReportPeriodFactory(due_date=DUE))
    owner_of(report, email="agare@kommun.se")
    assert run(DUE + datetime.timedelta(days=1)) == 1
    assert "returnerats för komplettering" in mail.outbox[0].body


def test_reminder_days_of_each_period_is_honoured(run):
    early = TertialrapportFactory(period=ReportPeriodFactory(due_date=DUE, reminder_days=14))
    late = TertialrapportFactory(period=ReportPeriodFactory(due_date=DUE, reminder_days=3))
    owner_of(early, "tidig", email="tidig@kommun.se")
    owner_of(late, "sen", email="sen@kommun.se")

    assert run(DUE - datetime.timedelta(days=15)) == 0
    assert run(DUE - datetime.timedelta(days=14)) == 1
    assert mail.outbox[-1].to == ["tidig@kommun.se"]
    assert run(DUE - datetime.timedelta(days=4)) == 0
    assert run(DUE - datetime.timedelta(days=3)) == 1
    assert mail.outbox[-1].to == ["sen@kommun.se"]


def test_all_owners_with_an_address_get_one_mail_and_the_log_records_them(report, run):
    owner_of(report, "bertil", email="bertil@kommun.se")
    owner_of(report, "anna", email="anna@kommun.se")
    owner_of(report, "utan", email="")
    owner_of(report, "slutat", email="slutat@kommun.se", is_active=False)

    run(DUE)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@kommun.se", "bertil@kommun.se"]
    log = ReminderLog.objects.get()
    assert (log.report, log.kind, log.sent_to) == (report, BEFORE, "anna@kommun.se, bertil@kommun.se")


def test_nothing_is_sent_or_logged_when_no_owner_has_an_address(report, run):
    owner_of(report, email="")
    assert run(DUE) == 0
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()

    owner_of(report, "ny", email="ny@kommun.se")  # once someone has an address, the reminder goes out
    assert run(DUE) == 1
    assert mail.outbox[0].to == ["ny@kommun.se"]


def test_mail_is_queued_only_when_the_log_row_is_committed(report, django_capture_on_commit_callbacks):
    owner_of(report, email="agare@kommun.se")
    with django_capture_on_commit_callbacks() as queued:
        assert reminders.send_report_reminders(today=DUE) == 1
        assert mail.outbox == []
    assert len(queued) == 1
    assert ReminderLog.objects.filter(report=report, kind=BEFORE).exists()


def test_reminders_sent_lists_the_forbunds_log_with_report_insats_and_period(
    report, run, django_assert_num_queries
):
    owner_of(report, email="agare@kommun.se")
    other = TertialrapportFactory(period=ReportPeriodFactory(due_date=DUE))
    owner_of(other, "annan", email="annan@kommun.se")
    run(DUE)
    run(DUE + datetime.timedelta(days=1))

    with django_assert_num_queries(1):
        rows = [
            (log.kind, log.report.insats.name, str(log.report.period), log.sent_to)
            for log in reminders_sent(report.period.forbund)
        ]
    assert sorted(rows) == sorted(
        [
            (BEFORE, "Steget vidare", "Tertial 1 2021", "agare@kommun.se"),
            (LATE, "Steget vidare", "Tertial 1 2021", "agare@kommun.se"),
        ]
    )


# A real worker on Redis -------------------------------------------------------------------------


def wait_for_mail(count: int = 1, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_task_sends_reminder_through_real_worker_once(celery_worker):
    from django.utils import timezone

    from uppfoljning.tasks import send_report_reminders

    due = timezone.localdate() + datetime.timedelta(days=3)
    report = TertialrapportFactory(
        period=ReportPeriodFactory(year=due.year - 1, kind="AR", due_date=due, reminder_days=5),
        insats=InsatsFactory(name="Arbetsnära stöd"),
    )
    owner_of(report, email="agare@kommun.se")

    send_report_reminders.delay()
    send_report_reminders.delay()  # beat firing twice: still one mail

    wait_for_mail()
    time.sleep(1.0)  # time for a second mail, if there were one
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agare@kommun.se"]
    assert (
        message.subject
        == f"Påminnelse: Årsrapport {due.year - 1} för Arbetsnära stöd ska lämnas senast {due}"
    )
    assert ReminderLog.objects.get().sent_to == "agare@kommun.se"


def test_no_late_notice_is_sent_long_after_the_due_date():
    import datetime

    from tests.factories import TertialrapportFactory
    from uppfoljning.services.reminders import LATE_NOTICE_DAYS, send_report_reminders

    report = TertialrapportFactory()
    long_after = report.period.due_date + datetime.timedelta(days=LATE_NOTICE_DAYS + 1)
    assert send_report_reminders(today=long_after) == 0
    assert not report.reminders.exists()
