"""Report pages as each role meets them: the status board and "Mina rapporter", the report page with
small counts hidden outside the kansli, the form that keeps what was typed, submitting and
reviewing over HTTP, the periods page, another förbund's reports, and the pages' query counts."""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forbund.models import Forbund, Medlem, Role, User
from insatser.models import Insats
from tests.factories import (
    ForbundFactory,
    GoalFactory,
    InsatsFactory,
    InvoiceFactory,
    MedlemFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    user_with_role,
)
from uppfoljning.models import (
    GoalProgress,
    ParticipantCount,
    ReportPeriod,
    ReportStatusChange,
    Tertialrapport,
)
from uppfoljning.selectors.reports import counts_of
from uppfoljning.services.reports import ReportData, report_save

pytestmark = pytest.mark.django_db

S = Tertialrapport.Status
Kind = Role.Kind
D = datetime.date
NBSP = "\xa0"

KANSLI = [Kind.SAMORDNARE, Kind.EKONOM]
BOARD = [Kind.STYRELSELEDAMOT, Kind.ERSATTARE]
SEE_EVERY_REPORT = [*KANSLI, Kind.REVISOR]
NOT_SAMORDNARE = [Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE]
PERIODS_REFUSED = "Bara samordnaren bestämmer rapportperioderna."

# Few participants: 3 new and 7 continuing, so several numbers are below 5.
SMALL_COUNTS = {
    ("flow", "nya"): 3,
    ("flow", "fortsatta"): 7,
    ("flow", "avslutade"): 2,
    ("gender", "kvinnor"): 4,
    ("gender", "man"): 6,
    ("age", "20_24"): 10,
    ("support", "forsorjningsstod"): 10,
    ("outcome", "arbete"): 2,
}


def filled(**changes) -> ReportData:
    values = {
        "cooperation": "Kommunen och Arbetsförmedlingen planerar varje vecka.",
        "activities": "Två kurser.",
        "cost": Decimal(150_000),
        "counts": dict(SMALL_COUNTS),
    }
    values.update(changes)
    return ReportData(**values)


@dataclass
class World:
    """A förbund with T1 and T2 2021. Vägen till arbete (Region Söder) has T1 approved and T2 as an
    untouched draft; Byns insats (Byn kommun) has T1 submitted and T2 returned."""

    forbund: Forbund
    region: Medlem
    byn: Medlem
    vagen: Insats
    byns: Insats
    t1: ReportPeriod
    t2: ReportPeriod
    approved: Tertialrapport
    draft: Tertialrapport
    submitted: Tertialrapport
    returned: Tertialrapport
    users: dict[str, User] = field(default_factory=dict)

    def user(self, kind: str) -> User:
        """One user per role; the projektägare belongs to Region Söder, which owns Vägen till arbete."""
        if kind not in self.users:
            extra = {"medlem": self.region} if kind == Kind.PROJEKTAGARE else {}
            self.users[kind] = user_with_role(self.forbund, kind, **extra)
        return self.users[kind]

    def url(self, name: str, report: Tertialrapport | None = None, **kwargs) -> str:
        kwargs = {"forbund": self.forbund.slug, **kwargs}
        if name in ("uppfoljning:report", "uppfoljning:report_edit", "uppfoljning:report_transition"):
            kwargs["pk"] = (report or self.draft).pk
        return reverse(name, kwargs=kwargs)


def fill(report: Tertialrapport, status: str, by: User, data: ReportData | None = None) -> Tertialrapport:
    report_save(report=report, by=by, data=data or filled())
    Tertialrapport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    return report


