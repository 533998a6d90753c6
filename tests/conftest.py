"""Shared fixtures. Under CI, tests that need PostgreSQL, Redis or Chromium fail rather than skip."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connection

from forbund.models import Role

from .factories import PASSWORD, ForbundFactory, MedlemFactory, user_with_role

IN_CI = bool(os.environ.get("CI"))
CHROMIUM = "/usr/bin/chromium"

ALL_ROLES = [kind for kind, _ in Role.Kind.choices]


def require(condition: bool, what: str) -> None:
    """Skip locally when a real service is missing; fail under CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} saknas, men CI kräver det.")
    pytest.skip(f"{what} saknas")


@pytest.fixture(autouse=True, scope="session")
def _ci_runs_on_postgresql(django_db_setup, django_db_blocker):
    if IN_CI:
        with django_db_blocker.unblock():
            assert connection.vendor == "postgresql", "CI ska köra testerna mot PostgreSQL (DATABASE_URL)."


@pytest.fixture
def forbund(db):
    return ForbundFactory()


@pytest.fixture
def other_forbund(db):
    return ForbundFactory()


@pytest.fixture
def login(client):
    """login(user) logs the test client in and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def user_in(db):
    """user_in(forbund, kind) makes a user with that role (a projektägare gets a member org)."""

    def _make(forbund, kind, **kwargs):
        if kind == Role.Kind.PROJEKTAGARE and "medlem" not in kwargs:
            kwargs["medlem"] = MedlemFactory(forbund=forbund)
        return user_with_role(forbund, kind, **kwargs)

    return _make


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "Redis (REDIS_URL)")
    return url


@pytest.fixture
def celery_app(redis_url):
    """The project's own Celery app on the real Redis broker, for `celery_worker` tests."""
    import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping, which start_worker expects

    from finsam.celery import app

    assert app.conf.broker_url == redis_url
    # This process's own queue (settings): drop what earlier tests queued and rolled back.
    with app.connection_for_write() as connection:
        app.amqp.queues[app.conf.task_default_queue].bind(connection.default_channel).purge()
    return app


@pytest.fixture
def celery_worker_parameters():
    # The app keeps no results (pages poll database rows), so the worker cannot answer a ping.
    from django.conf import settings

    return {"perform_ping_check": False, "queues": (settings.CELERY_TASK_DEFAULT_QUEUE,)}


@pytest.fixture
def chromium_path():
    require(shutil.which(CHROMIUM) is not None, "Debian's chromium")
    return CHROMIUM


__all__ = ["PASSWORD"]


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a real refused connection


def point_broker_at(url: str | None) -> None:
    """Make the web side's Celery app publish to `url` from now on, its pooled connections dropped
    (kombu keeps one pool per broker address)."""
    import kombu.pools

    from finsam.celery import app

    app.conf.broker_url = url
    app.conf.broker_write_url = url
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def broker_down():
    """The broker really unreachable for the test, then back as it was."""
    from finsam.celery import app

    working, working_write = app.conf.broker_url, app.conf.broker_write_url
    point_broker_at(UNREACHABLE_BROKER)
    yield
    point_broker_at(working)
    app.conf.broker_write_url = working_write
