"""The förbund's *Logg*: readable by the samordnare and the revisor only, filtered by person, kind of
record, slag and dates, linking to the record, exported to Excel, in a fixed number of queries."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from openpyxl import load_workbook

from finsam import audit
from forbund.models import ActivityEvent, Arbetsgrupp, Person, Role
from tests.factories import PersonFactory, UserFactory

from .conftest import AUDIT_LOG_REFUSED

pytestmark = pytest.mark.django_db

Kind = Role.Kind
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
LOG_READERS = [Kind.SAMORDNARE, Kind.REVISOR]
NOT_LOG_READERS = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.PROJEKTAGARE]


def at(year, month, day, hour=12, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def dated(event: ActivityEvent, when: datetime.datetime) -> ActivityEvent:
    ActivityEvent.objects.filter(pk=event.pk).update(created_at=when)
    event.refresh_from_db()
    return event


def change_phone(person: Person, phone: str, by) -> ActivityEvent:
    before = audit.values(person)
    person.phone = phone
    person.save()
    return audit.changed(forbund=person.forbund, actor=by, obj=person, before=before)


def rows(response) -> list[str]:
    """The log's table rows as text, newest first."""
    return [" ".join(str(event.description).split()) for event in response.context["events"]]


# Who may read it


@pytest.mark.parametrize("kind", LOG_READERS)
def test_samordnare_and_revisor_read_the_log(org, client_as, kind):
    audit.event(forbund=org.forbund, actor=None, description="Mötesplanen för hösten ändrad")
    response = client_as(org, kind).get(org.url("forbund:logg"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content and "Logg" in content
    assert "Mötesplanen för hösten ändrad" in content


@pytest.mark.parametrize("kind", NOT_LOG_READERS)
def test_other_roles_are_refused_the_log_with_reason(org, client_as, kind):
    audit.event(forbund=org.forbund, actor=None, description="Mötesplanen för hösten ändrad")
    client = client_as(org, kind)
    for url in [org.url("forbund:logg"), org.url("forbund:logg") + "?format=xlsx"]:
        response = client.get(url)
        assert response.status_code == 403
        content = response.content.decode()
        assert AUDIT_LOG_REFUSED in content
        assert "Mötesplanen för hösten ändrad" not in content


@pytest.mark.parametrize("kind", LOG_READERS)
def test_another_forbunds_log_does_not_exist_for_its_readers(org, other_org, client_as, kind):
    audit.event(forbund=other_org.forbund, actor=None, description="Hemlig händelse i B")
    client = client_as(org, kind)
    assert client.get(other_org.url("forbund:logg")).status_code == 404
    assert client.get(other_org.url("forbund:logg") + "?format=xlsx").status_code == 404
    assert "Hemlig händelse i B" not in client.get(org.url("forbund:logg")).content.decode()


@pytest.mark.parametrize("kind", list(Kind.values))
def test_log_link_is_shown_only_to_those_who_may_open_it(org, client_as, kind):
    content = client_as(org, kind).get(org.url("forbund:dashboard")).content.decode()
    assert (f'href="{org.url("forbund:logg")}"' in content) == (kind in LOG_READERS)


# What it shows


def test_a_change_shows_time_person_slag_record_and_values_before_and_after(org, client_as):
    client = client_as(org, Kind.SAMORDNARE)
    samordnare = Role.objects.get(forbund=org.forbund, kind=Kind.SAMORDNARE).user
    event = change_phone(org.person, "040-12 34 56", by=samordnare)
    dated(event, at(2021, 3, 17, 14, 5))

    response = client.get(org.url("forbund:logg"))
    content = response.content.decode()

    assert "2021-03-17 14:05" in content
    assert str(samordnare) in content
    assert "Ändrad" in content
    assert "Person:</span>" in content and org.person.name in content
    assert "Telefon: (tomt) → 040-12 34 56" in content


def test_the_record_links_to_its_page_when_one_was_stored(org, client_as):
    event = audit.event(forbund=org.forbund, actor=None, description="Gruppen ändrad", obj=org.arbetsgrupp)
    ActivityEvent.objects.filter(pk=event.pk).update(url=org.url("forbund:arbetsgrupp"))
    content = client_as(org, Kind.REVISOR).get(org.url("forbund:logg")).content.decode()
    assert f'<a href="{org.url("forbund:arbetsgrupp")}">{org.arbetsgrupp.name}</a>' in content


def test_newest_first(org, client_as):
    dated(audit.event(forbund=org.forbund, actor=None, description="Äldst"), at(2021, 1, 1))
    dated(audit.event(forbund=org.forbund, actor=None, description="Nyast"), at(2021, 6, 1))
    dated(audit.event(forbund=org.forbund, actor=None, description="Mitten"), at(2021, 3, 1))
    client = client_as(org, Kind.SAMORDNARE)
    ActivityEvent.objects.filter(kind=ActivityEvent.Kind.LOGIN).delete()
    assert rows(client.get(org.url("forbund:logg"))) == ["Nyast", "Mitten", "Äldst"]


def test_a_samordnares_edit_through_the_form_shows_in_the_log(org, client_as):
    client = client_as(org, Kind.SAMORDNARE)
    data = {
        "name": org.person.name,
        "title": org.person.title,
        "medlem": org.person.medlem_id,
        "email": org.person.email,
        "phone": "0410-73 30 00",
    }
    assert client.post(org.url("forbund:person_edit"), data).status_code == 302

    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.CHANGED)
    assert event.content_type == ContentType.objects.get_for_model(Person)
    assert event.object_id == str(org.person.pk)
    assert [(c["label"], c["before"], c["after"]) for c in event.changes] == [
        ("telefon", "", "0410-73 30 00")
    ]
    assert "Telefon: (tomt) → 0410-73 30 00" in client.get(org.url("forbund:logg")).content.decode()


# Filters


@pytest.fixture
def history(org):
    """Four events by two people about two kinds of record on three days, and a login."""
    anna = UserFactory(first_name="Anna", last_name="Ödman")
    bo = UserFactory(first_name="Bo", last_name="Berg")
    Role.objects.create(user=anna, forbund=org.forbund, kind=Kind.SAMORDNARE)
    Role.objects.create(user=bo, forbund=org.forbund, kind=Kind.EKONOM)
    events = {
        "anna_person": dated(change_phone(org.person, "1", by=anna), at(2021, 3, 1)),
        "anna_group": dated(
            audit.created(forbund=org.forbund, actor=anna, obj=org.arbetsgrupp), at(2021, 3, 15)
        ),
        "bo_person": dated(change_phone(org.other_person, "2", by=bo), at(2021, 4, 1)),
        "bo_deleted": dated(
            audit.deleted(forbund=org.forbund, actor=bo, obj=org.group_meeting), at(2021, 4, 2)
        ),
    }
    ActivityEvent.objects.filter(kind=ActivityEvent.Kind.LOGIN).delete()
    return anna, bo, events


def shown(client, org, query: str) -> set[int]:
    """The rows shown, leaving out the reader's own login (which happened today)."""
    response = client.get(org.url("forbund:logg") + query)
    assert response.status_code == 200
    return {event.pk for event in response.context["events"] if event.kind != ActivityEvent.Kind.LOGIN}


def test_filter_by_person(org, client_as, history):
    anna, bo, events = history
    client = client_as(org, Kind.REVISOR)
    assert shown(client, org, f"?actor={anna.pk}") == {events["anna_person"].pk, events["anna_group"].pk}
    assert shown(client, org, f"?actor={bo.pk}") == {events["bo_person"].pk, events["bo_deleted"].pk}


def test_filter_by_kind_of_record_offers_the_swedish_names(org, client_as, history):
    _, _, events = history
    client = client_as(org, Kind.REVISOR)
    person_type = ContentType.objects.get_for_model(Person)
    group_type = ContentType.objects.get_for_model(Arbetsgrupp)

    content = client.get(org.url("forbund:logg")).content.decode()
    assert f'<option value="{person_type.pk}">Person</option>' in content
    assert f'<option value="{group_type.pk}">Arbetsgrupp</option>' in content
    assert shown(client, org, f"?content_type={person_type.pk}") == {
        events["anna_person"].pk,
        events["bo_person"].pk,
    }
    assert shown(client, org, f"?content_type={group_type.pk}") == {events["anna_group"].pk}


def test_filter_by_slag(org, client_as, history):
    _, _, events = history
    client = client_as(org, Kind.REVISOR)
    assert shown(client, org, "?kind=skapad") == {events["anna_group"].pk}
    assert shown(client, org, "?kind=borttagen") == {events["bo_deleted"].pk}
    assert shown(client, org, "?kind=andrad") == {events["anna_person"].pk, events["bo_person"].pk}


def test_filter_by_dates_includes_both_days(org, client_as, history):
    _, _, events = history
    client = client_as(org, Kind.REVISOR)
    assert shown(client, org, "?from_date=2021-03-15&to_date=2021-04-01") == {
        events["anna_group"].pk,
        events["bo_person"].pk,
    }
    assert shown(client, org, "?from_date=2021-04-02") == {events["bo_deleted"].pk}


def test_filters_combine(org, client_as, history):
    anna, _, events = history
    client = client_as(org, Kind.REVISOR)
    assert shown(client, org, f"?actor={anna.pk}&kind=andrad&to_date=2021-03-31") == {
        events["anna_person"].pk
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from_date=2021-13-45", "Fyll i ett giltigt datum."),
        ("?from_date=igår", "Fyll i ett giltigt datum."),
        ("?from_date=2021-04-01&to_date=2021-03-01", "Till-datumet kan inte ligga före från-datumet."),
    ],
)
def test_a_bad_date_is_a_swedish_form_error_and_shows_no_rows(org, client_as, history, query, message):
    response = client_as(org, Kind.SAMORDNARE).get(org.url("forbund:logg") + query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(response.context["events"]) == []
    assert "Rätta filtret ovan" in response.content.decode()


def test_pages_keep_the_filter(org, client_as):
    for i in range(60):
        audit.event(forbund=org.forbund, actor=None, description=f"Händelse {i}")
    client = client_as(org, Kind.SAMORDNARE)
    first = client.get(org.url("forbund:logg") + "?kind=handelse")
    assert len(first.context["events"]) == 50
    assert 'href="?kind=handelse&amp;sida=2"' in first.content.decode()
    second = client.get(org.url("forbund:logg") + "?kind=handelse&sida=2")
    assert rows(second) == [f"Händelse {i}" for i in range(9, -1, -1)]


# Export


def test_export_contains_the_filtered_rows_with_their_changes(org, client_as, history):
    anna, _, events = history
    response = client_as(org, Kind.REVISOR).get(org.url("forbund:logg") + f"?actor={anna.pk}&format=xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"logg-{org.forbund.slug}-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [
        "Tidpunkt",
        "Person",
        "Slag",
        "Typ av post",
        "Post",
        "Händelse",
        "Ändringar",
        "Adress",
    ]
    assert [row[0] for row in table[1:]] == ["2021-03-15 12:00", "2021-03-01 12:00"]
    assert {row[1] for row in table[1:]} == {"Anna Ödman"}
    group_row, person_row = table[1], table[2]
    assert group_row[2:5] == ["Skapad", "Arbetsgrupp", org.arbetsgrupp.name]
    assert person_row[2:5] == ["Ändrad", "Person", org.person.name]
    assert "Telefon: (tomt) → 1" in person_row[6]


def test_export_of_a_bad_filter_shows_the_page_with_the_error(org, client_as):
    response = client_as(org, Kind.SAMORDNARE).get(org.url("forbund:logg") + "?from_date=x&format=xlsx")
    assert response["Content-Type"].startswith("text/html")
    assert "Fyll i ett giltigt datum." in response.content.decode()


# Cost


def add_events(org, actors, start: int, stop: int) -> None:
    records = [org.person, org.arbetsgrupp, org.medlem, org.mote, org.kansliuppdrag]
    for i in range(start, stop):
        person = PersonFactory(forbund=org.forbund, name=f"Person {i}")
        audit.created(forbund=org.forbund, actor=actors[i % len(actors)], obj=person)
        record = records[i % len(records)]
        audit.event(
            forbund=org.forbund, actor=actors[(i + 1) % len(actors)], description=f"Rad {i}", obj=record
        )


@pytest.mark.parametrize("query", ["", "?kind=skapad&from_date=2000-01-01", "?format=xlsx"])
def test_log_queries_do_not_grow_with_rows(org, client_as, django_assert_max_num_queries, query):
    client = client_as(org, Kind.SAMORDNARE)
    actors = [UserFactory() for _ in range(4)]
    for actor in actors:
        Role.objects.create(user=actor, forbund=org.forbund, kind=Kind.EKONOM)

    counts = []
    for start, stop in [(0, 3), (3, 20)]:
        add_events(org, actors, start, stop)
        with django_assert_max_num_queries(10) as captured:
            response = client.get(org.url("forbund:logg") + query)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], f"{counts[0]} queries for few rows, {counts[1]} for many"
