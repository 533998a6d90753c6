""" "Skapa PDF" on the verksamhetsplan and årsredovisning pages submits the texts' form: what was typed
is saved first and the PDF made from it; when the texts cannot be saved, no PDF is made and nothing
typed is lost. The Dokument page reaches every year with a budget, a plan or an årsredovisning."""

from __future__ import annotations

import pytest
from django.urls import reverse

from finsam import broker
from forbund.models import Dokumentjobb, Role
from tests.factories import BudgetFactory, ForbundFactory, MedlemFactory, StyrelsemoteFactory, user_with_role
from uppfoljning.models import Arsredovisning, Verksamhetsplan

pytestmark = pytest.mark.django_db

Kind = Role.Kind
NOT_WRITERS = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]


def url(forbund, name, **kwargs):
    return reverse(f"uppfoljning:{name}", kwargs={"forbund": forbund.slug, **kwargs})


def plan_data(**extra) -> dict:
    return {
        "indikator-TOTAL_FORMS": "0",
        "indikator-INITIAL_FORMS": "0",
        "aktivitet-TOTAL_FORMS": "0",
        "aktivitet-INITIAL_FORMS": "0",
        **extra,
    }


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Kind.SAMORDNARE)


def test_skapa_pdf_is_a_button_of_the_texts_form(client, forbund, samordnare):
    client.force_login(samordnare)
    for name in ("verksamhetsplan", "arsredovisning"):
        html = client.get(url(forbund, name, year=2021)).content.decode()
        assert 'id="dokumenttexter"' in html
        assert (
            '<button type="submit" form="dokumenttexter" name="skapa_pdf" value="1" '
            'class="btn btn-primary">Skapa PDF</button>'
        ) in html
        assert "document_request" not in html and "/dokument/skapa/" not in html  # no separate form


def test_skapa_pdf_saves_the_plans_texts_then_makes_the_pdf_of_them(client, forbund, samordnare):
    client.force_login(samordnare)
    response = client.post(
        url(forbund, "verksamhetsplan", year=2021),
        plan_data(inledning="Skrivet men inte sparat.", skapa_pdf="1"),
        follow=True,
    )
    job = Dokumentjobb.objects.get()
    assert (job.kind, job.year, job.requested_by) == ("verksamhetsplan", 2021, samordnare)
    assert response.redirect_chain[-1][0] == url(forbund, "job", pk=job.pk)
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Skrivet men inte sparat."
    assert "Texterna till verksamhetsplan 2021 är sparade." in response.content.decode()


def test_spara_alone_saves_and_makes_no_pdf(client, forbund, samordnare):
    client.force_login(samordnare)
    response = client.post(url(forbund, "verksamhetsplan", year=2021), plan_data(inledning="Bara sparad."))
    assert response.status_code == 302
    assert response.url == url(forbund, "verksamhetsplan", year=2021)
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Bara sparad."
    assert not Dokumentjobb.objects.exists()


