"""Who may read and write the förbund's documents, and what the verksamhetsplan pages keep."""

import pytest
from django.urls import reverse

from forbund.models import Dokumentjobb, Role
from tests.factories import ForbundFactory, StyrelsemoteFactory, user_with_role
from uppfoljning.models import Indikator, PlannedActivity, Verksamhetsplan
from uppfoljning.services.plan import verksamhetsplan_for

pytestmark = pytest.mark.django_db

Kind = Role.Kind
READERS = [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR]
NOT_WRITERS = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE]


def url(forbund, name, **kwargs):
    return reverse(f"uppfoljning:{name}", kwargs={"forbund": forbund.slug, **kwargs})


@pytest.fixture
def forbund():
    forbund = ForbundFactory(name="Samordningsförbundet Testbygd")
    StyrelsemoteFactory(forbund=forbund, date="2021-03-17", place="Testby", planned_items="Årsredovisning")
    return forbund


def client_for(client, forbund, kind):
    user = user_with_role(forbund, kind, **({"medlem": None} if kind != Kind.PROJEKTAGARE else {}))
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", READERS)
def test_kansli_board_and_revisor_read_documents_and_preview(client, forbund, kind):
    client = client_for(client, forbund, kind)
    assert client.get(url(forbund, "documents")).status_code == 200
    preview = client.get(url(forbund, "verksamhetsplan_preview", year=2021))
    assert preview.status_code == 200
    assert "Verksamhetsplan och budget 2021" in preview.content.decode()
    assert "17 mars" in preview.content.decode()


def test_projektagare_is_refused_documents_with_reason(client, forbund):
    response = client_for(client, forbund, Kind.PROJEKTAGARE).get(url(forbund, "documents"))
    assert response.status_code == 403
    assert "Förbundets dokument är till för kansliet, styrelsen och revisorn." in response.content.decode()


@pytest.mark.parametrize("kind", NOT_WRITERS)
def test_only_samordnare_writes_the_plan_and_orders_pdf(client, forbund, kind):
    client = client_for(client, forbund, kind)
    assert client.get(url(forbund, "verksamhetsplan", year=2021)).status_code == 403
    response = client.post(url(forbund, "document_request", kind="verksamhetsplan", year=2021))
    assert response.status_code == 403
    assert not Dokumentjobb.objects.exists()
    assert not Verksamhetsplan.objects.exists()


def test_other_forbund_documents_are_not_found(client, forbund):
    other = ForbundFactory()
    client = client_for(client, other, Kind.SAMORDNARE)
    assert client.get(url(forbund, "documents")).status_code == 404
    assert client.get(url(forbund, "verksamhetsplan_preview", year=2021)).status_code == 404


def test_samordnare_saves_texts_indicators_and_activities(client, forbund):
    client = client_for(client, forbund, Kind.SAMORDNARE)
    page = client.get(url(forbund, "verksamhetsplan", year=2021))
    assert page.status_code == 200
    data = {
        "inledning": "Ett år av omstart.",
        "indikator-TOTAL_FORMS": "2",
        "indikator-INITIAL_FORMS": "0",
        "indikator-0-indicator": "Alla insatser rapporterar",
        "indikator-0-measure": "Tertialrapporter",
        "indikator-1-indicator": "",
        "indikator-1-measure": "",
        "aktivitet-TOTAL_FORMS": "1",
        "aktivitet-INITIAL_FORMS": "0",
        "aktivitet-0-activity": "Nätverk för projektledare",
        "aktivitet-0-when": "Hösten 2021",
        "aktivitet-0-responsible": "Samordnaren",
        "aktivitet-0-follow_up": "Styrelsemöten",
    }
    response = client.post(url(forbund, "verksamhetsplan", year=2021), data)
    assert response.status_code == 302
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Ett år av omstart."
    assert list(Indikator.objects.values_list("measure", flat=True)) == ["Tertialrapporter"]
    preview = client.get(url(forbund, "verksamhetsplan_preview", year=2021)).content.decode()
    assert "Ett år av omstart." in preview
    assert "Nätverk för projektledare" in preview


