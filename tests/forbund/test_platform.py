"""The platform administrator and the guided start of a new förbund: who reaches which page, what each
step saves and refuses, and that a platform administrator never reads a förbund's own records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from finsam import access, broker
from forbund.models import (
    ActivityEvent,
    Forbund,
    Invitation,
    Kansliuppdrag,
    Medlem,
    Person,
    PlatformAdministrator,
    Role,
    Styrelseuppdrag,
    Uppstart,
    WorkingAgePopulation,
)
from forbund.platform import selectors, services
from tests.factories import (
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    StyrelsemoteFactory,
    UserFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
D = datetime.date


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="plattformen")
    PlatformAdministrator.objects.create(user=user)
    return user


@pytest.fixture
def started(admin_user):
    """A förbund in its guided start, begun by the platform administrator."""
    forbund = services.forbund_start(
        by=admin_user,
        forbund=Forbund(name="Samordningsförbundet Nyby", slug="nyby", organisationsnummer="222000-0018"),
    )
    return forbund


@pytest.fixture
def eager_mail(monkeypatch):
    """No worker runs here: a queued task runs at once in the test's own thread instead."""
    import forbund.tasks  # noqa: F401 - registers the tasks by name
    from finsam.celery import app

    def run_here(task_name, *, args=(), kwargs=None, **options):
        return app.tasks[task_name].run(*args, **(kwargs or {}))

    monkeypatch.setattr(broker, "send", run_here)


def url(name, forbund=None, **kwargs):
    if forbund is not None:
        kwargs["forbund"] = forbund.slug
    return reverse(f"platform:{name}", kwargs=kwargs)


# The rules -----------------------------------------------------------------------------------------


def test_platform_admin_may_administer_the_platform_and_set_up_a_started_forbund(admin_user, started):
    assert access.check("administer_platform", admin_user, admin_user)
    assert access.check("set_up_forbund", admin_user, started)


def test_other_accounts_may_not_administer_the_platform(forbund, started):
    samordnare = user_with_role(started, Kind.SAMORDNARE)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    for user in (samordnare, superuser):
        assert not access.check("administer_platform", user, user)
        assert not access.check("set_up_forbund", user, started)


def test_a_handed_over_forbund_is_locked_for_the_platform_admin(admin_user, started):
    Uppstart.objects.filter(forbund=started).update(completed_at=datetime.datetime.now(tz=datetime.UTC))
    started.refresh_from_db()
    verdict = access.check("set_up_forbund", admin_user, Forbund.objects.get(pk=started.pk))
    assert not verdict and verdict.locked


def test_a_forbund_not_started_here_cannot_be_set_up(admin_user, forbund):
    verdict = access.check("set_up_forbund", admin_user, forbund)
    assert not verdict and verdict.locked


@pytest.mark.parametrize(
    "rule", ["view_forbund", "view_all_insatser", "view_economy", "view_meetings", "view_reports"]
)
def test_platform_admin_holds_no_role_in_the_forbund(admin_user, forbund, rule):
    assert not access.check(rule, admin_user, forbund)


# The pages, per visitor ------------------------------------------------------------------------------


