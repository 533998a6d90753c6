"""Editing an application safely: two people with the same form open, a double submit of a create
form, the lock once the application is submitted, and the audit trail every change leaves."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from forbund.models import ActivityEvent, Medlem, Role, User
from insatser import services
from insatser.models import Attachment, Beslut, Delprocess, Insats, Milestone
from tests.factories import (
    AgendaItemFactory,
    MedlemFactory,
    MilestoneFactory,
    StyrelsemoteFactory,
    complete_application,
    user_with_role,
)

pytestmark = pytest.mark.django_db

S = Insats.Status
Kind = Role.Kind
Event = ActivityEvent.Kind
D = datetime.date
STALE = "Någon annan har sparat insats sedan du öppnade formuläret, så dina ändringar är inte sparade."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def region(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def kommun(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Åby kommun")


@pytest.fixture
def draft(forbund, region, kommun) -> Insats:
    return complete_application(forbund=forbund, owner=region, partner=kommun, name="Vägen till arbete")


def named(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def anna(forbund) -> User:
    """The samordnare."""
    return named(user_with_role(forbund, Kind.SAMORDNARE), "Anna", "Berg")


@pytest.fixture
def per(forbund, region) -> User:
    """The projektägare of Region Söder, which owns the application."""
    return named(user_with_role(forbund, Kind.PROJEKTAGARE, medlem=region), "Per", "Lind")


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, insats: Insats | None = None, **kwargs) -> str:
    forbund = insats.forbund if insats else kwargs.pop("forbund")
    kwargs = {"forbund": forbund.slug, **({"pk": insats.pk} if insats else {}), **kwargs}
    return reverse(name, kwargs=kwargs)


def hidden(content: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', content)
    assert found, f"no hidden {name} on the page"
    return found.group(1)


def text(response) -> str:
    return response.content.decode()


def application_data(insats: Insats, kommun: Medlem, **changes) -> dict:
    data = {
        "name": insats.name,
        "kind": Insats.Kind.INDIVIDINRIKTAD,
        "malgrupp": Insats.Malgrupp.UNGA_VUXNA,
        "owner": insats.owner_id,
        "partners": [kommun.pk],
        "start": "2021-01-01",
        "end": "2022-12-31",
        "resultatmal": "40 deltagare",
    }
    data.update(changes)
    return data


def budget_data(rows: list[dict], **extra) -> dict:
    data = {
        "rad-TOTAL_FORMS": str(len(rows)),
        "rad-INITIAL_FORMS": "0",
        "rad-MIN_NUM_FORMS": "0",
        "rad-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for number, row in enumerate(rows):
        data.update({f"rad-{number}-{key}": value for key, value in row.items()})
    return data


# No lost updates ---------------------------------------------------------------------------------


def test_the_second_of_two_application_edits_opened_on_the_same_version_is_refused(draft, kommun, anna, per):
    samordnare, projektagare = browser(anna), browser(per)
    opened_by_anna = hidden(text(samordnare.get(url("insatser:edit", draft))), "opened_version")
    opened_by_per = hidden(text(projektagare.get(url("insatser:edit", draft))), "opened_version")
    assert opened_by_anna == opened_by_per == str(draft.lock_version)

    first = samordnare.post(
        url("insatser:edit", draft),
        application_data(draft, kommun, name="Vägen till arbete 2.0", opened_version=opened_by_anna),
    )
    assert first.status_code == 302

    typed = application_data(
        draft,
        kommun,
        malgrupp_description="Unga som Per har mött i kommunens KAA.",
        opened_version=opened_by_per,
    )
    second = projektagare.post(url("insatser:edit", draft), typed)

    assert second.status_code == 200
    content = text(second)
    assert STALE in content
    # The other person's change is named: who, which field, before and after.
    assert "Anna Berg" in content
    assert "namn: ”Vägen till arbete” → ”Vägen till arbete 2.0”" in content
    # What Per typed is still in the form, which now carries the current version.
    assert "Unga som Per har mött i kommunens KAA." in content
    draft.refresh_from_db()
    assert draft.name == "Vägen till arbete 2.0"
    assert draft.malgrupp_description == ""
    assert hidden(content, "opened_version") == str(draft.lock_version)

    # Having read the message, Per saves again and it goes through.
    third = projektagare.post(
        url("insatser:edit", draft), {**typed, "opened_version": hidden(content, "opened_version")}
    )
    assert third.status_code == 302
    draft.refresh_from_db()
    assert draft.malgrupp_description == "Unga som Per har mött i kommunens KAA."


def test_a_budget_saved_meanwhile_refuses_the_application_form_opened_before_it(draft, kommun, anna, per):
    """The budget is part of the application: saving it counts up the insats's version."""
    samordnare, projektagare = browser(anna), browser(per)
    opened = hidden(text(samordnare.get(url("insatser:edit", draft))), "opened_version")
    budget_page = text(projektagare.get(url("insatser:budget", draft)))
    response = projektagare.post(
        url("insatser:budget", draft),
        budget_data(
            [{"section": "Övergripande", "description": "Coach", "amount_2021": "5000"}],
            opened_version=hidden(budget_page, "opened_version"),
        ),
    )
    assert response.status_code == 302

    response = samordnare.post(
        url("insatser:edit", draft), application_data(draft, kommun, name="Nytt namn", opened_version=opened)
    )

    assert response.status_code == 200
    content = text(response)
    assert STALE in content
    assert "Per Lind" in content and "Coach" in content
    draft.refresh_from_db()
    assert draft.name == "Vägen till arbete"


