"""The samordnare makes the verksamhetsplan PDF and watches the job finish without reloading."""

import re

import pytest
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_samordnare_creates_and_downloads_verksamhetsplan(
    live_server, page, axe, celery_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    load_demo()
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("samordnare")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.get_by_role("navigation", name="Förbundets sidor").get_by_role("link", name="Dokument").click()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Verksamhetsplan och budget 2021").click()
    expect(page.get_by_label("1. Inledning")).to_contain_text("Under 2020 startade förbundet")
    axe.assert_no_serious_violations(page)

    page.get_by_role("button", name="Skapa PDF").click()
    expect(page).to_have_url(re.compile(r"/dokument/jobb/\d+/$"))
    axe.assert_no_serious_violations(page)
    expect(page.get_by_text("Status: Klar")).to_be_visible(timeout=90_000)
    axe.assert_no_serious_violations(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("verksamhetsplan-2021-trelleborg-")
    assert open(download.path(), "rb").read(5) == b"%PDF-"
