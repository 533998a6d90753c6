"""A report returned with a comment reaches its projektägare: the samordnare returns it, the
projektägare sees the bell's count and the notification with the comment, the e-mail sent by a real
worker links to the report, and the projektägare opens it and resubmits. Every page checked with axe."""

import datetime
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, Notification, User
from uppfoljning.models import ReportPeriod, Tertialrapport
from uppfoljning.services.reports import report_period_save

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

COMMENT = "Beskriv avvikelserna mot planen."


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()


def wait_for_mail(to: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if message.to == [to]]
        if sent:
            return sent[-1]
        time.sleep(0.1)
    raise AssertionError(f"Inget e-postmeddelande kom fram till {to}")


def bell(page):
    return page.get_by_role("navigation", name="Konto").get_by_role("link", name=re.compile("Notiser"))


def test_a_returned_report_reaches_the_projektagare_in_the_app_and_by_email(
    live_server, page, axe, celery_worker, settings
):
    load_demo()
    settings.FINSAM_BASE_URL = live_server.url  # the links in the e-mail lead to this server
    trelleborg = Forbund.objects.get(slug="trelleborg")
    period = ReportPeriod(year=2022, kind="T1", due_date=datetime.date(2022, 5, 15))
    report_period_save(forbund=trelleborg, by=User.objects.get(username="samordnare"), period=period)
    report = Tertialrapport.objects.get(period=period, insats__name="Yrkeskedjor")
    report_path = f"/f/trelleborg/rapport/{report.pk}/"
    projektagare = User.objects.get(username="projektagare")
    # What the demo's own history notified is read already: the bells start at zero.
    Notification.objects.update(read_at=timezone.now())

    # The projektägare submits the report.
    log_in(page, live_server, "projektagare")
    page.goto(f"{live_server.url}{report_path}")
    page.get_by_role("link", name="Fyll i rapporten").click()
    page.get_by_label("Hur samverkan fungerar och har utvecklats").fill("Veckovisa planeringsmöten.")
    page.get_by_label("Nya deltagare").fill("10")
    page.get_by_label("Fortsätter från tidigare period").fill("5")
    page.get_by_label("Avslutade").fill("2")
    page.get_by_label("Kvinnor").fill("8")
    page.get_by_label("Män").fill("7")
    page.get_by_label("25–29 år").fill("15")
    page.get_by_label("Försörjningsstöd").fill("15")
    page.get_by_label("Arbete", exact=True).fill("2")
    page.get_by_role("button", name="Spara och skicka in").click()
    expect(page.get_by_text("Rapporten är inskickad.")).to_be_visible()
    log_out(page)

    # The samordnare's bell counts the submitted report; she returns it with a comment.
    log_in(page, live_server, "samordnare")
    expect(bell(page)).to_have_accessible_name("Notiser 1 oläst")
    page.goto(f"{live_server.url}{report_path}")
    page.get_by_label("Vad ska kompletteras?").fill(COMMENT)
    page.get_by_role("button", name="Returnera för komplettering").click()
    expect(page.get_by_text("Rapporten är nu returnerad för komplettering.")).to_be_visible()
    log_out(page)

    # The e-mail reaches the projektägare through the worker, with an absolute link to the report.
    message = wait_for_mail(projektagare.email)
    assert f"Rapport returnerad för komplettering: {report}" in message.subject
    assert COMMENT in message.body
    link = re.search(rf"{re.escape(live_server.url)}/f/trelleborg/rapport/\d+/", message.body).group(0)
    assert link == f"{live_server.url}{report_path}"

    # In the app: the bell shows one unread, the list shows the notification with the comment.
    log_in(page, live_server, "projektagare")
    expect(bell(page)).to_have_accessible_name("Notiser 1 oläst")
    axe.assert_no_serious_violations(page)
    bell(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notiser")
    notices = page.get_by_role("list", name="Dina notiser")
    expect(notices).to_contain_text(f"Rapport returnerad för komplettering: {report}")
    expect(notices).to_contain_text(COMMENT)
    axe.assert_no_serious_violations(page)
    notices.get_by_role("link", name=f"Rapport returnerad för komplettering: {report}").click()
    expect(page).to_have_url(f"{live_server.url}{report_path}")
    expect(bell(page)).to_have_accessible_name("Notiser 0 olästa")  # opened, so read
    expect(bell(page).locator("[data-unread-count]")).to_be_hidden()
    axe.assert_no_serious_violations(page)

    # The link in the e-mail leads to the same report; the projektägare completes and resubmits it.
    page.goto(link)
    page.get_by_role("link", name="Fyll i rapporten").click()
    expect(page.get_by_text(COMMENT).first).to_be_visible()
    page.get_by_label("Avvikelser och risker").fill("Två praktikplatser föll bort i mars.")
    page.get_by_role("button", name="Spara och skicka in").click()
    expect(page.get_by_text("Rapporten är inskickad.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    report.refresh_from_db()
    assert report.status == Tertialrapport.Status.INSKICKAD
