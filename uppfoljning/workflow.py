"""The report workflow: utkast → inskickad → (returnerad ↔ inskickad) → godkänd."""

from __future__ import annotations

from dataclasses import dataclass

from forbund.models import Role

from .models import Tertialrapport

S = Tertialrapport.Status
SAMORDNARE, PROJEKTAGARE = Role.Kind.SAMORDNARE, Role.Kind.PROJEKTAGARE


@dataclass(frozen=True)
class ReportTransition:
    source: str
    target: str
    label: str
    roles: frozenset[str]
    needs_comment: bool = False


REPORT_TRANSITIONS: dict[tuple[str, str], ReportTransition] = {
    (t.source, t.target): t
    for t in [
        ReportTransition(S.UTKAST, S.INSKICKAD, "Skicka in rapporten", frozenset({SAMORDNARE, PROJEKTAGARE})),
        ReportTransition(
            S.RETURNERAD,
            S.INSKICKAD,
            "Skicka in den kompletterade rapporten",
            frozenset({SAMORDNARE, PROJEKTAGARE}),
        ),
        ReportTransition(
            S.INSKICKAD,
            S.RETURNERAD,
            "Returnera för komplettering",
            frozenset({SAMORDNARE}),
            needs_comment=True,
        ),
        ReportTransition(S.INSKICKAD, S.GODKAND, "Godkänn rapporten", frozenset({SAMORDNARE})),
    ]
}


def report_transitions_from(status: str) -> list[ReportTransition]:
    return [t for (source, _), t in REPORT_TRANSITIONS.items() if source == status]
