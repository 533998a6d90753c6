"""Reads about a meeting's agenda: the items as the meeting page shows them and the
delegationsbeslut waiting to be reported."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from forbund.models import AgendaItem, Delegationsbeslut, Forbund, Styrelsemote


def agenda_items(meeting: Styrelsemote) -> QuerySet[AgendaItem]:
    """The agenda in order, with what each item links to, its papers and reported decisions."""
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "insats", "tertialrapport__insats", "tertialrapport__period", "budget", "dokumentjobb"
        )
        .prefetch_related("attachments", "delegationsbeslut", "rattelser")
        .order_by("order", "id")
    )


def ordered_item_ids(meeting: Styrelsemote) -> list[int]:
    return list(
        AgendaItem.objects.filter(meeting=meeting).order_by("order", "id").values_list("pk", flat=True)
    )


def delegationsbeslut_unreported(
    forbund: Forbund, before: datetime.date | None = None
) -> QuerySet[Delegationsbeslut]:
    decisions = Delegationsbeslut.objects.filter(forbund=forbund, reported_in__isnull=True)
    if before is not None:
        decisions = decisions.filter(decided_on__lte=before)
    return decisions.select_related("decided_by").order_by("decided_on", "id")


def delegationsbeslut_register(forbund: Forbund) -> QuerySet[Delegationsbeslut]:
    """Every delegationsbeslut of the förbund, newest first (the register is shown a page at a time)."""
    # With each reporting meeting and its förbund: each row asks whether the decision may still change.
    # With the insats a decision granted or refused, when it was one.
    return (
        Delegationsbeslut.objects.filter(forbund=forbund)
        .select_related("decided_by", "reported_in__meeting__forbund")
        .prefetch_related("insats_beslut__insats")
        .order_by("-decided_on", "-id")
    )
