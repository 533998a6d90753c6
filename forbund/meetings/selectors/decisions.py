"""Where a decision was taken, as every page shows it: "Styrelsen 2021-03-17 § 12" with a link to the
item in the minutes, or "Beslut på delegation 2021-05-02 (anmält till styrelsen 2021-06-10 § 7)".

The reference is built from rows the caller has already loaded (`DECISION_RELATED` for an insats's
Beslut, `BUDGET_DECISION_RELATED` for a Budget), so a list page asks no extra query per row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from forbund.models import AgendaItem, Delegationsbeslut, Styrelsemote

# What a Beslut needs loaded (select_related) to show its reference without further queries.
DECISION_RELATED = (
    "meeting",
    "agenda_item__meeting__forbund",
    "delegationsbeslut__reported_in__meeting__forbund",
)
BUDGET_DECISION_RELATED = ("decided_meeting", "decided_item__meeting__forbund")

UNNUMBERED = "§ (numreras i protokollet)"


@dataclass(frozen=True)
class DecisionReference:
    kind: str  # "styrelsen", "delegation" or "aldre" (free text from before items carried decisions)
    date: datetime.date | None
    paragraph: int | None = None
    url: str = ""
    legacy_text: str = ""
    reported_date: datetime.date | None = None
    reported_paragraph: int | None = None
    reported_url: str = ""

    @property
    def is_delegation(self) -> bool:
        return self.kind == "delegation"

    @property
    def is_legacy(self) -> bool:
        return self.kind == "aldre"

    @staticmethod
    def _paragraph(number: int | None) -> str:
        return f"§ {number}" if number is not None else UNNUMBERED

    @property
    def paragraph_text(self) -> str:
        return self._paragraph(self.paragraph)

    @property
    def reported_paragraph_text(self) -> str:
        return self._paragraph(self.reported_paragraph)

    @property
    def text(self) -> str:
        """The reference as plain text (history comments, the Logg)."""
        if self.kind == "styrelsen":
            return f"Styrelsen {self.date:%Y-%m-%d} {self.paragraph_text}"
        if self.kind == "delegation":
            text = f"Beslut på delegation {self.date:%Y-%m-%d}"
            if self.reported_date is not None:
                text += (
                    f" (anmält till styrelsen {self.reported_date:%Y-%m-%d} {self.reported_paragraph_text})"
                )
            return text
        return f"{self.legacy_text} (äldre registrering)".strip()


def decision_reference(
    *,
    item: AgendaItem | None = None,
    delegation: Delegationsbeslut | None = None,
    legacy_meeting: Styrelsemote | None = None,
    legacy_paragraph: str = "",
    legacy_date: datetime.date | None = None,
) -> DecisionReference | None:
    if item is not None:
        return DecisionReference(
            kind="styrelsen", date=item.meeting.date, paragraph=item.paragraph, url=item.get_absolute_url()
        )
    if delegation is not None:
        reported = delegation.reported_in
        return DecisionReference(
            kind="delegation",
            date=delegation.decided_on,
            reported_date=reported.meeting.date if reported else None,
            reported_paragraph=reported.paragraph if reported else None,
            reported_url=reported.get_absolute_url() if reported else "",
        )
    if legacy_meeting is None and not legacy_paragraph.strip():
        if legacy_date is None:
            return None
        return DecisionReference(kind="aldre", date=legacy_date, legacy_text=f"{legacy_date:%Y-%m-%d}")
    parts = []
    if legacy_meeting is not None:
        parts.append(f"Styrelsemöte {legacy_meeting.date:%Y-%m-%d}")
    elif legacy_date is not None:
        parts.append(f"{legacy_date:%Y-%m-%d}")
    if legacy_paragraph.strip():
        parts.append(legacy_paragraph.strip())
    return DecisionReference(kind="aldre", date=legacy_date, legacy_text=" ".join(parts))


def document_decisions(dokumentjobb) -> list[DecisionReference]:
    """Where the board decided on a document (verksamhetsplan, årsredovisning): the items that
    handled it and carry a decision in the minutes, in meeting order."""
    items = (
        AgendaItem.objects.filter(dokumentjobb=dokumentjobb)
        .exclude(decision="")
        .select_related("meeting__forbund")
        .order_by("meeting__date", "order")
    )
    return [decision_reference(item=item) for item in items]
