"""A test-only document whose data takes `FINSAM_TEST_RENDER_SECONDS` seconds to gather. The worker-fault
tests register it in the test process (`register()`) and, through
`celery worker -I tests.kernel.slow_document`, in the workers they start; there the worker's heartbeat
interval is shortened by `FINSAM_TEST_HEARTBEAT_EVERY` too."""

import os
import time

from finsam import rendering

KIND = "langsamt_testdokument"


def slow_context(forbund, year):
    time.sleep(float(os.environ.get("FINSAM_TEST_RENDER_SECONDS", "0")))
    return {"plan": None}


def register() -> None:
    rendering.register(
        KIND, template="uppfoljning/pdf/verksamhetsplan.html", context=slow_context, rule="manage_documents"
    )


if os.environ.get("FINSAM_TEST_WORKER"):
    register()
    if "FINSAM_TEST_HEARTBEAT_EVERY" in os.environ:
        rendering.HEARTBEAT_EVERY = float(os.environ["FINSAM_TEST_HEARTBEAT_EVERY"])
