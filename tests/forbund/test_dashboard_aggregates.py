"""The dashboard keeps its figures for a förbund in the cache (`forbund.aggregates`) and still shows
a change at once. Each test opens the dashboard first, so the figures are cached, then changes one
the way a user does (a form, or the service a form calls) and opens it again. The cache is shared by
everyone in the förbund, so what one role sees must not leak to another, and a change made through
one server process must show in another whose cache holds the old figures."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ekonomi.services.budget import BudgetContent, budget_create, budget_save
from finsam import workflow
from forbund import generation, services
from forbund.models import Forbund, Medlem, Role
from insatser import services as insats_services
from insatser.models import Beslut, Insats
from tests.factories import (
    AgendaItemFactory,
    ArbetsgruppFactory,
    InsatsFactory,
    MedlemFactory,
    StyrelsemoteFactory,
    TertialrapportFactory,
    complete_application,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
YEAR = 2021
NBSP = "\xa0"


def browser(user) -> Client:
    """A client of its own for each user (the shared `client` fixture holds one login at a time)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(org):
    """A client per role in org's förbund; the projektägare belongs to the member owning org's insats."""
    users = {
        kind: user_with_role(org.forbund, kind)
        for kind in (Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT)
    }
    users[Kind.PROJEKTAGARE] = user_with_role(org.forbund, Kind.PROJEKTAGARE, medlem=org.medlem)
    return {kind: browser(user) for kind, user in users.items()} | {"users": users}


def dashboard(client: Client, forbund: Forbund, year: int | None = YEAR) -> str:
    url = reverse("forbund:dashboard", kwargs={"forbund": forbund.slug})
    response = client.get(url + (f"?ar={year}" if year else ""))
    assert response.status_code == 200
    return response.content.decode().replace(NBSP, " ")


def section(page: str, heading_id: str) -> str:
    """The text of the dashboard card whose heading has id `heading_id`."""
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def row_with(page: str, text: str) -> str:
    """The table row holding `text`."""
    match = re.search(r"<tr>(?:(?!</tr>).)*?" + re.escape(text) + r".*?</tr>", page, re.S)
    assert match, f"no row with {text!r}"
    return match.group(0)


# A change shows at once ----------------------------------------------------------------------------


def test_a_meeting_added_in_the_form_shows_on_the_dashboard(org, people):
    samordnare = people[Kind.SAMORDNARE]
    assert "2021-11-18" not in dashboard(samordnare, org.forbund)

    data = {"date": "2021-11-18", "start_time": "13:00", "place": "Stadshuset"}
    assert samordnare.post(org.url("forbund:mote_create"), data).status_code == 302

    meetings = section(dashboard(samordnare, org.forbund), "rubrik-moten")
    assert "2021-11-18" in meetings
    assert "Stadshuset" in meetings


def test_the_first_meeting_of_this_year_makes_it_the_dashboards_year(org, people):
    samordnare = people[Kind.SAMORDNARE]
    this_year = timezone.localdate().year
    # Org's only board meeting is in 2021: that is the year the dashboard opens on.
    assert f"översikt {YEAR}" in dashboard(samordnare, org.forbund, year=None)

    data = {"date": f"{this_year}-12-01", "start_time": "09:00", "place": "Kommunhuset"}
    assert samordnare.post(org.url("forbund:mote_create"), data).status_code == 302

    assert f"översikt {this_year}" in dashboard(samordnare, org.forbund, year=None)


def proposal_content(incomes: dict[Medlem, int]) -> BudgetContent:
    return BudgetContent(
        incomes={medlem: Decimal(amount) for medlem, amount in incomes.items()},
        costs={},
        outline=[],
        opening_equity=None,
        opening_equity_note="",
        forecast_result_previous_year=None,
        funding_deviation="",
        comment="",
    )


