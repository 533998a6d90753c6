"""No lost updates and no double records in the förbund's registers, every write in the audit trail
with its values before and after, and a justerat meeting's date fixed in the meeting plan too."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from forbund import services
from forbund.models import ActivityEvent, Forbund, GroupMeeting, GroupMembership, MeetingStatus, Person, Role
from tests.factories import StyrelsemoteFactory, user_with_role

pytestmark = pytest.mark.django_db

Kind = Role.Kind
Event = ActivityEvent.Kind


@pytest.fixture
def samordnare(org, client_as):
    return client_as(org, Kind.SAMORDNARE)


@pytest.fixture
def colleague(org, client_as):
    """A second samordnare in their own browser."""
    from django.test import Client

    client = Client()
    client.force_login(user_with_role(org.forbund, Kind.SAMORDNARE))
    return client


def opened_form(client, url) -> dict:
    """The form's initial data as the browser would post it back, hidden fields included."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    return data


# Lost updates


def test_second_save_of_the_same_person_form_is_refused_and_keeps_what_was_typed(org, samordnare, colleague):
    url = org.url("forbund:person_edit")
    mine = opened_form(samordnare, url)
    theirs = opened_form(colleague, url)
    assert mine["opened_version"] == theirs["opened_version"]

    assert colleague.post(url, {**theirs, "phone": "040-11 11 11"}).status_code == 302
    response = samordnare.post(url, {**mine, "title": "Verksamhetsutvecklare"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Någon annan har sparat person sedan du öppnade formuläret" in content
    assert "040-11 11 11" in content  # what the other person changed
    assert 'value="Verksamhetsutvecklare"' in content  # what this person typed stays
    org.person.refresh_from_db()
    assert org.person.phone == "040-11 11 11"
    assert org.person.title != "Verksamhetsutvecklare"

    # Having read the message and taken in the other change, the next save goes through.
    again = {**response.context["form"].data.dict(), "phone": "040-11 11 11"}
    assert samordnare.post(url, again).status_code == 302
    org.person.refresh_from_db()
    assert (org.person.phone, org.person.title) == ("040-11 11 11", "Verksamhetsutvecklare")


def test_second_save_of_a_medlem_is_refused(org, samordnare, colleague):
    url = org.url("forbund:medlem_edit")
    mine, theirs = opened_form(samordnare, url), opened_form(colleague, url)
    assert colleague.post(url, {**theirs, "name": "Region Syd"}).status_code == 302
    response = samordnare.post(url, {**mine, "name": "Region Söder och Öster"})
    assert response.status_code == 200
    assert "Någon annan har sparat medlem" in response.content.decode()
    org.medlem.refresh_from_db()
    assert org.medlem.name == "Region Syd"


def test_second_save_of_the_forbunds_facts_is_refused(org, samordnare, colleague):
    url = org.url("forbund:edit")
    mine, theirs = opened_form(samordnare, url), opened_form(colleague, url)
    assert colleague.post(url, {**theirs, "verksamhetside": "Alla ska få stöd."}).status_code == 302
    response = samordnare.post(url, {**mine, "andamal": "Nytt ändamål."})
    assert response.status_code == 200
    assert "Någon annan har sparat samordningsförbund" in response.content.decode()
    forbund = Forbund.objects.get(pk=org.forbund.pk)
    assert (forbund.verksamhetside, forbund.andamal) == ("Alla ska få stöd.", org.forbund.andamal)


def test_the_service_refuses_a_stale_version(org):
    samordnare = user_with_role(org.forbund, Kind.SAMORDNARE)
    person = Person.objects.get(pk=org.person.pk)
    opened = person.lock_version
    services.forbund_record_save(
        forbund=org.forbund, instance=Person.objects.get(pk=person.pk), by=samordnare, opened_version=opened
    )
    person.phone = "1"
    with pytest.raises(ValidationError) as raised:
        services.forbund_record_save(
            forbund=org.forbund, instance=person, by=samordnare, opened_version=opened
        )
    assert raised.value.code == "stale"


# Double submits


@pytest.mark.parametrize(
    ("name", "model", "lookup"),
    [
        ("forbund:person_create", Person, {"name": "Ny Persson"}),
        ("forbund:mote_create", None, {"date": "2021-11-18"}),
    ],
)
def test_a_double_submit_of_a_create_form_makes_one_record(org, samordnare, name, model, lookup):
    from forbund.models import Styrelsemote

    model = model or Styrelsemote
    token = samordnare.get(org.url(name)).context["form"]["form_token"].value()
    data = {**org.valid_post(name), "form_token": str(token)}

    first = samordnare.post(org.url(name), data)
    second = samordnare.post(org.url(name), data)

    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert model.objects.filter(forbund=org.forbund, **lookup).count() == 1
    assert ActivityEvent.objects.filter(kind=Event.CREATED).count() == 1


def test_a_double_submit_of_a_group_meeting_makes_one(org, samordnare):
    data = {
        **org.valid_post("forbund:group_meeting_add"),
        "form_token": "6f1c3c1e-0f6b-4c53-9d61-8d1a1c1f2a3b",
    }
    samordnare.post(org.url("forbund:group_meeting_add"), data)
    response = samordnare.post(org.url("forbund:group_meeting_add"), data, follow=True)
    assert "Mötet sparades inte" not in response.content.decode()
    assert GroupMeeting.objects.filter(arbetsgrupp=org.arbetsgrupp, date="2021-04-14").count() == 1


# The audit trail of the registers


def test_a_created_record_is_logged_with_its_values(org, samordnare):
    samordnare.post(org.url("forbund:person_create"), org.valid_post("forbund:person_create"))
    event = ActivityEvent.objects.get(kind=Event.CREATED)
    person = Person.objects.get(name="Ny Persson")
    assert (event.object_id, event.object_repr) == (str(person.pk), "Ny Persson")
    changes = {c["label"]: (c["before"], c["after"]) for c in event.changes}
    assert changes["namn"] == ("", "Ny Persson")
    assert changes["befattning"] == ("", "Handläggare")
    assert changes["medlemsorganisation"] == ("", str(org.kommun))


def test_an_edit_is_logged_with_only_what_changed(org, samordnare):
    data = {"name": org.person.name, "email": "anna@example.se", "phone": ""}
    samordnare.post(org.url("forbund:person_edit"), data)
    event = ActivityEvent.objects.get(kind=Event.CHANGED)
    assert [(c["label"], c["after"]) for c in event.changes] == [
        ("befattning", ""),
        ("medlemsorganisation", ""),
        ("e-post", "anna@example.se"),
    ]
    assert event.object_version == Person.objects.get(pk=org.person.pk).lock_version


def test_removing_a_group_member_is_logged_with_what_was_removed(org, samordnare):
    samordnare.post(org.url("forbund:group_member_remove"))
    event = ActivityEvent.objects.get(kind=Event.DELETED)
    assert not GroupMembership.objects.filter(pk=org.membership.pk).exists()
    assert event.description == f"Tog bort {org.person.name} ur {org.arbetsgrupp.name}"
    assert ("person", org.person.name, "") in [(c["label"], c["before"], c["after"]) for c in event.changes]


# A justerat meeting in the meeting plan


@pytest.fixture
def justerat(org):
    return StyrelsemoteFactory(
        forbund=org.forbund, date=datetime.date(2021, 5, 20), status=MeetingStatus.JUSTERAT
    )


def test_the_meeting_plan_offers_no_edit_of_a_justerat_meeting(org, samordnare, justerat):
    content = samordnare.get(org.url("forbund:moten") + "?ar=2021").content.decode()
    assert org.url("forbund:mote_edit") in content  # the open meeting
    assert org.url("forbund:mote_edit", pk=justerat.pk) not in content


@pytest.mark.parametrize("status", [MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT])
def test_a_locked_meetings_date_cannot_be_changed_through_the_meeting_plan(org, samordnare, status):
    meeting = StyrelsemoteFactory(forbund=org.forbund, date=datetime.date(2021, 5, 20), status=status)
    url = org.url("forbund:mote_edit", pk=meeting.pk)

    assert samordnare.get(url).status_code == 403
    response = samordnare.post(url, {"date": "2021-06-01", "place": "Kommunhuset"})
    assert response.status_code == 403
    assert "Protokollet är" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2021, 5, 20)
    assert not ActivityEvent.objects.filter(kind=Event.CHANGED).exists()


def test_the_service_refuses_a_justerat_meetings_date_too(org, justerat):
    samordnare = user_with_role(org.forbund, Kind.SAMORDNARE)
    justerat.date = datetime.date(2021, 6, 1)
    with pytest.raises(ValidationError, match="justerat"):
        services.forbund_record_save(
            forbund=org.forbund, instance=justerat, by=samordnare, rule="edit_meeting"
        )
    justerat.refresh_from_db()
    assert justerat.date == datetime.date(2021, 5, 20)


def test_a_meeting_justerat_while_its_form_was_open_is_not_changed(org, samordnare):
    """The form was opened while the meeting was planned; the minutes were justerat before the save."""
    url = org.url("forbund:mote_edit")
    data = opened_form(samordnare, url)
    type(org.mote).objects.filter(pk=org.mote.pk).update(status=MeetingStatus.JUSTERAT)

    response = samordnare.post(url, {**data, "date": "2021-03-18"})

    assert response.status_code == 403
    org.mote.refresh_from_db()
    assert org.mote.date == datetime.date(2021, 3, 17)
