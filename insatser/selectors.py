"""Reads for insatser, always through what the access module lets the user see."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from finsam import access
from forbund.models import Forbund, User

from .models import Insats

ACTIVE_STATUSES = (Insats.Status.BEVILJAD, Insats.Status.PAGAENDE)


def insatser_for_user(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return (
        access.insatser_visible_to(user, forbund)
        .select_related("owner")
        .prefetch_related("partners")
        .order_by("start", "name")
    )


def insatser_running_in_year(user: User, forbund: Forbund, year: int) -> QuerySet[Insats]:
    """Granted or running insatser whose period touches the year."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return insatser_for_user(user, forbund).filter(
        Q(status__in=ACTIVE_STATUSES) | Q(status=Insats.Status.AVSLUTAD),
        start__lte=last,
        end__gte=first,
    )


def ideas(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return insatser_for_user(user, forbund).filter(status=Insats.Status.IDE)
