"""The rendering service: failures end readable, retries succeed, duplicates are not started."""

import pytest

from finsam import rendering
from forbund.models import Dokumentjobb
from tests.factories import ForbundFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky_document(settings, tmp_path):
    """A document whose data fails on the first attempt and works on the second."""
    settings.MEDIA_ROOT = tmp_path
    calls = {"count": 0}

    def context(forbund, year):
        calls["count"] += 1
        if calls["count"] == 1:
            raise ValueError("uppgifterna för året saknas")
        return {"plan": None}

    rendering.register(
        "testdokument",
        template="uppfoljning/pdf/verksamhetsplan.html",
        context=context,
        rule="manage_documents",
    )
    yield
    rendering.DOCUMENT_TYPES.pop("testdokument")


def test_failed_render_is_marked_misslyckad_with_reason_and_retry_succeeds(
    flaky_document, django_capture_on_commit_callbacks
):
    forbund = ForbundFactory()
    samordnare = user_with_role(forbund, "samordnare")
    with (
        django_capture_on_commit_callbacks()
    ):  # the worker is not running here: the service is called directly
        job = rendering.document_request(forbund=forbund, kind="testdokument", year=2021, by=samordnare)

    failed = rendering.document_render(job_id=job.pk)
    assert failed.status == Dokumentjobb.Status.MISSLYCKAD
    assert failed.error == "Dokumentet kunde inte skapas: uppgifterna för året saknas"

    with django_capture_on_commit_callbacks():
        retry = rendering.document_retry(job=failed, by=samordnare)
    assert retry.pk != failed.pk
    done = rendering.document_render(job_id=retry.pk)
    assert done.status == Dokumentjobb.Status.KLAR
    assert done.file.read(5) == b"%PDF-"
    failed.refresh_from_db()
    assert failed.status == Dokumentjobb.Status.MISSLYCKAD  # the failed attempt stays on record


def test_asking_twice_while_queued_returns_the_same_job(flaky_document, django_capture_on_commit_callbacks):
    forbund = ForbundFactory()
    samordnare = user_with_role(forbund, "samordnare")
    with django_capture_on_commit_callbacks():
        first = rendering.document_request(forbund=forbund, kind="testdokument", year=2021, by=samordnare)
        second = rendering.document_request(forbund=forbund, kind="testdokument", year=2021, by=samordnare)
    assert first.pk == second.pk
    assert Dokumentjobb.objects.count() == 1


def test_only_samordnare_may_request_documents(flaky_document):
    forbund = ForbundFactory()
    ledamot = user_with_role(forbund, "styrelseledamot")
    with pytest.raises(rendering.PermissionDenied):
        rendering.document_request(forbund=forbund, kind="testdokument", year=2021, by=ledamot)


def test_running_job_whose_worker_went_quiet_is_queued_again(flaky_document):
    from datetime import timedelta

    from django.utils import timezone

    forbund = ForbundFactory()
    samordnare = user_with_role(forbund, "samordnare")
    job = rendering.document_request(forbund=forbund, kind="testdokument", year=2021, by=samordnare)
    Dokumentjobb.objects.filter(pk=job.pk).update(
        status=Dokumentjobb.Status.PAGAR, attempts=1, heartbeat_at=timezone.now() - timedelta(seconds=61)
    )
    assert (
        rendering.requeue_stale_jobs() == 1
    )  # sent to the worker again (see tests/kernel/test_worker_faults.py)
    job.refresh_from_db()
    assert job.status == Dokumentjobb.Status.I_KO


def test_document_never_fetches_from_the_network():
    fetcher = rendering.local_url_fetcher()
    with pytest.raises(ValueError, match="bara lokala filer"):
        fetcher.fetch("https://example.com/logo.png")
    response = fetcher.fetch("http://finsam.local/static/css/print.css")
    assert b"@page" in response.read()
