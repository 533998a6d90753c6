"""The förbund's forms: bad input is refused with a Swedish message and nothing saved; good input from
a samordnare is saved in the right förbund and logged."""

from __future__ import annotations

import pytest

from forbund.models import (
    ActivityEvent,
    Arbetsgrupp,
    Forbund,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    WorkingAgePopulation,
)

pytestmark = pytest.mark.django_db


def record_events():
    """The log's rows about records (the samordnare's login is in the log too)."""
    from forbund.selectors import ACCOUNT_EVENTS

    return ActivityEvent.objects.exclude(kind__in=ACCOUNT_EVENTS)


@pytest.fixture
def samordnare(org, client_as):
    return client_as(org, Role.Kind.SAMORDNARE)


def post_refused(client, org, name, data, model, field, message):
    """POST `data` to page `name`: the form comes back with `message` on `field`, and nothing new is
    saved."""
    before = model.objects.count()
    response = client.post(org.url(name), data)
    assert response.status_code == 200, "formuläret skulle ha visats igen med ett fel"
    errors = response.context["form"].errors
    assert any(message in error for error in errors.get(field, [])), errors
    assert message in response.content.decode()
    assert model.objects.count() == before
    return response


def test_ersattare_period_cannot_end_before_it_starts(samordnare, org):
    data = {
        **org.valid_post("forbund:styrelseuppdrag_create"),
        "start": "2022-01-01",
        "end": "2021-12-31",
    }
    post_refused(
        samordnare,
        org,
        "forbund:styrelseuppdrag_create",
        data,
        Styrelseuppdrag,
        "end",
        "Uppdraget kan inte sluta innan det börjar.",
    )


def test_ersattare_cannot_be_ordforande(samordnare, org):
    data = {
        **org.valid_post("forbund:styrelseuppdrag_create"),
        "role": "ersattare",
        "presidium": "ordforande",
    }
    post_refused(
        samordnare,
        org,
        "forbund:styrelseuppdrag_create",
        data,
        Styrelseuppdrag,
        "presidium",
        "Bara en ordinarie ledamot kan ingå i presidiet.",
    )


def test_board_assignment_must_start_while_the_organisation_is_a_member(samordnare, org):
    org.kommun.left = org.kommun.joined.replace(year=2015)
    org.kommun.save()
    data = {**org.valid_post("forbund:styrelseuppdrag_create"), "start": "2021-01-01"}
    post_refused(
        samordnare,
        org,
        "forbund:styrelseuppdrag_create",
        data,
        Styrelseuppdrag,
        "start",
        "Uppdraget måste börja medan organisationen är medlem.",
    )


def test_board_assignment_without_person_says_the_field_is_required(samordnare, org):
    data = {**org.valid_post("forbund:styrelseuppdrag_create"), "person": ""}
    post_refused(
        samordnare,
        org,
        "forbund:styrelseuppdrag_create",
        data,
        Styrelseuppdrag,
        "person",
        "Detta fält måste fyllas i.",
    )


def test_kansliuppdrag_without_person_says_the_field_is_required(samordnare, org):
    data = {**org.valid_post("forbund:kansliuppdrag_create"), "person": ""}
    post_refused(
        samordnare,
        org,
        "forbund:kansliuppdrag_create",
        data,
        Kansliuppdrag,
        "person",
        "Detta fält måste fyllas i.",
    )


def test_medlem_cannot_leave_before_joining(samordnare, org):
    data = {**org.valid_post("forbund:medlem_create"), "joined": "2020-01-01", "left": "2019-12-31"}
    post_refused(
        samordnare,
        org,
        "forbund:medlem_create",
        data,
        Medlem,
        "left",
        "Utträdet kan inte ligga före inträdet.",
    )


def test_kansliuppdrag_cannot_have_both_member_employer_and_other_employer(samordnare, org):
    data = {
        **org.valid_post("forbund:kansliuppdrag_create"),
        "employer": org.kommun.pk,
        "employer_name": "Bemanningsbolaget AB",
    }
    post_refused(
        samordnare,
        org,
        "forbund:kansliuppdrag_create",
        data,
        Kansliuppdrag,
        "employer_name",
        "Ange antingen en medlem eller en annan arbetsgivare.",
    )


def test_kansliuppdrag_must_name_an_employer(samordnare, org):
    data = {**org.valid_post("forbund:kansliuppdrag_create"), "employer": "", "employer_name": ""}
    post_refused(
        samordnare,
        org,
        "forbund:kansliuppdrag_create",
        data,
        Kansliuppdrag,
        "employer",
        "Ange vem personen är anställd hos.",
    )