def test_platform_admin_sees_every_forbund_in_the_list(client, login, admin_user, forbund, started):
    response = login(admin_user).get(url("home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert forbund.name in text and started.name in text
    assert "Fortsätt uppstarten" in text


def test_platform_admin_gets_404_on_a_forbunds_own_pages(login, admin_user, forbund):
    insats = InsatsFactory(forbund=forbund)
    meeting = StyrelsemoteFactory(forbund=forbund)
    client = login(admin_user)
    for address in [
        reverse("forbund:dashboard", kwargs={"forbund": forbund.slug}),
        reverse("insatser:list", kwargs={"forbund": forbund.slug}),
        reverse("insatser:detail", kwargs={"forbund": forbund.slug, "pk": insats.pk}),
        reverse("forbund:moten", kwargs={"forbund": forbund.slug}),
        reverse("forbund:mote", kwargs={"forbund": forbund.slug, "pk": meeting.pk}),
        reverse("ekonomi:overview", kwargs={"forbund": forbund.slug}),
        reverse("uppfoljning:reports", kwargs={"forbund": forbund.slug}),
    ]:
        assert client.get(address).status_code == 404, address


def test_platform_admin_gets_404_on_the_started_forbunds_own_pages_too(login, admin_user, started):
    client = login(admin_user)
    assert client.get(reverse("insatser:list", kwargs={"forbund": started.slug})).status_code == 404
    assert client.get(reverse("ekonomi:overview", kwargs={"forbund": started.slug})).status_code == 404


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.REVISOR])
def test_forbund_roles_cannot_reach_the_platform_pages(login, started, kind):
    client = login(user_with_role(started, kind))
    assert client.get(url("home")).status_code == 403
    assert client.get(url("start")).status_code == 403
    assert client.get(url("setup", started)).status_code == 403
    assert client.get(url("members", started)).status_code == 403
    assert client.get(url("template", started)).status_code == 403
    assert (
        client.post(
            url("members", started), {"kind": "kommun", "name": "X", "joined": "2024-01-01"}
        ).status_code
        == 403
    )
    assert not Medlem.objects.filter(forbund=started).exists()


def test_projektagare_cannot_reach_the_platform_pages(login, started):
    client = login(user_with_role(started, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=started)))
    assert client.get(url("home")).status_code == 403
    assert client.get(url("setup", started)).status_code == 403


def test_anonymous_is_sent_to_login(client, started):
    for address in (url("home"), url("start"), url("setup", started), url("import", started)):
        response = client.get(address)
        assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_platform_admin_without_roles_lands_on_the_platform_page(login, admin_user):
    response = login(admin_user).get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == url("home")


