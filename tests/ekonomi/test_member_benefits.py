"""What each member gets for its money: each member's contribution beside the insatser it takes part
in (as owner or partner), their grants for the year and their participants in approved reports,
with small counts hidden outside the förbund's staff. For the kansli, the board and the revisor."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from ekonomi.selectors.members import OWNER, PARTNER, member_benefits
from forbund.models import Role
from insatser.models import Insats
from tests.factories import (
    BeslutFactory,
    BudgetFactory,
    BudgetIncomeFactory,
    InsatsFactory,
    ParticipantCountFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    finsam_parties,
    user_with_role,
)
from uppfoljning.models import ReportPeriod

pytestmark = pytest.mark.django_db

D = datetime.date
K = Decimal
Kind = Role.Kind
NBSP = "\xa0"


def approved_report(insats, kind: str, participants: tuple[int, int]):
    period = ReportPeriod.objects.filter(
        forbund=insats.forbund, year=2021, kind=kind
    ).first() or ReportPeriodFactory(forbund=insats.forbund, year=2021, kind=kind)
    report = TertialrapportFactory.create_approved(period=period, insats=insats)
    ParticipantCountFactory(report=report, dimension="flow", category="nya", count=participants[0])
    ParticipantCountFactory(report=report, dimension="flow", category="fortsatta", count=participants[1])
    return report


@pytest.fixture
def parties(forbund):
    """FK, AF, a region and two kommuner; the 2021 budget has the contributions of four of them."""
    parties = finsam_parties(forbund, kommuner=2)
    budget = BudgetFactory(forbund=forbund, year=2021)
    for key, amount in [("fk", 1_000_000), ("region", 500_000), ("kommun1", 300_000), ("kommun2", 200_000)]:
        BudgetIncomeFactory(budget=budget, medlem=parties[key], amount=amount)
    return parties


@pytest.fixture
def insatser(forbund, parties):
    """Yrkeskedjor: kommun 1 with the region, 500 000 kr, 12 participants in its annual report (and 20
    in an earlier T1, which the annual report supersedes). Unga Vuxna: the region with FK, 300 000 kr,
    3 participants in T2. An application of kommun 1 (not granted) and an insats granted only for 2022
    are not the year's."""
    yrkeskedjor = InsatsFactory(forbund=forbund, name="Yrkeskedjor", owner=parties["kommun1"])
    yrkeskedjor.partners.add(parties["region"])
    BeslutFactory(insats=yrkeskedjor, amounts={2021: 500_000, 2022: 100_000})
    approved_report(yrkeskedjor, "AR", (8, 4))
    approved_report(yrkeskedjor, "T1", (15, 5))
    unga = InsatsFactory(forbund=forbund, name="Unga Vuxna", owner=parties["region"])
    unga.partners.add(parties["fk"])
    BeslutFactory(insats=unga, amounts={2021: 300_000})
    approved_report(unga, "T2", (2, 1))
    InsatsFactory(forbund=forbund, name="Ansökan", owner=parties["kommun1"], status=Insats.Status.INSKICKAD)
    later = InsatsFactory(forbund=forbund, name="Senare", owner=parties["kommun2"], start=D(2022, 1, 1))
    BeslutFactory(insats=later, amounts={2022: 100_000})
    return {"yrkeskedjor": yrkeskedjor, "unga": unga}


def by_name(benefits):
    return {row.medlem.name: row for row in benefits.rows}


def test_each_member_beside_the_insatser_it_takes_part_in(forbund, parties, insatser):
    rows = by_name(member_benefits(forbund, 2021, exact=True))
    assert [(item.insats.name, item.role, item.granted) for item in rows["Kommun 1"].insatser] == [
        ("Yrkeskedjor", OWNER, K(500_000))
    ]
    assert [(item.insats.name, item.role) for item in rows["Region Söder"].insatser] == [
        ("Unga Vuxna", OWNER),
        ("Yrkeskedjor", PARTNER),
    ]
    assert rows["Region Söder"].granted == K(800_000)
    assert rows["Försäkringskassan"].granted == K(300_000)
    assert rows["Kommun 2"].insatser == [] and rows["Arbetsförmedlingen"].insatser == []
    assert (rows["Försäkringskassan"].contribution, rows["Kommun 2"].contribution) == (
        K(1_000_000),
        K(200_000),
    )
    assert rows["Arbetsförmedlingen"].contribution is None  # not in the budget