def test_the_second_of_two_budget_forms_is_refused_keeping_its_rows(draft, anna, per):
    samordnare, projektagare = browser(anna), browser(per)
    opened = hidden(text(samordnare.get(url("insatser:budget", draft))), "opened_version")
    assert hidden(text(projektagare.get(url("insatser:budget", draft))), "opened_version") == opened

    row = {"section": "Övergripande", "description": "Processledare", "amount_2021": "500000"}
    assert (
        samordnare.post(url("insatser:budget", draft), budget_data([row], opened_version=opened)).status_code
        == 302
    )
    typed = budget_data(
        [{"section": "Utvärdering", "description": "Extern utvärderare", "amount_2022": "75000"}],
        opened_version=opened,
    )
    response = projektagare.post(url("insatser:budget", draft), typed)

    assert response.status_code == 200
    content = text(response)
    assert STALE in content and "Anna Berg" in content
    assert 'value="Extern utvärderare"' in content and 'value="75 000"' in content
    assert list(draft.budget_lines.values_list("description", flat=True)) == ["Processledare"]

    again = {**typed, "opened_version": hidden(content, "opened_version")}
    assert projektagare.post(url("insatser:budget", draft), again).status_code == 302
    assert list(draft.budget_lines.values_list("description", flat=True)) == ["Extern utvärderare"]


def test_a_delprocess_form_opened_before_another_change_is_refused(draft, kommun, anna, per):
    samordnare, projektagare = browser(anna), browser(per)
    opened = hidden(text(projektagare.get(url("insatser:delprocess_create", draft))), "opened_version")
    samordnare.post(
        url("insatser:edit", draft),
        application_data(draft, kommun, name="Vägen till arbete 2.0", opened_version=str(draft.lock_version)),
    )

    response = projektagare.post(
        url("insatser:delprocess_create", draft),
        {"name": "Delprocess Åby", "owner": kommun.pk, "opened_version": opened},
    )

    assert response.status_code == 200
    assert STALE in text(response) and 'value="Delprocess Åby"' in text(response)
    assert not Delprocess.objects.filter(name="Delprocess Åby").exists()


def test_two_edits_of_the_same_milestone_the_second_is_refused(draft, anna, forbund):
    milestone = MilestoneFactory(insats=draft, title="Styrgrupp utsedd", due=D(2021, 3, 31))
    other = named(user_with_role(forbund, Kind.SAMORDNARE), "Olle", "Ek")
    first, second = browser(anna), browser(other)
    edit = url("insatser:milestone_edit", draft, milestone_pk=milestone.pk)
    opened = hidden(text(first.get(edit)), "opened_version")

    data = {"title": "Styrgrupp utsedd", "due": "2021-03-31", "status": "klar", "opened_version": opened}
    assert first.post(edit, data).status_code == 302
    response = second.post(edit, {**data, "title": "Styrgruppen utsedd av parterna", "status": "pagar"})

    assert response.status_code == 200
    assert "Anna Berg" in text(response) and "Styrgruppen utsedd av parterna" in text(response)
    milestone.refresh_from_db()
    assert (milestone.title, milestone.status) == ("Styrgrupp utsedd", Milestone.Status.KLAR)


# Double submits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status"), [("insatser:create", S.UTKAST), ("insatser:create_idea", S.IDE)])
def test_a_new_application_submitted_twice_makes_one_insats(forbund, region, kommun, anna, name, status):
    client = browser(anna)
    token = hidden(text(client.get(url(name, forbund=forbund))), "form_token")
    data = {
        "name": "Steget vidare",
        "kind": Insats.Kind.INDIVIDINRIKTAD,
        "owner": region.pk,
        "partners": [kommun.pk],
        "resultatmal": "30 deltagare",
        "form_token": token,
    }

    first = client.post(url(name, forbund=forbund), data)
    second = client.post(url(name, forbund=forbund), data, follow=True)

    insats = Insats.objects.get(forbund=forbund, name="Steget vidare")
    assert insats.status == status
    assert first.status_code == 302 and first.url == insats.get_absolute_url()
    assert second.redirect_chain == [(insats.get_absolute_url(), 302)]
    assert "Steget vidare var redan sparad." in text(second)
    assert [g.text for g in insats.resultatmal] == ["30 deltagare"]
    assert insats.status_changes.count() == 1


def test_a_new_delprocess_submitted_twice_makes_one(draft, kommun, per):
    client = browser(per)
    page = text(client.get(url("insatser:delprocess_create", draft)))
    data = {
        "name": "Delprocess Åby",
        "owner": kommun.pk,
        "form_token": hidden(page, "form_token"),
        "opened_version": hidden(page, "opened_version"),
    }
    assert client.post(url("insatser:delprocess_create", draft), data).status_code == 302
    assert client.post(url("insatser:delprocess_create", draft), data).status_code == 302
    assert Delprocess.objects.filter(insats=draft, name="Delprocess Åby").count() == 1


# The lock after submission -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.INSKICKAD, S.UNDER_BEREDNING, S.BEVILJAD, S.PAGAENDE, S.AVSLAGEN])
def test_every_application_write_is_refused_after_submission(forbund, region, kommun, per, anna, status):
    insats = complete_application(forbund=forbund, owner=region, partner=kommun, status=status)
    delprocess = Delprocess.objects.create(insats=insats, owner=kommun, name="Delprocess Åby")
    attachment = Attachment.objects.create(
        insats=insats, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), uploaded_by=anna
    )
    edited = Insats.objects.get(pk=insats.pk)
    edited.name = "Ändrad efter inskickning"
    writes = {
        "insats_update": lambda by: services.insats_update(insats=edited, by=by),
        "budget_replace": lambda by: services.budget_replace(insats=insats, by=by, lines=[]),
        "delprocess_save": lambda by: services.delprocess_save(
            insats=insats, by=by, delprocess=Delprocess(name="Ny", owner=kommun)
        ),
        "delprocess_delete": lambda by: services.delprocess_delete(delprocess=delprocess, by=by),
        "attachment_add": lambda by: services.attachment_add(
            insats=insats, by=by, file=SimpleUploadedFile("ny.pdf", b"%PDF-1.4")
        ),
        "attachment_remove": lambda by: services.attachment_remove(attachment=attachment, by=by),
    }
    events = ActivityEvent.objects.count()
    for user in (per, anna):
        for name, write in writes.items():
            with pytest.raises(ValidationError, match="den är sparad som den skickades in") as refused:
                write(user)
            assert refused.value.code == "locked", name
    insats.refresh_from_db()
    assert insats.name != "Ändrad efter inskickning"
    assert insats.lock_version == 0
    assert insats.budget_lines.count() == 1
    assert Delprocess.objects.filter(insats=insats).count() == 1
    assert Attachment.objects.filter(insats=insats).count() == 1
    assert ActivityEvent.objects.count() == events


def test_an_edit_saved_from_an_older_copy_does_not_put_back_an_old_status(draft, anna):
    """A copy loaded before a transition, saved without a version (as a script would), keeps the
    status the workflow set: only the workflow changes status."""
    Insats.objects.filter(pk=draft.pk).update(status=S.IDE)
    older = Insats.objects.get(pk=draft.pk)
    services.insats_transition(insats=Insats.objects.get(pk=draft.pk), to=S.UTKAST, by=anna)

    older.description = "Ändrad från en gammal kopia"
    services.insats_update(insats=older, by=anna)

    draft.refresh_from_db()
    assert draft.status == S.UTKAST
    assert draft.description == "Ändrad från en gammal kopia"


# The audit trail -----------------------------------------------------------------------------------


def changes(event: ActivityEvent) -> dict[str, tuple[str, str]]:
    return {change["field"]: (change["before"], change["after"]) for change in event.changes}


def test_an_application_edit_is_logged_with_the_values_before_and_after(draft, kommun, per):
    opened = draft.lock_version
    response = browser(per).post(
        url("insatser:edit", draft),
        application_data(
            draft,
            kommun,
            name="Vägen till arbete 2.0",
            resultatmal="40 deltagare\n20 i arbete",
            opened_version=opened,
        ),
    )
    assert response.status_code == 302

    event = ActivityEvent.objects.get(kind=Event.CHANGED, object_id=str(draft.pk))
    assert event.actor == per
    assert event.forbund == draft.forbund
    assert event.object_repr == "Vägen till arbete 2.0"
    assert event.object_version == opened + 1
    assert event.url == draft.get_absolute_url()
    logged = changes(event)
    assert logged["name"] == ("Vägen till arbete", "Vägen till arbete 2.0")
    assert logged["goals_resultatmal"][1] == "40 deltagare; 20 i arbete"
    assert "status" not in logged and "lock_version" not in logged


def test_creating_an_application_is_logged_with_its_values(forbund, region, kommun, per):
    insats = services.insats_create(
        forbund=forbund,
        by=per,
        insats=Insats(name="Steget vidare", kind=Insats.Kind.INDIVIDINRIKTAD, owner=region),
        partners=[kommun],
        goals={"resultatmal": ["30 deltagare"]},
    )
    event = ActivityEvent.objects.get(kind=Event.CREATED, object_id=str(insats.pk))
    logged = changes(event)
    assert logged["name"] == ("", "Steget vidare")
    assert logged["status"] == ("", "Utkast")
    assert logged["partners"] == ("", "Åby kommun")
    assert logged["goals_resultatmal"] == ("", "30 deltagare")
    assert event.url == insats.get_absolute_url()


def test_every_write_to_an_applications_parts_is_logged_and_counts_up_its_version(draft, kommun, per):
    version = draft.lock_version

    delprocess = services.delprocess_save(
        insats=draft, by=per, delprocess=Delprocess(name="Delprocess Åby", owner=kommun)
    )
    delprocess.name = "Delprocess Åby kommun"
    services.delprocess_save(insats=draft, by=per, delprocess=delprocess)
    services.budget_replace(
        insats=draft,
        by=per,
        lines=[
            services.BudgetLineData(description="Coach", delprocess=delprocess, amounts={2021: Decimal(9)})
        ],
    )
    attachment = services.attachment_add(
        insats=draft, by=per, file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), description="Plan"
    )
    services.attachment_remove(attachment=attachment, by=per)
    services.delprocess_delete(delprocess=delprocess, by=per)

    events = [
        (event.kind, event.content_type.model, changes(event))
        # Each change also voids the parties' confirmations and asks again (tested in test_confirmations).
        for event in ActivityEvent.objects.filter(actor=per).exclude(kind=Event.EVENT).order_by("id")
    ]
    assert [(kind, model) for kind, model, _ in events] == [
        (Event.CREATED, "delprocess"),
        (Event.CHANGED, "delprocess"),
        (Event.CHANGED, "insats"),  # the budget
        (Event.CREATED, "attachment"),
        (Event.DELETED, "attachment"),
        (Event.DELETED, "delprocess"),
        (Event.CHANGED, "insats"),  # the delprocess's budget line went with it
    ]
    assert events[1][2]["name"] == ("Delprocess Åby", "Delprocess Åby kommun")
    assert events[2][2]["budget"] == (
        "Övergripande, Processledare: 2021 400000 kr, 2022 350000 kr",
        "Delprocess Åby kommun, Coach: 2021 9 kr",
    )
    assert events[5][2]["name"] == ("Delprocess Åby kommun", "")
    assert events[6][2]["budget"] == ("Delprocess Åby kommun, Coach: 2021 9 kr", "")
    draft.refresh_from_db()
    assert draft.lock_version == version + 6


def test_the_boards_decision_is_logged_with_its_amounts_and_the_transition(forbund, region, kommun, anna):
    insats = complete_application(forbund=forbund, owner=region, partner=kommun, status=S.UNDER_BEREDNING)

    beslut = services.insats_decide(
        insats=insats,
        by=anna,
        outcome=Beslut.Outcome.BEVILJAD,
        agenda_item=AgendaItemFactory(
            meeting=StyrelsemoteFactory(forbund=forbund, date=D(2020, 12, 3)), insats=insats
        ),
        amounts={2021: Decimal(300_000), 2022: Decimal(250_000)},
    )

    created = ActivityEvent.objects.get(kind=Event.CREATED, object_id=str(beslut.pk))
    assert changes(created)["amounts"] == ("", "2021 300000 kr, 2022 250000 kr")
    assert changes(created)["outcome"] == ("", "Beviljad")
    assert created.url == f"{insats.get_absolute_url()}#beslut"
    transition = ActivityEvent.objects.get(kind=Event.TRANSITION, object_id=str(insats.pk))
    assert changes(transition)["status"] == ("Under beredning", "Beviljad")
    assert insats.status == S.BEVILJAD
