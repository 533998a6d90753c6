"""The one workflow engine. Every record with a status — insatser, reports, meetings, invoices,
budget versions — declares a `Workflow`: its table of steps (from, to, label, the roles that may
take it), and changes status only through `transition()`, which

- locks the record's row (`select_for_update`) so two people cannot move it at once,
- asks the access module (`can_transition`) whether this user may take this step now,
- checks the step's own conditions (a comment when returning, a complete application when
  submitting) and refuses a comment holding a personnummer (`finsam.personnummer`): the comment is
  shown to the projektägare and kept in the record's history,
- sets the status and bumps the record's `lock_version`, so an edit form opened before the step
  cannot save over it,
- writes one history row (who, when, from, to, comment and, where the workflow keeps them, a
  snapshot of the record as it was sent) and one audit entry,

all in one transaction. No other code assigns `status`.

After the transaction commits, `transitioned` is sent (sender: the record's model; `record`, `entry`
the history row, `by`, `source`, `target`), so that the people a step concerns are told
(`forbund.notifications_events`) only about steps that really happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal

from finsam import access, audit
from finsam.history import StatusHistory
from finsam.personnummer import no_identity_numbers


@dataclass(frozen=True)
class Step:
    source: str
    target: str
    label: str
    roles: frozenset[str]
    needs_comment: bool = False
    # Made by a service as part of something larger (recording the board's decision, sending the
    # notice, the last justering), never by a plain button; that service checks its own rule.
    automatic: bool = False
    how: str = ""  # for an automatic step: where it is taken instead
    # Segregation of duties: the user named by this field of the record may not take the step (the
    # one who registered an invoice does not attest it), with the reason to show.
    not_by: str = ""
    not_by_reason: str = ""
    # An access rule about (user, record) that must allow the step as well, for conditions a förbund
    # sets itself (its attest rules: who attests, whether the registrar may).
    rule: str = ""


def _no_problems(record, target: str) -> list[str]:
    return []


def _no_snapshot(record, target: str) -> dict | None:
    return None


@dataclass
class Workflow:
    """A workflow's table and what the engine needs to know about its records."""

    noun: str  # "en insats": the record as a sentence names it
    model: type[models.Model]
    history: type[StatusHistory]  # a subclass of finsam.history.StatusHistory
    history_fk: str  # the history model's key to the record
    steps: list[Step]
    forbund_of: Callable = lambda record: record.forbund
    insats_of: Callable = lambda record: None  # whose owner may act as projektägare
    problems: Callable[[models.Model, str], list[str]] = _no_problems
    snapshot: Callable[[models.Model, str], dict | None] = _no_snapshot
    comment_prompt: str = "Skriv en kommentar."
    lock_related: tuple[str, ...] = ()
    _table: dict[tuple[str, str], Step] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._table = {(step.source, step.target): step for step in self.steps}

    def step(self, source: str, target: str) -> Step | None:
        return self._table.get((source, target))

    def steps_from(self, status: str, *, automatic: bool = False) -> list[Step]:
        return [step for step in self.steps if step.source == status and step.automatic == automatic]

    def label_of(self, status: str) -> str:
        return dict(self.model._meta.get_field("status").choices).get(status, status)


WORKFLOWS: dict[type[models.Model], Workflow] = {}

# Sent after the commit of every step taken; see the module docstring.
transitioned = Signal()


def register(workflow: Workflow) -> Workflow:
    """Make `workflow` the one for its model. The model carries it as `Model.workflow`, which is how
    the access module reads a record's table without importing this engine."""
    WORKFLOWS[workflow.model] = workflow
    workflow.model.workflow = workflow
    return workflow


def of(record: models.Model) -> Workflow:
    return WORKFLOWS[record._meta.concrete_model]


def steps_for(user, record) -> list[Step]:
    """The buttons this user sees on this record: the plain steps the access module allows."""
    return [
        step
        for step in of(record).steps_from(record.status)
        if access.check("transition", user, record, step.target)
    ]


def begin(record: models.Model, *, by) -> StatusHistory:
    """The first history row of a record just created in its first state (no step was taken)."""
    workflow = of(record)
    return workflow.history.objects.create(
        **{workflow.history_fk: record}, from_status="", to_status=record.status, by=by
    )


def transition(
    record: models.Model,
    *,
    to: str,
    by,
    comment: str = "",
    automatic: bool = False,
    changes: dict | None = None,
) -> StatusHistory:
    """Move `record` to `to`. `automatic=True` is for the services that take an automatic step
    after checking their own rule; `changes` are other fields set in the same save (who attested,
    when justerat). Returns the history row; `record` itself is updated in place."""
    workflow = of(record)
    comment = comment.strip()
    with transaction.atomic():
        manager = workflow.model._default_manager
        if workflow.lock_related:
            manager = manager.select_related(*workflow.lock_related)
        current = manager.select_for_update(of=("self",)).get(pk=record.pk)
        step = workflow.step(current.status, to)
        if step is None or not automatic:
            access.require("transition", by, current, to)  # a step that does not exist is refused here
        if step.automatic and not automatic:
            raise PermissionDenied(step.how or f"{step.label} görs inte med en knapp.")
        if step.needs_comment and not comment:
            raise ValidationError({"comment": workflow.comment_prompt})
        try:
            no_identity_numbers(comment, label="Kommentar")
        except ValidationError as error:
            raise ValidationError({"comment": error.error_list}) from None
        problems = workflow.problems(current, to)
        if problems:
            raise ValidationError(problems)
        before = current.status
        values_before = audit.values(current)
        current.status = to
        for name, value in (changes or {}).items():
            setattr(current, name, value)
        update_fields = ["status", *(changes or {})]
        if hasattr(current, "lock_version"):
            current.lock_version += 1
            update_fields.append("lock_version")
        if any(f.name == "updated_at" for f in current._meta.concrete_fields):
            update_fields.append("updated_at")
        current.save(update_fields=update_fields)
        entry = workflow.history.objects.create(
            **{workflow.history_fk: current},
            from_status=before,
            to_status=to,
            by=by,
            comment=comment,
            snapshot=workflow.snapshot(current, to),
        )
        audit.record(
            forbund=workflow.forbund_of(current),
            actor=by,
            kind=audit.Kind.TRANSITION,
            obj=current,
            description=f"{step.label}: {current}",
            changes=audit.diff(values_before, audit.values(current)),
        )
    for name in update_fields:
        setattr(record, name, getattr(current, name))
    transaction.on_commit(
        lambda: transitioned.send(
            sender=workflow.model, record=current, entry=entry, by=by, source=before, target=to
        )
    )
    return entry
