"""`/halsa/`: the database, the broker and a worker's heartbeat, each reported on its own; 200 only when
all three are up, and an answer within three seconds whatever is down."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connections
from django.utils import timezone

from finsam import broker
from forbund.models.documents import WorkerHeartbeat

from .test_worker_faults import wait_for

pytestmark = pytest.mark.django_db(transaction=True)  # the checks run in threads of their own


def health(client):
    started = time.monotonic()
    response = client.get("/halsa/")
    assert time.monotonic() - started < 3
    return response.status_code, response.json()


def heartbeat(seconds_ago: float) -> None:
    WorkerHeartbeat.objects.create(
        hostname="celery@test", beat_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )


@pytest.mark.celery_worker
def test_all_up_with_a_real_workers_heartbeat_is_200(client, celery_worker):
    WorkerHeartbeat.objects.all().delete()
    broker.send("finsam.tasks.worker_heartbeat")  # what beat sends every 30 s
    wait_for(WorkerHeartbeat.objects.exists, 15, "workern skrev inget livstecken")

    status, body = health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    assert body["detaljer"]["worker"].startswith("En worker hörde av sig ")


def test_broker_down_is_503_with_only_the_broker_failing(client, broker_down):  # noqa: F811
    heartbeat(seconds_ago=10)
    status, body = health(client)
    assert status == 503
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "fel", "ok")
    assert body["detaljer"]["broker"] == "Kön (Celerys broker) svarar inte."


@pytest.mark.parametrize(("seconds_ago", "worker"), [(125, "fel"), (100, "ok")])
def test_worker_heartbeat_older_than_two_minutes_is_503(client, seconds_ago, worker):
    heartbeat(seconds_ago=seconds_ago)
    status, body = health(client)
    assert body["worker"] == worker
    assert status == (503 if worker == "fel" else 200)
    if worker == "fel":
        assert body["detaljer"]["worker"].startswith("Ingen worker har hört av sig på 2 minuter; senast ")


def test_no_worker_ever_is_503(client):
    status, body = health(client)
    assert status == 503 and body["worker"] == "fel"
    assert body["detaljer"]["worker"] == "Ingen worker har hört av sig."


def test_database_down_is_503_with_the_database_failing(client):
    heartbeat(seconds_ago=10)
    database = connections.settings["default"]  # what each new connection (the check's thread) uses
    port = database["PORT"]
    database["PORT"] = "1"  # nothing listens there
    try:
        status, body = health(client)
    finally:
        database["PORT"] = port
    assert status == 503
    assert (body["database"], body["broker"]) == ("fel", "ok")
    assert body["detaljer"]["database"] == "Databasen svarar inte."
