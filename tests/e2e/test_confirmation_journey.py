"""A party's representative confirms an application: the projektägare names her by e-mail, the
invitation arrives through a real worker, she chooses a password, logs in, reads the version's checksum
and confirms; the insats page then shows the party as confirmed. Every page checked with axe."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, Medlem, User
from insatser import services
from insatser.models import Goal, Insats
from insatser.selectors import application_version

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

REPRESENTATIVE_EMAIL = "daniel.ros@arbetsformedlingen.example.se"
NEW_PASSWORD = "Ett-eget-langt-losen-2021"


def draft_application() -> Insats:
    """Trelleborgs kommun's draft with Arbetsförmedlingen, written by the demo's projektägare."""
    forbund = Forbund.objects.get(slug="trelleborg")
    projektagare = User.objects.get(username="projektagare")
    owner = Medlem.objects.get(forbund=forbund, name="Trelleborgs kommun")
    partner = Medlem.objects.get(forbund=forbund, name="Arbetsförmedlingen")
    insats = services.insats_create(
        forbund=forbund,
        by=projektagare,
        insats=Insats(
            name="Vägen in",
            kind=Insats.Kind.INDIVIDINRIKTAD,
            malgrupp=Insats.Malgrupp.FORSORJNINGSSTOD,
            problem="Många med försörjningsstöd saknar en väg till arbete.",
            owner=owner,
            start=datetime.date(2022, 1, 1),
            end=datetime.date(2022, 12, 31),
        ),
        partners=[partner],
        goals={Goal.Kind.RESULTATMAL: ["30 deltagare har en plan"]},
    )
    services.budget_replace(
        insats=insats,
        by=projektagare,
        lines=[
            services.BudgetLineData(
                description="Arbetscoach", section="Övergripande", amounts={2022: Decimal(500_000)}
            )
        ],
    )
    return insats


def log_in(page, username, password=DEMO_PASSWORD):
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def wait_for_mail(seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = [message for message in mail.outbox if message.to == [REPRESENTATIVE_EMAIL]]
        if sent:
            return sent[0]
        time.sleep(0.1)
    raise AssertionError("Ingen inbjudan kom fram")


def test_a_named_representative_sets_a_password_logs_in_and_confirms(
    live_server, page, axe, celery_worker, settings
):
    load_demo()
    settings.FINSAM_BASE_URL = live_server.url  # the links in the e-mail lead to this server
    insats = draft_application()
    version = application_version(insats)
    insats_url = f"{live_server.url}{insats.get_absolute_url()}"

    # The projektägare names Arbetsförmedlingen's representative by e-mail.
    page.goto(f"{live_server.url}/konto/logga-in/")
    log_in(page, "projektagare")
    page.goto(insats_url)
    confirmations = page.get_by_role("region", name="Parternas bekräftelser")
    expect(confirmations).to_contain_text(f"Version {version[:8]}")
    axe.assert_no_serious_violations(page)
    confirmations.get_by_role("link", name="Be en företrädare bekräfta").click()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Part").select_option(label="Arbetsförmedlingen")
    page.get_by_label("Namn").fill("Daniel Ros")
    page.get_by_label("E-postadress").fill(REPRESENTATIVE_EMAIL)
    page.get_by_label("Befattning").fill("Sektionschef")
    page.get_by_role("button", name="Skicka begäran").click()
    expect(
        page.get_by_text("Daniel Ros är ombedd att bekräfta ansökan för Arbetsförmedlingen")
    ).to_be_visible()
    expect(confirmations).to_contain_text("Daniel Ros, Sektionschef – Väntar på svar")
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Logga ut").click()

    # The invitation arrives through the worker, with a one-time link to choose a password.
    invitation = wait_for_mail()
    assert invitation.subject == "Bekräfta ansökan: Vägen in"
    assert f"Ansökans version: {version[:8]}" in invitation.body
    set_password = re.search(rf"{re.escape(live_server.url)}/konto/aterstall/\S+/", invitation.body).group(0)
    confirm = re.search(
        rf"{re.escape(live_server.url)}/f/trelleborg/insatser/bekraftelser/\d+/", invitation.body
    )

    page.goto(set_password)
    expect(page.get_by_role("heading", name="Välj nytt lösenord")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara lösenord").click()
    expect(page.get_by_role("heading", name="Lösenordet är sparat")).to_be_visible()
    axe.assert_no_serious_violations(page)

    # The confirmation link asks her to log in and then leads to the application and its version.
    page.goto(confirm.group(0))
    axe.assert_no_serious_violations(page)
    log_in(page, REPRESENTATIVE_EMAIL, NEW_PASSWORD)
    expect(page).to_have_url(confirm.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta ansökan: Vägen in")
    expect(page.get_by_text(f"Version {version[:8]}", exact=True)).to_be_visible()
    expect(page.get_by_text(version, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name=f"Ansökan, version {version[:8]}")).to_contain_text("Arbetscoach")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Jag bekräftar ansökan i denna version för min organisation").check()
    page.get_by_role("button", name="Skicka svar").click()
    expect(page.get_by_text(f"Tack! Du har bekräftat ansökan, version {version[:8]}.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    # Being named opens nothing else of the förbund.
    assert page.goto(f"{live_server.url}/f/trelleborg/").status == 404
    assert page.goto(insats_url).status == 404
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Logga ut").click()

    # The projektägare sees Arbetsförmedlingen's confirmation of this version.
    log_in(page, "projektagare")
    page.goto(insats_url)
    confirmations = page.get_by_role("region", name="Parternas bekräftelser")
    expect(confirmations).to_contain_text(f"Daniel Ros, Sektionschef – Bekräftad version {version[:8]}")
    expect(confirmations).to_contain_text("Saknar giltig bekräftelse: Trelleborgs kommun.")
    axe.assert_no_serious_violations(page)
