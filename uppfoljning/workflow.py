"""The report workflow: utkast → inskickad → (returnerad ↔ inskickad) → godkänd. Its table is read by
the access module (`can_transition`) and its steps are taken only by the workflow engine
(`finsam.workflow.transition`). Registered at startup from `UppfoljningConfig.ready()`."""

from __future__ import annotations

from finsam import workflow
from finsam.workflow import Step
from forbund.models import Role

from .models import ReportStatusChange, Tertialrapport
from .selectors.reports import report_snapshot, submission_problems

S = Tertialrapport.Status
SAMORDNARE = Role.Kind.SAMORDNARE
PROJEKTAGARE = Role.Kind.PROJEKTAGARE  # only for reports of insatser their own member organisation owns
REPORTERS = frozenset({SAMORDNARE, PROJEKTAGARE})
KANSLI = frozenset({SAMORDNARE})


def _problems(report: Tertialrapport, target: str) -> list[str]:
    return submission_problems(report) if target == S.INSKICKAD else []


def _snapshot(report: Tertialrapport, target: str) -> dict | None:
    """The report as it was sent, so that a later correction never rewrites what was submitted."""
    return report_snapshot(report) if target == S.INSKICKAD else None


WORKFLOW = workflow.register(
    workflow.Workflow(
        noun="en rapport",
        model=Tertialrapport,
        history=ReportStatusChange,
        history_fk="report",
        steps=[
            Step(S.UTKAST, S.INSKICKAD, "Skicka in rapporten", REPORTERS),
            Step(S.RETURNERAD, S.INSKICKAD, "Skicka in den kompletterade rapporten", REPORTERS),
            Step(S.INSKICKAD, S.RETURNERAD, "Returnera för komplettering", KANSLI, needs_comment=True),
            Step(S.INSKICKAD, S.GODKAND, "Godkänn rapporten", KANSLI),
        ],
        forbund_of=lambda report: report.period.forbund,
        insats_of=lambda report: report.insats,
        problems=_problems,
        snapshot=_snapshot,
        comment_prompt="Skriv vad som ska kompletteras.",
        lock_related=("period__forbund", "insats"),
    )
)