def test_participants_come_from_the_latest_approved_report_of_the_year(forbund, parties, insatser):
    rows = by_name(member_benefits(forbund, 2021, exact=True))
    yrkeskedjor = rows["Kommun 1"].insatser[0]
    assert (yrkeskedjor.participants.text, yrkeskedjor.period) == ("12", "Årsrapport (januari–december)")
    unga = rows["Region Söder"].insatser[0]
    assert unga.participants.text == "3"


def test_small_counts_are_hidden_from_readers_outside_the_staff(forbund, parties, insatser):
    rows = by_name(member_benefits(forbund, 2021, exact=False))
    assert rows["Region Söder"].insatser[0].participants.text == "<5"
    assert rows["Kommun 1"].insatser[0].participants.text == "12"


def test_an_insats_without_an_approved_report_has_no_participants(forbund, parties, insatser):
    TertialrapportFactory.create_submitted(
        period=ReportPeriod.objects.get(forbund=forbund, year=2021, kind="T2"), insats=insatser["yrkeskedjor"]
    )
    other = InsatsFactory(forbund=forbund, name="Utan rapport", owner=parties["kommun2"])
    BeslutFactory(insats=other, amounts={2021: 50_000})
    item = by_name(member_benefits(forbund, 2021, exact=True))["Kommun 2"].insatser[0]
    assert (item.insats.name, item.participants) == ("Utan rapport", None)


# The page and the export, by role -----------------------------------------------------------------


def url(forbund, name="member_benefits"):
    return reverse(f"ekonomi:{name}", kwargs={"forbund": forbund.slug}) + "?ar=2021"


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (Kind.SAMORDNARE, ">3<"),
        (Kind.EKONOM, ">3<"),
        (Kind.STYRELSELEDAMOT, "&lt;5"),
        (Kind.ERSATTARE, "&lt;5"),
        (Kind.REVISOR, "&lt;5"),
    ],
)
def test_kansli_board_and_revisor_read_the_page(forbund, parties, insatser, login, kind, shown):
    page = login(user_with_role(forbund, kind)).get(url(forbund))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vad medlemmarna får för sina bidrag 2021" in text
    assert f"800{NBSP}000{NBSP}kr" in text and "Unga Vuxna" in text
    assert shown in text


def test_projektagare_anonymous_and_other_forbund_are_kept_out(
    forbund, other_forbund, parties, client, login
):
    assert client.get(url(forbund)).status_code == 302
    owner = login(user_with_role(forbund, Kind.PROJEKTAGARE, medlem=parties["kommun1"]))
    for name in ("member_benefits", "member_benefits_xlsx"):
        response = owner.get(url(forbund, name))
        assert response.status_code == 403
    outsider = login(user_with_role(other_forbund, Kind.SAMORDNARE))
    assert outsider.get(url(forbund)).status_code == 404


def test_the_excel_export_has_the_pages_figures(forbund, parties, insatser, login):
    response = login(user_with_role(forbund, Kind.STYRELSELEDAMOT)).get(url(forbund, "member_benefits_xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert ["Region Söder", 500_000, None, "Unga Vuxna", "projektägare", 300_000, "<5"] in rows
    assert ["Kommun 1", 300_000, None, "Yrkeskedjor", "projektägare", 500_000, 12] in rows
    assert ["Kommun 2", 200_000, None, "Ingen insats", None, None, None] in rows


def test_the_page_query_count_does_not_grow_with_insatser(
    forbund, parties, insatser, login, django_assert_max_num_queries
):
    client = login(user_with_role(forbund, Kind.SAMORDNARE))
    client.get(url(forbund))
    for number in range(12):
        insats = InsatsFactory(forbund=forbund, name=f"Fler {number}", owner=parties["kommun2"])
        insats.partners.add(parties["fk"], parties["af"])
        BeslutFactory(insats=insats, amounts={2021: 10_000})
        if number % 3 == 0:
            approved_report(insats, "AR", (5, number))
    with django_assert_max_num_queries(40):
        assert client.get(url(forbund)).status_code == 200
