"""The insats workflow: from idea and application through the board's decision to closure. Its table
is read by the access module (`can_transition`) and its steps are taken only by the workflow engine
(`finsam.workflow.transition`). Registered at startup from `InsatserConfig.ready()`."""

from __future__ import annotations

from finsam import workflow
from finsam.workflow import Step
from forbund.models import Medlem, Role

from .models import BudgetAmount, Confirmation, Insats, StatusChange
from .selectors import application_version, confirmation_overview, parties_of

S = Insats.Status
SAMORDNARE = Role.Kind.SAMORDNARE
PROJEKTAGARE = Role.Kind.PROJEKTAGARE  # only for insatser their own member organisation owns
APPLICANTS = frozenset({SAMORDNARE, PROJEKTAGARE})
KANSLI = frozenset({SAMORDNARE})
BY_DECISION = "Beviljande och avslag registreras som styrelsens beslut, med belopp och paragraf."


def submission_problems(insats: Insats) -> list[str]:
    """What stops an application from being submitted, in words the applicant understands."""
    problems = []
    if not (insats.start and insats.end):
        problems.append("Ange insatsens period (start- och slutdatum).")
    if not insats.partners.exists():
        problems.append("Minst två medlemmar måste stå bakom ansökan: ange minst en samverkanspart.")
    if not insats.malgrupp:
        problems.append("Ange målgrupp.")
    if not insats.goals.exists():
        problems.append("Ange minst ett mål.")
    if not BudgetAmount.objects.filter(line__insats=insats, amount__gt=0).exists():
        problems.append("Fyll i budgeten.")
    problems.extend(_unasked_parties(insats))
    return problems


def _unasked_parties(insats: Insats) -> list[str]:
    """An application goes in once every party has a named representative asked to confirm it (or who
    has): the answers may come during the beredning, but the board grants only a confirmed version."""
    asked = set(
        Confirmation.objects.filter(insats=insats, voided_at__isnull=True)
        .exclude(answer=Confirmation.Answer.AVBOJD)
        .values_list("medlem_id", flat=True)
    )
    missing = Medlem.objects.filter(pk__in=parties_of(insats) - asked).order_by("name")
    return [f"Be en behörig företrädare för {medlem} att bekräfta ansökan." for medlem in missing]


def application_snapshot(insats: Insats) -> dict:
    """The application as submitted, kept on the status change so later edits never rewrite it."""
    return {
        "name": insats.name,
        "kind": insats.kind,
        "malgrupp": insats.malgrupp,
        "period": [
            insats.start.isoformat() if insats.start else None,
            insats.end.isoformat() if insats.end else None,
        ],
        "owner": str(insats.owner),
        "partners": sorted(str(partner) for partner in insats.partners.all()),
        "goals": [{"kind": goal.kind, "text": goal.text} for goal in insats.goals.all()],
        "budget": [
            {
                "section": line.section_name,
                "description": line.description,
                "amounts": {str(a.year): str(a.amount) for a in line.amounts.all()},
            }
            for line in insats.budget_lines.select_related("delprocess").prefetch_related("amounts")
        ],
        "version": application_version(insats),
        "confirmations": [
            {
                "medlem": str(party.medlem),
                "representatives": [
                    {"name": str(c.representative), "title": c.title, "state": c.state, "version": c.version}
                    for c in party.current
                ],
            }
            for party in confirmation_overview(insats).parties
        ],
    }


def _problems(insats: Insats, target: str) -> list[str]:
    return submission_problems(insats) if target == S.INSKICKAD else []


def _snapshot(insats: Insats, target: str) -> dict | None:
    return application_snapshot(insats) if target == S.INSKICKAD else None


WORKFLOW = workflow.register(
    workflow.Workflow(
        noun="en insats",
        model=Insats,
        history=StatusChange,
        history_fk="insats",
        steps=[
            Step(S.IDE, S.UTKAST, "Påbörja ansökan", APPLICANTS),
            Step(S.UTKAST, S.INSKICKAD, "Skicka in ansökan", APPLICANTS),
            Step(S.INSKICKAD, S.UNDER_BEREDNING, "Ta upp till beredning", KANSLI),
            Step(
                S.UNDER_BEREDNING, S.KOMPLETTERING_BEGARD, "Begär komplettering", KANSLI, needs_comment=True
            ),
            Step(S.KOMPLETTERING_BEGARD, S.INSKICKAD, "Skicka in kompletterad ansökan", APPLICANTS),
            Step(S.UNDER_BEREDNING, S.BEVILJAD, "Bevilja", KANSLI, automatic=True, how=BY_DECISION),
            Step(S.UNDER_BEREDNING, S.AVSLAGEN, "Avslå", KANSLI, automatic=True, how=BY_DECISION),
            Step(S.BEVILJAD, S.PAGAENDE, "Starta insatsen", KANSLI),
            Step(S.PAGAENDE, S.AVSLUTAD, "Avsluta insatsen", KANSLI),
            Step(S.AVSLUTAD, S.IMPLEMENTERAD, "Implementerad i ordinarie verksamhet", KANSLI),
            Step(S.AVSLUTAD, S.AVVECKLAD, "Avvecklad", KANSLI),
        ],
        insats_of=lambda insats: insats,
        problems=_problems,
        snapshot=_snapshot,
        comment_prompt="Skriv vad som ska kompletteras.",
    )
)
