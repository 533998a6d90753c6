"""The meeting's one status function and the quorum rule, shared by the agenda and the minutes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from finsam import access
from forbund.models import Attendance, MeetingStatus, MeetingStatusChange, Styrelsemote, Styrelseuppdrag, User
from forbund.services import activity_log

from .workflow import MEETING_TRANSITIONS


@transaction.atomic
def meeting_transition(
    *, meeting: Styrelsemote, to: str, by: User, comment: str = "", automatic: bool = False
) -> MeetingStatusChange:
    """The one place a meeting changes status. Steps marked automatic (the notice, the last
    approval of the minutes) are made only by the services that own them."""
    meeting = Styrelsemote.objects.select_for_update().get(pk=meeting.pk)
    transition = MEETING_TRANSITIONS.get((meeting.status, to))
    if transition is None:
        now, target = meeting.get_status_display().lower(), MeetingStatus(to).label.lower()
        raise ValidationError(f"Ett möte som är {now} kan inte bli {target}.")
    if transition.automatic != automatic:
        raise PermissionDenied("Det steget görs av systemet, inte med en knapp.")
    if not automatic:
        verdict = access.can_manage_meetings(by, meeting.forbund)
        if not verdict:
            raise PermissionDenied(verdict.reason)
    if to == MeetingStatus.JUSTERING and not meeting.justerare.exists():
        raise ValidationError("Välj minst en justerare innan protokollet låses för justering.")
    change = MeetingStatusChange.objects.create(
        meeting=meeting, from_status=meeting.status, to_status=to, by=by, comment=comment.strip()
    )
    meeting.status = to
    meeting.save(update_fields=["status"])
    activity_log(
        forbund=meeting.forbund,
        actor=by,
        description=f"{meeting}: {change.get_from_status_display()} → {change.get_to_status_display()}",
    )
    return change


@dataclass
class Quorum:
    ledamoter: int  # seats on the board at the meeting's date
    voting_present: int  # ledamöter present plus serving ersättare

    @property
    def quorate(self) -> bool:
        return self.voting_present * 2 > self.ledamoter

    @property
    def needed(self) -> int:
        return self.ledamoter // 2 + 1


def quorum(meeting: Styrelsemote) -> Quorum:
    """More than half of the ledamöter, counting serving ersättare, must be present."""
    seats = (
        Styrelseuppdrag.objects.filter(forbund_id=meeting.forbund_id, role=Styrelseuppdrag.Role.LEDAMOT)
        .filter(start__lte=meeting.date)
        .exclude(end__lt=meeting.date)
        .count()
    )
    voting = meeting.attendance.filter(
        present=True, role__in=[Attendance.Role.LEDAMOT, Attendance.Role.TJANSTGORANDE]
    ).count()
    return Quorum(ledamoter=seats, voting_present=voting)


def require_quorum(meeting: Styrelsemote) -> None:
    state = quorum(meeting)
    if not state.quorate:
        raise ValidationError(
            f"Styrelsen är inte beslutför: {state.voting_present} av {state.ledamoter} ledamöter med "
            f"rösträtt är närvarande, det behövs minst {state.needed}. Registrera närvaron eller en "
            "tjänstgörande ersättare."
        )