@pytest.fixture
def world(forbund) -> World:
    region = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")
    byn = MedlemFactory(forbund=forbund, kind=Medlem.Kind.KOMMUN, name="Byn kommun")
    vagen = InsatsFactory(forbund=forbund, owner=region, name="Vägen till arbete")
    byns = InsatsFactory(forbund=forbund, owner=byn, name="Byns insats")
    t1 = ReportPeriodFactory(forbund=forbund, year=2021, kind="T1")
    t2 = ReportPeriodFactory(forbund=forbund, year=2021, kind="T2")
    samordnare = user_with_role(forbund, Kind.SAMORDNARE)
    world = World(
        forbund=forbund,
        region=region,
        byn=byn,
        vagen=vagen,
        byns=byns,
        t1=t1,
        t2=t2,
        approved=fill(TertialrapportFactory(period=t1, insats=vagen), S.GODKAND, samordnare),
        draft=TertialrapportFactory(period=t2, insats=vagen),
        submitted=fill(TertialrapportFactory(period=t1, insats=byns), S.INSKICKAD, samordnare),
        returned=fill(TertialrapportFactory(period=t2, insats=byns), S.RETURNERAD, samordnare),
    )
    world.users[Kind.SAMORDNARE] = samordnare
    return world


@pytest.fixture
def client_as(world, login):
    """client_as(kind) logs in the world's user with that role."""
    return lambda kind: login(world.user(kind))


def text(response) -> str:
    return response.content.decode()


def heading(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S)
    assert found, "no h1"
    return html.unescape(found.group(1)).strip()


def refused_with(response, reason: str) -> bool:
    content = text(response)
    return response.status_code == 403 and reason in content and "Du har inte behörighet" in content


def shown_count(response, label: str) -> str:
    """The number shown beside `label` in the report page's tables of counts."""
    found = re.search(
        rf'<th scope="row" class="fw-normal">{label}</th><td class="num">(.*?)</td>', text(response)
    )
    assert found, f"no count for {label}"
    return html.unescape(found.group(1))


