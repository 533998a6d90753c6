"""The förbund's generation: a counter in its row that the services bump when they change a figure
the dashboard caches (`forbund.aggregates`). Its own module, so that the services that bump it (the
budget's, the members', the insatser's) need not import what the dashboard computes from them."""

from __future__ import annotations

from django.db.models import F

from .models import Forbund


def invalidate(forbund: Forbund) -> None:
    """The förbund's dashboard figures changed: from this transaction's commit on, they are computed
    anew. Holds the förbund row's lock until the transaction ends, so services call this first, before
    locking their own rows (the ledger import and the document queue lock the förbund first, too)."""
    Forbund.objects.filter(pk=forbund.pk).update(aggregates_generation=F("aggregates_generation") + 1)