def test_a_budgets_income_shows_on_the_dashboard_as_soon_as_it_is_saved(org, people):
    parties = finsam_parties(org.forbund)
    ekonom, samordnare = people["users"][Kind.EKONOM], people[Kind.SAMORDNARE]
    assert f"Ingen budget för {YEAR} är registrerad ännu." in dashboard(samordnare, org.forbund)

    budget = budget_create(forbund=org.forbund, year=YEAR, by=ekonom)
    incomes = {parties["fk"]: 1_000_000, parties["region"]: 500_000, parties["kommun1"]: 500_000}
    budget = budget_save(budget=budget, by=ekonom, content=proposal_content(incomes))

    funding = section(dashboard(samordnare, org.forbund), "rubrik-medlemmar")
    assert "1 000 tkr" in row_with(funding, "Försäkringskassan")
    assert "2 000 tkr" in funding  # the total

    incomes = {parties["fk"]: 1_200_000, parties["region"]: 600_000, parties["kommun1"]: 600_000}
    budget_save(
        budget=budget, by=ekonom, content=proposal_content(incomes), opened_version=budget.lock_version
    )

    funding = section(dashboard(samordnare, org.forbund), "rubrik-medlemmar")
    assert "1 200 tkr" in row_with(funding, "Försäkringskassan")
    assert "2 400 tkr" in funding


def test_renaming_a_member_in_the_form_shows_in_the_funding_table(org, people):
    samordnare = people[Kind.SAMORDNARE]
    assert "Region Omdöpt" not in dashboard(samordnare, org.forbund)

    response = samordnare.post(org.url("forbund:medlem_edit"), org.valid_post("forbund:medlem_edit"))
    assert response.status_code == 302

    assert "Region Omdöpt" in section(dashboard(samordnare, org.forbund), "rubrik-medlemmar")


def test_a_granted_and_started_insats_shows_with_its_status(org, people):
    samordnare = people[Kind.SAMORDNARE]
    insats = complete_application(
        forbund=org.forbund, owner=org.medlem, status=Insats.Status.UNDER_BEREDNING, name="Unga vuxna i jobb"
    )
    not_granted = section(dashboard(samordnare, org.forbund), "rubrik-insatser")
    assert "Unga vuxna i jobb" not in not_granted  # not granted, so not running

    meeting = StyrelsemoteFactory(forbund=org.forbund, date=datetime.date(2020, 12, 3))
    insats_services.insats_decide(
        insats=insats,
        by=people["users"][Kind.SAMORDNARE],
        outcome=Beslut.Outcome.BEVILJAD,
        agenda_item=AgendaItemFactory(meeting=meeting, insats=insats, title="Ansökan: Unga vuxna i jobb"),
        amounts={2021: Decimal(300_000), 2022: Decimal(250_000)},
    )
    insatser = section(dashboard(samordnare, org.forbund), "rubrik-insatser")
    assert "Beviljad" in row_with(insatser, "Unga vuxna i jobb")

    url = reverse(
        "insatser:transition", kwargs={"forbund": org.forbund.slug, "pk": insats.pk, "target": "pagaende"}
    )
    assert samordnare.post(url).status_code == 302

    insatser = section(dashboard(samordnare, org.forbund), "rubrik-insatser")
    assert "Pågående" in row_with(insatser, "Unga vuxna i jobb")


def test_board_and_population_forms_show_on_the_dashboard(org, people):
    samordnare = people[Kind.SAMORDNARE]
    page = dashboard(samordnare, org.forbund)
    assert org.other_person.name not in section(page, "rubrik-styrelse")
    assert "12 345" not in page

    create = samordnare.post(
        org.url("forbund:styrelseuppdrag_create"), org.valid_post("forbund:styrelseuppdrag_create")
    )
    edit = samordnare.post(org.url("forbund:population_edit"), org.valid_post("forbund:population_edit"))
    assert (create.status_code, edit.status_code) == (302, 302)

    page = dashboard(samordnare, org.forbund)
    assert org.other_person.name in row_with(section(page, "rubrik-styrelse"), org.kommun.name)
    assert f"Invånare i arbetsför ålder (16–64 år) {YEAR}: 12 345" in page


