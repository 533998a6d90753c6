"""Lists that grow with a förbund's history (issue #14) show the year or what is in force, and reach
the rest by a year or a page at a time: the population per kommun, the kansli, a group's meetings,
the person register and a projektägare's rekvisitioner. Dates are relative to today, since what is
"ended" or "this year" depends on it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ekonomi.models import Invoice
from finsam import pagination
from forbund.models import GroupMeeting, Medlem, Role
from insatser.models import Insats
from tests.factories import (
    ArbetsgruppFactory,
    BeslutFactory,
    InsatsFactory,
    InvoiceFactory,
    KansliuppdragFactory,
    MedlemFactory,
    PersonFactory,
    WorkingAgePopulationFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
EVERY_ROLE = list(Kind.values)
CONTACT_READERS = [Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR]
PER_PAGE = 5
D = datetime.date
TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
DAY = datetime.timedelta(days=1)
OLD = THIS_YEAR - 5  # the year an ended insats ran


@pytest.fixture
def small_pages(monkeypatch):
    """Five rows a page, so that a few rows make a second page."""
    monkeypatch.setattr(pagination.paginate, "__defaults__", (PER_PAGE,))


def text(response) -> str:
    """The page as a reader sees it: numbers' non-breaking spaces as plain spaces."""
    assert response.status_code == 200
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def viewer(forbund, kind):
    extra = (
        {"medlem": MedlemFactory(forbund=forbund, name="Egen region")} if kind == Kind.PROJEKTAGARE else {}
    )
    return user_with_role(forbund, kind, **extra)


# The förbund page: invånare per kommun, one year at a time -----------------------------------------


@pytest.fixture
def population(forbund):
    ale = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Ale kommun")
    boras = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Borås kommun")
    for year, (first, second) in {
        THIS_YEAR - 3: (11111, 22222),
        THIS_YEAR - 1: (13000, 24000),
    }.items():
        WorkingAgePopulationFactory(forbund=forbund, kommun=ale, year=year, count=first)
        WorkingAgePopulationFactory(forbund=forbund, kommun=boras, year=year, count=second)


@pytest.mark.parametrize("kind", EVERY_ROLE)
def test_the_forbund_page_shows_the_latest_counted_year_with_its_total(forbund, population, login, kind):
    html = text(login(viewer(forbund, kind)).get(reverse("forbund:detail", kwargs={"forbund": forbund.slug})))
    assert f"Invånare i arbetsför ålder (16–64 år) {THIS_YEAR - 1}" in html
    assert "13 000" in html and "24 000" in html
    assert "37 000" in html  # the kommuner together
    assert "11 111" not in html, "an earlier year's figures are not listed with the latest"


@pytest.mark.parametrize("kind", EVERY_ROLE)
def test_the_forbund_page_shows_a_chosen_year(forbund, population, login, kind):
    url = reverse("forbund:detail", kwargs={"forbund": forbund.slug})
    html = text(login(viewer(forbund, kind)).get(url, {"ar": THIS_YEAR - 3}))
    assert f"Invånare i arbetsför ålder (16–64 år) {THIS_YEAR - 3}" in html
    assert "11 111" in html and "22 222" in html and "33 333" in html
    assert "13 000" not in html
    # The year switcher offers each year with figures.
    assert f'<option value="{THIS_YEAR - 1}"' in html and f'<option value="{THIS_YEAR - 3}" selected' in html


def test_a_year_without_figures_says_so(forbund, population, login):
    url = reverse("forbund:detail", kwargs={"forbund": forbund.slug})
    html = text(login(viewer(forbund, Kind.SAMORDNARE)).get(url, {"ar": THIS_YEAR - 2}))
    assert f"Inga invånarantal registrerade för {THIS_YEAR - 2}." in html


# The kansli: in force and upcoming; the ended a page at a time ---------------------------------------


@pytest.fixture
def kansli(forbund):
    KansliuppdragFactory(forbund=forbund, person=PersonFactory(forbund=forbund, name="Nu Nilsson"))
    KansliuppdragFactory(
        forbund=forbund, person=PersonFactory(forbund=forbund, name="Snart Svensson"), start=TODAY + 30 * DAY
    )
    for i in range(7):  # ended one after the other, Förr 0 the latest
        KansliuppdragFactory(
            forbund=forbund,
            person=PersonFactory(forbund=forbund, name=f"Förr {i}"),
            start=D(2015, 1, 1),
            end=TODAY - (i + 1) * 30 * DAY,
        )


