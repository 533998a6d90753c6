"""The newer records in the Django admin: listed and readable (for answering "what happened?"), never
added, changed or deleted there behind the app's rules; an invitation's link checksum is not shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ekonomi.models import ForecastOverride
from forbund.models import Forhinder, Inkallelse, Invitation, MembershipEvent, Notification
from tests.factories import (
    CostCategoryFactory,
    ForbundFactory,
    MedlemFactory,
    PersonFactory,
    StyrelsemoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def records() -> dict[str, object]:
    forbund = ForbundFactory()
    user = UserFactory(username="anna.andersson")
    meeting = StyrelsemoteFactory(forbund=forbund)
    forhinder = Forhinder.objects.create(
        meeting=meeting, person=PersonFactory(forbund=forbund, name="Lena Ledamot"), reported_by=user
    )
    return {
        "forbund/notification": Notification.objects.create(
            recipient=user,
            forbund=forbund,
            kind="decided",
            title="Protokollet justerat: styrelsemötet",
            url="/",
        ),
        "forbund/invitation": Invitation.objects.create(
            forbund=forbund,
            email="ny@kommun.se",
            name="Nina Ny",
            kinds=["revisor"],
            token_hash="a" * 64,
            created_by=user,
            expires_at=timezone.now() + datetime.timedelta(days=14),
        ),
        "forbund/forhinder": forhinder,
        "forbund/inkallelse": Inkallelse.objects.create(
            forhinder=forhinder, person=PersonFactory(forbund=forbund, name="Erik Ersättare")
        ),
        "forbund/membershipevent": MembershipEvent.objects.create(
            forbund=forbund,
            medlem=MedlemFactory(forbund=forbund, name="Nyby kommun"),
            kind="intrade",
            date=datetime.date(2027, 5, 1),
            decided_by="Kommunfullmäktige i Nyby",
            decided_on=datetime.date(2027, 2, 10),
            reference="KF § 7",
            created_by=user,
        ),
        "ekonomi/forecastoverride": ForecastOverride.objects.create(
            forbund=forbund,
            year=2026,
            category=CostCategoryFactory(forbund=forbund),
            amount=Decimal(900_000),
            comment="Vakans under hösten",
            set_by=user,
        ),
    }


def test_the_newer_records_are_listed_and_read_only(admin_client):
    for path, record in records().items():
        listing = admin_client.get(f"/admin/{path}/")
        assert listing.status_code == 200, path
        assert str(record) in listing.content.decode() or f"/{record.pk}/change/" in listing.content.decode()

        page = admin_client.get(f"/admin/{path}/{record.pk}/change/")
        assert page.status_code == 200, path
        assert b'name="_save"' not in page.content, path
        assert admin_client.get(f"/admin/{path}/add/").status_code == 403, path
        assert admin_client.post(f"/admin/{path}/{record.pk}/delete/", {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists(), path


def test_an_invitation_is_shown_without_its_link_checksum(admin_client):
    invitation = records()["forbund/invitation"]
    page = admin_client.get(f"/admin/forbund/invitation/{invitation.pk}/change/").content.decode()
    assert "Nina Ny" in page and "ny@kommun.se" in page
    assert "a" * 64 not in page and "kontrollsumma" not in page.lower()


def test_a_forhinder_shows_the_ersattare_asked(admin_client):
    forhinder = records()["forbund/forhinder"]
    page = admin_client.get(f"/admin/forbund/forhinder/{forhinder.pk}/change/").content.decode()
    assert "Lena Ledamot" in page and "Erik Ersättare" in page
