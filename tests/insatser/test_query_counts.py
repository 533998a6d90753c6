"""The insats list and the insats page cost a fixed number of queries, however many insatser, budget
lines, milestones, decisions or history rows they show."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forbund.models import GroupMeeting, Medlem, Role
from insatser.models import Insats
from tests.factories import (
    ArbetsgruppFactory,
    AttachmentFactory,
    BeslutFactory,
    BudgetLineFactory,
    ConfirmationFactory,
    DelprocessFactory,
    GoalFactory,
    GroupMembershipFactory,
    InsatsFactory,
    MedlemFactory,
    MilestoneFactory,
    PersonFactory,
    SignatureFactory,
    StatusChangeFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

S = Insats.Status
Kind = Role.Kind
D = datetime.date
# The most queries a page may cost: what it costs when written, plus a little headroom. They must
# not depend on the number of rows.
MAX_LIST_QUERIES = 12
MAX_DETAIL_QUERIES = 38  # 36, and the parties' confirmations: their requests and the version's budget read


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner(forbund) -> Medlem:
    return MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder")


def viewer(forbund, owner, kind: str):
    """A user with role `kind`; a projektägare belongs to the owner of every insats here."""
    return user_with_role(forbund, kind, **({"medlem": owner} if kind == Kind.PROJEKTAGARE else {}))


def count_queries(client, url: str, max_queries: int, django_assert_max_num_queries):
    with django_assert_max_num_queries(max_queries) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


# The list ------------------------------------------------------------------------------------------


def add_insatser(forbund, owner, start: int, stop: int) -> None:
    """Insatser number start..stop-1, each with a partner, goals, budget, history and milestones."""
    for i in range(start, stop):
        partner = MedlemFactory(forbund=forbund, name=f"Kommun {i}")
        insats = InsatsFactory(
            forbund=forbund,
            owner=owner,
            name=f"Insats {i:02d}",
            status=S.PAGAENDE if i % 2 else S.UTKAST,
            malgrupp=Insats.Malgrupp.UNGA_VUXNA,
            owner_unit=f"Enhet {i}",
        )
        insats.partners.add(partner)
        GoalFactory(insats=insats)
        BudgetLineFactory(insats=insats, amounts={2021: 1000 + i, 2022: 2000 + i})
        StatusChangeFactory(insats=insats)
        MilestoneFactory(insats=insats)


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        (Kind.SAMORDNARE, ""),
        (Kind.PROJEKTAGARE, ""),
        (Kind.REVISOR, "?q=Insats&year=2021&kind=individinriktad&malgrupp=unga_vuxna"),
    ],
)
def test_list_queries_do_not_grow_with_the_number_of_insatser(
    forbund, owner, login, django_assert_max_num_queries, kind, query
):
    client = login(viewer(forbund, owner, kind))
    url = reverse("insatser:list", kwargs={"forbund": forbund.slug}) + query

    counts = []
    for start, stop in [(0, 2), (2, 10)]:
        add_insatser(forbund, owner, start, stop)
        queries, content = count_queries(client, url, MAX_LIST_QUERIES, django_assert_max_num_queries)
        counts.append(queries)

    assert "Insats 09" in content, "the page should list all 10 insatser"
    assert counts[0] == counts[1], f"{counts[0]} queries for 2 insatser but {counts[1]} for 10"


# The insats page -----------------------------------------------------------------------------------


def add_details(insats: Insats, start: int, stop: int, by) -> None:
    """Rows number start..stop-1 of everything the insats page shows."""
    forbund = insats.forbund
    for i in range(start, stop):
        partner = MedlemFactory(forbund=forbund, name=f"Kommun {i}")
        insats.partners.add(partner)
        SignatureFactory(insats=insats, medlem=partner, recorded_by=by)
        ConfirmationFactory(insats=insats, medlem=partner, requested_by=by)  # confirmed
        ConfirmationFactory(insats=insats, medlem=partner, requested_by=by, answer="", answered_at=None)
        ConfirmationFactory(
            insats=insats,
            medlem=partner,
            requested_by=by,
            voided_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC),
        )
        delprocess = DelprocessFactory(insats=insats, owner=partner, name=f"Delprocess {i}", goals="Ett\nTvå")
        GoalFactory(insats=insats, kind="resultatmal" if i % 2 else "effektmal")
        BudgetLineFactory(
            insats=insats, section="Övergripande", organisation=partner, amounts={2021: 1000, 2022: 2000}
        )
        BudgetLineFactory(insats=insats, delprocess=delprocess, amounts={2021: 500})
        MilestoneFactory(
            insats=insats, title=f"Delmål {i:02d}", due=D(2020, 1, 1) + datetime.timedelta(days=i)
        )
        StatusChangeFactory(insats=insats, from_status=S.UTKAST, to_status=S.UTKAST, comment=f"Ändring {i}")
        BeslutFactory(insats=insats, recorded_by=by, amounts={2021: 100_000 + i, 2022: 50_000})
        AttachmentFactory(insats=insats, uploaded_by=by, description=f"Bilaga {i:02d}")
        grupp = ArbetsgruppFactory(forbund=forbund, insats=insats, kind="styrgrupp", name=f"Styrgrupp {i}")
        GroupMembershipFactory(arbetsgrupp=grupp, person=PersonFactory(forbund=forbund))
        GroupMeeting.objects.create(arbetsgrupp=grupp, date=D(2021, 2, 1))


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Kind.SAMORDNARE, S.UTKAST),
        (Kind.PROJEKTAGARE, S.KOMPLETTERING_BEGARD),
        (Kind.SAMORDNARE, S.UNDER_BEREDNING),
        (Kind.EKONOM, S.BEVILJAD),
    ],
)
def test_insats_page_queries_do_not_grow_with_its_rows(
    forbund, owner, login, django_assert_max_num_queries, kind, status
):
    user = viewer(forbund, owner, kind)
    client = login(user)
    insats = InsatsFactory(forbund=forbund, owner=owner, status=status, name="Vägen till arbete")
    url = reverse("insatser:detail", kwargs={"forbund": forbund.slug, "pk": insats.pk})

    counts = []
    for start, stop in [(0, 2), (2, 10)]:
        add_details(insats, start, stop, user)
        queries, content = count_queries(client, url, MAX_DETAIL_QUERIES, django_assert_max_num_queries)
        counts.append(queries)

    for last in ("Delmål 09", "Bilaga 09", "Delprocess 9", "Styrgrupp 9", "Ändring 9", "Kommun 9"):
        assert last in content, f"the page should show all 10 rows: {last}"
    assert counts[0] == counts[1], f"{counts[0]} queries for 2 rows of each kind but {counts[1]} for 10"


def test_list_export_queries_do_not_grow_with_the_number_of_insatser(forbund, owner, login):
    client = login(viewer(forbund, owner, Kind.SAMORDNARE))
    url = reverse("insatser:list", kwargs={"forbund": forbund.slug}) + "?format=xlsx"

    counts = []
    for start, stop in [(0, 2), (2, 10)]:
        add_insatser(forbund, owner, start, stop)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1], f"{counts[0]} queries for 2 insatser but {counts[1]} for 10"
