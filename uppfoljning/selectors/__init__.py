"""Split by concept: reports (periods, the status board, one report), followup (the förbund's sums
and charts), protection (hiding small counts), national (Uppföljning Finsam), documents (the
verksamhetsplan and document jobs) and arsredovisning."""

# `forbund.views` asks for the reports waiting for review as `uppfoljning.selectors.reports_to_review`.
from .reports import reports_to_review

__all__ = ["reports_to_review"]