def test_platform_admin_with_a_role_chooses_between_the_list_and_the_forbund(login, admin_user, forbund):
    Role.objects.create(user=admin_user, forbund=forbund, kind=Kind.SAMORDNARE)
    response = login(admin_user).get(reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert url("home") in text and forbund.name in text


def test_samordnare_still_goes_straight_to_their_forbund(login, forbund):
    response = login(user_with_role(forbund, Kind.SAMORDNARE)).get(reverse("home"))
    assert response["Location"] == reverse("forbund:dashboard", kwargs={"forbund": forbund.slug})


def test_the_menu_links_the_platform_for_its_administrator_only(client, admin_user, forbund):
    client.force_login(admin_user)
    assert "Förbunden i finsam" in client.get(url("home")).content.decode()
    client.force_login(user_with_role(forbund, Kind.SAMORDNARE))
    page = client.get(reverse("forbund:detail", kwargs={"forbund": forbund.slug})).content.decode()
    assert url("home") not in page
    client.force_login(UserFactory())  # no role anywhere, not a platform administrator
    assert url("home") not in client.get(reverse("home")).content.decode()


def test_setup_pages_of_a_handed_over_forbund_lead_back_to_the_list(login, admin_user, started):
    Uppstart.objects.filter(forbund=started).update(completed_at=datetime.datetime.now(tz=datetime.UTC))
    response = login(admin_user).get(url("members", started))
    assert response.status_code == 302 and response["Location"] == url("home")


def test_forbund_list_queries_do_not_grow_with_forbund(login, admin_user, django_assert_max_num_queries):
    client = login(admin_user)
    counts = []
    for number in (2, 10):
        while Forbund.objects.count() < number:
            forbund = ForbundFactory()
            finsam_parties(forbund, kommuner=2)
            user_with_role(forbund, Kind.SAMORDNARE)
            Uppstart.objects.create(forbund=forbund, started_by=admin_user)
        with django_assert_max_num_queries(8) as captured:
            response = client.get(url("home"))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert response.content.decode().count("Fortsätt uppstarten") == 10


# The guided start -----------------------------------------------------------------------------------


def test_starting_a_forbund_creates_it_and_its_setup_and_logs_it(login, admin_user):
    client = login(admin_user)
    response = client.post(
        url("start"),
        {"name": "Samordningsförbundet Älvdalen", "organisationsnummer": "2220000018", "slug": "alvdalen"},
    )
    forbund = Forbund.objects.get(slug="alvdalen")
    assert response["Location"] == url("members", forbund)
    assert forbund.organisationsnummer == "222000-0018"
    assert forbund.uppstart.started_by == admin_user
    assert ActivityEvent.objects.filter(forbund=forbund, description__contains="startade förbundet").exists()
    # The creator holds no role in it.
    assert not Role.objects.filter(forbund=forbund).exists()


def test_start_suggests_the_slug_from_the_name(login, admin_user):
    login(admin_user).post(
        url("start"),
        {"name": "Samordningsförbundet Östra Vätterbygden", "organisationsnummer": "222000-0018"},
    )
    assert Forbund.objects.filter(slug="ostra-vatterbygden").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"organisationsnummer": "222000-0013"},
            "organisationsnummer",
            "Organisationsnumret har fel kontrollsiffra.",
        ),
        (
            {"organisationsnummer": "22200"},
            "organisationsnummer",
            "Ange organisationsnumret som NNNNNN-NNNN.",
        ),
        ({"organisationsnummer": ""}, "organisationsnummer", "Ange förbundets organisationsnummer."),
        ({"name": ""}, "name", "Ange förbundets namn."),
        (
            {"slug": "Med Mellanslag"},
            "slug",
            "Använd bara små bokstäver a–z, siffror, bindestreck och understreck.",
        ),
        ({"slug": "plattform"}, "slug", "Kortnamnet är reserverat; välj ett annat."),
    ],
)
def test_start_refuses_bad_facts_and_keeps_what_was_typed(login, admin_user, data, field, message):
    values = {"name": "Samordningsförbundet Ny", "organisationsnummer": "222000-0018", "slug": "ny", **data}
    response = login(admin_user).post(url("start"), values)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert response.context["form"].data["name"] == values["name"]
    assert not Forbund.objects.filter(slug="ny").exists()


