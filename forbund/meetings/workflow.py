"""A meeting's workflow: planerat → kallat → genomfört → protokoll för justering → justerat."""

from __future__ import annotations

from dataclasses import dataclass

from forbund.models import MeetingStatus

S = MeetingStatus


@dataclass(frozen=True)
class MeetingTransition:
    source: str
    target: str
    label: str
    automatic: bool = False  # made by a service (the notice, the last approval), not by a button


MEETING_TRANSITIONS: dict[tuple[str, str], MeetingTransition] = {
    (t.source, t.target): t
    for t in [
        MeetingTransition(S.PLANERAT, S.KALLAT, "Skicka kallelsen", automatic=True),
        MeetingTransition(S.KALLAT, S.KALLAT, "Skicka en ny version av kallelsen", automatic=True),
        MeetingTransition(S.KALLAT, S.GENOMFORT, "Mötet är genomfört"),
        MeetingTransition(S.GENOMFORT, S.JUSTERING, "Lås protokollet för justering"),
        MeetingTransition(S.JUSTERING, S.GENOMFORT, "Lås upp protokollet för rättelser"),
        MeetingTransition(S.JUSTERING, S.JUSTERAT, "Protokollet är justerat", automatic=True),
    ]
}


def meeting_transitions_from(status: str, *, automatic: bool = False) -> list[MeetingTransition]:
    return [
        t for (source, _), t in MEETING_TRANSITIONS.items() if source == status and t.automatic == automatic
    ]