def test_group_members_added_and_removed_change_the_groups_count(org, people):
    samordnare = people[Kind.SAMORDNARE]
    assert f"{org.arbetsgrupp.name}</a> (arbetsgrupp, 1 medlemmar)" in dashboard(samordnare, org.forbund)

    samordnare.post(org.url("forbund:group_member_add"), org.valid_post("forbund:group_member_add"))
    assert f"{org.arbetsgrupp.name}</a> (arbetsgrupp, 2 medlemmar)" in dashboard(samordnare, org.forbund)

    samordnare.post(org.url("forbund:group_member_remove"))
    assert f"{org.arbetsgrupp.name}</a> (arbetsgrupp, 1 medlemmar)" in dashboard(samordnare, org.forbund)


# One cache, each role its own rows ----------------------------------------------------------------


@pytest.mark.parametrize("first", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_each_role_sees_its_own_rows_whoever_filled_the_cache(org, people, first):
    other_owner = MedlemFactory(forbund=org.forbund, kind=Medlem.Kind.KOMMUN, name="Byn kommun")
    theirs = InsatsFactory(forbund=org.forbund, owner=other_owner, name="Byns egen insats")
    ArbetsgruppFactory(forbund=org.forbund, insats=theirs, kind="styrgrupp", name="Byns styrgrupp")
    meeting_link = org.url("forbund:mote", pk=org.mote.pk)
    dashboard(people[first], org.forbund)  # fills the cache

    for kind in (Kind.SAMORDNARE, Kind.STYRELSELEDAMOT):
        page = dashboard(people[kind], org.forbund)
        assert org.insats.name in page and "Byns egen insats" in page, kind
        assert "Byns styrgrupp" in page, kind
        assert meeting_link in page, kind

    page = dashboard(people[Kind.PROJEKTAGARE], org.forbund)
    assert org.insats.name in page
    assert "Byns egen insats" not in page
    assert "Byns styrgrupp" not in page
    # The meetings are for the board: a projektägare sees their dates but gets no link into them.
    assert "2021-03-17" in section(page, "rubrik-moten")
    assert meeting_link not in page


def test_the_cached_dashboard_costs_fewer_queries_than_the_first_visit(org, people):
    ledamot = people[Kind.STYRELSELEDAMOT]
    with CaptureQueriesContext(connection) as first:
        dashboard(ledamot, org.forbund)
    with CaptureQueriesContext(connection) as cached:
        dashboard(ledamot, org.forbund)

    assert len(cached) < len(first) - 5, (len(first), len(cached))


# Out-of-date figures never come back ---------------------------------------------------------------


def test_a_change_made_through_another_process_shows_in_this_ones(org, people):
    samordnare = people[Kind.SAMORDNARE]

    def process(name: str):
        """A server process of its own: its own local-memory cache, as each gunicorn worker has."""
        return override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}}
        )

    with process("worker-1"):
        assert "Stadshuset" not in dashboard(samordnare, org.forbund)  # worker 1 caches the figures
    with process("worker-2"):
        data = {"date": "2021-11-18", "start_time": "13:00", "place": "Stadshuset"}
        assert samordnare.post(org.url("forbund:mote_create"), data).status_code == 302
        assert "Stadshuset" in dashboard(samordnare, org.forbund)
    with process("worker-1"):
        assert "Stadshuset" in dashboard(samordnare, org.forbund)


def test_saving_the_forbunds_facts_from_an_older_copy_brings_back_no_older_figures(org, people):
    samordnare = people[Kind.SAMORDNARE]
    opened = Forbund.objects.get(pk=org.forbund.pk)  # the edit form's copy, read before the meeting
    assert "Stadshuset" not in dashboard(samordnare, org.forbund)

    data = {"date": "2021-11-18", "start_time": "13:00", "place": "Stadshuset"}
    assert samordnare.post(org.url("forbund:mote_create"), data).status_code == 302
    assert "Stadshuset" in dashboard(samordnare, org.forbund)

    opened.name = "Samordningsförbundet Nytt Namn"
    services.forbund_update(
        forbund=opened, by=people["users"][Kind.SAMORDNARE], opened_version=opened.lock_version
    )

    page = dashboard(samordnare, org.forbund)
    assert "Samordningsförbundet Nytt Namn" in page
    assert "Stadshuset" in page


