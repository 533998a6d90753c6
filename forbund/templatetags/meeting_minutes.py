"""{% minutes_state meeting user as state %}: what the minutes panel shows (quorum, justering)."""

from __future__ import annotations

from django import template

from forbund.meetings import minutes

register = template.Library()


@register.simple_tag
def minutes_state(meeting, user) -> minutes.MinutesState:
    return minutes.minutes_state(meeting, user)