def test_kansliuppdrag_share_cannot_exceed_full_time(samordnare, org):
    data = {**org.valid_post("forbund:kansliuppdrag_create"), "share_percent": "120"}
    post_refused(
        samordnare,
        org,
        "forbund:kansliuppdrag_create",
        data,
        Kansliuppdrag,
        "share_percent",
        "Kontrollera att detta värde är mindre än eller lika med 100.",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("212000-1234", "Organisationsnumret har fel kontrollsiffra."),
        ("21200-01234", "Ange organisationsnumret som NNNNNN-NNNN."),
    ],
)
def test_medlem_organisationsnummer_is_checked(samordnare, org, value, message):
    data = {**org.valid_post("forbund:medlem_create"), "organisationsnummer": value}
    post_refused(samordnare, org, "forbund:medlem_create", data, Medlem, "organisationsnummer", message)


def test_forbund_organisationsnummer_with_bad_checksum_is_refused(samordnare, org):
    data = {**org.valid_post("forbund:edit"), "organisationsnummer": "222000-1785"}
    response = samordnare.post(org.url("forbund:edit"), data)
    assert response.status_code == 200
    assert "kontrollsiffra" in response.content.decode()
    org.forbund.refresh_from_db()
    assert org.forbund.organisationsnummer == ""
    assert not record_events().exists()


def test_duplicate_member_name_in_same_forbund_is_shown_as_error_and_not_saved(samordnare, org):
    """The unique name is checked by the service (the form leaves out the förbund); the view shows
    the service's error on the form."""
    data = {**org.valid_post("forbund:medlem_create"), "name": org.kommun.name}
    response = samordnare.post(org.url("forbund:medlem_create"), data)

    assert response.status_code == 200
    assert "finns redan" in response.content.decode()
    assert "finns redan" in " ".join(response.context["form"].non_field_errors())
    assert Medlem.objects.filter(forbund=org.forbund, name=org.kommun.name).count() == 1
    assert not record_events().exists()


def test_same_member_name_is_allowed_in_another_forbund(samordnare, org, other_org):
    data = {**org.valid_post("forbund:medlem_create"), "name": other_org.kommun.name}
    response = samordnare.post(org.url("forbund:medlem_create"), data)
    assert response.status_code == 302
    assert Medlem.objects.filter(name=other_org.kommun.name).count() == 2


def test_duplicate_population_for_kommun_and_year_is_refused(samordnare, org):
    data = {**org.valid_post("forbund:population_create"), "year": org.population.year}
    response = samordnare.post(org.url("forbund:population_create"), data)
    assert response.status_code == 200
    assert "finns redan" in response.content.decode()
    assert WorkingAgePopulation.objects.filter(kommun=org.kommun).count() == 1


