"""The one way the web process hands work to the worker.

`send` publishes a task by name (so no module has to import the tasks that import it) and fails
fast with `BrokerUnavailable`, a Swedish message a page can show, when the broker cannot be reached.
Call it inside the transaction that creates the job's row: if the broker is down the exception
rolls the row back, so no job is left waiting for a worker that will never hear of it. (The task may
then reach the worker before the row is committed; a task that loads a row retries briefly.)

`ping` tells `/halsa/` whether the broker answers, within the same short time.
"""

from __future__ import annotations

import logging

from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

BROKER_DOWN_MESSAGE = (
    "Bakgrundstjänsten går inte att nå just nu, så inget har köats. Försök igen om en stund; "
    "kvarstår felet, kontakta den som driver finsam."
)
# One reconnect, for a pooled connection the broker closed (a Redis restart); beyond that the broker
# counts as down. With the connect timeout in settings (CELERY_BROKER_CONNECTION_TIMEOUT and Redis'
# socket_connect_timeout) a page waits at most a few seconds.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class BrokerUnavailable(Exception):
    def __init__(self, message: str = BROKER_DOWN_MESSAGE):
        super().__init__(message)
        self.message = message


def _connection_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (KombuError, OSError, RedisConnectionError, RedisTimeoutError)


def send(task_name: str, *, args: tuple | list = (), kwargs: dict | None = None, **options) -> None:
    from finsam.celery import app

    try:
        app.send_task(
            task_name,
            args=list(args),
            kwargs=kwargs or {},
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
            **options,
        )
    except _connection_errors() as error:
        logger.warning("Kunde inte köa %s: %s", task_name, error)
        raise BrokerUnavailable() from error


def ping() -> str:
    """'' when the broker answers, otherwise why not (in Swedish)."""
    from finsam.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except _connection_errors() as error:
        logger.warning("Kön svarar inte: %s", error)
        return "Kön (Celerys broker) svarar inte."
    return ""