# The inbox: cached per user until the förbund's records change --------------------------------------


def inbox_page(client: Client, forbund: Forbund) -> str:
    response = client.get(reverse("forbund:inbox", kwargs={"forbund": forbund.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_an_application_submitted_shows_at_once_in_the_samordnares_inbox(org, people):
    samordnare, projektagare = people[Kind.SAMORDNARE], people[Kind.PROJEKTAGARE]
    insats = complete_application(forbund=org.forbund, owner=org.medlem, name="Stegvis till studier")
    assert "Stegvis till studier" not in section(dashboard(samordnare, org.forbund), "rubrik-att-gora")
    assert "Stegvis till studier" in section(dashboard(projektagare, org.forbund), "rubrik-att-gora")

    url = reverse(
        "insatser:transition", kwargs={"forbund": org.forbund.slug, "pk": insats.pk, "target": "inskickad"}
    )
    assert projektagare.post(url).status_code == 302

    assert "Stegvis till studier" in section(dashboard(samordnare, org.forbund), "rubrik-att-gora")
    assert "Stegvis till studier" in inbox_page(samordnare, org.forbund)
    # …and the projektägare no longer has an application to complete.
    assert "Stegvis till studier" not in section(dashboard(projektagare, org.forbund), "rubrik-att-gora")


def test_one_users_cached_inbox_is_never_anothers(org, people):
    complete_application(forbund=org.forbund, owner=org.medlem, name="Egen ansökan")
    # The projektägare fills the cache first; the ekonom's inbox has nothing of the kind.
    assert "Egen ansökan" in inbox_page(people[Kind.PROJEKTAGARE], org.forbund)
    assert "Egen ansökan" not in inbox_page(people[Kind.EKONOM], org.forbund)


def test_the_inbox_is_read_once_until_something_changes(org, people):
    samordnare = people[Kind.SAMORDNARE]
    complete_application(
        forbund=org.forbund, owner=org.medlem, status=Insats.Status.INSKICKAD, name="Väntar på beredning"
    )
    with CaptureQueriesContext(connection) as first:
        assert "Väntar på beredning" in inbox_page(samordnare, org.forbund)
    with CaptureQueriesContext(connection) as again:
        assert "Väntar på beredning" in inbox_page(samordnare, org.forbund)
    assert len(again) < len(first)


def test_a_report_returned_shows_at_once_in_the_projektagares_inbox(org, people):
    """A step that changes none of the dashboard's figures (so no generation bump) still reaches the
    cached inbox: every step leaves an audit event, and the inbox is cached under the latest one."""
    insats = InsatsFactory(
        forbund=org.forbund, owner=org.medlem, name="Jobbspåret", status=Insats.Status.PAGAENDE
    )
    report = TertialrapportFactory.create_submitted(period__forbund=org.forbund, insats=insats)
    projektagare = people[Kind.PROJEKTAGARE]
    assert "Jobbspåret" not in section(dashboard(projektagare, org.forbund), "rubrik-att-gora")

    workflow.transition(
        report, to="returnerad", by=people["users"][Kind.SAMORDNARE], comment="Fyll i antal kvinnor."
    )

    inbox = section(dashboard(projektagare, org.forbund), "rubrik-att-gora")
    assert "Jobbspåret" in inbox
    assert "Fyll i antal kvinnor." in inbox_page(projektagare, org.forbund)


def test_saving_an_older_copy_of_the_forbund_never_moves_its_generation_back(org):
    older_copy = Forbund.objects.get(pk=org.forbund.pk)
    generation.invalidate(org.forbund)
    generation.invalidate(org.forbund)
    older_copy.name = "Samordningsförbundet Nytt Namn"
    older_copy.save()
    saved = Forbund.objects.get(pk=org.forbund.pk)
    assert saved.name == "Samordningsförbundet Nytt Namn"
    assert saved.aggregates_generation == older_copy.aggregates_generation + 2
