"""The Excel import of a new förbund's insatser and board: the template, the preview, row errors that
name the row and column, all-or-nothing, and no duplicates when the same file is read twice."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forbund.models import (
    ActivityEvent,
    Forbund,
    Person,
    PlatformAdministrator,
    Role,
    Styrelseuppdrag,
    Uppstart,
    Uppstartsimport,
)
from forbund.platform import importer, services
from forbund.platform import template_format as fmt
from insatser.models import Beslut, GrantedAmount, Insats, StatusChange
from tests.factories import InsatsFactory, UserFactory, finsam_parties, user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date

INSATSER = [
    [
        "Steget vidare",
        "Kommun 1",
        "Individinriktad",
        D(2024, 1, 1),
        D(2026, 12, 31),
        "Pågående",
        D(2023, 11, 20),
        "",
    ],
    [
        "Samverkan Syd",
        "Region Söder",
        "Strukturinriktad",
        "2022-01-01",
        "2023-12-31",
        "Avslutad",
        "2021-10-05",
        "Klar",
    ],
    ["Unga till arbete", "Kommun 2", "individinriktad", None, None, "Idé", None, "Förstudie våren 2025"],
]
BEVILJAT = [
    ["Steget vidare", 2024, 500000],
    ["Steget vidare", 2025, "600 000"],
    ["Steget vidare", 2026, 250000.0],
    ["Samverkan Syd", 2022, 300000],
]
STYRELSE = [
    ["Anna Ek", "anna.ek@kommun1.se", "Kommun 1", "Ledamot", "Ordförande", D(2024, 1, 1), None],
    ["Bo Ek", "", "Kommun 1", "Ersättare", "", "2024-01-01", "2026-12-31"],
    [
        "Cecilia Holm",
        "cecilia.holm@fk.se",
        "Försäkringskassan",
        "Ledamot",
        "Vice ordförande",
        "2024-01-01",
        "",
    ],
    ["Anna Ek", "anna.ek@kommun1.se", "Kommun 1", "Ledamot", "", "2020-01-01", "2023-12-31"],
]


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="plattformen")
    PlatformAdministrator.objects.create(user=user)
    return user


@pytest.fixture
def started(admin_user):
    forbund = services.forbund_start(
        by=admin_user,
        forbund=Forbund(name="Samordningsförbundet Nyby", slug="nyby", organisationsnummer="222000-0018"),
    )
    finsam_parties(forbund, kommuner=2)
    return forbund


def template_bytes(client, forbund) -> bytes:
    response = client.get(reverse("platform:template", kwargs={"forbund": forbund.slug}))
    assert response.status_code == 200
    return response.content


def filled(template: bytes, *, insatser=INSATSER, beviljat=BEVILJAT, styrelse=STYRELSE) -> bytes:
    """The app's own template with rows written under its headers, as a user would fill it in."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for name, rows in [("Insatser", insatser), ("Beviljat", beviljat), ("Styrelse", styrelse)]:
        for row in rows:
            workbook[name].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, forbund, content: bytes, name: str = "nyby.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=fmt_content_type())
    return client.post(reverse("platform:import", kwargs={"forbund": forbund.slug}), {"file": file})


def fmt_content_type() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def preview_errors(response) -> list[str]:
    return [str(error) for error in response.context["preview"].errors]


# The template -------------------------------------------------------------------------------------------


def test_template_has_instructions_headers_and_the_forbunds_members(login, admin_user, started):
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes(login(admin_user), started)))
    assert workbook.sheetnames == ["Så fyller du i", "Insatser", "Beviljat", "Styrelse"]
    assert [cell.value for cell in workbook["Insatser"][1]] == [
        "Namn",
        "Projektägare",
        "Inriktning",
        "Startdatum",
        "Slutdatum",
        "Status",
        "Beslutsdatum",
        "Kort beskrivning",
    ]
    assert [cell.value for cell in workbook["Styrelse"][1]] == [
        "Namn",
        "E-post",
        "Medlem",
        "Uppdrag",
        "Presidium",
        "Från",
        "Till",
    ]
    help_text = [cell.value for row in workbook["Så fyller du i"].iter_rows() for cell in row if cell.value]
    assert "Kommun 2" in help_text and "Region Söder" in help_text
    assert workbook["Insatser"].max_row == 1  # no example rows that would be imported by mistake