def test_start_refuses_a_name_or_slug_in_use(login, admin_user, forbund):
    response = login(admin_user).post(
        url("start"), {"name": forbund.name, "organisationsnummer": "222000-0018", "slug": forbund.slug}
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["Det finns redan ett förbund med det namnet."]
    assert errors["slug"] == ["Kortnamnet används redan av ett annat förbund."]


def test_double_submitted_start_makes_one_forbund(login, admin_user):
    client = login(admin_user)
    form = client.get(url("start")).context["form"]
    data = {
        "name": "Samordningsförbundet Dubbel",
        "organisationsnummer": "222000-0018",
        "slug": "dubbel",
        "form_token": str(form.fields["form_token"].initial),
    }
    client.post(url("start"), data)
    second = client.post(url("start"), data)
    assert second.status_code == 302
    assert Forbund.objects.filter(slug="dubbel").count() == 1


def test_members_step_saves_each_member_and_warns_about_missing_parties(login, admin_user, started):
    client = login(admin_user)
    response = client.get(url("members", started))
    text = response.content.decode()
    assert "Försäkringskassan saknas bland medlemmarna" in text
    assert "Ingen kommun är medlem" in text
    client.post(
        url("members", started),
        {"kind": "forsakringskassan", "name": "Försäkringskassan", "joined": "2024-01-01"},
    )
    client.post(url("members", started), {"kind": "kommun", "name": "Nyby kommun", "joined": "2024-01-01"})
    text = client.get(url("members", started)).content.decode()
    assert "Försäkringskassan saknas" not in text
    assert "Arbetsförmedlingen saknas bland medlemmarna den" in text
    assert "Ingen region är medlem" in text
    assert "Ingen kommun är medlem" not in text
    assert Uppstart.objects.get(forbund=started).is_done(Uppstart.Step.MEDLEMMAR)
    assert ActivityEvent.objects.filter(forbund=started, description__contains="Nyby kommun").exists()


def test_party_warnings_need_the_state_a_region_and_a_kommun(started):
    parties = finsam_parties(started, kommuner=1)
    assert selectors.party_warnings(started) == []
    parties["region"].delete()
    assert selectors.party_warnings(started) == [
        f"Ingen region är medlem den {timezone.localdate():%Y-%m-%d}; ett förbund måste ha minst en region."
    ]


def test_member_form_errors_are_shown_and_nothing_saved(login, admin_user, started):
    response = login(admin_user).post(
        url("members", started),
        {"kind": "kommun", "name": "Nyby kommun", "joined": "2024-01-01", "left": "2023-01-01"},
    )
    assert response.status_code == 200
    assert "Utträdet kan inte ligga före inträdet." in response.context["form"].errors["left"]
    assert not Medlem.objects.filter(forbund=started).exists()


def test_member_in_use_cannot_be_removed(login, admin_user, started):
    parties = finsam_parties(started, kommuner=1)
    person = Person.objects.create(forbund=started, name="Anna Ek")
    Styrelseuppdrag.objects.create(
        forbund=started, person=person, medlem=parties["kommun1"], role="ledamot", start=D(2024, 1, 1)
    )
    client = login(admin_user)
    response = client.post(url("remove", started, kind="medlem", pk=parties["kommun1"].pk), follow=True)
    assert "används av andra uppgifter" in response.content.decode()
    assert Medlem.objects.filter(pk=parties["kommun1"].pk).exists()
    client.post(url("remove", started, kind="medlem", pk=parties["af"].pk))
    assert not Medlem.objects.filter(pk=parties["af"].pk).exists()


def test_populations_step_saves_a_count_per_kommun_and_year(login, admin_user, started):
    parties = finsam_parties(started, kommuner=2)
    client = login(admin_user)
    k1, k2 = parties["kommun1"], parties["kommun2"]
    response = client.post(
        url("populations", started), {"year": "2025", f"kommun_{k1.pk}": "12000", f"kommun_{k2.pk}": "8000"}
    )
    assert response.status_code == 302
    assert dict(
        WorkingAgePopulation.objects.filter(forbund=started, year=2025).values_list("kommun__name", "count")
    ) == {
        "Kommun 1": 12000,
        "Kommun 2": 8000,
    }
    # Saving the year again changes the count rather than adding a second.
    client.post(
        url("populations", started), {"year": "2025", f"kommun_{k1.pk}": "12500", f"kommun_{k2.pk}": "8000"}
    )
    assert WorkingAgePopulation.objects.get(kommun=k1, year=2025).count == 12500
    assert WorkingAgePopulation.objects.filter(forbund=started).count() == 2


def test_populations_step_refuses_bad_counts(login, admin_user, started):
    parties = finsam_parties(started, kommuner=1)
    k1 = parties["kommun1"]
    client = login(admin_user)
    response = client.post(url("populations", started), {"year": "2025", f"kommun_{k1.pk}": "-5"})
    assert response.context["form"].errors[f"kommun_{k1.pk}"] == ["Antalet kan inte vara negativt."]
    response = client.post(url("populations", started), {"year": "2025"})
    assert response.context["form"].non_field_errors() == ["Fyll i invånarantalet för minst en kommun."]
    assert not WorkingAgePopulation.objects.exists()


def test_board_step_adds_person_and_seat_and_reuses_a_person(login, admin_user, started):
    parties = finsam_parties(started, kommuner=1)
    client = login(admin_user)
    seat = {
        "name": "Anna Ek",
        "email": "anna.ek@kommun1.se",
        "medlem": parties["kommun1"].pk,
        "role": "ledamot",
        "presidium": "ordforande",
        "start": "2024-01-01",
    }
    assert client.post(url("board", started), seat).status_code == 302
    client.post(url("board", started), {**seat, "presidium": "", "start": "2023-01-01", "end": "2023-12-31"})
    assert Person.objects.filter(forbund=started, name="Anna Ek").count() == 1
    assert Styrelseuppdrag.objects.filter(forbund=started, person__name="Anna Ek").count() == 2


def test_board_step_shows_the_models_errors(login, admin_user, started):
    parties = finsam_parties(started, kommuner=1)
    response = login(admin_user).post(
        url("board", started),
        {
            "name": "Bo Ek",
            "medlem": parties["kommun1"].pk,
            "role": "ersattare",
            "presidium": "ordforande",
            "start": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "Bara en ordinarie ledamot kan ingå i presidiet." in response.context["form"].errors["presidium"]
    assert not Styrelseuppdrag.objects.filter(forbund=started).exists()


def test_board_seat_before_the_member_joined_is_refused(login, admin_user, started):
    kommun = MedlemFactory(forbund=started, name="Nyby kommun", joined=D(2024, 1, 1))
    response = login(admin_user).post(
        url("board", started),
        {"name": "Bo Ek", "medlem": kommun.pk, "role": "ledamot", "start": "2023-01-01"},
    )
    assert "Uppdraget måste börja medan organisationen är medlem." in response.context["form"].errors["start"]


def test_staff_step_adds_a_kansli_assignment(login, admin_user, started):
    parties = finsam_parties(started, kommuner=1)
    client = login(admin_user)
    response = client.post(
        url("staff", started),
        {
            "name": "Sara Lind",
            "email": "sara.lind@nyby.se",
            "title": "Förbundschef",
            "role": "samordnare",
            "employer": parties["kommun1"].pk,
            "share_percent": "50",
            "start": "2024-01-01",
        },
    )
    assert response.status_code == 302
    uppdrag = Kansliuppdrag.objects.get(forbund=started)
    assert uppdrag.person.email == "sara.lind@nyby.se" and uppdrag.employer == parties["kommun1"]
    response = client.post(
        url("staff", started),
        {"name": "Per Holm", "role": "ekonom", "share_percent": "20", "start": "2024-01-01"},
    )
    assert response.context["form"].errors["employer"] == ["Ange vem personen är anställd hos."]


def test_samordnare_step_invites_by_email_and_links_the_staff_person(login, admin_user, started, eager_mail):
    finsam_parties(started, kommuner=1)
    person = Person.objects.create(forbund=started, name="Sara Lind", email="sara.lind@nyby.se")
    client = login(admin_user)
    response = client.post(url("samordnare", started), {"name": "Sara Lind", "email": "Sara.Lind@nyby.se"})
    assert response["Location"] == url("import", started)
    invitation = Invitation.objects.get(forbund=started)
    assert invitation.kinds == [Kind.SAMORDNARE] and invitation.person == person
    assert mail.outbox and mail.outbox[-1].to == ["sara.lind@nyby.se"]
    assert Uppstart.objects.get(forbund=started).is_done(Uppstart.Step.SAMORDNARE)


def test_samordnare_step_with_the_broker_down_keeps_the_form_and_saves_nothing(
    login, admin_user, started, broker_down
):
    response = login(admin_user).post(
        url("samordnare", started), {"name": "Sara Lind", "email": "sara@nyby.se"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["form"].data["email"] == "sara@nyby.se"
    assert not Invitation.objects.filter(forbund=started).exists()


def test_setup_is_handed_over_only_with_the_parties_and_a_samordnare(login, admin_user, started, eager_mail):
    client = login(admin_user)
    response = client.post(url("complete", started), follow=True)
    text = response.content.decode()
    assert "Uppstarten kan inte avslutas än" in text
    assert "Bjud in förbundets första samordnare" in text
    assert Uppstart.objects.get(forbund=started).completed_at is None

    finsam_parties(started, kommuner=2)
    services.first_samordnare_invite(forbund=started, by=admin_user, name="Sara Lind", email="sara@nyby.se")
    response = client.post(url("complete", started))
    assert response["Location"] == url("home")
    assert Uppstart.objects.get(forbund=started).completed_at is not None
    assert not access.check("set_up_forbund", admin_user, Forbund.objects.get(pk=started.pk))


def test_the_overview_shows_each_steps_state_to_resume_from(login, admin_user, started):
    finsam_parties(started, kommuner=2)
    Uppstart.objects.filter(forbund=started).update(steps_done=["uppgifter", "medlemmar"])
    text = login(admin_user).get(url("setup", started)).content.decode()
    assert "5 medlemmar" in text
    assert text.count("Klart") == 2
    # The first step not done is where to go on.
    assert f'href="{url("populations", started)}">Fortsätt med invånare 16–64 år' in text


# Bad input on every form of the guided start -----------------------------------------------------------

BAD_VALUES = {
    "huge": str(10**30),
    "beyond id": "99999999999999999999",
    "negative": "-1",
    "long": "Lång text " * 1_000,
    "script": "<script>alert(1)</script>",
    "nul": "Eva\x00Lund",
    "bad date": "2024-02-30",
}
ENGLISH = re.compile(
    r"This field|Enter a valid|Ensure this value|Select a valid choice|Enter a whole number|Enter a number|"
    r"Null characters|already exists|\b(?:must|invalid|required|field)\b",
    re.IGNORECASE,
)


def _valid_posts(forbund, parties):
    return {
        url("start"): {
            "name": "Samordningsförbundet Fuzz",
            "organisationsnummer": "222000-0018",
            "slug": "fuzz",
        },
        url("facts", forbund): {
            "name": forbund.name,
            "organisationsnummer": "222000-0018",
            "slug": forbund.slug,
        },
        url("members", forbund): {"kind": "kommun", "name": "Fuzz kommun", "joined": "2024-01-01"},
        url("populations", forbund): {"year": "2025", f"kommun_{parties['kommun1'].pk}": "1000"},
        url("board", forbund): {
            "name": "Bo Ek",
            "email": "bo@ek.se",
            "medlem": parties["kommun1"].pk,
            "role": "ledamot",
            "start": "2024-01-01",
        },
        url("staff", forbund): {
            "name": "Sara Lind",
            "role": "ekonom",
            "employer": parties["kommun1"].pk,
            "share_percent": "50",
            "start": "2024-01-01",
        },
        url("samordnare", forbund): {"name": "Sara Lind", "email": "sara@nyby.se"},
    }


def _table_sizes() -> dict[str, int]:
    return {
        "förbund": Forbund.objects.count(),
        "medlemmar": Medlem.objects.count(),
        "invånare": WorkingAgePopulation.objects.count(),
        "personer": Person.objects.count(),
        "styrelse": Styrelseuppdrag.objects.count(),
        "kansli": Kansliuppdrag.objects.count(),
        "inbjudningar": Invitation.objects.count(),
    }


def test_bad_values_in_every_setup_form_are_refused_in_swedish(login, admin_user, started, eager_mail):
    from django.db import transaction

    parties = finsam_parties(started, kommuner=1)
    client = login(admin_user)
    problems = []
    for address, valid in _valid_posts(started, parties).items():
        for field in valid:
            for label, value in BAD_VALUES.items():
                before = _table_sizes()
                with transaction.atomic():
                    response = client.post(address, {**valid, field: value})
                    status = response.status_code
                    text = response.content.decode() if status == 200 else ""
                    saved = _table_sizes() != before
                    transaction.set_rollback(True)
                if status >= 500:
                    problems.append(f"{address} {field}={label}: {status}")
                elif status == 200 and ENGLISH.search(re.sub(r"<[^>]+>", " ", text)):
                    problems.append(f"{address} {field}={label}: engelska: {ENGLISH.search(text)[0]}")
                elif status == 200 and saved:
                    problems.append(f"{address} {field}={label}: sparade trots fel")
    assert not problems, "\n".join(problems)