def test_population_is_given_per_kommun_or_region_never_for_the_state(samordnare, org):
    """Kommuner and regions split their quarters by working-age population; Försäkringskassan pays
    the state's half whatever the population, so it has no figure to give."""
    from tests.factories import MedlemFactory

    state = MedlemFactory(forbund=org.forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan")
    data = {**org.valid_post("forbund:population_create"), "kommun": state.pk}
    post_refused(
        samordnare,
        org,
        "forbund:population_create",
        data,
        WorkingAgePopulation,
        "kommun",
        "Välj ett giltigt alternativ",
    )


def test_meeting_needs_a_place_or_a_video_link(samordnare, org):
    data = {"date": "2021-11-18", "start_time": "13:00", "place": "", "video_link": ""}
    post_refused(
        samordnare,
        org,
        "forbund:mote_create",
        data,
        Styrelsemote,
        "place",
        "Ange en plats eller en videolänk.",
    )


def test_group_cannot_be_dissolved_before_it_is_formed(samordnare, org):
    data = {**org.valid_post("forbund:arbetsgrupp_create"), "start": "2021-06-01", "end": "2021-01-01"}
    post_refused(
        samordnare,
        org,
        "forbund:arbetsgrupp_create",
        data,
        Arbetsgrupp,
        "end",
        "Gruppen kan inte upplösas innan den bildas.",
    )


def test_group_member_already_in_group_cannot_be_added_twice(samordnare, org):
    response = samordnare.post(
        org.url("forbund:group_member_add"), {"person": org.person.pk, "role": "ledamot"}, follow=True
    )
    assert "Kunde inte lägga till personen" in response.content.decode()
    assert GroupMembership.objects.filter(arbetsgrupp=org.arbetsgrupp, person=org.person).count() == 1


# Happy paths: each create page saves the record in the samordnare's förbund and logs it.

CREATE_PAGES = [
    ("forbund:medlem_create", Medlem, {"name": "Nyby kommun"}, "/medlemmar/"),
    ("forbund:population_create", WorkingAgePopulation, {"year": 2022, "count": 12000}, "/forbundet/"),
    ("forbund:styrelseuppdrag_create", Styrelseuppdrag, {"role": "ersattare"}, "/styrelse/"),
    ("forbund:kansliuppdrag_create", Kansliuppdrag, {"role": "ekonom"}, "/kansli/"),
    ("forbund:person_create", Person, {"name": "Ny Persson"}, "/personer/"),
    ("forbund:arbetsgrupp_create", Arbetsgrupp, {"name": "Ny styrgrupp"}, "/arbetsgrupper/"),
    ("forbund:mote_create", Styrelsemote, {"date": "2021-11-18"}, "/moten/?ar=2021"),
]


@pytest.mark.parametrize(("name", "model", "lookup", "next_page"), CREATE_PAGES)
def test_samordnare_creates_record_in_own_forbund_and_it_is_logged(
    samordnare, org, other_org, name, model, lookup, next_page
):
    response = samordnare.post(org.url(name), org.valid_post(name))

    assert response.status_code == 302, response.context["form"].errors if response.context else None
    assert response.url == f"/f/{org.forbund.slug}{next_page}"
    record = model.objects.get(**lookup)
    assert record.forbund == org.forbund
    event = record_events().get()
    assert event.forbund == org.forbund
    assert event.description.startswith(f"Lade till {model._meta.verbose_name}: ")
    assert event.actor.roles.filter(forbund=org.forbund, kind=Role.Kind.SAMORDNARE).exists()

    page = samordnare.get(response.url)
    assert "sparad" in page.content.decode()


def test_samordnare_edit_is_saved_and_logged(samordnare, org):
    response = samordnare.post(org.url("forbund:medlem_edit"), org.valid_post("forbund:medlem_edit"))
    assert response.status_code == 302
    org.medlem.refresh_from_db()
    assert org.medlem.name == "Region Omdöpt"
    assert org.medlem.forbund == org.forbund
    assert record_events().get().description == "Ändrade medlem: Region Omdöpt"


def test_samordnare_edits_forbund_facts(samordnare, org):
    response = samordnare.post(org.url("forbund:edit"), org.valid_post("forbund:edit"))
    assert response.status_code == 302
    assert response.url == org.url("forbund:detail")
    forbund = Forbund.objects.get(pk=org.forbund.pk)
    assert forbund.name.endswith("(nytt namn)")
    assert forbund.organisationsnummer == "222000-1784"
    assert record_events().get().description == "Ändrade förbundets uppgifter"


def test_samordnare_adds_and_removes_group_member(samordnare, org):
    response = samordnare.post(
        org.url("forbund:group_member_add"), org.valid_post("forbund:group_member_add"), follow=True
    )
    assert f"{org.other_person.name} är tillagd i gruppen." in response.content.decode()
    membership = GroupMembership.objects.get(arbetsgrupp=org.arbetsgrupp, person=org.other_person)
    assert membership.role == "sammankallande"

    response = samordnare.post(
        org.url("forbund:group_member_remove", membership_pk=membership.pk), follow=True
    )
    assert f"{org.other_person.name} är borttagen ur gruppen." in response.content.decode()
    assert not GroupMembership.objects.filter(pk=membership.pk).exists()
    descriptions = set(record_events().values_list("description", flat=True))
    assert descriptions == {
        f"Lade till {org.other_person.name} i {org.arbetsgrupp.name}",
        f"Tog bort {org.other_person.name} ur {org.arbetsgrupp.name}",
    }


def test_meeting_with_only_a_video_link_is_saved(samordnare, org):
    data = {
        "date": "2021-12-01",
        "start_time": "09:00",
        "place": "",
        "video_link": "mote.example.se/styrelse",
    }
    response = samordnare.post(org.url("forbund:mote_create"), data)
    assert response.status_code == 302
    assert Styrelsemote.objects.get(date="2021-12-01").video_link == "https://mote.example.se/styrelse"
