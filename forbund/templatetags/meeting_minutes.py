"""{% minutes_state meeting as state %}: what the minutes panel shows (quorum, justering, anslag,
rättelser). Whether the user may approve is `may.approve_minutes`."""

from __future__ import annotations

from django import template

from forbund.meetings.selectors import minutes

register = template.Library()


@register.simple_tag
def minutes_state(meeting) -> minutes.MinutesState:
    return minutes.minutes_state(meeting)