def test_skapa_pdf_with_an_error_makes_no_pdf_and_keeps_every_word(client, forbund, samordnare):
    client.force_login(samordnare)
    data = plan_data(inledning="Min långa text om året.", skapa_pdf="1")
    data.update({"indikator-TOTAL_FORMS": "1", "indikator-0-indicator": "Indikator utan mått"})
    response = client.post(url(forbund, "verksamhetsplan", year=2021), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "PDF:en skapades inte, eftersom texterna inte kunde sparas." in html
    assert "Min långa text om året." in html and "Indikator utan mått" in html
    assert not Dokumentjobb.objects.exists()
    assert not Verksamhetsplan.objects.filter(inledning="Min långa text om året.").exists()


def test_skapa_pdf_with_the_worker_queue_down_still_saves_the_texts(client, forbund, samordnare, broker_down):
    client.force_login(samordnare)
    response = client.post(
        url(forbund, "verksamhetsplan", year=2021),
        plan_data(inledning="Sparas ändå.", skapa_pdf="1"),
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url(forbund, "verksamhetsplan", year=2021)
    assert broker.BROKER_DOWN_MESSAGE in html
    assert "Texterna till verksamhetsplan 2021 är sparade." in html
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Sparas ändå."
    assert not Dokumentjobb.objects.exists()


def test_skapa_pdf_saves_the_arsredovisning_first(client, forbund, samordnare):
    client.force_login(samordnare)
    response = client.post(
        url(forbund, "arsredovisning", year=2021),
        {"arets_handelser": "Ett år av omstart.", "kassa_bank": "1 893 000", "skapa_pdf": "1"},
    )
    job = Dokumentjobb.objects.get()
    assert response.url == url(forbund, "job", pk=job.pk)
    assert (job.kind, job.year) == ("arsredovisning", 2021)
    saved = Arsredovisning.objects.get(forbund=forbund, year=2021)
    assert saved.arets_handelser == "Ett år av omstart."
    assert saved.kassa_bank == 1_893_000


def test_arsredovisning_with_a_bad_amount_makes_no_pdf_and_keeps_the_text(client, forbund, samordnare):
    client.force_login(samordnare)
    response = client.post(
        url(forbund, "arsredovisning", year=2021),
        {"arets_handelser": "Text som inte får försvinna.", "kassa_bank": "sju miljoner", "skapa_pdf": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Text som inte får försvinna." in html and 'value="sju miljoner"' in html
    assert "Skriv beloppet i hela kronor" in html
    assert not Dokumentjobb.objects.exists()


@pytest.mark.parametrize("kind", [*NOT_WRITERS, Kind.PROJEKTAGARE])
def test_only_the_samordnare_saves_and_makes_the_pdf(client, forbund, kind):
    extra = {"medlem": MedlemFactory(forbund=forbund)} if kind == Kind.PROJEKTAGARE else {}
    client.force_login(user_with_role(forbund, kind, **extra))
    for name, data in (
        ("verksamhetsplan", plan_data(inledning="Inte min.", skapa_pdf="1")),
        ("arsredovisning", {"arets_handelser": "Inte min.", "skapa_pdf": "1"}),
    ):
        assert client.post(url(forbund, name, year=2021), data).status_code == 403
    assert not Dokumentjobb.objects.exists()
    assert not Verksamhetsplan.objects.exists() and not Arsredovisning.objects.exists()


def test_other_forbund_and_anonymous_make_no_pdf(client, forbund):
    data = plan_data(inledning="Inte min.", skapa_pdf="1")
    anonymous = client.post(url(forbund, "verksamhetsplan", year=2021), data)
    assert anonymous.status_code == 302 and "/konto/logga-in/" in anonymous.url
    client.force_login(user_with_role(ForbundFactory(), Kind.SAMORDNARE))
    assert client.post(url(forbund, "verksamhetsplan", year=2021), data).status_code == 404
    assert not Dokumentjobb.objects.exists()


# The Dokument page's years ------------------------------------------------------------------


def test_documents_page_reaches_every_year_with_a_budget_plan_or_arsredovisning(client, forbund, samordnare):
    BudgetFactory(forbund=forbund, year=2022)
    Verksamhetsplan.objects.create(forbund=forbund, year=2019)
    Arsredovisning.objects.create(forbund=forbund, year=2017)
    StyrelsemoteFactory(forbund=forbund, date="2015-03-17")
    client.force_login(samordnare)
    html = client.get(url(forbund, "documents")).content.decode()
    for year in (2022, 2019, 2017, 2015):
        assert f'href="{url(forbund, "verksamhetsplan", year=year)}"' in html, year
        assert f'href="{url(forbund, "arsredovisning", year=year)}"' in html, year
    assert "Verksamhetsplan och budget 2016" not in html  # a year with nothing in it is not offered
    assert "Verksamhetsplan och budget 2018" not in html


@pytest.mark.parametrize("kind", NOT_WRITERS)
def test_readers_see_the_same_years_with_a_preview(client, forbund, kind):
    BudgetFactory(forbund=forbund, year=2022)
    client.force_login(user_with_role(forbund, kind))
    html = client.get(url(forbund, "documents")).content.decode()
    assert "Verksamhetsplan och budget 2022" in html
    assert f'href="{url(forbund, "verksamhetsplan_preview", year=2022)}"' in html
    assert f'href="{url(forbund, "verksamhetsplan", year=2022)}"' not in html


def test_another_forbunds_budget_year_is_not_offered(client, forbund, samordnare):
    BudgetFactory(forbund=ForbundFactory(), year=2012)
    client.force_login(samordnare)
    assert "2012" not in client.get(url(forbund, "documents")).content.decode()
