"""The board's adoption (fastställelse) of a verksamhetsplan or an årsredovisning, and its withdrawal.

A document job rendered for staff is a draft. It is adopted when the samordnare records, on the
minutes page, that an agenda item linked to the job "fastställer dokumentet": the adoption keeps the
checksum of the exact file the board saw. It is published once the meeting's minutes are justerade
(the item then has its §): the worker stamps "Fastställd av styrelsen <datum> § <n>" on every page of
the job's unwatermarked master, rendered from the same context as the draft. A later item's decision
"återkallar" an adoption: the record stays, the archive shows it as withdrawn without its file.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from finsam import access, audit, broker, rendering
from forbund.models import AgendaItem, Dokumentjobb, Faststallelse, MeetingStatus, Styrelsemote, User

logger = logging.getLogger(__name__)

PUBLISH_TASK = "forbund.tasks.publish_adoption"
ADOPT = "faststaller"
WITHDRAW = "aterkallar"
ACTIONS = [
    ("", "Inget beslut om dokumentet"),
    (ADOPT, "Styrelsen fastställer dokumentet"),
    (WITHDRAW, "Styrelsen återkallar det fastställda dokumentet"),
]


def standing(forbund_id: int, kind: str, year: int) -> Faststallelse | None:
    return (
        Faststallelse.objects.filter(forbund_id=forbund_id, kind=kind, year=year, withdrawn_on__isnull=True)
        .select_related("item__meeting")
        .first()
    )


def file_checksum(field_file) -> str:
    try:
        with field_file.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (OSError, ValueError):
        return ""


def _check_adoptable(item: AgendaItem) -> Dokumentjobb:
    job = item.dokumentjobb
    if job is None or not job.is_adoptable:
        raise ValidationError(
            f"{item.title}: bara en verksamhetsplan eller en årsredovisning kopplad till punkten "
            "kan fastställas."
        )
    if job.forbund_id != item.meeting.forbund_id:
        raise ValidationError(f"{item.title}: dokumentet hör till ett annat förbund.")
    if job.status != Dokumentjobb.Status.KLAR or not job.file or not job.master_file:
        raise ValidationError(f"{item.title}: dokumentet är inte färdigt och kan inte fastställas.")
    if file_checksum(job.file) != job.checksum:
        raise ValidationError(
            f"{item.title}: dokumentets fil stämmer inte med den version som kopplades till punkten "
            "(kontrollsumman skiljer sig). Skapa dokumentet på nytt och koppla den nya versionen."
        )
    return job


def _adopt(item: AgendaItem, by: User) -> Faststallelse:
    job = _check_adoptable(item)
    if not item.decision.strip():
        raise ValidationError(f"{item.title}: skriv beslutet som fastställer dokumentet.")
    current = standing(job.forbund_id, job.kind, job.year)
    if current is not None:
        raise ValidationError(
            f"{item.title}: {job.get_kind_display()} {job.year} är redan fastställd av styrelsen "
            f"{current.adopted_on:%Y-%m-%d}. Återkalla det beslutet först."
        )
    adoption = Faststallelse.objects.create(
        forbund_id=job.forbund_id,
        dokumentjobb=job,
        kind=job.kind,
        year=job.year,
        checksum=job.checksum,
        item=item,
        adopted_on=item.meeting.date,
        recorded_by=by,
    )
    audit.created(
        forbund=item.meeting.forbund,
        actor=by,
        obj=adoption,
        description=f"{item.meeting}: {adoption}",
    )
    return adoption


def _withdraw(item: AgendaItem, by: User) -> Faststallelse:
    job = item.dokumentjobb
    adoption = None
    if job is not None:
        adoption = (
            Faststallelse.objects.select_for_update(of=("self",))
            .select_related("item__meeting")
            .filter(dokumentjobb=job, withdrawn_on__isnull=True)
            .first()
        )
    if adoption is None:
        raise ValidationError(f"{item.title}: dokumentet är inte fastställt; det finns inget att återkalla.")
    if adoption.item_id == item.pk or adoption.item.meeting.date > item.meeting.date:
        raise ValidationError(f"{item.title}: ett fastställt dokument återkallas av ett senare beslut.")
    if not item.decision.strip():
        raise ValidationError(f"{item.title}: skriv beslutet med skälet till att dokumentet återkallas.")
    before = audit.values(adoption)
    adoption.withdrawn_by_item = item
    adoption.withdrawn_on = item.meeting.date
    adoption.withdrawal_reason = item.decision.strip()
    adoption.save(update_fields=["withdrawn_by_item", "withdrawn_on", "withdrawal_reason"])
    audit.changed(
        forbund=item.meeting.forbund,
        actor=by,
        obj=adoption,
        before=before,
        description=f"{item.meeting}: {adoption} återkallad",
    )
    return adoption


def _undo(item: AgendaItem, by: User) -> None:
    """The decision no longer adopts or withdraws (minutes are editable until locked)."""
    adoption = Faststallelse.objects.filter(item=item).first()
    if adoption is not None:
        audit.deleted(
            forbund=item.meeting.forbund,
            actor=by,
            obj=adoption,
            description=f"{item.meeting}: {adoption} stryks ur beslutet",
        )
        adoption.delete()
    withdrawn = Faststallelse.objects.filter(withdrawn_by_item=item).first()
    if withdrawn is not None:
        before = audit.values(withdrawn)
        withdrawn.withdrawn_by_item = None
        withdrawn.withdrawn_on = None
        withdrawn.withdrawal_reason = ""
        withdrawn.save(update_fields=["withdrawn_by_item", "withdrawn_on", "withdrawal_reason"])
        audit.changed(
            forbund=item.meeting.forbund,
            actor=by,
            obj=withdrawn,
            before=before,
            description=f"{item.meeting}: återkallelsen stryks ur beslutet",
        )


def current_action(item: AgendaItem) -> str:
    if Faststallelse.objects.filter(item=item).exists():
        return ADOPT
    if Faststallelse.objects.filter(withdrawn_by_item=item).exists():
        return WITHDRAW
    return ""


def record_document_decision(*, meeting: Styrelsemote, item: AgendaItem, action: str, by: User) -> None:
    """Called inside `minutes_save`'s transaction (the meeting is locked, `edit_minutes` checked):
    the item's decision adopts its document, withdraws an adoption of it, or neither."""
    access.require("manage_documents", by, meeting.forbund)
    item = AgendaItem.objects.select_related("meeting__forbund", "dokumentjobb").get(pk=item.pk)
    if action == current_action(item):
        if action == WITHDRAW:
            Faststallelse.objects.filter(withdrawn_by_item=item).update(
                withdrawal_reason=item.decision.strip()
            )
        return
    _undo(item, by)
    if action == ADOPT:
        _adopt(item, by)
    elif action == WITHDRAW:
        _withdraw(item, by)


