"""Who is a platform administrator is answered in one place, `finsam.access.is_platform_admin`; the
two-step rule asks it rather than reading the table itself."""

from __future__ import annotations

import pytest

from finsam import access
from forbund.accounts import services
from forbund.models import PlatformAdministrator
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP_URL = "/konto/tvastegsverifiering/aktivera/"


def test_a_platform_administrator_without_any_role_must_set_up_two_step(client, settings):
    settings.FINSAM_REQUIRE_2FA = True
    admin = UserFactory(username="plattformsadmin")
    PlatformAdministrator.objects.create(user=admin)
    plain = UserFactory(username="vanlig")

    assert services.role_requires_two_factor(admin)
    assert not services.role_requires_two_factor(plain)

    client.post("/konto/logga-in/", {"username": admin.username, "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP_URL)


def test_the_two_step_rule_follows_the_access_modules_answer(monkeypatch):
    user = UserFactory()
    monkeypatch.setattr(access, "is_platform_admin", lambda candidate: candidate.pk == user.pk)
    assert services.role_requires_two_factor(user)
    assert not services.role_requires_two_factor(UserFactory())
