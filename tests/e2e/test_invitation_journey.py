"""A samordnare invites a new board member from the board page; the invitee opens the link in the
e-mail, chooses a password and lands on the förbund's dashboard, where the next board meeting shows.
Every page checked with axe."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from finsam import broker
from forbund.models import Person, Role, User
from tests.factories import (
    PASSWORD,
    ForbundFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    UserFactory,
    user_with_role,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_sent_at_once(monkeypatch):
    """The worker's task runs in the server's own thread instead of on a worker (a real worker sends
    the same e-mail in tests/forbund/test_accounts_pages.py)."""
    import forbund.tasks  # noqa: F401 - registers the tasks by name
    from finsam.celery import app

    def run_here(task_name, *, args=(), kwargs=None, **options):
        return app.tasks[task_name].run(*args, **(kwargs or {}))

    monkeypatch.setattr(broker, "send", run_here)


def test_samordnare_invites_a_board_member_who_sets_a_password_and_sees_the_next_meeting(
    live_server, page, axe, mail_sent_at_once, settings
):
    settings.FINSAM_BASE_URL = live_server.url
    forbund = ForbundFactory(name="Samordningsförbundet Söderslätt", slug="soderslatt")
    user_with_role(
        forbund,
        Role.Kind.SAMORDNARE,
        user=UserFactory(username="siv", first_name="Siv", last_name="Samordnare"),
    )
    kommun = MedlemFactory(
        forbund=forbund, kind="kommun", name="Vellinge kommun", joined=datetime.date(2010, 1, 1)
    )
    lars = PersonFactory(
        forbund=forbund, name="Lars Ledamot", email="lars.ledamot@vellinge.se", medlem=kommun
    )
    StyrelseuppdragFactory(
        forbund=forbund, person=lars, medlem=kommun, role="ledamot", start=datetime.date(2023, 1, 1), end=None
    )
    today = timezone.localdate()
    meeting_day = today + datetime.timedelta(days=1)
    if meeting_day.year != today.year:
        meeting_day = today
    StyrelsemoteFactory(forbund=forbund, date=meeting_day, place="Kommunhuset, Vellinge")

    # The samordnare: from the board page to the invitation, prefilled from the seat.
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("siv")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/soderslatt/$"))
    page.get_by_role("link", name="Styrelse", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Styrelse")
    axe.assert_no_serious_violations(page)
    invite = page.get_by_role("link", name="Bjud in Lars Ledamot")
    href = invite.get_attribute("href")
    assert f"?person={lars.pk}&tillbaka=styrelse" in href
    page.goto(f"{live_server.url}{href}")  # the link's own address, not a click a moving layout can miss
    expect(page.get_by_role("heading", level=1)).to_have_text("Bjud in Lars Ledamot")
    expect(page.get_by_label("Namn")).to_have_value("Lars Ledamot")
    expect(page.get_by_label("E-post")).to_have_value("lars.ledamot@vellinge.se")
    expect(page.get_by_role("checkbox", name="Styrelseledamot")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Samordnare")).not_to_be_checked()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(
        page.get_by_text("Inbjudan till Lars Ledamot skickas till lars.ledamot@vellinge.se")
    ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Inbjudningar som inte är besvarade"))).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))

    # The invitee: the link from the e-mail.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lars.ledamot@vellinge.se"]
    link = re.search(r"http\S+/konto/inbjudan/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbjudan till Samordningsförbundet Söderslätt")
    expect(page.get_by_text("Siv Samordnare har bjudit in")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_label(re.compile(r"^\W*Lösenord\W*$")).fill("lars")
    page.get_by_label("Lösenord igen").fill("lars")
    page.get_by_role("button", name="Skapa konto och ta emot inbjudan").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_label(re.compile(r"^\W*Lösenord\W*$")).fill("Vita-Sandar-Vid-Falsterbo-7")
    page.get_by_label("Lösenord igen").fill("Vita-Sandar-Vid-Falsterbo-7")
    page.get_by_role("button", name="Skapa konto och ta emot inbjudan").click()

    expect(page).to_have_url(re.compile(r"/f/soderslatt/$"))
    expect(page.get_by_text("Välkommen till Samordningsförbundet Söderslätt!")).to_be_visible()
    expect(page.get_by_text("Du är inloggad som styrelseledamot")).to_be_visible()
    meetings = page.get_by_role("region", name=f"Styrelsemöten {meeting_day.year}")
    expect(meetings.get_by_role("link", name=f"{meeting_day:%Y-%m-%d}")).to_be_visible()
    expect(meetings.get_by_text("Kommunhuset, Vellinge")).to_be_visible()
    axe.assert_no_serious_violations(page)

    user = User.objects.get(email="lars.ledamot@vellinge.se")
    assert Person.objects.get(pk=lars.pk).user == user
    assert list(Role.objects.filter(user=user).values_list("kind", flat=True)) == ["styrelseledamot"]

    # The link is used up.
    page.goto(link)
    expect(page.get_by_text("Inbjudan är redan använd")).to_be_visible()
