"""The submitted versions of a report: listed with when, by whom and what became of each, opened as
they were sent, and compared with the version before (changed texts and figures marked, old → new
with the difference). Read by the same people as the report; small counts stay masked outside the
kansli, also in a comparison. Each page takes a fixed number of queries."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from finsam import workflow
from forbund.models import Medlem, Role
from tests.factories import (
    ForbundFactory,
    InsatsFactory,
    MedlemFactory,
    ReportPeriodFactory,
    TertialrapportFactory,
    user_with_role,
)
from uppfoljning.models import Tertialrapport
from uppfoljning.services.reports import ReportData, report_save

pytestmark = pytest.mark.django_db

S = Tertialrapport.Status
Kind = Role.Kind
NBSP = "\xa0"

FIRST_COUNTS = {
    ("flow", "nya"): 6,
    ("flow", "fortsatta"): 4,
    ("flow", "avslutade"): 3,
    ("gender", "kvinnor"): 5,
    ("gender", "man"): 5,
    ("age", "20_24"): 4,
    ("age", "30_39"): 6,
    ("support", "forsorjningsstod"): 7,
    ("support", "ingen"): 3,
    ("outcome", "arbete"): 2,
    ("outcome", "studier"): 1,
}
# Two more new participants: one woman and one man, both 30–39, both on försörjningsstöd.
SECOND_COUNTS = {
    **FIRST_COUNTS,
    ("flow", "nya"): 8,
    ("gender", "kvinnor"): 6,
    ("gender", "man"): 6,
    ("age", "30_39"): 8,
    ("support", "forsorjningsstod"): 9,
}
FIRST_DEVIATIONS = "Färre praktikplatser än planerat."
SECOND_DEVIATIONS = "Färre praktikplatser än planerat, men fler studiebesök."
RETURN_COMMENT = "Förklara varför kostnaden avviker från fakturorna."


def data(counts, deviations, cost) -> ReportData:
    return ReportData(
        cooperation="Kommunen och Arbetsförmedlingen planerar varje vecka.",
        activities="Två kurser och vägledning.",
        deviations=deviations,
        implementation="Arbetssättet diskuteras i förvaltningen.",
        cost=Decimal(cost),
        counts=dict(counts),
    )


@pytest.fixture
def region(forbund):
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


@pytest.fixture
def users(forbund, region):
    users = {kind: user_with_role(forbund, kind) for kind in Kind.values if kind != Kind.PROJEKTAGARE}
    users[Kind.PROJEKTAGARE] = user_with_role(forbund, Kind.PROJEKTAGARE, medlem=region)
    return users


def submitted_twice(forbund, region, users, *, approve: bool) -> Tertialrapport:
    """Submitted by the projektägare, returned by the samordnare, corrected and submitted again."""
    insats = InsatsFactory(forbund=forbund, owner=region, name="Vägen till arbete")
    period = ReportPeriodFactory(forbund=forbund, year=2021, kind="T1")
    report = TertialrapportFactory(period=period, insats=insats)
    owner, samordnare = users[Kind.PROJEKTAGARE], users[Kind.SAMORDNARE]
    report_save(report=report, by=owner, data=data(FIRST_COUNTS, FIRST_DEVIATIONS, 150_000))
    workflow.transition(report, to=S.INSKICKAD, by=owner)
    workflow.transition(report, to=S.RETURNERAD, by=samordnare, comment=RETURN_COMMENT)
    report_save(report=report, by=owner, data=data(SECOND_COUNTS, SECOND_DEVIATIONS, 160_000))
    workflow.transition(report, to=S.INSKICKAD, by=owner)
    if approve:
        workflow.transition(report, to=S.GODKAND, by=samordnare)
    return report


@pytest.fixture
def report(forbund, region, users):
    return submitted_twice(forbund, region, users, approve=True)


def url(name: str, report: Tertialrapport, number: int | None = None) -> str:
    kwargs = {"forbund": report.period.forbund.slug, "pk": report.pk}
    if number is not None:
        kwargs["number"] = number
    return reverse(f"uppfoljning:{name}", kwargs=kwargs)


def page(client, user, address: str):
    client.force_login(user)
    return client.get(address)


def text_of(response) -> str:
    return html.unescape(response.content.decode()).replace(NBSP, " ")


def plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def row(response, label: str) -> tuple[str, list[str]]:
    """A comparison row by its label: whether it is marked changed, and its cells as text."""
    found = re.search(
        rf'<tr[^>]*data-changed="(ja|nej)"[^>]*>\s*<th scope="row" class="fw-normal">{re.escape(label)}'
        r"(?=<| <span)(.*?)</tr>",
        text_of(response),
        re.S,
    )
    assert found, f"no row {label}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(2), re.S)
    return found.group(1), [plain(cell) for cell in cells]


# The list ----------------------------------------------------------------------------------------


def test_the_list_shows_each_submission_with_who_when_and_what_became_of_it(client, report, users):
    response = page(client, users[Kind.SAMORDNARE], url("report_versions", report))

    assert response.status_code == 200
    content = text_of(response)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", content, re.S)
    assert [plain(r).split(" ")[:2] for r in rows] == [["Version", "1"], ["Version", "2"]]
    first, second = (plain(r) for r in rows)
    owner = str(users[Kind.PROJEKTAGARE])
    assert owner in first and owner in second
    assert "Returnerad för komplettering" in first and RETURN_COMMENT in first
    assert "Godkänd" in second
    assert "Jämför med version 1" in second and "Jämför med" not in first


def test_a_version_waiting_for_review_says_so(client, forbund, region, users):
    waiting = submitted_twice(forbund, region, users, approve=False)
    response = page(client, users[Kind.SAMORDNARE], url("report_versions", waiting))
    assert "Väntar på granskning" in text_of(response)


def test_the_report_page_links_to_its_versions(client, report, users):
    response = page(client, users[Kind.SAMORDNARE], report.get_absolute_url())
    assert f'href="{url("report_versions", report)}">Versioner (2)</a>' in response.content.decode()


def test_a_report_never_submitted_has_no_link_and_an_empty_list(client, forbund, region, users):
    draft = TertialrapportFactory(
        period=ReportPeriodFactory(forbund=forbund, year=2022, kind="T1"),
        insats=InsatsFactory(forbund=forbund, owner=region),
    )
    assert (
        "Versioner (" not in page(client, users[Kind.SAMORDNARE], draft.get_absolute_url()).content.decode()
    )
    response = page(client, users[Kind.SAMORDNARE], url("report_versions", draft))
    assert "Rapporten har inte skickats in ännu." in text_of(response)


# One version -------------------------------------------------------------------------------------


def test_a_version_shows_the_report_as_it_was_sent(client, report, users):
    response = page(client, users[Kind.SAMORDNARE], url("report_version", report, 1))

    assert response.status_code == 200
    content = text_of(response)
    assert "version 1" in content
    assert FIRST_DEVIATIONS in content and SECOND_DEVIATIONS not in content
    assert "150 000 kr" in content and "160 000 kr" not in content
    assert re.search(r'Nya deltagare</th><td class="num">6</td>', content)
    assert RETURN_COMMENT in content

    second = text_of(page(client, users[Kind.SAMORDNARE], url("report_version", report, 2)))
    assert SECOND_DEVIATIONS in second and "160 000 kr" in second
    assert re.search(r'Nya deltagare</th><td class="num">8</td>', second)


def test_a_version_masks_small_counts_for_the_board(client, report, users):
    content = text_of(page(client, users[Kind.STYRELSELEDAMOT], url("report_version", report, 1)))
    assert re.search(r'20–24 år</th><td class="num"><5</td>', content)
    assert re.search(r'30–39 år</th><td class="num">..</td>', content)


@pytest.mark.parametrize("number", [0, 3])
def test_a_version_that_does_not_exist_is_not_found(client, report, users, number):
    assert page(client, users[Kind.SAMORDNARE], url("report_version", report, number)).status_code == 404


# The comparison ----------------------------------------------------------------------------------


def test_the_comparison_marks_changed_texts_and_figures_with_the_difference(client, report, users):
    response = page(client, users[Kind.SAMORDNARE], url("report_version_compare", report, 2))

    assert response.status_code == 200
    assert row(response, "Avvikelser och risker") == (
        "ja",
        [
            FIRST_DEVIATIONS,
            "Färre praktikplatser än borttaget: planerat. tillagt: planerat, men fler studiebesök.",
        ],
    )
    assert row(response, "Genomförda aktiviteter") == (
        "nej",
        ["Två kurser och vägledning.", "Två kurser och vägledning."],
    )
    assert row(response, "Kostnad under perioden") == ("ja", ["150 000 kr", "160 000 kr", "+10 000 kr"])
    assert row(response, "Nya deltagare") == ("ja", ["6", "8", "+2"])
    assert row(response, "Kvinnor") == ("ja", ["5", "6", "+1"])
    assert row(response, "30–39 år") == ("ja", ["6", "8", "+2"])
    assert row(response, "Fortsätter från tidigare period") == ("nej", ["4", "4", ""])
    assert row(response, "Arbete") == ("nej", ["2", "2", ""])
    content = text_of(response)
    assert "7 uppgifter är ändrade" in content  # deviations, cost, new, women, men, 30–39, försörjningsstöd
    assert '<del class="text-danger">' in content and '<ins class="text-success-emphasis">' in content


def test_a_lower_figure_shows_a_negative_difference(client, forbund, region, users):
    insats = InsatsFactory(forbund=forbund, owner=region)
    report = TertialrapportFactory(
        period=ReportPeriodFactory(forbund=forbund, year=2021, kind="T1"), insats=insats
    )
    owner, samordnare = users[Kind.PROJEKTAGARE], users[Kind.SAMORDNARE]
    report_save(report=report, by=owner, data=data(FIRST_COUNTS, FIRST_DEVIATIONS, 1_893_000))
    workflow.transition(report, to=S.INSKICKAD, by=owner)
    workflow.transition(report, to=S.RETURNERAD, by=samordnare, comment="Rätta kostnaden.")
    report_save(report=report, by=owner, data=data(FIRST_COUNTS, FIRST_DEVIATIONS, 1_793_500))
    workflow.transition(report, to=S.INSKICKAD, by=owner)

    response = page(client, samordnare, url("report_version_compare", report, 2))

    assert row(response, "Kostnad under perioden") == ("ja", ["1 893 000 kr", "1 793 500 kr", "−99 500 kr"])
    assert "1 uppgift är ändrad" in text_of(response)


def test_the_board_compares_masked_counts_and_learns_no_small_difference(client, report, users):
    response = page(client, users[Kind.STYRELSELEDAMOT], url("report_version_compare", report, 2))

    assert response.status_code == 200
    # 30–39: 6 → 8, but both hidden ("..") beside the 4 aged 20–24: not marked, no difference.
    assert row(response, "30–39 år") == ("nej", ["..", "..", ""])
    assert row(response, "Nya deltagare") == ("nej", ["..", "..", ""])
    # Counts shown as they are keep their difference.
    assert row(response, "Kvinnor") == ("ja", ["5", "6", "+1"])
    assert row(response, "Kostnad under perioden") == ("ja", ["150 000 kr", "160 000 kr", "+10 000 kr"])


def test_the_first_version_has_nothing_to_compare_with(client, report, users):
    assert page(client, users[Kind.SAMORDNARE], url("report_version_compare", report, 1)).status_code == 404


# Who may read them -------------------------------------------------------------------------------

PAGES = [("report_versions", None), ("report_version", 2), ("report_version_compare", 2)]
READERS = [
    Kind.SAMORDNARE,
    Kind.EKONOM,
    Kind.STYRELSELEDAMOT,
    Kind.ERSATTARE,
    Kind.REVISOR,
    Kind.PROJEKTAGARE,
]


@pytest.mark.parametrize("kind", READERS)
@pytest.mark.parametrize(("name", "number"), PAGES)
def test_everyone_who_reads_the_report_reads_its_versions(client, report, users, kind, name, number):
    assert page(client, users[kind], report.get_absolute_url()).status_code == 200
    assert page(client, users[kind], url(name, report, number)).status_code == 200


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.ERSATTARE])
@pytest.mark.parametrize(("name", "number"), PAGES)
def test_the_board_does_not_see_versions_of_a_report_not_yet_approved(
    client, forbund, region, users, kind, name, number
):
    waiting = submitted_twice(forbund, region, users, approve=False)
    assert page(client, users[kind], waiting.get_absolute_url()).status_code == 404
    assert page(client, users[kind], url(name, waiting, number)).status_code == 404
    # …while the kansli does.
    assert page(client, users[Kind.SAMORDNARE], url(name, waiting, number)).status_code == 200


@pytest.mark.parametrize(("name", "number"), PAGES)
def test_another_members_projektagare_is_refused(client, forbund, report, name, number):
    other = user_with_role(
        forbund, Kind.PROJEKTAGARE, medlem=MedlemFactory(forbund=forbund, name="Byn kommun")
    )
    assert page(client, other, url(name, report, number)).status_code == 404


@pytest.mark.parametrize("kind", [Kind.SAMORDNARE, Kind.REVISOR])
@pytest.mark.parametrize(("name", "number"), PAGES)
def test_another_forbund_is_refused(client, report, kind, name, number):
    outsider = user_with_role(ForbundFactory(), kind)
    assert page(client, outsider, url(name, report, number)).status_code == 404


@pytest.mark.parametrize(("name", "number"), PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, report, name, number):
    response = client.get(url(name, report, number))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Queries -----------------------------------------------------------------------------------------


def add_versions(report: Tertialrapport, users, times: int) -> None:
    owner, samordnare = users[Kind.PROJEKTAGARE], users[Kind.SAMORDNARE]
    for turn in range(times):
        workflow.transition(report, to=S.RETURNERAD, by=samordnare, comment=f"Runda {turn}")
        report_save(report=report, by=owner, data=data(SECOND_COUNTS, f"Avvikelse {turn}", 160_000 + turn))
        workflow.transition(report, to=S.INSKICKAD, by=owner)


@pytest.mark.parametrize(("name", "number"), PAGES)
def test_the_pages_take_a_fixed_number_of_queries(
    client, forbund, region, users, django_assert_max_num_queries, name, number
):
    few = submitted_twice(forbund, region, users, approve=False)
    client.force_login(users[Kind.PROJEKTAGARE])
    with django_assert_max_num_queries(11) as captured:
        assert client.get(url(name, few, number)).status_code == 200
    baseline = len(captured)
    add_versions(few, users, 6)
    with django_assert_max_num_queries(baseline):
        assert client.get(url(name, few, 8 if number else None)).status_code == 200