# Publication ---------------------------------------------------------------------------------


def publish_when_justerat(meeting: Styrelsemote) -> None:
    """Once the minutes are justerade, the worker makes the fastställd editions of what they adopt
    (after the commit: the worker must see the justering)."""
    waiting = Faststallelse.objects.filter(
        item__meeting=meeting, published_file="", withdrawn_on__isnull=True
    )
    ids = list(waiting.values_list("pk", flat=True))

    def send() -> None:
        for pk in ids:
            try:
                broker.send(PUBLISH_TASK, args=[pk])
            except broker.BrokerUnavailable:
                logger.warning("Fastställelse %s kunde inte köas för publicering: kön svarar inte", pk)

    if ids:
        transaction.on_commit(send)


def publish(*, adoption_id: int) -> Faststallelse | None:
    """The worker's part: stamp the adoption line onto every page of the job's master and store it as
    the fastställd edition. Nothing happens before the minutes are justerade, or twice."""
    with transaction.atomic():
        adoption = (
            Faststallelse.objects.select_for_update(of=("self",))
            .select_related("forbund", "dokumentjobb", "item__meeting")
            .get(pk=adoption_id)
        )
        meeting = adoption.item.meeting
        justerat = meeting.status == MeetingStatus.JUSTERAT and adoption.item.paragraph is not None
        if adoption.published_file or not justerat:
            return None
        with adoption.dokumentjobb.master_file.open("rb") as handle:
            master = handle.read()
        edition = rendering.stamp_pages(master, adoption.adoption_line)
        adoption.published_file.save(adoption.filename, ContentFile(edition), save=False)
        adoption.published_checksum = hashlib.sha256(edition).hexdigest()
        adoption.published_at = timezone.now()
        adoption.save(update_fields=["published_file", "published_checksum", "published_at"])
        audit.event(
            forbund=adoption.forbund,
            actor=None,
            obj=adoption,
            description=f"{adoption} publicerad i arkivet ({adoption.adoption_line})",
        )
        return adoption


def publish_waiting() -> int:
    """Beat's sweep: publish what justerade minutes adopted but no worker has published yet (the
    broker was down at the justering, or the worker died). Runs in the worker itself."""
    waiting = Faststallelse.objects.filter(
        published_file="",
        withdrawn_on__isnull=True,
        item__meeting__status=MeetingStatus.JUSTERAT,
        item__paragraph__isnull=False,
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(waiting) if publish(adoption_id=pk) is not None)
