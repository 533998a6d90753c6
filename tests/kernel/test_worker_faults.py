"""Worker and broker faults: a worker killed mid-render, repeated deliveries, a broker that is down, and
the "Försök igen" offer for a job whose worker stopped answering."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from finsam import broker, rendering
from finsam.celery import app
from forbund.models import Dokumentjobb, MeetingStatus, NoticeVersion, Role
from tests.factories import (
    AgendaItemFactory,
    ForbundFactory,
    PersonFactory,
    StyrelsemoteFactory,
    StyrelseuppdragFactory,
    user_with_role,
)

from . import slow_document

BASE_DIR = Path(__file__).resolve().parents[2]
S = Dokumentjobb.Status


@pytest.fixture
def slow_kind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    slow_document.register()
    yield slow_document.KIND
    rendering.DOCUMENT_TYPES.pop(slow_document.KIND)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} inom {seconds} s")


def job_url(name: str, job: Dokumentjobb) -> str:
    return reverse(name, kwargs={"forbund": job.forbund.slug, "pk": job.pk})


# A real worker, killed mid-render -----------------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(name: str, *, render_seconds: float, log_dir: Path) -> subprocess.Popen:
    """`celery -A finsam worker` as its own process group, on the test database and this test
    process's queue, with the slow test document and a heartbeat every half second."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "FINSAM_TEST_WORKER": "1",
        "FINSAM_TEST_RENDER_SECONDS": str(render_seconds),
        "FINSAM_TEST_HEARTBEAT_EVERY": "0.5",
    }
    command = [sys.executable, "-m", "celery", "-A", "finsam", "worker", "-I", "tests.kernel.slow_document"]
    command += ["-Q", app.conf.task_default_queue, "-n", f"{name}@%h", "--concurrency=1", "--loglevel=INFO"]
    command += ["--without-mingle", "--without-gossip"]
    log = (log_dir / f"{name}.log").open("wb")
    return subprocess.Popen(  # noqa: S603 - our own fixed command line
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_group(worker: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    worker.wait(timeout=15)


@pytest.fixture
def workers(tmp_path):
    started: list[subprocess.Popen] = []

    def _start(name: str, render_seconds: float) -> subprocess.Popen:
        worker = start_worker(name, render_seconds=render_seconds, log_dir=tmp_path)
        started.append(worker)
        return worker

    yield _start
    for worker in started:  # a warm shutdown closes its database connections before the test db goes
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_group(worker)
    for log in tmp_path.glob("*.log"):
        print(log.name, log.read_text()[-3000:])  # shown when the test fails


@pytest.mark.celery_worker
def test_killed_worker_job_is_rendered_by_another_worker_within_two_minutes(
    redis_url, celery_app, transactional_db, slow_kind, workers, client
):
    forbund = ForbundFactory()
    client.force_login(user_with_role(forbund, Role.Kind.SAMORDNARE))
    first = workers("forst", render_seconds=60)

    response = client.post(
        reverse(
            "uppfoljning:document_request", kwargs={"forbund": forbund.slug, "kind": slow_kind, "year": 2021}
        )
    )
    job = Dokumentjobb.objects.get()
    assert response.status_code == 302
    running = wait_for(
        lambda: Dokumentjobb.objects.filter(pk=job.pk, status=S.PAGAR).first(), 30, "jobbet påbörjades inte"
    )
    # The worker keeps beating while it gathers the data.
    wait_for(
        lambda: Dokumentjobb.objects.get(pk=job.pk).heartbeat_at > running.heartbeat_at,
        10,
        "inget livstecken under arbetet",
    )

    kill_group(first)  # the main process and its pool child, mid-render
    killed_at = time.monotonic()
    job.refresh_from_db()
    assert job.status == S.PAGAR and job.attempts == 1
    assert rendering.requeue_stale_jobs() == 0  # a heartbeat just now: not yet given up on

    workers("andra", render_seconds=0)
    # Beat's sweep, run as it will run once the heartbeat is HEARTBEAT_STALE old.
    swept_at = time.monotonic()
    assert (
        rendering.requeue_stale_jobs(
            now=timezone.now() + rendering.HEARTBEAT_STALE + datetime.timedelta(seconds=1)
        )
        == 1
    )
    done = wait_for(
        lambda: Dokumentjobb.objects.filter(pk=job.pk, status=S.KLAR).first(), 45, "jobbet blev inte klart"
    )
    rendered_in = time.monotonic() - swept_at

    assert done.attempts == 2 and done.file and Path(done.file.path).read_bytes()[:5] == b"%PDF-"
    # Worst case from the kill: the heartbeat turns stale, the next sweep runs, the new worker renders.
    sweep_every = django_settings.CELERY_BEAT_SCHEDULE["requeue-stale-documents"]["schedule"]
    worst_case = (
        rendering.HEARTBEAT_STALE.total_seconds() + sweep_every + (swept_at - killed_at) + rendered_in
    )
    assert worst_case < 120
    page = client.get(job_url("uppfoljning:job", done)).content.decode()
    assert "Ladda ner PDF" in page


# Repeated deliveries ----------------------------------------------------------------------------


@pytest.fixture
def samordnare(forbund):
    return user_with_role(forbund, Role.Kind.SAMORDNARE)


def new_job(forbund, samordnare, kind, **fields) -> Dokumentjobb:
    job = rendering.document_request(forbund=forbund, kind=kind, year=2021, by=samordnare)
    if fields:
        Dokumentjobb.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_second_delivery_of_a_finished_job_renders_nothing(forbund, samordnare, slow_kind):
    job = new_job(forbund, samordnare, slow_kind)
    done = rendering.document_render(job_id=job.pk)
    assert done.status == S.KLAR and done.attempts == 1

    assert rendering.document_render(job_id=job.pk) is None
    again = Dokumentjobb.objects.get(pk=job.pk)
    assert (again.attempts, again.file.name, again.checksum) == (1, done.file.name, done.checksum)


@pytest.mark.django_db
def test_second_delivery_while_the_first_worker_is_alive_leaves_the_job_to_it(forbund, samordnare, slow_kind):
    job = new_job(forbund, samordnare, slow_kind, status=S.PAGAR, attempts=1, heartbeat_at=ago(5))
    assert rendering.document_render(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.PAGAR, 1)


@pytest.mark.django_db
def test_delivery_of_a_job_whose_worker_went_quiet_takes_it_over(forbund, samordnare, slow_kind):
    job = new_job(forbund, samordnare, slow_kind, status=S.PAGAR, attempts=1, heartbeat_at=ago(61))
    done = rendering.document_render(job_id=job.pk)
    assert (done.status, done.attempts) == (S.KLAR, 2)


@pytest.mark.django_db
def test_task_for_a_row_not_yet_committed_is_retried_not_lost():
    with pytest.raises(rendering.JobNotVisible):
        rendering.document_render(job_id=987654)


# The sweep --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "quiet_for", "requeued"),
    [(S.PAGAR, 61, True), (S.PAGAR, 50, False), (S.I_KO, 61, True), (S.I_KO, 50, False)],
)
def test_sweep_requeues_a_job_silent_for_a_minute(
    forbund, samordnare, slow_kind, status, quiet_for, requeued
):
    job = new_job(forbund, samordnare, slow_kind, status=status, attempts=1, heartbeat_at=ago(quiet_for))
    assert rendering.requeue_stale_jobs() == int(requeued)
    job.refresh_from_db()
    assert job.status == (S.I_KO if requeued else status)


@pytest.mark.django_db
def test_job_interrupted_three_times_is_misslyckad(forbund, samordnare, slow_kind):
    job = new_job(forbund, samordnare, slow_kind, status=S.PAGAR, attempts=3, heartbeat_at=ago(61))
    assert rendering.requeue_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == S.MISSLYCKAD
    assert (
        job.error == "Arbetet med dokumentet avbröts: bakgrundstjänsten slutade svara. Det avbröts 3 gånger."
    )


# "Försök igen" for a job whose worker stopped answering -----------------------------------------


@pytest.mark.django_db
def test_job_silent_for_over_two_minutes_offers_forsok_igen_and_retrying_starts_a_new_job(
    forbund, samordnare, slow_kind, client
):
    job = new_job(forbund, samordnare, slow_kind, status=S.PAGAR, attempts=1, heartbeat_at=ago(125))
    client.force_login(samordnare)
    page = client.get(job_url("uppfoljning:job", job)).content.decode()
    assert "Försök igen" in page and "har troligen stannat" in page

    response = client.post(job_url("uppfoljning:job_retry", job))
    new = Dokumentjobb.objects.exclude(pk=job.pk).get()
    assert response.url == job_url("uppfoljning:job", new)
    assert new.status == S.I_KO
    job.refresh_from_db()
    assert job.status == S.MISSLYCKAD and "slutade svara" in job.error


@pytest.mark.django_db
@pytest.mark.parametrize("quiet_for", [5, 90])
def test_running_job_heard_from_within_two_minutes_offers_no_retry(
    forbund, samordnare, slow_kind, client, quiet_for
):
    job = new_job(forbund, samordnare, slow_kind, status=S.PAGAR, attempts=1, heartbeat_at=ago(quiet_for))
    client.force_login(samordnare)
    page = client.get(job_url("uppfoljning:job", job)).content.decode()
    assert "Försök igen" not in page

    response = client.post(job_url("uppfoljning:job_retry", job))
    assert response.status_code == 403
    assert "skapas just nu" in response.content.decode()
    assert Dokumentjobb.objects.get() == job
    job.refresh_from_db()
    assert job.status == S.PAGAR


# A broker that is down ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_request_with_broker_down_says_so_and_creates_no_job(
    forbund, samordnare, slow_kind, client, broker_down
):
    client.force_login(samordnare)
    started = time.monotonic()
    response = client.post(
        reverse(
            "uppfoljning:document_request", kwargs={"forbund": forbund.slug, "kind": slow_kind, "year": 2021}
        ),
        follow=True,
    )
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert broker.BROKER_DOWN_MESSAGE in response.content.decode()
    assert not Dokumentjobb.objects.exists()