# A good file -----------------------------------------------------------------------------------------------


def test_good_file_is_previewed_then_imported_whole(login, admin_user, started):
    client = login(admin_user)
    response = upload(client, started, filled(template_bytes(client, started)))
    upload_row = Uppstartsimport.objects.get(forbund=started)
    assert response["Location"] == reverse(
        "platform:import_preview", kwargs={"forbund": "nyby", "pk": upload_row.pk}
    )
    assert not Insats.objects.filter(forbund=started).exists()  # nothing before the confirmation

    page = client.get(response["Location"])
    assert preview_errors(page) == []
    text = page.content.decode()
    assert "3 insatser" in text and "4 styrelseuppdrag" in text
    assert "1\xa0350\xa0000\xa0kr" in text  # Steget vidare's three years

    done = client.post(reverse("platform:import_confirm", kwargs={"forbund": "nyby", "pk": upload_row.pk}))
    assert done.status_code == 302
    insatser = {insats.name: insats for insats in Insats.objects.filter(forbund=started)}
    assert {name: insats.status for name, insats in insatser.items()} == {
        "Steget vidare": "pagaende",
        "Samverkan Syd": "avslutad",
        "Unga till arbete": "ide",
    }
    steget = insatser["Steget vidare"]
    assert steget.owner.name == "Kommun 1" and steget.kind == "individinriktad"
    assert (steget.start, steget.end) == (D(2024, 1, 1), D(2026, 12, 31))
    history = StatusChange.objects.get(insats=steget)
    assert (history.from_status, history.to_status, history.by) == ("", "pagaende", admin_user)
    beslut = Beslut.objects.get(insats=steget)
    assert beslut.outcome == "beviljad" and beslut.decided_on == D(2023, 11, 20)
    assert dict(GrantedAmount.objects.filter(beslut=beslut).values_list("year", "amount")) == {
        2024: Decimal(500000),
        2025: Decimal(600000),
        2026: Decimal(250000),
    }
    assert not Beslut.objects.filter(insats=insatser["Unga till arbete"]).exists()

    seats = Styrelseuppdrag.objects.filter(forbund=started)
    assert seats.count() == 4
    anna = Person.objects.get(forbund=started, name="Anna Ek")  # two rows, one person
    assert anna.email == "anna.ek@kommun1.se" and anna.styrelseuppdrag.count() == 2
    assert seats.get(person=anna, end__isnull=True).presidium == "ordforande"
    assert seats.get(person__name="Bo Ek").role == "ersattare"
    assert not Role.objects.filter(forbund=started).exists()  # an import gives nobody access

    upload_row.refresh_from_db()
    assert upload_row.status == "inlast"
    assert ActivityEvent.objects.filter(
        forbund=started, description__startswith="Läste in nyby.xlsx"
    ).exists()
    assert ActivityEvent.objects.filter(forbund=started, description__contains="Steget vidare").exists()
    assert Uppstart.objects.get(forbund=started).is_done("import")


# Bad rows ---------------------------------------------------------------------------------------------------


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_saved(login, admin_user, started):
    client = login(admin_user)
    content = filled(
        template_bytes(client, started),
        insatser=[
            [
                "Steget vidare",
                "Okänd kommun",
                "Individinriktad",
                "2024-01-01",
                "2026-12-31",
                "Pågående",
                "2023-11-20",
            ],
            ["Ansökan", "Kommun 1", "Individinriktad", "2024-01-01", "2026-12-31", "Inskickad", ""],
            [
                "Fel datum",
                "Kommun 1",
                "Individinriktad",
                "2024-13-01",
                "2026-12-31",
                "Pågående",
                "2023-11-20",
            ],
            ["Utan beslut", "Kommun 2", "Strukturinriktad", "2024-01-01", "2025-12-31", "Beviljad", None],
            ["Baklänges", "Kommun 2", "Gruppinriktad", "2025-01-01", "2024-12-31", "Pågående", "2024-11-01"],
            ["Idé med beslut", "Kommun 2", "Strukturinriktad", None, None, "Idé", "2024-11-01"],
            [
                "Samverkan Syd",
                "Region Söder",
                "Strukturinriktad",
                "2022-01-01",
                "2023-12-31",
                "Avslutad",
                "2021-10-05",
            ],
            [
                "samverkan syd",
                "Region Söder",
                "Strukturinriktad",
                "2022-01-01",
                "2023-12-31",
                "Avslutad",
                "2021-10-05",
            ],
        ],
        beviljat=[
            ["Samverkan Syd", 2030, 100],
            ["Samverkan Syd", 2022, -5],
            ["Finns inte", 2022, 100],
            ["Samverkan Syd", "tjugotjugotvå", "100 kr"],
            ["Samverkan Syd", 2023, "hundra"],
        ],
        styrelse=[
            ["Anna Ek", "anna.ek@", "Kommun 1", "Suppleant", "", "2024-01-01", ""],
            ["Bo Ek", "", "Kommun 1", "Ersättare", "Ordförande", "2024-01-01", ""],
            ["Cecilia Holm", "", "Landstinget", "Ledamot", "", "", ""],
        ],
    )
    response = client.get(upload(client, started, content)["Location"])
    errors = preview_errors(response)
    # Grouped by sheet on the page, each sheet's errors in row order.
    sheets = dict(response.context["preview"].errors_by_sheet())
    assert sheets["Insatser"] == [
        "Rad 2, kolumn B: ”Okänd kommun” är inte en medlem i förbundet (medlemmar: Arbetsförmedlingen, "
        "Försäkringskassan, Kommun 1, Kommun 2, Region Söder).",
        "Rad 3, kolumn F: ”Inskickad” är inte en status som går att läsa in; skriv Idé, Beviljad, Pågående "
        "eller Avslutad.",
        "Rad 4, kolumn D: ”2024-13-01” är inte ett datum (skriv ÅÅÅÅ-MM-DD).",
        "Rad 5, kolumn G: beslutsdatum saknas.",
        "Rad 6, kolumn C: ”Gruppinriktad” är inte en inriktning som går att läsa in; skriv Individinriktad "
        "eller Strukturinriktad.",
        "Rad 6, kolumn E: slutdatum ligger före startdatum.",
        "Rad 7, kolumn G: en idé har inget beslut; lämna beslutsdatum tomt eller ange en annan status.",
        "Rad 9, kolumn A: insatsen ”samverkan syd” finns redan på rad 8.",
    ]
    assert sheets["Beviljat"] == [
        "Rad 2, kolumn B: 2030 ligger utanför insatsens period (2022–2023).",
        "Rad 3, kolumn C: beloppet kan inte vara negativt.",
        "Rad 4, kolumn A: insatsen ”Finns inte” finns inte på bladet Insatser.",
        "Rad 5, kolumn B: ”tjugotjugotvå” är inte ett år (skriv t.ex. 2025).",
        "Rad 6, kolumn C: ”hundra” är inte ett belopp i kronor.",
    ]
    assert sheets["Styrelse"] == [
        "Rad 2, kolumn B: ”anna.ek@” är ingen e-postadress.",
        "Rad 2, kolumn D: ”Suppleant” är inte ett uppdrag som går att läsa in; skriv Ledamot eller "
        "Ersättare.",
        "Rad 3, kolumn E: bara en ledamot kan ingå i presidiet, inte en ersättare.",
        "Rad 4, kolumn C: ”Landstinget” är inte en medlem i förbundet (medlemmar: Arbetsförmedlingen, "
        "Försäkringskassan, Kommun 1, Kommun 2, Region Söder).",
        "Rad 4, kolumn F: från-datum saknas.",
    ]
    assert len(errors) == 18
    text = response.content.decode()
    assert "Bekräfta och läs in" not in text
    assert "Rad 4, kolumn D: ”2024-13-01” är inte ett datum (skriv ÅÅÅÅ-MM-DD)." in text

    # Confirming anyway (a forged post) saves nothing either.
    pk = Uppstartsimport.objects.get(forbund=started).pk
    client.post(reverse("platform:import_confirm", kwargs={"forbund": "nyby", "pk": pk}))
    assert not Insats.objects.filter(forbund=started).exists()
    assert not Styrelseuppdrag.objects.filter(forbund=started).exists()
    assert not Person.objects.filter(forbund=started).exists()


