"""The samordnare plans a board meeting, builds its agenda with a tertial report and an uploaded paper
and sends the notice; a ledamot reads the papers; the samordnare records attendance, decisions and
the justerare, marks the meeting held and locks the minutes; the ordförande and the justerare
approve them; the samordnare corrects the justerade minutes with a rättelse. Every page checked with
axe."""

import datetime
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from finsam.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(r"/f/trelleborg/$"))


def log_out(page):
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def small_pdf(path):
    from weasyprint import HTML

    HTML(
        string="<html lang='sv'><body><h1>Attestordning</h1><p>Förslag till attestordning för "
        "förbundet.</p></body></html>"
    ).write_pdf(path)
    return path


def add_item(page, axe, kind, title, proposal="", link=None, paper=None):
    page.get_by_role("link", name="Ny punkt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny punkt på dagordningen")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Typ").select_option(label=kind)
    page.get_by_role("textbox", name=re.compile(r"^Rubrik")).fill(title)
    page.get_by_label("Förslag till beslut").fill(proposal)
    page.get_by_label("Föredragande").fill("Samordnaren")
    if link:
        page.get_by_label("Underlag i finsam").select_option(label=link)
    if paper:
        title_of_paper, path = paper
        page.get_by_label("Handlingens rubrik").fill(title_of_paper)
        page.get_by_label("Ladda upp en handling").set_input_files(path)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text(f"Punkten {title} är sparad.")).to_be_visible()