@pytest.mark.django_db
def test_meeting_packet_with_broker_down_says_so_and_creates_no_job(forbund, samordnare, client, broker_down):
    meeting = StyrelsemoteFactory(forbund=forbund)
    client.force_login(samordnare)
    response = client.post(
        reverse("forbund:motespaket", kwargs={"forbund": forbund.slug, "pk": meeting.pk}), follow=True
    )
    assert response.status_code == 200
    assert broker.BROKER_DOWN_MESSAGE in response.content.decode()
    assert not Dokumentjobb.objects.exists()


@pytest.mark.django_db
def test_retry_with_broker_down_says_so_and_keeps_the_failed_job(
    forbund, samordnare, slow_kind, client, broker_down
):
    failed = Dokumentjobb.objects.create(
        forbund=forbund,
        kind=slow_kind,
        year=2021,
        requested_by=samordnare,
        status=S.MISSLYCKAD,
        error="Trasigt",
    )
    client.force_login(samordnare)
    response = client.post(job_url("uppfoljning:job_retry", failed), follow=True)
    assert response.status_code == 200
    assert broker.BROKER_DOWN_MESSAGE in response.content.decode()
    assert list(Dokumentjobb.objects.all()) == [failed]


@pytest.mark.django_db
def test_notice_with_broker_down_says_so_and_is_not_recorded_as_sent(
    forbund, samordnare, client, broker_down
):
    meeting = StyrelsemoteFactory(forbund=forbund, date=timezone.localdate() + datetime.timedelta(days=14))
    AgendaItemFactory(meeting=meeting)
    anna = PersonFactory(forbund=forbund, name="Anna Ek", email="anna@kommun.se")
    StyrelseuppdragFactory(
        forbund=forbund, person=anna, start=timezone.localdate() - datetime.timedelta(days=30), end=None
    )
    client.force_login(samordnare)
    response = client.post(
        reverse("forbund:notice_send", kwargs={"forbund": forbund.slug, "pk": meeting.pk}),
        {"notice_text": "Hej"},
    )
    assert response.status_code == 200
    assert broker.BROKER_DOWN_MESSAGE in response.content.decode()
    assert not NoticeVersion.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANERAT
