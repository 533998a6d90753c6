"""Reads for the platform administration: the installation's förbund, and where a guided start
stands. Nothing here reads a förbund's insatser, reports, meetings or economy."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ..models import (
    Forbund,
    Invitation,
    Kansliuppdrag,
    Medlem,
    Role,
    Styrelseuppdrag,
    Uppstart,
    WorkingAgePopulation,
)

Kind = Medlem.Kind


def forbund_list() -> QuerySet[Forbund]:
    """Every förbund in the installation with what the list shows: its members now, whether it has a
    samordnare, and its guided start (if it was started here)."""
    today = timezone.localdate()
    return (
        Forbund.objects.select_related("uppstart")
        .annotate(
            member_count=Count(
                "medlemmar",
                filter=Q(medlemmar__joined__lte=today)
                & (Q(medlemmar__left__isnull=True) | Q(medlemmar__left__gte=today)),
                distinct=True,
            ),
            samordnare_count=Count("roles", filter=Q(roles__kind=Role.Kind.SAMORDNARE), distinct=True),
        )
        .order_by("name")
    )


def party_warnings(forbund: Forbund, day: datetime.date | None = None) -> list[str]:
    """The parties the Finsam law requires that are missing among the members on `day` (default:
    today, or the earliest joining date when nobody has joined yet)."""
    members = list(Medlem.objects.filter(forbund=forbund))
    if day is None:
        today = timezone.localdate()
        joined = [medlem.joined for medlem in members]
        day = today if not joined or min(joined) <= today else min(joined)
    kinds = {medlem.kind for medlem in members if medlem.is_member_on(day)}
    when = f"den {day:%Y-%m-%d}"
    warnings = []
    if Kind.FORSAKRINGSKASSAN not in kinds:
        warnings.append(f"Försäkringskassan saknas bland medlemmarna {when}; staten är part i varje förbund.")
    if Kind.ARBETSFORMEDLINGEN not in kinds:
        warnings.append(
            f"Arbetsförmedlingen saknas bland medlemmarna {when}; staten är part i varje förbund."
        )
    if Kind.REGION not in kinds:
        warnings.append(f"Ingen region är medlem {when}; ett förbund måste ha minst en region.")
    if Kind.KOMMUN not in kinds:
        warnings.append(f"Ingen kommun är medlem {when}; ett förbund måste ha minst en kommun.")
    return warnings


def samordnare_invitations(forbund: Forbund) -> list[Invitation]:
    return [
        invitation
        for invitation in Invitation.objects.filter(forbund=forbund).order_by("-sent_at")
        if Role.Kind.SAMORDNARE in invitation.kinds
    ]


def has_samordnare(forbund: Forbund) -> bool:
    return Role.objects.filter(forbund=forbund, kind=Role.Kind.SAMORDNARE).exists()


def completion_problems(forbund: Forbund) -> list[str]:
    """What stops the start from being handed over: the law's parties, and a samordnare (an account, or
    an invitation that is waiting or accepted)."""
    problems = party_warnings(forbund)
    invited = any(
        invitation.state in {Invitation.State.PENDING, Invitation.State.ACCEPTED}
        for invitation in samordnare_invitations(forbund)
    )
    if not has_samordnare(forbund) and not invited:
        problems.append("Bjud in förbundets första samordnare innan uppstarten avslutas.")
    return problems


@dataclass(frozen=True)
class StepState:
    code: str
    label: str
    url_name: str
    done: bool
    summary: str


def steps(forbund: Forbund, setup: Uppstart) -> list[StepState]:
    """The steps of the guided start, each with what has been entered so far."""
    members = Medlem.objects.filter(forbund=forbund).count()
    populations = WorkingAgePopulation.objects.filter(forbund=forbund).values("year").distinct().count()
    seats = Styrelseuppdrag.objects.filter(forbund=forbund).count()
    staff = Kansliuppdrag.objects.filter(forbund=forbund).count()
    invited = len(samordnare_invitations(forbund)) + (1 if has_samordnare(forbund) else 0)
    imports = forbund.uppstartsimporter.filter(status="inlast").count()
    S = Uppstart.Step
    facts = f"{forbund.name}, {forbund.organisationsnummer or 'organisationsnummer saknas'}"
    rows = [
        (S.UPPGIFTER, "platform:facts", facts),
        (S.MEDLEMMAR, "platform:members", _count(members, "medlem", "medlemmar")),
        (S.INVANARE, "platform:populations", _count(populations, "år", "år")),
        (S.STYRELSE, "platform:board", _count(seats, "styrelseuppdrag", "styrelseuppdrag")),
        (S.KANSLI, "platform:staff", _count(staff, "kansliuppdrag", "kansliuppdrag")),
        (S.SAMORDNARE, "platform:samordnare", "inbjuden" if invited else "ingen inbjuden än"),
        (S.IMPORT, "platform:import", _count(imports, "inläst fil", "inlästa filer")),
    ]
    return [
        StepState(code=code, label=S(code).label, url_name=url, done=setup.is_done(code), summary=summary)
        for code, url, summary in rows
    ]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def next_step(forbund: Forbund, setup: Uppstart) -> StepState | None:
    return next((step for step in steps(forbund, setup) if not step.done), None)
