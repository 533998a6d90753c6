"""The insats workflow: which transitions exist and who may make them. Read by the access module
and performed only by `services.insats_transition`."""

from __future__ import annotations

from dataclasses import dataclass

from forbund.models import Role

from .models import Insats

S = Insats.Status
SAMORDNARE = Role.Kind.SAMORDNARE
PROJEKTAGARE = Role.Kind.PROJEKTAGARE  # only for insatser their own member organisation owns


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    roles: frozenset[str]
    needs_comment: bool = False
    by_decision: bool = False  # made by recording the board's decision, not by a plain button


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(S.IDE, S.UTKAST, "Påbörja ansökan", frozenset({SAMORDNARE, PROJEKTAGARE})),
        Transition(S.UTKAST, S.INSKICKAD, "Skicka in ansökan", frozenset({SAMORDNARE, PROJEKTAGARE})),
        Transition(S.INSKICKAD, S.UNDER_BEREDNING, "Ta upp till beredning", frozenset({SAMORDNARE})),
        Transition(
            S.UNDER_BEREDNING,
            S.KOMPLETTERING_BEGARD,
            "Begär komplettering",
            frozenset({SAMORDNARE}),
            needs_comment=True,
        ),
        Transition(
            S.KOMPLETTERING_BEGARD,
            S.INSKICKAD,
            "Skicka in kompletterad ansökan",
            frozenset({SAMORDNARE, PROJEKTAGARE}),
        ),
        Transition(S.UNDER_BEREDNING, S.BEVILJAD, "Bevilja", frozenset({SAMORDNARE}), by_decision=True),
        Transition(S.UNDER_BEREDNING, S.AVSLAGEN, "Avslå", frozenset({SAMORDNARE}), by_decision=True),
        Transition(S.BEVILJAD, S.PAGAENDE, "Starta insatsen", frozenset({SAMORDNARE})),
        Transition(S.PAGAENDE, S.AVSLUTAD, "Avsluta insatsen", frozenset({SAMORDNARE})),
        Transition(
            S.AVSLUTAD, S.IMPLEMENTERAD, "Implementerad i ordinarie verksamhet", frozenset({SAMORDNARE})
        ),
        Transition(S.AVSLUTAD, S.AVVECKLAD, "Avvecklad", frozenset({SAMORDNARE})),
    ]
}

# The application's content can change only in these states; afterwards it is kept as submitted.
APPLICATION_EDITABLE = frozenset({S.IDE, S.UTKAST, S.KOMPLETTERING_BEGARD})
# States in which the insats is submitted or later: its submitted version is on record.
SUBMITTED_STATES = frozenset(
    {
        S.INSKICKAD,
        S.UNDER_BEREDNING,
        S.BEVILJAD,
        S.AVSLAGEN,
        S.PAGAENDE,
        S.AVSLUTAD,
        S.IMPLEMENTERAD,
        S.AVVECKLAD,
    }
)
# Granted and running: the förbund follows it up (milestones, styrgrupp, reports).
FOLLOWED_UP = frozenset({S.BEVILJAD, S.PAGAENDE, S.AVSLUTAD})


def transitions_from(status: str) -> list[Transition]:
    return [t for (source, _), t in TRANSITIONS.items() if source == status]
