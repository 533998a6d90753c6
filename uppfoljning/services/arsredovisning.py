"""Writes for the årsredovisning: the texts and balance figures people write, and the members'
decisions on ansvarsfrihet."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from ekonomi.selectors.balance import ledger_balance
from finsam import access, audit, concurrency
from forbund.models import Forbund, Medlem, User

from ..models import Ansvarsfrihet, Arsredovisning
from ..selectors.arsredovisning import BALANCE_LABELS


@transaction.atomic
def arsredovisning_for(*, forbund: Forbund, year: int, by: User) -> Arsredovisning:
    """The year's annual report; a new one starts from last year's texts. Its balance figures come
    from the ledger (and the opening ones, failing that, from last year's closing ones: see
    `uppfoljning.selectors.arsredovisning.balance_figures`), so none is copied here."""
    report = Arsredovisning.objects.filter(forbund=forbund, year=year).first()
    if report is not None:
        return report
    access.require("manage_documents", by, forbund)
    previous = Arsredovisning.objects.filter(forbund=forbund, year=year - 1).first()
    report = Arsredovisning(forbund=forbund, year=year)
    if previous is not None:
        report.revisorer, report.noter = previous.revisorer, previous.noter
    report.full_clean()
    report.save()
    audit.created(forbund=forbund, actor=by, obj=report)
    return report


def arsredovisning_save(
    *, report: Arsredovisning, by: User, opened_version: int | None = None
) -> Arsredovisning:
    """Save the texts and balance figures; refused over someone else's save since the form was opened.
    A balance figure typed over one the ledger has is an override and needs `balance_comment`."""
    access.require("manage_documents", by, report.forbund)
    ledger = ledger_balance(report.forbund, report.year)
    from_ledger = ledger.figures() if ledger else {}
    overridden = [
        name
        for name in Arsredovisning.BALANCE_FIELDS
        if getattr(report, name) is not None and name in from_ledger
    ]
    if overridden and not report.balance_comment.strip():
        labels = ", ".join(BALANCE_LABELS[name] for name in overridden)
        raise ValidationError(
            {
                "balance_comment": (
                    f"Huvudboken har redan {labels}. Skriv varför siffran skrivs in för hand och varifrån "
                    "den kommer, eller töm fältet så används huvudbokens."
                )
            }
        )
    return concurrency.save_edit(
        report,
        by=by,
        forbund=report.forbund,
        opened_version=opened_version,
        description=f"Ändrade årsredovisningen {report.year}",
    )


@transaction.atomic
def ansvarsfrihet_record(
    *,
    report: Arsredovisning,
    by: User,
    medlem: Medlem,
    decided_on: datetime.date,
    granted: bool,
    comment: str = "",
) -> Ansvarsfrihet:
    """Record one member's decision on discharging the board; a member decides once per year, and a
    correction replaces the recorded decision (the log keeps the earlier one)."""
    access.require("manage_documents", by, report.forbund)
    if medlem.forbund_id != report.forbund_id:
        raise ValidationError("Medlemmen hör till ett annat förbund.")
    if decided_on.year <= report.year:
        raise ValidationError("Beslutet om ansvarsfrihet fattas efter årets slut.")
    decision = Ansvarsfrihet.objects.select_for_update().filter(
        arsredovisning=report, medlem=medlem
    ).first() or Ansvarsfrihet(arsredovisning=report, medlem=medlem)
    before = audit.values(decision) if decision.pk else None
    decision.decided_on, decision.granted, decision.comment = decided_on, granted, comment.strip()
    decision.recorded_by = by
    decision.full_clean()
    decision.save()
    verb = "beviljade" if granted else "beviljade inte"
    description = f"{medlem} {verb} styrelsen ansvarsfrihet för {report.year}"
    if before is None:
        audit.created(forbund=report.forbund, actor=by, obj=decision, description=description)
    else:
        audit.changed(forbund=report.forbund, actor=by, obj=decision, before=before, description=description)
    return decision
