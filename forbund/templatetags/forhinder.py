"""{% forhinder_panel %} on the meeting page: the meeting's förhinder and where the call-in of ersättare
stands, with the buttons this user may press (report, withdraw, answer)."""

from __future__ import annotations

from django import template

from finsam import access
from forbund.meetings.selectors import forhinder as selectors

register = template.Library()


@register.inclusion_tag("forbund/meetings/forhinder_panel.html", takes_context=True)
def forhinder_panel(context) -> dict:
    meeting = context["meeting"]
    user = context["request"].user
    manages = bool(access.check("manage_meetings", user, meeting.forbund))
    person = access.person_of(user, meeting.forbund)
    states = selectors.meeting_forhinder(meeting)
    rows = []
    for state in states:
        own = person is not None and state.forhinder.person_id == person.pk
        asked = person is not None and any(ask.person_id == person.pk for ask in state.asked)
        mine = person is not None and state.waiting is not None and state.waiting.person_id == person.pk
        rows.append(
            {
                "state": state,
                "show_note": manages or own or asked,
                "may_withdraw": access.check("withdraw_forhinder", user, state.forhinder),
                "my_request": state.waiting if mine else None,
            }
        )
    report = access.check("report_forhinder", user, meeting)
    own_standing = person is not None and any(
        row["state"].forhinder.person_id == person.pk and not row["state"].forhinder.is_withdrawn
        for row in rows
    )
    return {
        "forbund": meeting.forbund,
        "meeting": meeting,
        "rows": rows,
        "manages": manages,
        "may_report": bool(report) and (manages or not own_standing),
        "csrf_token": context.get("csrf_token"),
    }