@pytest.mark.parametrize("kind", EVERY_ROLE)
def test_the_kansli_shows_those_in_force_and_upcoming_and_reaches_the_ended(
    forbund, kansli, login, small_pages, kind
):
    client = login(viewer(forbund, kind))
    url = reverse("forbund:kansli", kwargs={"forbund": forbund.slug})
    html = text(client.get(url))
    assert "Nu Nilsson" in html and "Snart Svensson" in html
    assert "Förr" not in html
    assert 'href="?avslutade=1"' in html and "Visa avslutade uppdrag (7)" in html

    ended = text(client.get(url, {"avslutade": "1"}))
    assert "Nu Nilsson" not in ended and "Snart Svensson" not in ended
    assert [f"Förr {i}" in ended for i in range(7)] == [True] * 5 + [False] * 2  # the latest ended first
    assert 'href="?avslutade=1&amp;sida=2"' in ended and "1–5 av 7 uppdrag" in ended

    second = text(client.get(url, {"avslutade": "1", "sida": "2"}))
    assert "Förr 5" in second and "Förr 6" in second and "Förr 0" not in second
    assert "6–7 av 7 uppdrag" in second


def test_an_assignment_ending_today_is_still_in_force(forbund, login):
    KansliuppdragFactory(
        forbund=forbund, person=PersonFactory(forbund=forbund, name="Sista Dagsson"), end=TODAY
    )
    html = text(
        login(viewer(forbund, Kind.SAMORDNARE)).get(
            reverse("forbund:kansli", kwargs={"forbund": forbund.slug})
        )
    )
    assert "Sista Dagsson" in html and "Visa avslutade" not in html


# A group's meetings: this year's and upcoming; earlier ones a page at a time -------------------------


@pytest.fixture
def group(forbund):
    group = ArbetsgruppFactory(forbund=forbund, name="Beredningsgruppen")
    GroupMeeting.objects.create(arbetsgrupp=group, date=D(THIS_YEAR, 1, 15), note="Årets första")
    GroupMeeting.objects.create(arbetsgrupp=group, date=TODAY + 20 * DAY, note="Nästa möte")
    for i in range(7):  # earlier years, Förra 0 the latest
        GroupMeeting.objects.create(arbetsgrupp=group, date=D(THIS_YEAR - 1 - i, 6, 1), note=f"Förra {i}")
    return group


@pytest.mark.parametrize("kind", EVERY_ROLE)
def test_a_group_shows_this_years_and_upcoming_meetings_and_reaches_the_earlier(
    forbund, group, login, small_pages, kind
):
    client = login(viewer(forbund, kind))
    url = reverse("forbund:arbetsgrupp", kwargs={"forbund": forbund.slug, "pk": group.pk})
    html = text(client.get(url))
    assert "Årets första" in html and "Nästa möte" in html
    assert "Förra" not in html
    assert "Visa tidigare möten (7)" in html

    earlier = text(client.get(url, {"tidigare": "1"}))
    assert "Årets första" not in earlier and "Nästa möte" not in earlier
    assert [f"Förra {i}" in earlier for i in range(7)] == [True] * 5 + [False] * 2  # latest first
    assert 'href="?tidigare=1&amp;sida=2"' in earlier

    second = text(client.get(url, {"tidigare": "1", "sida": "2"}))
    assert "Förra 5" in second and "Förra 6" in second and "Förra 4" not in second


# The person register: the shared pages (`?sida=`) -------------------------------------------------


@pytest.mark.parametrize("kind", CONTACT_READERS)
def test_the_person_register_pages_with_sida(forbund, login, small_pages, kind):
    client = login(user_with_role(forbund, kind))
    for i in range(7):
        PersonFactory(forbund=forbund, name=f"Person {i}")
    url = reverse("forbund:personer", kwargs={"forbund": forbund.slug})
    first = text(client.get(url))
    assert "Person 0" in first and "Person 4" in first and "Person 5" not in first
    assert 'href="?sida=2"' in first and "1–5 av 7 personer" in first
    second = text(client.get(url, {"sida": "2"}))
    assert "Person 5" in second and "Person 6" in second and "Person 0" not in second


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.PROJEKTAGARE])
def test_the_person_register_is_closed_to_others(forbund, login, kind):
    response = login(viewer(forbund, kind)).get(reverse("forbund:personer", kwargs={"forbund": forbund.slug}))
    assert response.status_code == 403


# The rekvisition page: one year at a time ----------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def own(forbund):
    """A projektägare's organisation with an insats that ended years ago and one that runs now."""
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Väst")
    ended = InsatsFactory(
        forbund=forbund,
        owner=region,
        name="Gamla insatsen",
        status=Insats.Status.AVSLUTAD,
        start=D(OLD, 1, 1),
        end=D(OLD, 12, 31),
    )
    BeslutFactory(insats=ended, amounts={OLD: 200_000})
    InvoiceFactory(insats=ended, number="F-GAMMAL", period_start=D(OLD, 3, 1), period_end=D(OLD, 3, 31))
    running = InsatsFactory(
        forbund=forbund,
        owner=region,
        name="Pågående insatsen",
        start=D(THIS_YEAR - 1, 1, 1),
        end=D(THIS_YEAR + 1, 12, 31),
    )
    BeslutFactory(insats=running, amounts={THIS_YEAR - 1: 250_000, THIS_YEAR: 300_000})
    InvoiceFactory(
        insats=running,
        number="F-NY",
        amount=40_000,
        period_start=D(THIS_YEAR, 1, 1),
        period_end=D(THIS_YEAR, 1, 31),
    )
    user = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=region)
    return user, ended, running


