"""The one workflow engine: every workflow is registered with it, it alone assigns a status, and a
step leaves the same trail whatever the record (history, version, audit with the values)."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekonomi.models import Budget, Invoice
from finsam import workflow
from finsam.history import StatusHistory
from forbund.models import ActivityEvent, Role, Styrelsemote
from insatser.models import Insats
from tests.factories import InvoiceFactory, user_with_role
from uppfoljning.models import Tertialrapport

ROOT = Path(__file__).resolve().parents[2]
APPS = ["finsam", "forbund", "insatser", "ekonomi", "uppfoljning"]

# Creating a record sets its first state; that is not a step. Rendering jobs are not a workflow.
ALLOWED_ASSIGNMENTS = {
    ("finsam/workflow.py", "current"),
    ("finsam/rendering.py", "job"),
    ("forbund/platform/importer.py", "upload"),  # an import's progress, not a workflow's state
    ("insatser/services.py", "insats"),
    ("finsam/concurrency.py", "obj"),  # an edit form keeps the stored status: it cannot change it
}


def test_the_five_workflows_are_registered_with_one_history_shape():
    assert set(workflow.WORKFLOWS) == {Insats, Tertialrapport, Styrelsemote, Invoice, Budget}
    for flow in workflow.WORKFLOWS.values():
        assert issubclass(flow.history, StatusHistory)
        assert flow.model.workflow is flow


def _status_assignments():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                targets = node.targets if isinstance(node, ast.Assign) else []
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        owner = target.value.id if isinstance(target.value, ast.Name) else "?"
                        yield str(path.relative_to(ROOT)), owner, node.lineno


def test_no_code_but_the_engine_assigns_a_status():
    found = [(path, owner, line) for path, owner, line in _status_assignments()]
    stray = [entry for entry in found if entry[:2] not in ALLOWED_ASSIGNMENTS]
    assert stray == []


def test_no_code_but_the_engine_writes_a_history_row():
    writers = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in ("StatusChange.objects.create", "history.objects.create"):
                if name in text and "migrations" not in path.parts and "demo" not in path.parts:
                    writers.append(str(path.relative_to(ROOT)))
    assert writers == ["finsam/workflow.py"]


pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    return InvoiceFactory(received_on=datetime.date(2021, 3, 1))


def test_a_step_records_history_counts_the_version_up_and_logs_the_values(invoice):
    ekonom = user_with_role(invoice.forbund, Role.Kind.EKONOM)
    version = invoice.lock_version

    entry = workflow.transition(
        invoice, to=Invoice.Status.ATTESTERAD, by=ekonom, changes={"attested_on": datetime.date(2021, 3, 5)}
    )

    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.status, stored.attested_on) == ("attesterad", datetime.date(2021, 3, 5))
    assert stored.lock_version == version + 1
    assert (entry.from_status, entry.to_status, entry.by) == ("mottagen", "attesterad", ekonom)
    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.TRANSITION, object_id=str(invoice.pk))
    logged = {change["field"]: (change["before"], change["after"]) for change in event.changes}
    assert logged["status"] == ("Mottagen", "Attesterad")
    assert logged["attested_on"] == ("", "2021-03-05")


def test_a_step_the_role_may_not_take_is_refused_and_leaves_nothing(invoice):
    ledamot = user_with_role(invoice.forbund, Role.Kind.STYRELSELEDAMOT)

    with pytest.raises(PermissionDenied):
        workflow.transition(invoice, to=Invoice.Status.ATTESTERAD, by=ledamot)

    assert Invoice.objects.get(pk=invoice.pk).status == "mottagen"
    assert not invoice.status_changes.exists()
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.TRANSITION).exists()


def test_a_step_that_does_not_exist_is_refused_with_the_states_named(invoice):
    ekonom = user_with_role(invoice.forbund, Role.Kind.EKONOM)

    with pytest.raises(ValidationError) as refused:
        workflow.transition(invoice, to=Invoice.Status.BETALD, by=ekonom)

    assert "mottagen" in refused.value.messages[0] and "betald" in refused.value.messages[0]


def test_a_stale_copy_cannot_take_a_step_twice(invoice):
    ekonom = user_with_role(invoice.forbund, Role.Kind.EKONOM)
    stale_copy = Invoice.objects.get(pk=invoice.pk)
    workflow.transition(invoice, to=Invoice.Status.ATTESTERAD, by=ekonom)

    # The engine reads the status under a lock, so the old copy's "mottagen" does not count.
    with pytest.raises(ValidationError):
        workflow.transition(stale_copy, to=Invoice.Status.ATTESTERAD, by=ekonom)
    assert invoice.status_changes.count() == 1
