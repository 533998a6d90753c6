"""Every role's main pages on a phone (375 × 812 px): the page never scrolls sideways (a wide table
scrolls in its own box), the menu is folded behind one button that opens it, and axe finds nothing
serious. One browser, one live server and one demo förbund for all roles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo
from forbund.models import Forbund, Styrelsemote
from insatser.models import Insats
from uppfoljning.models import Tertialrapport

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
ROLES = ["samordnare", "ekonom", "ledamot", "ersattare", "projektagare", "revisor"]


def main_pages(forbund: Forbund) -> list[tuple[str, str]]:
    """(name, path) of the pages people use most, for any role; a role that may not see one is
    refused (403) and skips it."""
    slug = forbund.slug
    # The projektägare's own organisation (Trelleborgs kommun) owns this insats; everyone may see it.
    insats = Insats.objects.filter(forbund=forbund, owner__name="Trelleborgs kommun").order_by("pk").first()
    report = Tertialrapport.objects.filter(insats=insats).order_by("pk").first()
    meeting = Styrelsemote.objects.filter(forbund=forbund, date__year=2021, date__month=5).get()
    return [
        ("översikten", reverse("forbund:dashboard", args=[slug])),
        ("insatserna", reverse("insatser:list", args=[slug])),
        ("en insats", reverse("insatser:detail", args=[slug, insats.pk])),
        ("rapporterna", reverse("uppfoljning:reports", args=[slug])),
        ("en rapport", reverse("uppfoljning:report", args=[slug, report.pk])),
        ("mötena", reverse("forbund:moten", args=[slug]) + "?ar=2021"),
        ("ett möte med dagordningen", reverse("forbund:mote", args=[slug, meeting.pk])),
        ("mötets handlingar", reverse("forbund:motespaket_html", args=[slug, meeting.pk])),
        ("budgeten", reverse("ekonomi:budget", args=[slug, 2021])),
        ("fakturorna", reverse("ekonomi:invoice_list", args=[slug])),
        ("dokumenten", reverse("uppfoljning:documents", args=[slug])),
    ]


def document_pages(forbund: Forbund) -> list[tuple[str, str]]:
    """(name, path) of the documents shown as they print (no menu): the minutes' print view and the
    previews of the verksamhetsplan and the årsredovisning, checked for the samordnare."""
    slug = forbund.slug
    meeting = Styrelsemote.objects.filter(forbund=forbund, date__year=2021, date__month=5).get()
    return [
        ("protokollet för utskrift", reverse("forbund:protokoll_utskrift", args=[slug, meeting.pk])),
        (
            "verksamhetsplanen, förhandsgranskad",
            reverse("uppfoljning:verksamhetsplan_preview", args=[slug, 2021]),
        ),
        (
            "årsredovisningen, förhandsgranskad",
            reverse("uppfoljning:arsredovisning_preview", args=[slug, 2021]),
        ),
    ]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def sideways_overflow(page) -> str | None:
    """None when the page fits the phone's width; else how wide it is and what sticks out."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width <= inner:
        return None
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(-3).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
    )
    return f"{width} px bred vid {inner} px skärm ({', '.join(culprits)})"


def check_menu(page) -> None:
    """The förbund's pages are folded away behind "Meny", which opens and closes them."""
    forbund_nav = page.get_by_role("navigation", name="Förbundets sidor")
    toggler = page.get_by_role("button", name="Meny")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(forbund_nav).to_be_hidden()
    expect(page.get_by_role("navigation", name="Konto")).to_be_hidden()
    toggler.click()
    expect(forbund_nav).to_be_visible()
    expect(forbund_nav.get_by_role("link", name="Insatser")).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")


def test_every_roles_main_pages_fit_a_phone(live_server, browser, axe):
    load_demo()
    forbund = Forbund.objects.get(slug="trelleborg")
    pages = main_pages(forbund)
    problems: list[str] = []
    for username in ROLES:
        context = browser.new_context(viewport=PHONE, locale="sv-SE", timezone_id="Europe/Stockholm")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            log_in(page, live_server, username)
            # The header and the folded menu leave the screen to the page: at most ~a tenth of it.
            header_bottom = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
            if header_bottom > 100:
                problems.append(f"{username}: sidhuvud och meny tar {header_bottom:.0f} av 812 px")
            check_menu(page)
            axe.assert_no_serious_violations(page)  # with the menu open
            seen = 0
            for name, path in pages:
                response = page.goto(f"{live_server.url}{path}")
                if response.status == 403:
                    continue
                assert response.status == 200, f"{username}: {name} ({path}) svarade {response.status}"
                seen += 1
                overflow = sideways_overflow(page)
                if overflow:
                    problems.append(f"{username}: {name} ({path}) rullar i sidled: {overflow}")
                expect(page.get_by_role("button", name="Meny")).to_be_visible()
                axe.assert_no_serious_violations(page)
            assert seen >= 6, f"{username} såg bara {seen} av huvudsidorna"
            if username == "samordnare":
                for name, path in document_pages(forbund):
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == 200, f"{username}: {name} ({path}) svarade {response.status}"
                    overflow = sideways_overflow(page)
                    if overflow:
                        problems.append(f"{username}: {name} ({path}) rullar i sidled: {overflow}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
