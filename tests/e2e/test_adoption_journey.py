"""The samordnare makes the verksamhetsplan PDF (a draft), puts it on a meeting's agenda, records
the board's decision that fastställer it and locks the minutes; once they are justerade the public
archive, without login, offers the fastställd edition. Every page checked with axe."""

import datetime
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.meetings.services import minutes
from forbund.models import Faststallelse, Styrelsemote, User

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def test_samordnare_adopts_a_verksamhetsplan_that_the_archive_then_publishes(
    live_server, page, axe, tmp_path, settings, celery_worker
):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    day = timezone.localdate() + datetime.timedelta(days=30)
    log_in(page, live_server, "samordnare")

    # The draft.
    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Dokument").click()
    page.get_by_role("link", name="Verksamhetsplan och budget 2021").click()
    page.get_by_role("button", name="Skapa PDF").click()
    expect(page.get_by_text("Status: Klar")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Styrelsens beslut: Utkast")).to_be_visible()
    axe.assert_no_serious_violations(page)
    job_pk = re.search(r"/dokument/jobb/(\d+)/", page.url).group(1)

    # The meeting and its agenda item linked to the draft.
    page.goto(f"{live_server.url}/f/trelleborg/moten/?ar={day.year}")
    page.get_by_role("link", name="Planera möte").click()
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Plats").fill("Svedala")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name=day.isoformat(), exact=True).click()
    meeting_url = page.url
    page.get_by_role("link", name="Ny punkt").click()
    page.get_by_label("Typ").select_option(label="Beslutsärende")
    page.get_by_role("textbox", name=re.compile(r"^Rubrik")).fill("Verksamhetsplan och budget 2021")
    page.get_by_label("Förslag till beslut").fill("Styrelsen fastställer verksamhetsplan och budget 2021.")
    page.get_by_label("Underlag i finsam").select_option(value=f"dokument:{job_pk}")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Punkten Verksamhetsplan och budget 2021 är sparad.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Skicka kallelsen").click()
    page.get_by_role("button", name="Skicka kallelsen").click()
    expect(page.get_by_text("Kallat", exact=True)).to_be_visible()

    # The meeting: attendance, the decision that fastställer the plan, the minutes locked.
    page.goto(meeting_url)
    page.get_by_role("link", name="Närvaro och jäv").click()
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Närvaron är sparad.")).to_be_visible()
    page.get_by_role("link", name="Till beslut och protokoll").click()
    item = page.get_by_role("region", name=re.compile(r"^Verksamhetsplan och budget 2021 "))
    item.get_by_label("Fastställelse av verksamhetsplan").select_option(
        label="Styrelsen fastställer dokumentet"
    )
    axe.assert_no_serious_violations(page)
    page.get_by_role("region", name="Justerare", exact=True).get_by_label("Mikael Nyström").check()
    page.get_by_role("button", name="Spara protokollet").click()
    expect(page.get_by_text("Protokollet är sparat.")).to_be_visible()
    page.get_by_role("button", name="Mötet är genomfört").click()
    expect(page.get_by_text("Mötet är nu genomfört.")).to_be_visible()
    page.get_by_role("button", name="Lås protokollet för justering").click()
    expect(page.get_by_text("Mötet är nu protokoll för justering.")).to_be_visible()
    page.goto(f"{live_server.url}/f/trelleborg/dokument/jobb/{job_pk}/")
    expect(page.get_by_text("Beslutad, publiceras när protokollet justerats")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Logga ut").click()

    # Not public yet.
    page.goto(f"{live_server.url}/arkiv/trelleborg/")
    expect(page.get_by_text("Fastställd av styrelsen")).to_have_count(0)

    # The ordförande and the justerare justerar (through the service: their own journey is tested
    # in test_meeting_journey); the worker then makes the fastställd edition.
    meeting = Styrelsemote.objects.get(forbund__slug="trelleborg", date=day)
    for username in ["ledamot", "ersattare"]:
        minutes.minutes_approve(meeting=meeting, by=User.objects.get(username=username))
    deadline = time.monotonic() + 60
    while not Faststallelse.objects.filter(published_at__isnull=False).exists():
        assert time.monotonic() < deadline, "den fastställda utgåvan blev inte klar"
        time.sleep(0.2)
    paragraph = Faststallelse.objects.get().item.paragraph

    page.goto(f"{live_server.url}/arkiv/trelleborg/")
    line = f"Fastställd av styrelsen {day:%Y-%m-%d} § {paragraph}"
    year = page.get_by_role("region", name="2021", exact=True)
    expect(year).to_contain_text(line)
    axe.assert_no_serious_violations(page)
    with page.expect_download() as download_info:
        year.get_by_role("link", name="Verksamhetsplan och budget 2021 (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("verksamhetsplan-2021-trelleborg-faststalld-")
    assert open(download.path(), "rb").read(5) == b"%PDF-"
