"""The board meetings of 2020 where the demo's earlier decisions were taken. Their minutes were kept
before the förbund used the app, so each decision's agenda item carries the § of the paper minutes."""

from __future__ import annotations

import datetime

from forbund.models import AgendaItem, Forbund, Styrelsemote

PLACE = "Trelleborg"


def board_item(forbund: Forbund, date: datetime.date, paragraph: int, title: str, **link) -> AgendaItem:
    """The item (with its §) on the agenda of the board meeting on `date` that handled `link`."""
    meeting, _ = Styrelsemote.objects.get_or_create(
        forbund=forbund,
        date=date,
        defaults={"start_time": datetime.time(13, 0), "place": PLACE, "planned_items": title},
    )
    item, _ = AgendaItem.objects.update_or_create(
        meeting=meeting,
        paragraph=paragraph,
        defaults={
            "title": title,
            "kind": AgendaItem.Kind.BESLUT,
            "order": paragraph,
            "decision": "Styrelsen beslutar enligt förslaget.",
            **link,
        },
    )
    return item