def test_meeting_from_plan_to_justerat_protokoll(live_server, page, axe, tmp_path, settings, celery_worker):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    day = timezone.localdate() + datetime.timedelta(days=30)
    pdf = small_pdf(tmp_path / "attestordning.pdf")

    # The samordnare plans the meeting.
    log_in(page, live_server, "samordnare")
    page.goto(f"{live_server.url}/f/trelleborg/moten/?ar={day.year}")
    page.get_by_role("link", name="Planera möte").click()
    axe.assert_no_serious_violations(page)
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Plats").fill("Svedala")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Styrelsemöten {day.year}")
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name=day.isoformat(), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Styrelsemöte"))
    expect(page.get_by_text("Svedala")).to_be_visible()
    expect(page.get_by_text("Dagordningen är tom.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    meeting_url = page.url

    # Three items; the first brings the standard items.
    add_item(
        page,
        axe,
        "Beslutsärende",
        "Tertialrapport 1: Yrkeskedjor",
        "Styrelsen godkänner rapporten och lägger den till handlingarna.",
        link="Yrkeskedjor, Tertial 1 2021",
    )
    agenda = page.get_by_role("region", name="Dagordning")
    expect(agenda).to_contain_text("Mötets öppnande")
    expect(agenda).to_contain_text("Underlag: Yrkeskedjor, Tertial 1 2021")
    axe.assert_no_serious_violations(page)
    add_item(
        page,
        axe,
        "Beslutsärende",
        "Attestordning",
        "Styrelsen fastställer attestordningen.",
        paper=("Förslag till attestordning", pdf),
    )
    expect(agenda.get_by_role("link", name="Förslag till attestordning")).to_be_visible()
    add_item(page, axe, "Informationsärende", "Information från parterna")
    expect(agenda.get_by_role("heading", level=3)).to_have_count(7)

    # The notice.
    page.get_by_role("link", name="Skicka kallelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skicka kallelsen")
    expect(page.get_by_role("listitem").filter(has_text="Eva Holmberg")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Skicka kallelsen").click()
    expect(
        page.get_by_text(re.compile(r"Kallelsen \(version 1\) skickas till \d+ mottagare\."))
    ).to_be_visible()
    expect(page.get_by_text("Kallat", exact=True)).to_be_visible()
    deadline = time.monotonic() + 30  # the worker sends the notice's e-mails
    while len(mail.outbox) < 8 and time.monotonic() < deadline:
        time.sleep(0.2)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert len(recipients) == 8 and "eva.holmberg@example.se" in recipients
    assert all(message.attachments[0][2] == "text/calendar" for message in mail.outbox)
    log_out(page)

    # A ledamot reads the papers.
    log_in(page, live_server, "ledamot")
    page.goto(meeting_url)
    page.get_by_role("link", name="Läs handlingarna").click()
    expect(page.get_by_text("Handlingarna motsvarar kallelse version 1")).to_be_visible()
    for title in ["Tertialrapport 1: Yrkeskedjor", "Attestordning", "Information från parterna"]:
        expect(page.get_by_role("heading", level=2, name=re.compile(rf"^\d+\. {title}$"))).to_be_visible()
    expect(page.get_by_role("link", name="Förslag till attestordning")).to_be_visible()
    axe.assert_no_serious_violations(page)
    log_out(page)

    # The samordnare records the meeting: everyone on the board is present.
    log_in(page, live_server, "samordnare")
    page.goto(meeting_url)
    page.get_by_role("link", name="Närvaro och jäv").click()
    axe.assert_no_serious_violations(page)
    for name in ["Eva Holmberg", "Birgitta Alm", "Helena Strand", "Maria Öberg", "Mikael Nyström"]:
        expect(page.get_by_label(f"{name} är närvarande")).to_be_checked()
    page.get_by_role("button", name="Spara närvaron").click()
    expect(page.get_by_text("Närvaron är sparad.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Beslutför")).to_contain_text("4 av 4 ledamöter")
    # The board's ordförande is present, so she presides.
    expect(page.locator("#ordforande-vid-motet")).to_have_text("Ordförande vid sammanträdet: Eva Holmberg")

    page.get_by_role("link", name="Till beslut och protokoll").click()
    axe.assert_no_serious_violations(page)
    decisions = {
        "Tertialrapport 1: Yrkeskedjor": "Styrelsen godkänner rapporten och lägger den till handlingarna.",
        "Attestordning": "Styrelsen fastställer attestordningen.",
        "Information från parterna": "Styrelsen noterar informationen.",
    }
    for title, decision in decisions.items():
        page.get_by_role("region", name=re.compile(rf"^{title} ")).get_by_label("Beslut").fill(decision)
    # Birgitta Alm has jäv on the attestordning: three of four take part, still more than half.
    page.get_by_role("region", name=re.compile(r"^Attestordning ")).get_by_label("Birgitta Alm").check()
    page.get_by_role("region", name="Justerare", exact=True).get_by_label("Mikael Nyström").check()
    page.get_by_role("button", name="Spara protokollet").click()
    expect(page.get_by_text("Protokollet är sparat.")).to_be_visible()
    page.get_by_role("button", name="Mötet är genomfört").click()
    expect(page.get_by_text("Mötet är nu genomfört.")).to_be_visible()
    page.get_by_role("button", name="Lås protokollet för justering").click()
    expect(page.get_by_text("Mötet är nu protokoll för justering.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^§ \d+ Attestordning$"))).to_be_visible()
    expect(page.get_by_text("Birgitta Alm deltog inte i handläggningen på grund av jäv.")).to_be_visible()
    expect(page.get_by_text("I ärendet deltog 3 av 4 ledamöter med rösträtt.")).to_be_visible()
    # Only the meeting's ordförande and the justerare justera: the samordnare is told why.
    expect(page.get_by_role("button", name="Justera protokollet")).to_have_count(0)
    justering = page.get_by_role("region", name="Justering")
    expect(justering).to_contain_text("Eva Holmberg (ordförande): inte justerat ännu")
    expect(justering).to_contain_text("Bara ordföranden vid sammanträdet och de valda justerarna")
    axe.assert_no_serious_violations(page)
    log_out(page)

    # The ordförande and the justerare approve.
    for username, message in [
        ("ledamot", "Du har justerat protokollet."),
        ("ersattare", "Du har justerat. Protokollet är nu justerat och anslaget."),
    ]:
        log_in(page, live_server, username)
        page.goto(meeting_url)
        page.get_by_role("button", name="Justera protokollet").click()
        expect(page.get_by_text(message)).to_be_visible()
        axe.assert_no_serious_violations(page)
        log_out(page)

    log_in(page, live_server, "samordnare")
    page.goto(meeting_url)
    expect(page.get_by_text("Protokoll justerat", exact=True)).to_be_visible()
    agenda = page.get_by_role("region", name="Dagordning")
    for title in decisions:
        expect(agenda.get_by_role("heading", name=re.compile(rf"{title} \(§ \d+\)$"))).to_be_visible()
    expect(page.get_by_role("link", name="Ny punkt")).to_have_count(0)
    page.get_by_role("link", name="Anslaget").click()
    axe.assert_no_serious_violations(page)

    # A justerat protokoll is corrected only by a rättelse, shown with the minutes.
    page.goto(meeting_url)
    page.get_by_role("link", name="Gör en rättelse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Rättelse i protokollet"))
    axe.assert_no_serious_violations(page)
    paragraph = page.get_by_label("Paragraf")
    paragraph.select_option(
        value=paragraph.locator("option", has_text="Attestordning").get_attribute("value")
    )
    page.get_by_label("Rättelse").fill("Attestordningen gäller från den 1 juli.")
    page.get_by_label("Skäl").fill("Datumet föll bort i protokollet.")
    page.get_by_role("button", name="För in rättelsen").click()
    expect(page.get_by_text(re.compile(r"Rättelsen av § \d+ Attestordning är införd"))).to_be_visible()
    expect(page.get_by_text("Attestordningen gäller från den 1 juli.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    page.get_by_role("link", name="Protokollet för utskrift").click()
    expect(page.get_by_text("Skäl: Datumet föll bort i protokollet.", exact=False)).to_be_visible()
