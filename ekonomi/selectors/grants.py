"""Reads that tie invoices to the board's grants: what an insats has been granted and invoiced per
year. An invoice belongs to the year its period starts in (an invoice covers one year: the
registration refuses periods across a new year, since grants are given per year)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from insatser.models import Insats
from insatser.selectors import granted_per_insats, granted_per_year

from ..models import Invoice

ZERO = Decimal(0)


def invoiced_in_year(insats: Insats, year: int, *, exclude: int | None = None) -> Decimal:
    """The year's invoiced sum for the insats, credit notes subtracting, without invoice `exclude`
    (the one being corrected)."""
    invoices = Invoice.objects.filter(insats=insats, period_start__year=year)
    if exclude is not None:
        invoices = invoices.exclude(pk=exclude)
    return invoices.aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass(frozen=True)
class GrantPosition:
    """An insats's year: granted, invoiced so far, and what is left (negative when over)."""

    insats: Insats
    year: int
    granted: Decimal
    invoiced: Decimal

    @property
    def left(self) -> Decimal:
        return self.granted - self.invoiced


def grant_positions(insatser) -> list[GrantPosition]:
    """For the rekvisition page: each insats's grant and invoiced sum per year of its period, in two
    queries."""
    insatser = list(insatser)
    granted = granted_per_insats(insatser)
    invoiced: dict[tuple[int, int], Decimal] = {
        (row["insats"], row["year"]): row["total"]
        for row in Invoice.objects.filter(insats__in=insatser)
        .annotate(year=ExtractYear("period_start"))
        .values("insats", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    positions = []
    for insats in insatser:
        years = sorted(
            {*insats.years, *granted.get(insats.pk, {})} | {y for i, y in invoiced if i == insats.pk}
        )
        positions.extend(
            GrantPosition(
                insats=insats,
                year=year,
                granted=granted.get(insats.pk, {}).get(year, ZERO),
                invoiced=invoiced.get((insats.pk, year), ZERO),
            )
            for year in years
        )
    return positions


__all__ = ["GrantPosition", "grant_positions", "granted_per_year", "invoiced_in_year"]
