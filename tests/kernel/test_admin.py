"""The Django admin sets up förbund, accounts and roles, and what it changes is logged; the public
body's records (meetings, insatser, budgets, invoices) cannot be changed there behind the rules."""

from __future__ import annotations

import pytest

from forbund.models import ActivityEvent, Role
from tests.factories import ForbundFactory, InsatsFactory, InvoiceFactory, StyrelsemoteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_role_given_in_the_admin_is_in_the_forbunds_log(admin_client):
    forbund = ForbundFactory()
    user = UserFactory(username="ny.revisor")

    response = admin_client.post(
        "/admin/forbund/role/add/", {"user": user.pk, "forbund": forbund.pk, "kind": Role.Kind.REVISOR}
    )

    assert response.status_code == 302
    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.CREATED, content_type__model="role")
    assert event.forbund == forbund
    assert "administrationen" in event.description


def test_a_role_removed_in_the_admin_is_in_the_forbunds_log(admin_client):
    forbund = ForbundFactory()
    role = Role.objects.create(user=UserFactory(), forbund=forbund, kind=Role.Kind.SAMORDNARE)

    admin_client.post(f"/admin/forbund/role/{role.pk}/delete/", {"post": "yes"})

    assert not Role.objects.filter(pk=role.pk).exists()
    assert ActivityEvent.objects.filter(kind=ActivityEvent.Kind.DELETED, forbund=forbund).exists()


@pytest.mark.parametrize(
    ("factory", "path"),
    [
        (StyrelsemoteFactory, "forbund/styrelsemote"),
        (InsatsFactory, "insatser/insats"),
        (InvoiceFactory, "ekonomi/invoice"),
    ],
)
def test_the_public_records_are_read_only_in_the_admin(admin_client, factory, path):
    record = factory()

    page = admin_client.get(f"/admin/{path}/{record.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin_client.post(f"/admin/{path}/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()
