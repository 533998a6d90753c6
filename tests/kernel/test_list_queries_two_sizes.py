"""Every list page costs the same number of queries with a few rows as with many (issue #14: ~80
förbund × 10 years in one installation). Each page is measured for one role at two sizes of what it
lists, 2 rows and 12; the counts must be equal and under a sane maximum. A list that pages is made to
show 5 rows a page here, so the larger size spans three pages, and its second page costs the same too.
A page is measured on the first request after the rows are added and on the next one, so a page that
caches what it shows is held to a fixed count both when the cache is cold and when it is warm."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from ekonomi.selectors.budget import economy_settings
from finsam import pagination
from forbund.models import (
    Dokumentjobb,
    Faststallelse,
    Forbund,
    Medlem,
    MeetingStatus,
    NoticeVersion,
    Notification,
    PlatformAdministrator,
    Role,
    User,
)
from insatser.models import Insats
from tests.factories import (
    AccountMappingFactory,
    AgendaItemFactory,
    ArbetsgruppFactory,
    BeslutFactory,
    DelegationsbeslutFactory,
    ForbundFactory,
    InvoiceFactory,
    LedgerEntryFactory,
    LedgerImportFactory,
    MedlemFactory,
    ReportPeriodFactory,
    RoleFactory,
    StyrelsemoteFactory,
    TertialrapportFactory,
    UserFactory,
)
from tests.forbund.test_query_counts import add_rows

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2021
PER_PAGE = 5  # rows a page in these tests, so that 12 rows are three pages
SMALL, LARGE = 2, 12


@dataclass
class World:
    """One förbund with a little of everything, and the accounts that look at it."""

    forbund: Forbund
    owner: Medlem  # the projektägare's organisation, which owns every insats added here
    viewer: User
    group: object
    meeting: object  # a meeting whose agenda and notices grow
    platform_admin: User
    added: int = 0
    counters: dict = field(default_factory=dict)

    def grow(self, stop: int) -> None:
        """Add rows number self.added..stop-1 of everything the list pages show."""
        forbund = self.forbund
        add_rows(forbund, self.group, self.added, stop, owner=self.owner)
        period = forbund.report_periods.filter(year=YEAR, kind="T1").first() or ReportPeriodFactory(
            forbund=forbund, year=YEAR, kind="T1"
        )
        for i in range(self.added, stop):
            insats = Insats.objects.get(forbund=forbund, name=f"Insats {i}")
            other_user = UserFactory()
            # Economy: invoices, account mappings of three kinds, a ledger import with an entry.
            InvoiceFactory(insats=insats, number=f"F-{i:04d}")
            AccountMappingFactory(forbund=forbund, account=str(5000 + i))
            AccountMappingFactory(forbund=forbund, account=str(6000 + i), category=None, insats=insats)
            ledger = LedgerImportFactory(forbund=forbund, year=YEAR, first_month=1, last_month=1)
            LedgerEntryFactory(ledger_import=ledger, account=str(5000 + i), month=1)
            # Uppföljning: a report of each insats.
            TertialrapportFactory(period=period, insats=insats)
            # The board: agenda items, delegationsbeslut (every other one reported, one granting an
            # insats), notice versions, and justerade minutes with an adopted plan, one year each.
            item = AgendaItemFactory(meeting=self.meeting, title=f"Punkt {i}", kind="delegation")
            decision = DelegationsbeslutFactory(
                forbund=forbund,
                decided_on=D(YEAR, 1, 1) + datetime.timedelta(days=i),
                title=f"Delegationsärende {i}",
                reported_in=item if i % 2 == 0 else None,
            )
            BeslutFactory(insats=insats, delegationsbeslut=decision, decided_on=decision.decided_on)
            NoticeVersion.objects.create(
                meeting=self.meeting,
                version=i + 1,
                sent_by=other_user,
                recipients=f"Person {i} <person{i}@example.se>",
                snapshot={},
            )
            justerat = StyrelsemoteFactory(
                forbund=forbund,
                date=D(2000 + i, 3, 1),
                status=MeetingStatus.JUSTERAT,
                announced_on=D(2000 + i, 3, 10),
            )
            adopting = AgendaItemFactory(
                meeting=justerat, title=f"Ansökan om medel {i}", decision="Beviljas.", paragraph=1
            )
            job = Dokumentjobb.objects.create(
                forbund=forbund, kind="verksamhetsplan", year=2000 + i, requested_by=other_user, status="klar"
            )
            Faststallelse.objects.create(
                forbund=forbund,
                dokumentjobb=job,
                kind="verksamhetsplan",
                year=2000 + i,
                checksum="0" * 64,
                item=adopting,
                adopted_on=D(2000 + i, 3, 1),
                recorded_by=other_user,
                published_file=f"faststallda/plan-{i}.pdf",
                published_checksum="0" * 64,
                published_at=timezone.now(),
            )
            # The viewer's notifications; accounts in the förbund; förbund in the installation.
            Notification.objects.create(
                recipient=self.viewer,
                forbund=forbund,
                kind="submitted",
                title=f"Notis {i}",
                url="/",
                actor=other_user,
            )
            RoleFactory(forbund=forbund, kind=Role.Kind.STYRELSELEDAMOT, user=other_user)
            ForbundFactory()
        self.added = stop


SAMORDNARE, PROJEKTAGARE = Role.Kind.SAMORDNARE, Role.Kind.PROJEKTAGARE
ANONYMOUS, PLATFORM = "anonym", "plattform"


@dataclass(frozen=True)
class Page:
    name: str
    kind: str = SAMORDNARE
    query: str = ""
    max_queries: int = 30
    paged: bool = False  # shows PER_PAGE rows a page
    kwargs: str = "forbund"  # forbund | year | meeting | group | none | public
    marker: str = ""  # a text of the rows added last, which the larger page shows


# Every list page, the role that looks at it, what it may cost. Limits are what the pages cost when
# measured, plus a little headroom; they must not depend on the rows.
PAGES = [
    # The förbund and its organisation (forbund/views.py)
    Page("forbund:dashboard", query=f"?ar={YEAR}", max_queries=29, marker="Grupp 11"),
    Page("forbund:dashboard", PROJEKTAGARE, query=f"?ar={YEAR}", max_queries=25, marker="Insats 11"),
    Page("forbund:inbox", max_queries=15),
    Page("forbund:detail", max_queries=9, marker="Kommun 11"),
    Page("forbund:detail", query=f"?ar={YEAR}", max_queries=9, marker="Kommun 11"),
    Page("forbund:medlemmar", query=f"?ar={YEAR}", max_queries=14, marker="Kommun 11"),
    Page("forbund:styrelse", query=f"?ar={YEAR}", max_queries=10, marker="Person 11"),
    Page("forbund:kansli", max_queries=8, marker="Person 11"),
    Page("forbund:kansli", query="?avslutade=1", max_queries=8),
    Page("forbund:personer", max_queries=9, paged=True, marker="av 36 personer"),
    Page("forbund:arbetsgrupper", max_queries=10, marker="Grupp 11"),
    Page("forbund:arbetsgrupp", kwargs="group", max_queries=12, marker="Person 11"),
    Page("forbund:arbetsgrupp", kwargs="group", query="?tidigare=1", max_queries=12, marker="Person 11"),
    Page("forbund:logg", max_queries=11, paged=True, marker="Händelse 11"),
    Page("forbund:logg", query="?kind=handelse", max_queries=11, paged=True, marker="Händelse 11"),
    Page("forbund:accounts", max_queries=11),
    # The board's meetings
    Page("forbund:moten", query=f"?ar={YEAR}", max_queries=9, marker="2021-10-03"),
    Page("forbund:mote", kwargs="meeting", max_queries=23, marker="Punkt 11"),
    Page("forbund:notices", kwargs="meeting", max_queries=9, marker="Person 11"),
    Page("forbund:agenda_template", max_queries=10),
    Page("forbund:delegationsbeslut", max_queries=12, paged=True, marker="Delegationsärende 11"),
    Page(
        "public_archive",
        ANONYMOUS,
        kwargs="public",
        max_queries=7,
        paged=True,
        marker="Styrelsemöte 2011-03-01",
    ),
    Page(
        "public_archive",
        ANONYMOUS,
        query="?q=ans%C3%B6kan",
        kwargs="public",
        max_queries=5,
        paged=True,
        marker="Ansökan om medel 11",
    ),
    # The signed-in user's notifications
    Page("notifications:list", kwargs="none", max_queries=8, paged=True, marker="Notis 11"),
    # Insatser
    Page("insatser:list", max_queries=12, paged=True, marker="Insats 11"),
    Page("insatser:list", PROJEKTAGARE, max_queries=13, paged=True, marker="Insats 11"),
    # Ekonomi
    Page("ekonomi:overview", max_queries=8),
    Page("ekonomi:budget", kwargs="year", max_queries=24, marker="Kommun 11"),
    Page("ekonomi:comparison", kwargs="year", max_queries=19),
    Page("ekonomi:cost_categories", max_queries=8),
    Page("ekonomi:invoice_list", max_queries=16, paged=True),
    Page("ekonomi:account_list", max_queries=9, paged=True, marker="5004"),
    Page("ekonomi:ledger", query=f"?ar={YEAR}", max_queries=12),
    Page("ekonomi:member_benefits", query=f"?ar={YEAR}", max_queries=15, marker="Kommun 11"),
    Page("ekonomi:rekvisition", PROJEKTAGARE, max_queries=13, marker="Insats 11"),
    Page("ekonomi:rekvisition", PROJEKTAGARE, query=f"?ar={YEAR}", max_queries=13, marker="F-0011"),
    # Uppföljning
    Page("uppfoljning:reports_year", kwargs="year", max_queries=10, marker="Insats 11"),
    Page("uppfoljning:reports_year", PROJEKTAGARE, kwargs="year", max_queries=11, marker="Insats 11"),
    Page("uppfoljning:report_periods", kwargs="year", max_queries=8),
    Page("uppfoljning:followup", kwargs="year", max_queries=12),
    Page("uppfoljning:indicators", kwargs="year", max_queries=8),
    Page("uppfoljning:documents", max_queries=15),
    # The platform's list of förbund
    Page("platform:home", PLATFORM, kwargs="none", max_queries=7),
]


def page_id(page: Page) -> str:
    return f"{page.name}-{page.kind}{page.query}"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(pagination.paginate, "__defaults__", (PER_PAGE,))


def make_world(forbund: Forbund, kind: str) -> World:
    owner = MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Skåne")
    if kind in (ANONYMOUS, PLATFORM):
        viewer = RoleFactory(forbund=forbund, kind=SAMORDNARE).user
    else:
        viewer = RoleFactory(
            forbund=forbund, kind=kind, **({"medlem": owner} if kind == PROJEKTAGARE else {})
        ).user
    admin = UserFactory(username="plattformen")
    PlatformAdministrator.objects.create(user=admin)
    economy_settings(forbund)  # made on the first visit of an economy page, once per förbund
    return World(
        forbund=forbund,
        owner=owner,
        viewer=viewer,
        group=ArbetsgruppFactory(forbund=forbund, name="Beredningsgruppen"),
        meeting=StyrelsemoteFactory(forbund=forbund, date=D(YEAR, 6, 1)),
        platform_admin=admin,
    )


def url_of(page: Page, world: World) -> str:
    slug = world.forbund.slug
    kwargs = {
        "forbund": {"forbund": slug},
        "public": {"forbund": slug},
        "year": {"forbund": slug, "year": YEAR},
        "meeting": {"forbund": slug, "pk": world.meeting.pk},
        "group": {"forbund": slug, "pk": world.group.pk},
        "none": {},
    }[page.kwargs]
    return reverse(page.name, kwargs=kwargs) + page.query


def with_page(url: str, number: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}sida={number}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_list_page_costs_the_same_queries_with_2_rows_as_with_12(
    forbund, client, django_assert_max_num_queries, small_pages, page
):
    world = make_world(forbund, page.kind)
    if page.kind == PLATFORM:
        client.force_login(world.platform_admin)
    elif page.kind != ANONYMOUS:
        client.force_login(world.viewer)
    url = url_of(page, world)
    client.get(url)  # fills what a process keeps between requests (content types, …)

    counts = {}
    for size in (SMALL, LARGE):
        world.grow(size)
        # The first request after the rows were added, and one more: a page that caches its
        # figures must cost the same with more rows whether it finds them in the cache or not.
        for attempt in ("first", "again"):
            with django_assert_max_num_queries(page.max_queries) as captured:
                response = client.get(url)
            assert response.status_code == 200
            counts[size, attempt] = len(captured)
    for attempt in ("first", "again"):
        small, large = counts[SMALL, attempt], counts[LARGE, attempt]
        assert small == large, f"{attempt}: {small} queries with {SMALL} rows but {large} with {LARGE}"
    assert page.marker in response.content.decode(), "the page should show the rows added last"

    if page.paged:
        assert 'rel="next"' in response.content.decode(), f"{LARGE} rows should be more than one page"
        with django_assert_max_num_queries(page.max_queries) as second:
            response = client.get(with_page(url, 2))
        assert response.status_code == 200
        assert 'rel="prev"' in response.content.decode()
        assert len(second) == counts[LARGE, "again"], "the second page should cost what the first does"


# What the paged and year-scoped pages tell the reader about the rows they do not show ---------------


@pytest.fixture
def grown(forbund, small_pages) -> World:
    world = make_world(forbund, SAMORDNARE)
    world.grow(LARGE)
    return world


def test_archive_search_keeps_the_search_in_its_page_links(grown, client):
    url = url_of(Page("public_archive", kwargs="public"), grown)
    html = client.get(url, {"q": "ansökan"}).content.decode()
    assert "12 ärenden" in html
    assert 'href="?q=ans%C3%B6kan&amp;sida=2"' in html
    assert "Ansökan om medel 11" in html and "Ansökan om medel 6" not in html  # newest first


def test_archive_lists_every_year_with_a_link_to_its_page(grown, client):
    html = client.get(url_of(Page("public_archive", kwargs="public"), grown)).content.decode()
    assert 'href="?sida=3#rubrik-ar-2000"' in html  # 12 years, 5 a page: 2000 is on the third
    assert "Styrelsemöte 2011-03-01" in html and "Styrelsemöte 2006-03-01" not in html
    assert "1–5 av 12 år" in html


def test_delegation_register_counts_the_unreported_on_every_page(grown, client):
    client.force_login(grown.viewer)
    html = client.get(url_of(Page("forbund:delegationsbeslut"), grown) + "?sida=3").content.decode()
    assert "12 delegationsbeslut, varav 6 inte anmälda till styrelsen" in html


def test_report_board_totals_the_year_per_period(grown, client):
    client.force_login(grown.viewer)
    html = client.get(url_of(Page("uppfoljning:reports_year", kwargs="year"), grown)).content.decode()
    assert "Totalt 12 insatser" in html
    assert "12 rapporter: 0 godkända" in html