def input_value(response, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', text(response))
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def report_rows() -> list[dict]:
    return list(Tertialrapport.objects.order_by("pk").values())


def database_snapshot() -> dict[str, list[dict]]:
    models = [ReportPeriod, Tertialrapport, GoalProgress, ParticipantCount, ReportStatusChange]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def report_form_data(**changes) -> dict:
    """What the form of an individinriktad report without goals posts: consistent numbers."""
    data = {
        "cooperation": "Styrgruppen träffas varje månad.",
        "activities": "Coacher på skolan.",
        "deviations": "",
        "implementation": "",
        "cost": "200000",
        "cost_comment": "",
        "count_flow_nya": "6",
        "count_flow_fortsatta": "4",
        "count_flow_avslutade": "3",
        "count_gender_kvinnor": "5",
        "count_gender_man": "5",
        "count_age_20_24": "10",
        "count_support_ingen": "10",
        "count_outcome_studier": "3",
    }
    data.update(changes)
    return data


# The status board and "Mina rapporter" -----------------------------------------------------------


@pytest.mark.parametrize("kind", SEE_EVERY_REPORT)
def test_kansli_and_revisor_see_every_report_on_the_status_board(world, client_as, kind):
    response = client_as(kind).get(world.url("uppfoljning:reports_year", year=2021))

    assert response.status_code == 200
    assert heading(response) == "Rapporter 2021"
    content = text(response)
    for report in (world.approved, world.draft, world.submitted, world.returned):
        assert world.url("uppfoljning:report", report) in content
    assert "Vägen till arbete" in content and "Byns insats" in content
    assert "Inte påbörjad" in content  # the untouched draft
    assert "Returnerad för komplettering" in content


@pytest.mark.parametrize("kind", BOARD)
def test_the_board_sees_the_status_board_with_approved_reports_only(world, client_as, kind):
    response = client_as(kind).get(world.url("uppfoljning:reports_year", year=2021))

    assert response.status_code == 200
    assert heading(response) == "Rapporter 2021"
    content = text(response)
    assert world.url("uppfoljning:report", world.approved) in content
    for report in (world.draft, world.submitted, world.returned):
        assert world.url("uppfoljning:report", report) not in content
    assert "Byns insats" not in content


def test_the_reports_page_opens_on_the_latest_year_with_periods(world, client_as):
    response = client_as(Kind.SAMORDNARE).get(world.url("uppfoljning:reports"))
    assert heading(response) == "Rapporter 2021"


def test_projektagare_sees_mina_rapporter_with_their_own_organisations_reports_only(world, client_as):
    response = client_as(Kind.PROJEKTAGARE).get(world.url("uppfoljning:reports_year", year=2021))

    assert response.status_code == 200
    assert heading(response) == "Mina rapporter 2021"
    content = text(response)
    assert world.url("uppfoljning:report", world.approved) in content
    assert world.url("uppfoljning:report", world.draft) in content
    assert "Byns insats" not in content
    assert world.url("uppfoljning:report", world.submitted) not in content
    assert "Rapportperioder" not in content


@pytest.mark.parametrize("kind", BOARD)
def test_the_board_cannot_open_a_report_that_is_not_approved(world, client_as, kind):
    client = client_as(kind)
    assert client.get(world.url("uppfoljning:report", world.approved)).status_code == 200
    for report in (world.draft, world.submitted, world.returned):
        assert client.get(world.url("uppfoljning:report", report)).status_code == 404


def test_projektagare_cannot_open_another_organisations_report(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    assert client.get(world.url("uppfoljning:report", world.draft)).status_code == 200
    assert client.get(world.url("uppfoljning:report", world.submitted)).status_code == 404
    assert client.get(world.url("uppfoljning:report_edit", world.returned)).status_code == 404


def test_revisor_reads_every_report_but_every_post_is_refused(world, client_as):
    client = client_as(Kind.REVISOR)
    for report in (world.approved, world.draft, world.submitted, world.returned):
        response = client.get(world.url("uppfoljning:report", report))
        assert response.status_code == 200
        assert "Fyll i rapporten" not in text(response)
        assert "Godkänn rapporten" not in text(response)
    before = database_snapshot()

    posts = [
        (world.url("uppfoljning:report_edit", world.draft), report_form_data()),
        (world.url("uppfoljning:report_edit", world.draft), report_form_data(submit="1")),
        (world.url("uppfoljning:report_transition", world.submitted, target=S.GODKAND), {}),
        (
            world.url("uppfoljning:report_transition", world.submitted, target=S.RETURNERAD),
            {"returnerad-comment": "Komplettera."},
        ),
        (world.url("uppfoljning:report_transition", world.draft, target=S.INSKICKAD), {}),
        (
            world.url("uppfoljning:report_periods", year=2021),
            {"kind": "AR", "due_date": "2022-02-15", "reminder_days": "7"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url

    assert database_snapshot() == before


def test_only_the_samordnare_opens_the_periods_page(world, client_as):
    response = client_as(Kind.SAMORDNARE).get(world.url("uppfoljning:report_periods", year=2021))
    assert response.status_code == 200
    assert heading(response) == "Rapportperioder 2021"
    assert "Rapportperioder" in text(client_as(Kind.SAMORDNARE).get(world.url("uppfoljning:reports")))

    for kind in NOT_SAMORDNARE:
        client = client_as(kind)
        assert refused_with(client.get(world.url("uppfoljning:report_periods", year=2021)), PERIODS_REFUSED)
        assert "Rapportperioder" not in text(client.get(world.url("uppfoljning:reports_year", year=2021)))


def test_samordnare_adds_a_period_and_its_reports_are_created(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    url = world.url("uppfoljning:report_periods", year=2021)

    response = client.post(url, {"kind": "AR", "due_date": "2022-02-15", "reminder_days": "10"}, follow=True)

    period = ReportPeriod.objects.get(forbund=world.forbund, year=2021, kind="AR")
    assert period.due_date == D(2022, 2, 15)
    assert period.reminder_days == 10
    assert set(period.reports.values_list("insats__name", flat=True)) == {"Vägen till arbete", "Byns insats"}
    assert "Årsrapport 2021 är sparad." in text(response)


def test_a_double_submitted_period_form_makes_one_period(world, client_as):
    client = client_as(Kind.SAMORDNARE)
    url = world.url("uppfoljning:report_periods", year=2021)
    token = input_value(client.get(url), "form_token")
    data = {"kind": "AR", "due_date": "2022-02-15", "reminder_days": "7", "form_token": token}

    first, second = client.post(url, data), client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 302)
    period = ReportPeriod.objects.get(forbund=world.forbund, year=2021, kind="AR")
    assert period.reports.count() == 2


def test_a_due_date_within_the_period_is_shown_on_the_periods_form(world, client_as):
    response = client_as(Kind.SAMORDNARE).post(
        world.url("uppfoljning:report_periods", year=2021),
        {"kind": "AR", "due_date": "2021-12-31", "reminder_days": "7"},
    )
    assert response.status_code == 200
    assert "Sista dagen måste ligga efter periodens slut (2021-12-31)." in text(response)
    assert not ReportPeriod.objects.filter(kind="AR").exists()


def test_another_forbunds_reports_are_not_found(world, client_as):
    elsewhere = ForbundFactory()
    foreign = TertialrapportFactory(period=ReportPeriodFactory(forbund=elsewhere), insats__name="Främmande")
    client = client_as(Kind.SAMORDNARE)

    assert client.get(world.url("uppfoljning:report", foreign)).status_code == 404
    assert client.get(world.url("uppfoljning:report_edit", foreign)).status_code == 404
    assert (
        client.post(world.url("uppfoljning:report_transition", foreign, target=S.INSKICKAD)).status_code
        == 404
    )
    slug = {"forbund": elsewhere.slug}
    assert client.get(reverse("uppfoljning:reports", kwargs=slug)).status_code == 404
    assert client.get(reverse("uppfoljning:report", kwargs={**slug, "pk": foreign.pk})).status_code == 404
    assert "Främmande" not in text(client.get(world.url("uppfoljning:reports_year", year=2021)))


# The report page: small counts -------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.REVISOR])
def test_counts_below_five_are_shown_as_under_five_outside_the_kansli(world, client_as, kind):
    response = client_as(kind).get(world.url("uppfoljning:report", world.approved))

    assert response.status_code == 200
    assert shown_count(response, "Nya deltagare") == "<5"
    # The total (10) shows in other breakdowns, so the one other part is hidden too ("..").
    assert shown_count(response, "Fortsätter från tidigare period") == ".."
    assert shown_count(response, "Kvinnor") == "<5"
    assert shown_count(response, "Män") == ".."
    assert shown_count(response, "Avslutade") == "<5"
    assert shown_count(response, "Annat eller vill inte uppge") == "0"


@pytest.mark.parametrize("kind", KANSLI)
def test_the_kansli_sees_small_counts_exactly(world, client_as, kind):
    response = client_as(kind).get(world.url("uppfoljning:report", world.approved))

    assert shown_count(response, "Nya deltagare") == "3"
    assert shown_count(response, "Kvinnor") == "4"
    assert shown_count(response, "Avslutade") == "2"
    assert "&lt;5" not in text(response)


# The form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE])
def test_samordnare_and_own_projektagare_save_a_draft(world, client_as, kind):
    client = client_as(kind)
    assert client.get(world.url("uppfoljning:report_edit")).status_code == 200

    response = client.post(world.url("uppfoljning:report_edit"), report_form_data(), follow=True)

    assert response.redirect_chain[-1][0] == world.url("uppfoljning:report")
    assert "Utkastet är sparat." in text(response)
    world.draft.refresh_from_db()
    assert world.draft.status == S.UTKAST
    assert world.draft.cooperation == "Styrgruppen träffas varje månad."
    assert counts_of(world.draft)[("flow", "nya")] == 6


def test_text_in_a_number_field_is_an_error_and_the_other_values_are_kept(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)

    response = client.post(
        world.url("uppfoljning:report_edit"), report_form_data(count_flow_nya="sex", count_gender_man="7")
    )

    assert response.status_code == 200
    assert "Nya deltagare: ange ett heltal." in text(response)
    assert input_value(response, "count_flow_nya") == "sex"
    assert input_value(response, "count_gender_man") == "7"
    assert input_value(response, "cost") == "200 000"  # grouped as typed back
    assert "Styrgruppen träffas varje månad." in text(response)
    world.draft.refresh_from_db()
    assert world.draft.cooperation == ""
    assert world.draft.started_at is None


def test_a_negative_number_is_refused_in_swedish(world, client_as):
    response = client_as(Kind.SAMORDNARE).post(
        world.url("uppfoljning:report_edit"), report_form_data(count_age_20_24="-2")
    )
    assert response.status_code == 200
    assert "20–24 år: antalet kan inte vara negativt." in text(response)
    assert not world.draft.counts.exists()


def test_save_and_submit_with_numbers_that_disagree_saves_the_draft_but_does_not_submit(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)

    response = client.post(
        world.url("uppfoljning:report_edit"), report_form_data(count_gender_man="4", submit="1")
    )

    assert response.status_code == 200
    content = text(response)
    assert "Utkastet är sparat men inte inskickat." in content
    assert "Kön: summan (9) ska vara lika med antalet deltagare (10)." in content
    assert input_value(response, "count_gender_man") == "4"
    world.draft.refresh_from_db()
    assert world.draft.status == S.UTKAST
    assert world.draft.cooperation == "Styrgruppen träffas varje månad."
    assert counts_of(world.draft)[("gender", "man")] == 4
    assert not world.draft.status_changes.exists()


def test_save_and_submit_with_correct_numbers_submits_the_report(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)

    response = client.post(world.url("uppfoljning:report_edit"), report_form_data(submit="1"), follow=True)

    assert response.redirect_chain[-1][0] == world.url("uppfoljning:report")
    assert "Rapporten är inskickad." in text(response)
    world.draft.refresh_from_db()
    assert world.draft.status == S.INSKICKAD
    change = world.draft.status_changes.get()
    assert (change.from_status, change.to_status, change.by) == (
        S.UTKAST,
        S.INSKICKAD,
        world.user(Kind.PROJEKTAGARE),
    )
    assert change.snapshot["counts"]["flow/nya"] == 6
    assert "Fyll i rapporten" not in text(response)
    assert refused_with(
        client.get(world.url("uppfoljning:report_edit")), "Rapporten är inskickad och kan inte ändras."
    )


def test_samordnare_returns_a_report_with_a_comment_the_projektagare_then_reads(world, client_as):
    samordnare = client_as(Kind.SAMORDNARE)
    url = world.url("uppfoljning:report_transition", world.submitted, target=S.RETURNERAD)

    empty = samordnare.post(url, {"returnerad-comment": "  "}, follow=True)
    assert "Returnera för komplettering gick inte: Skriv vad som ska kompletteras." in text(empty)
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.INSKICKAD

    done = samordnare.post(url, {"returnerad-comment": "Förklara kostnaden."}, follow=True)
    assert "Rapporten är nu returnerad för komplettering." in text(done)
    world.submitted.refresh_from_db()
    assert world.submitted.status == S.RETURNERAD
    assert "Förklara kostnaden." in text(done)  # in the history

    world.users[Kind.PROJEKTAGARE] = user_with_role(world.forbund, Kind.PROJEKTAGARE, medlem=world.byn)
    edit = client_as(Kind.PROJEKTAGARE).get(world.url("uppfoljning:report_edit", world.submitted))
    assert "Samordnaren returnerade rapporten" in text(edit)
    assert "Förklara kostnaden." in text(edit)
    assert "Kommunen och Arbetsförmedlingen planerar varje vecka." in text(edit)
    assert input_value(edit, "count_flow_fortsatta") == "7"


def test_samordnare_approves_a_submitted_report_and_the_board_can_then_read_it(world, client_as):
    response = client_as(Kind.SAMORDNARE).post(
        world.url("uppfoljning:report_transition", world.submitted, target=S.GODKAND), follow=True
    )
    assert "Rapporten är nu godkänd." in text(response)
    board = client_as(Kind.STYRELSELEDAMOT)
    assert board.get(world.url("uppfoljning:report", world.submitted)).status_code == 200


def test_the_cost_is_prefilled_from_the_invoices_of_the_period(world, client_as):
    InvoiceFactory(insats=world.vagen, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28), amount=100_000)
    InvoiceFactory(insats=world.vagen, period_start=D(2021, 7, 1), period_end=D(2021, 8, 31), amount=60_000)
    InvoiceFactory(insats=world.vagen, period_start=D(2021, 9, 1), period_end=D(2021, 10, 31), amount=70_000)
    InvoiceFactory(insats=world.byns, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28), amount=80_000)

    response = client_as(Kind.PROJEKTAGARE).get(world.url("uppfoljning:report_edit"))

    assert input_value(response, "cost") == "160 000"
    assert f"Fakturerat för perioden enligt förbundets fakturor: 160{NBSP}000{NBSP}kr" in text(response)


def test_a_cost_already_entered_is_not_replaced_by_the_invoices(world, client_as):
    InvoiceFactory(insats=world.byns, period_start=D(2021, 1, 1), period_end=D(2021, 2, 28), amount=80_000)
    response = client_as(Kind.SAMORDNARE).get(world.url("uppfoljning:report_edit", world.returned))
    assert input_value(response, "cost") == "150 000"
    assert f"80{NBSP}000{NBSP}kr" in text(response)


def test_a_submitted_report_is_locked_for_its_owner_on_every_page(world, client_as):
    owner = client_as(Kind.PROJEKTAGARE)
    owner.post(world.url("uppfoljning:report_edit"), report_form_data(submit="1"))
    world.draft.refresh_from_db()
    assert world.draft.status == S.INSKICKAD
    before = database_snapshot()

    page = text(owner.get(world.url("uppfoljning:report")))
    assert "Fyll i rapporten" not in page
    assert "Rapporten är inskickad och kan inte ändras." in page
    assert "Skicka in rapporten" not in page and "Godkänn rapporten" not in page
    assert refused_with(
        owner.get(world.url("uppfoljning:report_edit")), "Rapporten är inskickad och kan inte ändras."
    )
    posted = owner.post(
        world.url("uppfoljning:report_edit"), report_form_data(cooperation="Ändrat i efterhand.")
    )
    assert refused_with(posted, "Rapporten är inskickad och kan inte ändras.")
    approve = owner.post(world.url("uppfoljning:report_transition", target=S.GODKAND))
    assert refused_with(approve, "Din roll får inte göra detta: godkänn rapporten.")
    assert database_snapshot() == before

    review = text(client_as(Kind.SAMORDNARE).get(world.url("uppfoljning:report")))
    assert "Godkänn rapporten" in review and "Returnera för komplettering" in review
    assert "Fyll i rapporten" not in review  # a submitted report is changed only after it is returned


def test_the_owner_sees_the_submit_button_on_a_draft_and_another_organisation_does_not(world, client_as):
    page = text(client_as(Kind.PROJEKTAGARE).get(world.url("uppfoljning:report")))
    assert "Fyll i rapporten" in page
    assert "Skicka in rapporten" in page
    assert "Godkänn rapporten" not in page
    world.users[Kind.PROJEKTAGARE] = user_with_role(world.forbund, Kind.PROJEKTAGARE, medlem=world.byn)
    assert client_as(Kind.PROJEKTAGARE).get(world.url("uppfoljning:report")).status_code == 404


def test_the_second_of_two_people_saving_the_same_report_is_refused_and_keeps_what_was_typed(world):
    url = world.url("uppfoljning:report_edit")
    samordnare, owner = Client(), Client()
    samordnare.force_login(world.user(Kind.SAMORDNARE))
    owner.force_login(world.user(Kind.PROJEKTAGARE))
    opened_by_samordnare = input_value(samordnare.get(url), "opened_version")
    opened_by_owner = input_value(owner.get(url), "opened_version")
    assert opened_by_samordnare == opened_by_owner == "0"

    first = samordnare.post(
        url, report_form_data(cooperation="Samordnarens text.", opened_version=opened_by_samordnare)
    )
    assert first.status_code == 302
    second = owner.post(
        url, report_form_data(cooperation="Ägarens text.", count_flow_nya="7", opened_version=opened_by_owner)
    )

    assert second.status_code == 200
    content = html.unescape(text(second))
    assert "Någon annan har sparat tertialrapport sedan du öppnade formuläret" in content
    assert "”” → ”Samordnarens text.”" in content  # what the other person changed
    assert "Ägarens text." in content  # what this person typed is still in the form
    assert input_value(second, "count_flow_nya") == "7"
    world.draft.refresh_from_db()
    assert world.draft.cooperation == "Samordnarens text."
    assert counts_of(world.draft)[("flow", "nya")] == 6

    again = owner.post(
        url,
        report_form_data(
            cooperation="Ägarens text.",
            count_flow_nya="7",
            opened_version=input_value(second, "opened_version"),
        ),
    )
    assert again.status_code == 302
    world.draft.refresh_from_db()
    assert world.draft.cooperation == "Ägarens text."
    assert counts_of(world.draft)[("flow", "nya")] == 7


def test_a_failed_submission_leaves_the_form_on_the_saved_version(world, client_as):
    client = client_as(Kind.PROJEKTAGARE)
    url = world.url("uppfoljning:report_edit")
    failed = client.post(url, report_form_data(count_gender_man="4", submit="1", opened_version="0"))
    assert failed.status_code == 200
    assert input_value(failed, "opened_version") == "1"

    done = client.post(url, report_form_data(submit="1", opened_version="1"), follow=True)

    assert "Rapporten är inskickad." in text(done)
    world.draft.refresh_from_db()
    assert world.draft.status == S.INSKICKAD


# Query counts ------------------------------------------------------------------------------------


def add_insatser(world: World, number: int) -> None:
    """`number` more insatser of Region Söder, each with a filled T1 and T2 report."""
    for _ in range(number):
        insats = InsatsFactory(forbund=world.forbund, owner=world.region)
        for period in (world.t1, world.t2):
            fill(TertialrapportFactory(period=period, insats=insats), S.GODKAND, world.user(Kind.SAMORDNARE))


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.STYRELSELEDAMOT, Kind.PROJEKTAGARE])
def test_the_status_board_costs_the_same_queries_for_2_and_10_insatser(world, login, kind):
    client = login(world.user(kind))
    url = world.url("uppfoljning:reports_year", year=2021)
    few = queries_for(client, url)
    add_insatser(world, 8)

    many = queries_for(client, url)

    assert many == few
    assert many <= 12
    assert text(client.get(url)).count("Godkänd") >= 16


def add_goals_and_history(world: World, report: Tertialrapport, number: int) -> None:
    samordnare = world.user(Kind.SAMORDNARE)
    for _ in range(number):
        GoalFactory(insats=report.insats)
    goals = report.insats.goals.all()
    report_save(
        report=report,
        by=samordnare,
        data=filled(goals={goal.pk: ("delvis", "På väg.") for goal in goals}),
    )
    for _ in range(number):
        ReportStatusChange.objects.create(
            report=report, from_status=S.INSKICKAD, to_status=S.RETURNERAD, by=samordnare, comment="Mer."
        )


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.PROJEKTAGARE, Kind.REVISOR])
def test_the_report_page_costs_the_same_queries_for_2_and_10_goals_and_history_rows(world, login, kind):
    client = login(world.user(kind))
    report = world.draft
    add_goals_and_history(world, report, 2)
    url = world.url("uppfoljning:report", report)
    few = queries_for(client, url)
    add_goals_and_history(world, report, 8)

    many = queries_for(client, url)

    assert many == few
    assert many <= 18
    assert text(client.get(url)).count("På väg.") == 10
