"""A platform administrator starts a new förbund: name and organisationsnummer, the law's parties
and two kommuner, their populations, the first samordnare invited by e-mail, and the förbund's
existing insatser read from the app's own Excel template, previewed and imported."""

import io
import re

import openpyxl
import pytest
from django.core import mail
from playwright.sync_api import expect

from forbund.models import Invitation, PlatformAdministrator, WorkingAgePopulation
from insatser.models import Insats
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

NAME = re.compile(r"^\s*Namn\s*\*?\s*$")  # crispy marks a required field's label with an asterisk
MEMBERS = [
    ("Försäkringskassan", "Försäkringskassan"),
    ("Arbetsförmedlingen", "Arbetsförmedlingen"),
    ("Region", "Region Norrbotten"),
    ("Kommun", "Bodens kommun"),
    ("Kommun", "Luleå kommun"),
]


def test_platform_admin_starts_a_forbund_and_imports_its_insatser(
    live_server, page, axe, celery_worker, tmp_path
):
    admin = UserFactory(username="plattform", first_name="Pia", last_name="Plattform")
    PlatformAdministrator.objects.create(user=admin)

    page.goto(f"{live_server.url}/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("plattform")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    # Without a role in any förbund, the start page is the installation's list.
    expect(page).to_have_url(re.compile(r"/plattform/$"))
    expect(page.get_by_role("heading", name="Förbunden i finsam")).to_be_visible()
    axe.assert_no_serious_violations(page)

    page.get_by_role("link", name="Starta ett nytt förbund").click()
    axe.assert_no_serious_violations(page)
    page.get_by_label(NAME).fill("Samordningsförbundet Södra Norrbotten")
    page.get_by_label("Organisationsnummer").fill("222000-0013")  # wrong check digit
    page.get_by_label("Kortnamn i adresser").fill("sodra-norrbotten")
    page.get_by_role("button", name="Skapa förbundet").click()
    expect(page.get_by_text("Organisationsnumret har fel kontrollsiffra.")).to_be_visible()
    expect(page.get_by_label(NAME)).to_have_value("Samordningsförbundet Södra Norrbotten")
    axe.assert_no_serious_violations(page)
    page.get_by_label("Organisationsnummer").fill("222000-0018")
    page.get_by_role("button", name="Skapa förbundet").click()

    expect(page).to_have_url(re.compile(r"/plattform/sodra-norrbotten/medlemmar/$"))
    expect(page.get_by_text("Försäkringskassan saknas bland medlemmarna")).to_be_visible()
    axe.assert_no_serious_violations(page)
    for kind, name in MEMBERS:
        page.get_by_label("Typ av medlem").select_option(label=kind)
        page.get_by_label(NAME).fill(name)
        page.get_by_label("Inträde").fill("2024-01-01")
        page.get_by_role("button", name="Lägg till medlemmen").click()
        expect(page.get_by_role("row", name=re.compile(name))).to_be_visible()
    expect(page.get_by_text("saknas bland medlemmarna")).to_have_count(0)
    expect(page.get_by_text("Ingen kommun är medlem")).to_have_count(0)
    axe.assert_no_serious_violations(page)

    page.get_by_role("navigation", name="Uppstartens steg").get_by_role(
        "link", name="Invånare 16–64 år"
    ).click()
    axe.assert_no_serious_violations(page)
    page.get_by_label(re.compile(r"^\s*År")).fill("2024")
    page.get_by_label("Bodens kommun: invånare 16–64 år").fill("16800")
    page.get_by_label("Luleå kommun: invånare 16–64 år").fill("49500")
    page.get_by_role("button", name="Spara invånarantalen").click()
    expect(page.get_by_text("Invånarantalen för 2024 är sparade.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Luleå kommun"))).to_contain_text("49 500")
    assert WorkingAgePopulation.objects.filter(year=2024).count() == 2

    page.get_by_role("navigation", name="Uppstartens steg").get_by_role(
        "link", name="Första samordnaren"
    ).click()
    axe.assert_no_serious_violations(page)
    page.get_by_label(NAME).fill("Sara Lind")
    page.get_by_label("E-post").fill("sara.lind@sodranorrbotten.se")
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(
        page.get_by_text("Inbjudan är skickad till Sara Lind (sara.lind@sodranorrbotten.se).")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/plattform/sodra-norrbotten/import/$"))
    assert Invitation.objects.get().kinds == ["samordnare"]
    axe.assert_no_serious_violations(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner mallen").click()
    template = tmp_path / "mall.xlsx"
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    workbook["Insatser"].append(
        [
            "Steget vidare",
            "Luleå kommun",
            "Individinriktad",
            "2024-01-01",
            "2026-12-31",
            "Pågående",
            "2023-11-20",
        ]
    )
    workbook["Insatser"].append(
        ["Ung framtid", "Bodens kommun", "Individinriktad", "2025-01-01", "2027-12-31", "Felstavad", ""]
    )
    workbook["Beviljat"].append(["Steget vidare", 2024, 800000])
    workbook["Beviljat"].append(["Steget vidare", 2025, 850000])
    bad = tmp_path / "insatser.xlsx"
    workbook.save(bad)

    page.get_by_label("Ifylld mall (Excel)").set_input_files(str(bad))
    page.get_by_role("button", name="Granska filen").click()
    expect(page.get_by_role("heading", name="Filen insatser.xlsx kan inte läsas in")).to_be_visible()
    expect(
        page.get_by_text(
            "Rad 3, kolumn F: ”Felstavad” är inte en status som går att läsa in; skriv Idé, Beviljad, "
            "Pågående eller Avslutad."
        )
    ).to_be_visible()
    axe.assert_no_serious_violations(page)
    assert not Insats.objects.exists()
    page.get_by_role("button", name="Ladda upp en rättad fil").click()

    workbook["Insatser"]["F3"] = "Idé"
    workbook["Insatser"]["D3"] = None
    workbook["Insatser"]["E3"] = None
    fixed = io.BytesIO()
    workbook.save(fixed)
    page.get_by_label("Ifylld mall (Excel)").set_input_files(
        files=[{"name": "insatser.xlsx", "mimeType": "application/octet-stream", "buffer": fixed.getvalue()}]
    )
    page.get_by_role("button", name="Granska filen").click()
    expect(page.get_by_role("heading", name="Det här skapas när du bekräftar")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Steget vidare"))).to_contain_text("1 650 000 kr")
    axe.assert_no_serious_violations(page)
    page.get_by_role("button", name="Bekräfta och läs in").click()
    expect(page.get_by_text("Filen är inläst: 2 insatser, 0 styrelseuppdrag.")).to_be_visible()
    axe.assert_no_serious_violations(page)
    assert dict(Insats.objects.values_list("name", "status")) == {
        "Steget vidare": "pagaende",
        "Ung framtid": "ide",
    }

    # The platform administrator still sees none of the förbund's own pages.
    response = page.goto(f"{live_server.url}/f/sodra-norrbotten/insatser/")
    assert response.status == 404

    # The worker has e-mailed the invitation.
    for _ in range(100):
        if mail.outbox:
            break
        page.wait_for_timeout(100)
    assert mail.outbox and mail.outbox[0].to == ["sara.lind@sodranorrbotten.se"]
    assert "/konto/inbjudan/" in mail.outbox[0].body

    page.goto(f"{live_server.url}/plattform/")
    expect(page.get_by_role("row", name=re.compile("Södra Norrbotten"))).to_contain_text("5")
    axe.assert_no_serious_violations(page)