def test_indicator_without_measure_is_refused_in_swedish_and_nothing_is_lost(client, forbund):
    client = client_for(client, forbund, Kind.SAMORDNARE)
    data = {
        "inledning": "Min text",
        "indikator-TOTAL_FORMS": "1",
        "indikator-INITIAL_FORMS": "0",
        "indikator-0-indicator": "Utan mått",
        "aktivitet-TOTAL_FORMS": "0",
        "aktivitet-INITIAL_FORMS": "0",
    }
    response = client.post(url(forbund, "verksamhetsplan", year=2021), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ange både indikator och mått" in content
    assert "Min text" in content
    assert not Indikator.objects.exists()


def test_new_year_starts_from_last_years_texts(forbund):
    Verksamhetsplan.objects.create(
        forbund=forbund, year=2021, inledning="Text från 2021", utmaningar="Pandemin"
    )
    Indikator.objects.create(forbund=forbund, year=2021, indicator="Rapporter", measure="Tertial")
    PlannedActivity.objects.create(
        forbund=forbund,
        year=2021,
        activity="Nätverk",
        when="Hela 2021",
        responsible="Samordnare",
        follow_up="Möten",
    )
    plan = verksamhetsplan_for(forbund=forbund, year=2022, by=user_with_role(forbund, Kind.SAMORDNARE))
    assert (plan.inledning, plan.utmaningar) == ("Text från 2021", "Pandemin")
    assert Indikator.objects.filter(year=2022).get().indicator == "Rapporter"
    assert PlannedActivity.objects.filter(year=2022).get().when == "Hela 2022"


def test_documents_page_queries_do_not_grow_with_the_jobs(client, forbund):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    client.force_login(samordnare)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(forbund, "documents")).status_code == 200
        return len(queries)

    for year in (2019, 2020):
        Dokumentjobb.objects.create(
            forbund=forbund, kind="verksamhetsplan", year=year, requested_by=samordnare
        )
    few = count()
    for year in range(2010, 2018):
        Dokumentjobb.objects.create(
            forbund=forbund, kind="verksamhetsplan", year=year, requested_by=samordnare
        )
    assert count() == few


def plan_data(inledning: str, opened_version: str) -> dict:
    return {
        "inledning": inledning,
        "opened_version": opened_version,
        "indikator-TOTAL_FORMS": "0",
        "indikator-INITIAL_FORMS": "0",
        "aktivitet-TOTAL_FORMS": "0",
        "aktivitet-INITIAL_FORMS": "0",
    }


def test_the_second_of_two_saves_of_the_plan_is_refused_and_keeps_what_was_typed(forbund):
    from django.test import Client

    url_ = url(forbund, "verksamhetsplan", year=2021)
    anna, olle = Client(), Client()
    anna.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    olle.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    anna.get(url_)
    opened = str(Verksamhetsplan.objects.get(forbund=forbund, year=2021).lock_version)

    assert anna.post(url_, plan_data("Annas inledning.", opened)).status_code == 302
    refused = olle.post(url_, plan_data("Olles inledning.", opened))

    content = refused.content.decode()
    assert refused.status_code == 200
    assert "Någon annan har sparat verksamhetsplan sedan du öppnade formuläret" in content
    assert "Annas inledning." in content and "Olles inledning." in content
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Annas inledning."
    assert olle.post(url_, plan_data("Olles inledning.", str(int(opened) + 1))).status_code == 302
    assert Verksamhetsplan.objects.get(forbund=forbund, year=2021).inledning == "Olles inledning."


def test_saving_the_plan_is_in_the_log_with_the_indicators_before_and_after(client, forbund):
    from forbund.models import ActivityEvent

    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    client.force_login(samordnare)
    client.get(url(forbund, "verksamhetsplan", year=2021))
    data = plan_data("Ny text.", "0")
    data.update(
        {
            "indikator-TOTAL_FORMS": "1",
            "indikator-0-indicator": "Alla insatser rapporterar",
            "indikator-0-measure": "Tertialrapporter",
        }
    )
    client.post(url(forbund, "verksamhetsplan", year=2021), data)

    plan = Verksamhetsplan.objects.get(forbund=forbund, year=2021)
    event = ActivityEvent.objects.get(object_id=str(plan.pk), kind=ActivityEvent.Kind.CHANGED)
    assert event.actor == samordnare
    changes = {change["field"]: (change["before"], change["after"]) for change in event.changes}
    assert changes["inledning"] == ("", "Ny text.")
    assert changes["indicators"] == ("", "Alla insatser rapporterar (Tertialrapporter)")
    assert event.url == url(forbund, "verksamhetsplan_preview", year=2021)
