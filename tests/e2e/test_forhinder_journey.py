"""A ledamot cannot come to the next board meeting: she finds the meeting in her inbox and reports
förhinder; her ersättare finds the request in his inbox, reads the papers' link and accepts; the
attendance list then shows him serving for her, and the samordnare sees it on the meeting page.
Every page checked with axe."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, Notification, Styrelsemote

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def test_forhinder_the_ersattare_is_asked_accepts_and_serves(live_server, page, axe):
    load_demo()
    day = timezone.localdate() + datetime.timedelta(days=30)
    meeting = Styrelsemote.objects.create(
        forbund=Forbund.objects.get(slug="trelleborg"),
        date=day,
        start_time=datetime.time(13, 0),
        place="Svedala",
        status=Styrelsemote.Status.KALLAT,
    )

    # The ledamot sees the next meeting in her inbox and reports förhinder.
    log_in(page, live_server, "ledamot")
    todo = page.get_by_role("region", name="Att göra")
    expect(todo).to_contain_text(f"Nästa styrelsemöte {day.isoformat()}")
    axe.assert_no_serious_violations(page)
    todo.get_by_role("link", name=re.compile(r"^Anmäl förhinder")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Anmäl förhinder till styrelsemötet {day.isoformat()}"
    )
    expect(page.get_by_text("Mikael Nyström (Trelleborgs kommun)")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Meddelande (valfritt)").fill("Kommunstyrelsen sammanträder samtidigt.")
    page.get_by_role("button", name="Anmäl förhinder").click()
    expect(page.get_by_text("Förhindret för Eva Holmberg är anmält.")).to_be_visible()
    panel = page.get_by_role("region", name="Förhinder och ersättare")
    expect(panel).to_contain_text("Mikael Nyström är tillfrågad och har inte svarat")
    axe.assert_no_serious_violations(page)
    log_out(page)

    # The ersättare is asked: in the app and among his notifications.
    assert Notification.objects.filter(recipient__username="ersattare", kind="substitute").exists()
    log_in(page, live_server, "ersattare")
    todo = page.get_by_role("region", name="Att göra")
    expect(todo).to_contain_text(f"Kan du tjänstgöra för Eva Holmberg den {day.isoformat()}?")
    expect(todo).to_contain_text("Kommunstyrelsen sammanträder samtidigt.")
    axe.assert_no_serious_violations(page)
    todo.get_by_role("link", name=re.compile(r"^Svara")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kan du tjänstgöra för Eva Holmberg?")
    expect(page.get_by_role("link", name="Läs mötets handlingar")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Ja, jag tjänstgör").click()
    expect(page.get_by_text("Tack! Du tjänstgör för Eva Holmberg")).to_be_visible()
    expect(page.get_by_role("region", name="Förhinder och ersättare")).to_contain_text(
        "Mikael Nyström tjänstgör"
    )
    axe.assert_no_serious_violations(page)

    # His inbox page now points him at the meeting's papers.
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Att göra").click()
    serving = page.get_by_role(
        "link", name=f"Du tjänstgör för Eva Holmberg den {day.isoformat()}", exact=True
    )
    expect(serving).to_have_attribute("href", f"/f/trelleborg/moten/{meeting.pk}/handlingar/")
    axe.assert_no_serious_violations(page)

    # The attendance list shows him serving for her.
    page.goto(f"{live_server.url}/f/trelleborg/moten/{meeting.pk}/narvaro/")
    row = page.get_by_role("row").filter(has_text="Mikael Nyström")
    expect(row).to_contain_text("Tjänstgörande ersättare för Eva Holmberg")
    expect(page.get_by_role("row").filter(has_text="Eva Holmberg").first).to_contain_text("Nej")
    axe.assert_no_serious_violations(page)
    log_out(page)

    # The samordnare sees the state on the meeting page and the prefilled attendance form.
    log_in(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/f/trelleborg/moten/{meeting.pk}/")
    expect(page.get_by_role("region", name="Förhinder och ersättare")).to_contain_text(
        "Mikael Nyström tjänstgör"
    )
    axe.assert_no_serious_violations(page)
    page.goto(f"{live_server.url}/f/trelleborg/moten/{meeting.pk}/narvaro/")
    expect(page.get_by_label("Mikael Nyström tjänstgör för")).to_have_value(
        str(meeting.attendance.get(person__name="Mikael Nyström").replaces_id)
    )
    expect(page.get_by_label("Eva Holmberg är närvarande")).not_to_be_checked()
    axe.assert_no_serious_violations(page)
