"""What `/halsa/` reports: the database, the broker and the worker, each checked on its own.

The worker's heartbeat is a row per worker (`WorkerHeartbeat`) written when a worker starts and by
beat's `worker_heartbeat` task every 30 s, so a fresh row proves that a worker takes tasks from the
queue. Each check runs in its own thread and the report waits at most `DEADLINE` seconds: a check that
has not answered by then counts as down, so the page never hangs on a dead service.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from finsam import broker

logger = logging.getLogger(__name__)

DEADLINE = 2.5  # seconds
WORKER_STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def record_worker_heartbeat(hostname: str) -> None:
    from forbund.models.documents import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"beat_at": timezone.now()})


def _closing_connection(check):
    """Run a check in a pool thread, which has its own database connection: close it afterwards."""

    def run() -> Check:
        try:
            return check()
        except Exception as error:  # a health check reports every failure, whatever its kind
            logger.warning("Hälsokontrollen %s: %s", check.__name__, error)
            return Check(False, FAILED[check.__name__])
        finally:
            connection.close()

    return run


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Check(True, "Databasen svarar.")


def check_broker() -> Check:
    problem = broker.ping()
    return Check(not problem, problem or "Kön svarar.")


def check_worker() -> Check:
    from forbund.models.documents import WorkerHeartbeat

    latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    if latest is None:
        return Check(False, "Ingen worker har hört av sig.")
    age = timezone.now() - latest.beat_at
    when = timezone.localtime(latest.beat_at).strftime("%Y-%m-%d %H:%M:%S")
    if age > WORKER_STALE_AFTER:
        return Check(False, f"Ingen worker har hört av sig på {_minutes(age)}; senast {when}.")
    return Check(True, f"En worker hörde av sig {when}.")


def _minutes(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    return "en minut" if minutes == 1 else f"{minutes} minuter"


FAILED = {
    "check_database": "Databasen svarar inte.",
    "check_broker": "Kön (Celerys broker) svarar inte.",
    "check_worker": "Workerns livstecken kan inte läsas (databasen svarar inte).",
}
CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


def report() -> dict[str, Check]:
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="halsa")
    futures = {name: pool.submit(_closing_connection(check)) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=DEADLINE)
    pool.shutdown(wait=False)  # a hung check is left behind, not waited for
    return {
        name: future.result()
        if future.done()
        else Check(False, f"{FAILED[CHECKS[name].__name__]} (svarade inte i tid)")
        for name, future in futures.items()
    }
