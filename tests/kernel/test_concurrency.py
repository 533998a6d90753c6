"""No lost updates and no double records, tested on a plain organisation record (a person)."""

from __future__ import annotations

import uuid

import pytest
from django import forms

from finsam import concurrency
from forbund.models import ActivityEvent, Person, Role
from tests.factories import PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


class PhoneForm(concurrency.VersionedForm, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["phone"]


def _edit(person: Person, *, phone: str, opened: int, by) -> Person:
    form = PhoneForm({"phone": phone, "opened_version": opened}, instance=Person.objects.get(pk=person.pk))
    assert form.is_valid(), form.errors
    return concurrency.save_edit(
        form.save(commit=False), by=by, forbund=person.forbund, opened_version=form.opened
    )


def _named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def person():
    return PersonFactory(phone="040-100 00")


@pytest.fixture
def anna(person):
    return _named(user_with_role(person.forbund, Role.Kind.SAMORDNARE), "Anna", "Berg")


@pytest.fixture
def olle(person):
    return _named(user_with_role(person.forbund, Role.Kind.SAMORDNARE), "Olle", "Ek")


def test_a_save_on_the_version_it_was_opened_on_goes_through_and_counts_up(person, anna):
    saved = _edit(person, phone="040-200 00", opened=person.lock_version, by=anna)

    assert saved.phone == "040-200 00"
    assert Person.objects.get(pk=person.pk).lock_version == person.lock_version + 1


def test_the_second_of_two_saves_on_the_same_version_is_refused_and_names_the_first(person, anna, olle):
    opened = person.lock_version
    _edit(person, phone="040-200 00", opened=opened, by=anna)

    with pytest.raises(concurrency.StaleEdit) as refused:
        _edit(person, phone="040-300 00", opened=opened, by=olle)

    message = refused.value.messages[0]
    assert "Anna Berg" in message
    assert "040-100 00" in message and "040-200 00" in message
    assert Person.objects.get(pk=person.pk).phone == "040-200 00"


def test_a_refused_form_keeps_what_was_typed_and_the_next_save_goes_through(person, anna, olle):
    opened = person.lock_version
    _edit(person, phone="040-200 00", opened=opened, by=anna)
    form = PhoneForm(
        {"phone": "040-300 00", "opened_version": opened}, instance=Person.objects.get(pk=person.pk)
    )
    assert form.is_valid()
    try:
        concurrency.save_edit(
            form.save(commit=False), by=olle, forbund=person.forbund, opened_version=form.opened
        )
    except concurrency.StaleEdit as error:
        form.show_stale(error)

    assert form.data["phone"] == "040-300 00"
    assert form.non_field_errors()
    again = PhoneForm(form.data, instance=Person.objects.get(pk=person.pk))
    assert again.is_valid()
    concurrency.save_edit(
        again.save(commit=False), by=olle, forbund=person.forbund, opened_version=again.opened
    )
    assert Person.objects.get(pk=person.pk).phone == "040-300 00"


def test_every_saved_edit_is_in_the_audit_trail_with_before_and_after(person, anna):
    _edit(person, phone="040-200 00", opened=person.lock_version, by=anna)

    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.CHANGED, object_id=str(person.pk))
    assert event.actor == anna
    assert event.forbund == person.forbund
    assert [(c["field"], c["before"], c["after"]) for c in event.changes] == [
        ("phone", "040-100 00", "040-200 00")
    ]


def test_a_create_form_submitted_twice_makes_one_record(person, anna):
    token = uuid.uuid4()

    def create():
        return PersonFactory(forbund=person.forbund, name="Eva Lund")

    first, created_first = concurrency.create_once(token=token, by=anna, create=create)
    second, created_second = concurrency.create_once(token=token, by=anna, create=create)

    assert (created_first, created_second) == (True, False)
    assert first == second
    assert Person.objects.filter(forbund=person.forbund, name="Eva Lund").count() == 1


def test_a_new_form_gets_a_new_token():
    class NewForm(concurrency.OnceForm):
        pass

    assert NewForm().fields["form_token"].initial != NewForm().fields["form_token"].initial


def test_an_edit_form_without_its_version_cannot_put_back_an_old_status():
    from forbund.models import MeetingStatus, Styrelsemote
    from tests.factories import StyrelsemoteFactory

    meeting = StyrelsemoteFactory(status=MeetingStatus.PLANERAT, place="Trelleborg")
    samordnare = user_with_role(meeting.forbund, Role.Kind.SAMORDNARE)
    copy_opened_before = Styrelsemote.objects.get(pk=meeting.pk)
    Styrelsemote.objects.filter(pk=meeting.pk).update(status=MeetingStatus.KALLAT)

    copy_opened_before.place = "Svedala"
    concurrency.save_edit(copy_opened_before, by=samordnare, forbund=meeting.forbund, opened_version=None)

    stored = Styrelsemote.objects.get(pk=meeting.pk)
    assert (stored.place, stored.status) == ("Svedala", MeetingStatus.KALLAT)
