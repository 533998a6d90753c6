"""A meeting's workflow: planerat → kallat → genomfört → protokoll för justering → justerat.

Registered with the one engine (`finsam.workflow`) when the förbund app is ready. Sending the notice
and the last justering are automatic steps: the notice service and the justering service take them
after checking their own rules (`send_notice`, `approve_minutes`). Each new version of the notice is a
step kallat → kallat, so the meeting's history shows every version sent.
"""

from __future__ import annotations

from finsam import workflow
from forbund.models import MeetingStatus, MeetingStatusChange, Role, Styrelsemote

S = MeetingStatus
SAMORDNARE = frozenset({Role.Kind.SAMORDNARE})
# The ordförande and the justerare are board members; who among them may approve is the rule
# `approve_minutes`, checked by the justering service before it takes this step.
BOARD = frozenset({Role.Kind.STYRELSELEDAMOT, Role.Kind.ERSATTARE})

NOTICE_HOW = "Kallelsen skickas från mötessidan med ”Skicka kallelsen”."
JUSTERING_HOW = (
    "Protokollet blir justerat när ordföranden vid sammanträdet och alla justerare har justerat det, "
    "var och en inloggad med sitt eget konto."
)


def meeting_problems(meeting: Styrelsemote, target: str) -> list[str]:
    """What stops a step besides role and state: the minutes need items, the meeting's ordförande
    and justerare before they are locked, and minutes someone has approved are not unlocked."""
    if target == S.JUSTERING:
        problems = []
        if not meeting.items.exists():
            problems.append("Protokollet har inga punkter.")
        if meeting.ordforande_id is None:
            problems.append(
                "Ange ordförande vid sammanträdet i närvarolistan innan protokollet låses för justering."
            )
        if not meeting.justerare.exists():
            problems.append("Välj minst en justerare innan protokollet låses för justering.")
        return problems
    if meeting.status == S.JUSTERING and target == S.GENOMFORT and meeting.approvals.exists():
        return ["Protokollet har redan justerats av någon och kan inte låsas upp."]
    return []


MEETING_WORKFLOW = workflow.register(
    workflow.Workflow(
        noun="ett möte",
        model=Styrelsemote,
        history=MeetingStatusChange,
        history_fk="meeting",
        steps=[
            workflow.Step(
                S.PLANERAT, S.KALLAT, "Skicka kallelsen", SAMORDNARE, automatic=True, how=NOTICE_HOW
            ),
            workflow.Step(
                S.KALLAT,
                S.KALLAT,
                "Skicka en ny version av kallelsen",
                SAMORDNARE,
                automatic=True,
                how=NOTICE_HOW,
            ),
            workflow.Step(S.KALLAT, S.GENOMFORT, "Mötet är genomfört", SAMORDNARE),
            workflow.Step(S.GENOMFORT, S.JUSTERING, "Lås protokollet för justering", SAMORDNARE),
            workflow.Step(S.JUSTERING, S.GENOMFORT, "Lås upp protokollet för rättelser", SAMORDNARE),
            workflow.Step(
                S.JUSTERING, S.JUSTERAT, "Protokollet är justerat", BOARD, automatic=True, how=JUSTERING_HOW
            ),
        ],
        problems=meeting_problems,
    )
)
