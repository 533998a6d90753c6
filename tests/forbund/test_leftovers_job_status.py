"""The list of created documents does not say "Pågår" about a document whose worker went quiet: it
says the work was interrupted and is being redone (what beat's sweep does), or that it stopped and
can be tried again."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from finsam import broker, rendering
from forbund.models import Dokumentjobb, Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

S = Dokumentjobb.Status


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Role.Kind.SAMORDNARE)


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(broker, "send", lambda name, *, args=(), kwargs=None, **options: sent.append(args))
    return sent


def job(forbund, by, year: int, *, quiet: int, **fields) -> Dokumentjobb:
    made = Dokumentjobb.objects.create(forbund=forbund, kind="verksamhetsplan", year=year, requested_by=by)
    Dokumentjobb.objects.filter(pk=made.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=quiet), **fields
    )
    return made


def statuses(client, forbund) -> dict[str, str]:
    """The document list's rows: "Verksamhetsplan och budget <year>" → its status cell."""
    page = client.get(reverse("uppfoljning:documents", kwargs={"forbund": forbund.slug})).content.decode()
    rows = re.findall(
        r"<tr>\s*<th[^>]*><a[^>]*>([^<]*)</a></th>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", page
    )
    return {name.split()[-1]: status.strip() for name, status in rows}


def test_the_list_tells_a_running_document_from_an_interrupted_or_stopped_one(forbund, samordnare, client):
    job(forbund, samordnare, 2021, quiet=5, status=S.PAGAR, attempts=1)
    job(forbund, samordnare, 2022, quiet=70, status=S.PAGAR, attempts=1)  # the sweep will take it
    job(forbund, samordnare, 2023, quiet=20, status=S.I_KO, attempts=1)  # the sweep queued it again
    job(forbund, samordnare, 2024, quiet=300, status=S.PAGAR, attempts=1)  # nobody has taken it since
    job(forbund, samordnare, 2025, quiet=5, status=S.I_KO, attempts=0)
    client.force_login(samordnare)

    assert statuses(client, forbund) == {
        "2021": "Pågår",
        "2022": "Avbrutet – skapas om",
        "2023": "Avbrutet – skapas om",
        "2024": "Stannat – försök igen",
        "2025": "I kö",
    }


def test_after_the_sweep_a_quiet_job_is_shown_as_being_redone(forbund, samordnare, client, queued):
    quiet = job(forbund, samordnare, 2021, quiet=70, status=S.PAGAR, attempts=1)
    client.force_login(samordnare)

    assert rendering.requeue_stale_jobs() == 1
    assert queued == [[quiet.pk]]
    assert statuses(client, forbund) == {"2021": "Avbrutet – skapas om"}
    page = client.get(reverse("uppfoljning:job", kwargs={"forbund": forbund.slug, "pk": quiet.pk}))
    assert "Status: <strong>Avbrutet – skapas om</strong>" in page.content.decode()