def test_a_missing_header_column_names_the_sheet(login, admin_user, started):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Insatser"
    workbook.active.append(["Namn", "Inriktning", "Status"])
    workbook.active.append(["Steget vidare", "Individinriktad", "Idé"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = fmt.parse_file(io.BytesIO(buffer.getvalue()))
    assert [str(error) for error in parsed.errors] == ["Rad 1: rubrikraden saknar kolumnen Projektägare."]


def test_a_workbook_without_the_templates_sheets_is_refused(login, admin_user, started):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Konto", "Datum"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = fmt.parse_file(io.BytesIO(buffer.getvalue()))
    assert [str(error) for error in parsed.errors] == [
        "Filen har inget av bladen Insatser, Beviljat och Styrelse. Ladda ner mallen och fyll i den."
    ]


def test_an_empty_template_is_refused(login, admin_user, started):
    client = login(admin_user)
    response = client.get(upload(client, started, template_bytes(client, started))["Location"])
    assert preview_errors(response) == ["Filen har inga rader under rubrikraderna."]


def test_a_file_that_is_not_excel_is_refused_before_reading(login, admin_user, started):
    client = login(admin_user)
    response = upload(client, started, b"Namn;Projektagare\n", name="insatser.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Filen måste vara en Excelfil (.xlsx). Utgå från mallen och spara som .xlsx."
    ]
    response = upload(client, started, b"not a zip at all", name="insatser.xlsx")
    assert "innehållet stämmer inte med filändelsen .xlsx" in response.context["form"].errors["file"][0]
    assert not Uppstartsimport.objects.exists()


# Twice ------------------------------------------------------------------------------------------------------


def test_importing_the_same_file_twice_refuses_the_rows_already_in(login, admin_user, started):
    client = login(admin_user)
    content = filled(template_bytes(client, started))
    first = Uppstartsimport.objects.get(pk=_pk(upload(client, started, content)))
    client.post(reverse("platform:import_confirm", kwargs={"forbund": "nyby", "pk": first.pk}))
    assert Insats.objects.filter(forbund=started).count() == 3

    response = client.get(upload(client, started, content)["Location"])
    errors = preview_errors(response)
    assert (
        "Rad 2, kolumn A: insatsen ”Steget vidare” finns redan i förbundet och läses inte in igen." in errors
    )
    assert (
        "Rad 4, kolumn A: insatsen ”Unga till arbete” finns redan i förbundet och läses inte in igen."
        in errors
    )
    assert (
        "Rad 2, kolumn A: Anna Ek är redan ledamot för Kommun 1 från 2024-01-01 och läses inte in igen."
        in errors
    )
    assert (
        "Rad 3, kolumn A: Bo Ek är redan ersättare för Kommun 1 från 2024-01-01 och läses inte in igen."
        in errors
    )
    assert len(errors) == 7  # every row of both sheets

    second = Uppstartsimport.objects.filter(forbund=started).order_by("-pk").first()
    client.post(reverse("platform:import_confirm", kwargs={"forbund": "nyby", "pk": second.pk}))
    assert Insats.objects.filter(forbund=started).count() == 3
    assert Styrelseuppdrag.objects.filter(forbund=started).count() == 4
    assert Person.objects.filter(forbund=started).count() == 3


def test_a_conflict_that_arises_after_the_preview_refuses_the_whole_file(login, admin_user, started):
    client = login(admin_user)
    pk = _pk(upload(client, started, filled(template_bytes(client, started))))
    assert (
        preview_errors(client.get(reverse("platform:import_preview", kwargs={"forbund": "nyby", "pk": pk})))
        == []
    )
    # Someone enters one of the file's insatser by hand before the confirmation.
    InsatsFactory(forbund=started, name="Samverkan Syd", owner=started.medlemmar.get(name="Region Söder"))
    response = client.post(
        reverse("platform:import_confirm", kwargs={"forbund": "nyby", "pk": pk}), follow=True
    )
    assert "Filen lästes inte in; inget sparades." in response.content.decode()
    assert (
        "Rad 3, kolumn A: insatsen ”Samverkan Syd” finns redan i förbundet och läses inte in igen."
        in preview_errors(response)
    )
    assert list(Insats.objects.filter(forbund=started).values_list("name", flat=True)) == ["Samverkan Syd"]
    assert not Styrelseuppdrag.objects.filter(forbund=started).exists()
    assert not Beslut.objects.filter(insats__forbund=started).exists()


def test_import_confirm_service_is_all_or_nothing(admin_user, started):
    """A model error on a late row (a row that slipped past the file's checks: an ersättare in the
    presidium) undoes the rows saved before it."""
    parsed = fmt.ParsedFile(
        insatser=[
            {
                "row": 2,
                "columns": {"name": "A", "owner": "B"},
                "invalid": False,
                "name": "Steget vidare",
                "owner": "Kommun 1",
                "kind": "individinriktad",
                "start": None,
                "end": None,
                "status": "ide",
                "decided_on": None,
                "description": "",
            }
        ],
        styrelse=[
            {
                "row": 5,
                "columns": {"name": "A", "medlem": "C", "start": "F"},
                "invalid": False,
                "name": "Bo Ek",
                "email": "",
                "medlem": "Kommun 2",
                "role": "ersattare",
                "presidium": "ordforande",
                "start": "2024-06-01",
                "end": None,
            }
        ],
    )
    upload_row = Uppstartsimport.objects.create(
        forbund=started, filename="x.xlsx", rows=parsed.as_json(), uploaded_by=admin_user
    )
    with pytest.raises(ValidationError) as refused:
        importer.import_confirm(forbund=started, by=admin_user, upload_id=upload_row.pk)
    assert refused.value.messages == ["Rad 5: Bara en ordinarie ledamot kan ingå i presidiet."]
    assert not Insats.objects.filter(forbund=started).exists()
    assert not Person.objects.filter(forbund=started).exists()
    upload_row.refresh_from_db()
    assert upload_row.status == "granskas"


def test_membership_dates_are_checked_against_the_forbund(login, admin_user, started):
    kommun = started.medlemmar.get(name="Kommun 2")
    kommun.joined = D(2025, 1, 1)
    kommun.save()
    client = login(admin_user)
    content = filled(
        template_bytes(client, started),
        insatser=[],
        beviljat=[],
        styrelse=[["Bo Ek", "", "Kommun 2", "Ledamot", "", "2024-06-01", ""]],
    )
    response = client.get(upload(client, started, content)["Location"])
    assert preview_errors(response) == [
        "Rad 2, kolumn F: uppdraget måste börja medan Kommun 2 är medlem (2025-01-01)."
    ]


# Who may ----------------------------------------------------------------------------------------------------


def test_samordnare_cannot_import_or_download_the_template(login, started):
    client = login(user_with_role(started, Role.Kind.SAMORDNARE))
    assert client.get(reverse("platform:template", kwargs={"forbund": "nyby"})).status_code == 403
    response = client.post(
        reverse("platform:import", kwargs={"forbund": "nyby"}),
        {"file": SimpleUploadedFile("x.xlsx", b"PK", content_type=fmt_content_type())},
    )
    assert response.status_code == 403
    assert not Uppstartsimport.objects.exists()


def test_another_forbunds_upload_is_not_found(login, admin_user, started):
    client = login(admin_user)
    pk = _pk(upload(client, started, filled(template_bytes(client, started))))
    other = services.forbund_start(
        by=admin_user,
        forbund=Forbund(name="Samordningsförbundet Annat", slug="annat", organisationsnummer="222000-0026"),
    )
    assert (
        client.get(reverse("platform:import_preview", kwargs={"forbund": other.slug, "pk": pk})).status_code
        == 404
    )


def _pk(response) -> int:
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])