def rekvisition(client, forbund, insats, year, **query):
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(
        url,
        {
            "insats": insats.pk,
            "number": f"REK-{year}",
            "period_start": f"{year}-06-01",
            "period_end": f"{year}-06-30",
            "amount": "10000",
            "attachment": SimpleUploadedFile("r.pdf", b"%PDF-1.4 r", content_type="application/pdf"),
        },
    )


def insats_choices(html: str) -> list[str]:
    select = re.search(r'<select name="insats".*?</select>', html, re.S)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)


def test_the_rekvisition_page_shows_this_year_and_keeps_ended_insatser_out_of_the_choice(forbund, own, login):
    user, _, _ = own
    html = text(login(user).get(reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})))
    assert f"Beviljat och fakturerat {THIS_YEAR}" in html
    assert "Pågående insatsen" in html and "F-NY" in html
    assert "300 000 kr" in html and "40 000 kr" in html and "260 000 kr" in html
    assert "Gamla insatsen" not in html and "F-GAMMAL" not in html
    assert "250 000 kr" not in html, "last year's grant is not this year's"
    assert insats_choices(html) == ["Pågående insatsen"]


def test_the_rekvisition_page_reaches_an_earlier_year_and_its_ended_insats(forbund, own, login):
    user, ended, _ = own
    client = login(user)
    url = reverse("ekonomi:rekvisition", kwargs={"forbund": forbund.slug})
    html = text(client.get(url, {"ar": OLD}))
    assert f"Beviljat och fakturerat {OLD}" in html and f"Summa {OLD}" in html
    assert "Gamla insatsen" in html and "F-GAMMAL" in html and "200 000 kr" in html
    assert "F-NY" not in html and "Pågående insatsen" not in html
    assert insats_choices(html) == ["Gamla insatsen"]
    assert f'<option value="{THIS_YEAR}"' in html and f'<option value="{OLD}" selected' in html

    # The ended insats still takes its last rekvisition for its own period, from its year's page.
    response = rekvisition(client, forbund, ended, OLD, ar=OLD)
    assert response.status_code == 302 and response.url.endswith(f"?ar={OLD}")
    assert Invoice.objects.filter(insats=ended, number=f"REK-{OLD}", is_rekvisition=True).exists()


def test_an_ended_insats_is_no_choice_on_this_years_page(forbund, own, login):
    user, ended, _ = own
    response = rekvisition(login(user), forbund, ended, OLD)
    assert response.status_code == 200 and "insats" in response.context["form"].errors
    assert not Invoice.objects.filter(number=f"REK-{OLD}").exists()


def test_a_rekvisition_returns_to_its_years_page(forbund, own, login):
    user, _, running = own
    response = rekvisition(login(user), forbund, running, THIS_YEAR)
    assert response.status_code == 302 and response.url.endswith(f"?ar={THIS_YEAR}")


# The paged lists cost the same with 2 rows as with 12 ---------------------------------------------


def _grow_kansli(forbund, start, stop):
    for i in range(start, stop):
        KansliuppdragFactory(
            forbund=forbund,
            person=PersonFactory(forbund=forbund, name=f"Förr {i}"),
            employer=MedlemFactory(forbund=forbund),
            employer_name="",
            start=D(2015, 1, 1),
            end=D(2016, 1, 1) + i * DAY,
        )


def _grow_meetings(group, start, stop):
    for i in range(start, stop):
        GroupMeeting.objects.create(arbetsgrupp=group, date=D(2016, 1, 1) + i * DAY, note=f"Förra {i}")


@pytest.mark.parametrize("which", ["kansli", "arbetsgrupp"])
def test_the_earlier_pages_cost_the_same_with_2_rows_as_with_12(
    forbund, login, django_assert_max_num_queries, small_pages, which
):
    client = login(user_with_role(forbund, Kind.SAMORDNARE))
    group = ArbetsgruppFactory(forbund=forbund)
    if which == "kansli":
        url = reverse("forbund:kansli", kwargs={"forbund": forbund.slug}) + "?avslutade=1"
        grow = lambda start, stop: _grow_kansli(forbund, start, stop)  # noqa: E731
    else:
        url = reverse("forbund:arbetsgrupp", kwargs={"forbund": forbund.slug, "pk": group.pk}) + "?tidigare=1"
        grow = lambda start, stop: _grow_meetings(group, start, stop)  # noqa: E731
    client.get(url)
    counts = []
    for start, stop in [(0, 2), (2, 12)]:
        grow(start, stop)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(url)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert 'rel="next"' in text(response)
    with django_assert_max_num_queries(12) as second:
        response = client.get(url + "&sida=2")
    assert 'rel="prev"' in text(response) and len(second) == counts[1]
