"""Writes for the outcome: invoices and their workflow, account mappings, and the ledger import.

Each asks the access module (`access.require`), validates, runs in a transaction and records what it
changed in the audit trail. An invoice's status changes only through the invoice workflow
(`ekonomi.workflow`, mottagen → attesterad → betald).
"""

from __future__ import annotations

import datetime
import logging
import posixpath
import uuid
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from finsam import access, audit, broker, concurrency, workflow
from forbund import notifications, notifications_events
from forbund.models import Forbund, Role, User
from insatser.models import GRANTED_STATUSES, Insats

from ..ledger_format import OPENING_MONTH, LedgerSummary, parse_ledger
from ..models import (
    ATTEST_RULE_FIELDS,
    INVOICE_FIELDS,
    AccountMapping,
    EconomySettings,
    Invoice,
    LedgerEntry,
    LedgerImport,
    LedgerUpload,
    LockedPeriod,
)
from ..selectors.budget import economy_settings
from ..selectors.grants import granted_per_year, invoiced_in_year
from ..selectors.outcome import ZERO, ledger_problems, overlapping_imports

logger = logging.getLogger(__name__)

S = Invoice.Status

UPLOAD_MAX_AGE = 24 * 60 * 60  # seconds an unconfirmed upload is kept
UPLOAD_STALE_AFTER = datetime.timedelta(minutes=20)  # a read takes seconds; this one's worker died


# Invoices -----------------------------------------------------------------------------------------


def _invoice_words(invoice: Invoice) -> str:
    kind = "kreditfakturan" if invoice.is_credit_note else "fakturan"
    return f"{kind} {invoice} ({invoice.amount} kr)"


def _kr(amount) -> str:
    return f"{int(amount):,}".replace(",", "\u00a0").replace("-", "−") + "\u00a0kr"


def invoice_grant_problems(invoice: Invoice) -> dict[str, list[str]]:
    """Why an invoice cannot be taken against its insats's grant, per form field; empty when it can.

    - The insats must have been granted (beviljad, pågående, or ended with its last invoices still
      to come): an idea or an application has no money to invoice.
    - The period lies inside the insats's period, and within one calendar year, which must have a
      granted amount (the board grants per year).
    - The year's invoiced sum for the insats (credit notes subtracting) may pass the year's grant
      only with a recorded reason (`over_grant_reason`).
    - A supplier invoice number is registered once per insats.
    """
    insats = invoice.insats
    errors: dict[str, list[str]] = {}
    if invoice.number and (
        Invoice.objects.filter(insats=insats, number=invoice.number).exclude(pk=invoice.pk).exists()
    ):
        errors["number"] = [f"Fakturanummer {invoice.number} är redan registrerat för {insats}."]
    if insats.status not in GRANTED_STATUSES:
        errors["insats"] = [
            f"{insats} är {insats.get_status_display().lower()}. Fakturor tas bara emot för insatser "
            "som styrelsen har beviljat."
        ]
        return errors
    if not (insats.start and insats.end):
        errors["insats"] = [f"{insats} saknar start- eller slutdatum; ange insatsens period först."]
        return errors
    if invoice.period_start < insats.start or invoice.period_end > insats.end:
        errors["period_start"] = [
            f"Perioden måste ligga inom insatsens period, {insats.start:%Y-%m-%d}–{insats.end:%Y-%m-%d}."
        ]
        return errors
    year = invoice.period_start.year
    if invoice.period_end.year != year:
        errors["period_end"] = [
            "En faktura avser ett år i taget, eftersom medel beviljas per år. Dela upp den vid årsskiftet."
        ]
        return errors
    granted = granted_per_year(insats).get(year) or ZERO
    if not granted:
        errors["period_start"] = [f"{insats} har inga beviljade medel för {year}."]
        return errors
    if invoice.amount is not None and invoice.amount > 0:
        total = invoiced_in_year(insats, year, exclude=invoice.pk) + invoice.amount
        if total > granted and not invoice.over_grant_reason.strip():
            errors["over_grant_reason"] = [
                f"Fakturerat för {year} blir {_kr(total)}, {_kr(total - granted)} över beviljade "
                f"{_kr(granted)}. Skriv skälet om fakturan ska tas emot ändå."
            ]
    return errors


def _validate(invoice: Invoice) -> None:
    """The model's checks, then, with the insats locked, the grant's (which name the field of a
    duplicate supplier number), then the constraints for anything left."""
    invoice.full_clean(validate_constraints=False)
    _lock_insats(invoice)
    problems = invoice_grant_problems(invoice)
    if problems:
        raise ValidationError(problems)
    invoice.validate_constraints()


@transaction.atomic
def invoice_save(
    *, forbund: Forbund, by: User, invoice: Invoice, opened_version: int | None = None
) -> Invoice:
    """Register a received invoice, or correct one that is not yet attested. Only the registered
    fields are taken from `invoice`: a new invoice is always received (mottagen), and an existing
    one keeps its status and dates. Either is checked against the insats's grant
    (`invoice_grant_problems`), with the insats locked so that two invoices saved at once cannot
    together pass the grant unnoticed. A correction is refused with `StaleEdit` when someone saved
    the invoice after the form was opened on `opened_version`."""
    values = {name: getattr(invoice, name) for name in INVOICE_FIELDS}
    if invoice.pk is None:
        access.require("manage_economy", by, forbund)
        created = Invoice(forbund=forbund, registered_by=by, **values)
        _validate(created)
        created.save()
        audit.created(
            forbund=forbund, actor=by, obj=created, description=f"Registrerade {_invoice_words(created)}"
        )
        notifications_events.invoice_registered(created, by=by)
        return created
    current = Invoice.objects.select_for_update().get(pk=invoice.pk, forbund=forbund)
    access.require("edit_invoice", by, current)
    concurrency.lock_current(current, opened_version)
    before = audit.values(current)
    for name, value in values.items():
        setattr(current, name, value)
    current.lock_version += 1
    _validate(current)
    current.save()
    audit.changed(
        forbund=forbund,
        actor=by,
        obj=current,
        before=before,
        description=f"Ändrade {_invoice_words(current)}",
    )
    return current


def _lock_insats(invoice: Invoice) -> None:
    """One invoice at a time per insats, so the year's sum is read as it will stand."""
    invoice.insats = Insats.objects.select_for_update().get(pk=invoice.insats_id)


@transaction.atomic
def rekvisition_submit(*, forbund: Forbund, by: User, invoice: Invoice) -> Invoice:
    """A projektägare's request for payment (rekvisition) for their own granted insats: registered
    by them as a received invoice awaiting attest, under the same grant rules as any invoice, and
    the förbund's ekonom (or, without one, its samordnare) is notified to attest it."""
    access.require("submit_rekvisition", by, forbund, invoice.insats)
    values = {name: getattr(invoice, name) for name in INVOICE_FIELDS}
    values.update(is_credit_note=False, received_on=timezone.localdate())
    created = Invoice(forbund=forbund, registered_by=by, is_rekvisition=True, **values)
    _validate(created)
    created.save()
    audit.created(
        forbund=forbund,
        actor=by,
        obj=created,
        description=f"Skickade rekvisitionen {created} ({created.amount} kr)",
    )
    notifications.notify(
        kind="invoice_attest",
        forbund=forbund,
        recipients=_attesters(forbund),
        title=f"Rekvisition att attestera: {created.insats}, {_kr(created.amount)}",
        url=created.get_absolute_url(),
        body=(
            f"{created.insats.owner} har skickat en rekvisition för {created.insats}, perioden "
            f"{created.period_start:%Y-%m-%d}–{created.period_end:%Y-%m-%d}, på {_kr(created.amount)}."
        ),
        actor=by,
    )
    return created


def _attesters(forbund: Forbund) -> list[User]:
    """Who is told that a rekvisition waits: the ekonomer, or the samordnare where there is none."""
    for kind in (Role.Kind.EKONOM, Role.Kind.SAMORDNARE):
        users = list(notifications_events.holders(forbund, kind))
        if users:
            return users
    return []


@transaction.atomic
def attest_rules_save(*, forbund: Forbund, by: User, rules: EconomySettings) -> EconomySettings:
    """Change the förbund's attest rules (who attests, whether the registrar may attest, whether the
    attester may also pay)."""
    access.require("manage_attest_rules", by, forbund)
    current = economy_settings(forbund)
    current = EconomySettings.objects.select_for_update().get(pk=current.pk)
    before = audit.values(current)
    for name in ATTEST_RULE_FIELDS:
        setattr(current, name, getattr(rules, name))
    if not current.attest_roles:
        raise ValidationError("Minst en roll måste få attestera fakturor.")
    current.full_clean()
    current.save()
    audit.changed(forbund=forbund, actor=by, obj=current, before=before, description="Ändrade attestreglerna")
    return current


@transaction.atomic
def invoice_transition(*, invoice: Invoice, to: str, by: User, on: datetime.date | None = None) -> Invoice:
    """Take an invoice one step of its workflow, mottagen → attesterad → betald, recording the step's
    date (today unless `on` says otherwise), which can be neither before the invoice came in nor
    before its attest."""
    invoice = Invoice.objects.select_for_update().select_related("insats", "forbund").get(pk=invoice.pk)
    access.require("transition", by, invoice, to)
    on = on or timezone.localdate()
    if on < invoice.received_on:
        raise ValidationError(f"Datumet kan inte vara före den dag fakturan kom in ({invoice.received_on}).")
    if to == S.BETALD and invoice.attested_on and on < invoice.attested_on:
        raise ValidationError(f"Datumet kan inte vara före attesten ({invoice.attested_on}).")
    day, person = {S.ATTESTERAD: ("attested_on", "attested_by"), S.BETALD: ("paid_on", "paid_by")}[to]
    workflow.transition(invoice, to=to, by=by, changes={day: on, person: by})
    return invoice


# Account mappings ---------------------------------------------------------------------------------


@transaction.atomic
def account_mapping_save(*, forbund: Forbund, by: User, mapping: AccountMapping) -> AccountMapping:
    access.require("manage_economy", by, forbund)
    mapping.forbund = forbund
    taken = AccountMapping.objects.filter(forbund=forbund, account=mapping.account).exclude(pk=mapping.pk)
    if taken.exists():
        raise ValidationError({"account": f"Konto {mapping.account} har redan en kontokoppling."})
    return concurrency.save_record(
        mapping,
        by=by,
        forbund=forbund,
        created=f"Lade till kontokopplingen {mapping}",
        changed=f"Ändrade kontokopplingen {mapping}",
    )


@transaction.atomic
def account_mapping_delete(*, mapping: AccountMapping, by: User) -> None:
    access.require("manage_economy", by, mapping.forbund)
    audit.deleted(
        forbund=mapping.forbund, actor=by, obj=mapping, description=f"Tog bort kontokopplingen {mapping}"
    )
    mapping.delete()


# Ledger import ------------------------------------------------------------------------------------


def ledger_import(*, forbund: Forbund, by: User, file: IO[bytes], filename: str) -> LedgerImport:
    """Read and import a huvudbok in one go (the demo loader and scripts; pages go through an
    upload that the worker reads, `ledger_upload_start`)."""
    access.require("manage_economy", by, forbund)
    summary = parse_ledger(file).summary()
    return _ledger_import_checked(forbund=forbund, by=by, summary=summary, file=file, filename=filename)


def _ledger_import_checked(
    *, forbund: Forbund, by: User, summary: LedgerSummary, file: IO[bytes], filename: str
) -> LedgerImport:
    """Import a read huvudbok: all of it or nothing. Its problems are checked again here, whatever a
    preview said (a mapping may have gone, the year may have been locked). Its entries are summed per
    account and month; an earlier import of the same months is replaced (its entries for those months
    are removed and it is marked replaced), so totals are never counted twice. Should anything fail
    after the first write, the transaction leaves no import, entry or replacement behind, and the
    stored copy of the file is removed too."""
    stored: list[str] = []
    try:
        return _ledger_import(
            forbund=forbund, by=by, summary=summary, file=file, filename=filename, stored=stored
        )
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def _ledger_import(
    *, forbund: Forbund, by: User, summary: LedgerSummary, file: IO[bytes], filename: str, stored: list[str]
) -> LedgerImport:
    # One import at a time per förbund, so two imports of the same months cannot both keep theirs.
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    problems = ledger_problems(forbund, summary)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    year, first, last = summary.year, summary.first_month, summary.last_month

    new = LedgerImport(
        forbund=forbund,
        year=year,
        first_month=first,
        last_month=last,
        filename=filename[:200],
        imported_by=by,
    )
    file.seek(0)
    new.file.save(posixpath.basename(filename) or "huvudbok.xlsx", File(file), save=False)
    stored.append(new.file.name)
    new.full_clean()
    new.save()

    replaced = list(overlapping_imports(forbund, year, first, last).exclude(pk=new.pk))
    replaced_months = Q(month__gte=first, month__lte=last)
    if first == 1:  # a file from January brings the year's opening balances (month 0) too
        replaced_months |= Q(month=OPENING_MONTH)
    LedgerEntry.objects.filter(replaced_months, ledger_import__forbund=forbund, year=year).exclude(
        ledger_import=new
    ).delete()
    LedgerImport.objects.filter(pk__in=[earlier.pk for earlier in replaced]).update(replaced_by=new)

    entries = LedgerEntry.objects.bulk_create(
        LedgerEntry(ledger_import=new, account=account, year=year, month=month, amount=amount)
        for (account, month), amount in summary.totals().items()
        if amount
    )
    description = (
        f"Läste in huvudboken {filename} för {year}, månad {first}–{last}: "
        f"{len(entries)} post{'er' if len(entries) != 1 else ''}"
    )
    if replaced:
        description += f" (ersätter {len(replaced)} tidigare inläsning{'ar' if len(replaced) > 1 else ''})"
    audit.event(forbund=forbund, actor=by, description=description, obj=new)
    return new


# Ledger uploads: read by the worker, previewed, then confirmed ------------------------------------

U = LedgerUpload.Status
PARSE_TASK = "ekonomi.tasks.parse_ledger_upload"
EXPIRED = "Förhandsgranskningen har gått ut. Ladda upp filen igen."


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def ledger_upload_start(
    *, forbund: Forbund, by: User, file: IO[bytes], filename: str, rows_total: int = 0
) -> LedgerUpload:
    """Keep an uploaded (and already checked, see `finsam.uploads.check_spreadsheet`) huvudbok and
    queue it for the worker. Nothing is kept when the broker cannot be reached: `BrokerUnavailable`
    rolls the row back and the stored file is removed."""
    access.require("manage_economy", by, forbund)
    stored: list[str] = []
    try:
        return _ledger_upload_start(
            forbund=forbund, by=by, file=file, filename=filename, rows_total=rows_total, stored=stored
        )
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


@transaction.atomic
def _ledger_upload_start(
    *, forbund: Forbund, by: User, file: IO[bytes], filename: str, rows_total: int, stored: list[str]
) -> LedgerUpload:
    upload = LedgerUpload(
        forbund=forbund,
        uploaded_by=by,
        filename=posixpath.basename(filename)[:200] or "huvudbok.xlsx",
        rows_total=rows_total,
        progress="Väntar på att läsas",
    )
    file.seek(0)
    upload.file.save(f"{uuid.uuid4().hex}.xlsx", File(file), save=False)
    stored.append(upload.file.name)
    upload.full_clean()
    upload.save()
    broker.send(PARSE_TASK, args=[upload.pk])
    return upload


def _claim_upload(upload_id: int) -> LedgerUpload | None:
    """Take a queued upload for reading; None when it is read already. Raises DoesNotExist while the
    request that queued it has not committed yet (the task retries)."""
    with transaction.atomic():
        upload = LedgerUpload.objects.select_for_update().get(pk=upload_id)
        if upload.status != U.I_KO:
            return None
        LedgerUpload.objects.filter(pk=upload.pk).update(
            status=U.PAGAR, started_at=timezone.now(), progress="Öppnar filen"
        )
    upload.refresh_from_db()
    return upload


def ledger_upload_parse(*, upload_id: int) -> LedgerUpload | None:
    """Read an upload (called by the worker), reporting the row it has reached. Ends klar with the
    summary and every row error, or misslyckad with a Swedish reason; never left running."""
    upload = _claim_upload(upload_id)
    if upload is None:
        return None
    of_total = f" av {_count(upload.rows_total)}" if upload.rows_total else ""

    def progress(row: int) -> None:
        LedgerUpload.objects.filter(pk=upload.pk).update(
            rows_read=row, progress=f"Läser rad {_count(row)}{of_total}"
        )

    try:
        with upload.file.open("rb") as file:
            parsed = parse_ledger(file, progress=progress)
        summary = parsed.summary()
    except Exception:
        logger.exception("Uppladdad huvudbok %s gick inte att läsa", upload.pk)
        LedgerUpload.objects.filter(pk=upload.pk).update(
            status=U.MISSLYCKAD,
            progress="",
            finished_at=timezone.now(),
            error="Filen kunde inte läsas. Kontrollera att det är en huvudbok sparad som .xlsx och "
            "ladda upp den igen.",
        )
    else:
        LedgerUpload.objects.filter(pk=upload.pk).update(
            status=U.KLAR,
            progress="",
            rows_read=upload.rows_total or summary.line_count,
            summary=summary.as_json(),
            errors=[error.as_json() for error in summary.errors],
            finished_at=timezone.now(),
        )
    upload.refresh_from_db()
    return upload


def ledger_upload_summary(upload: LedgerUpload) -> LedgerSummary:
    return LedgerSummary.from_json(upload.summary, upload.errors)


def ledger_upload_import(*, forbund: Forbund, by: User, upload_id: int) -> LedgerImport:
    """Confirm a previewed upload: import it whole or not at all. The upload is gone afterwards
    whether the import was saved or refused (a refused file must be fixed and uploaded again)."""
    access.require("manage_economy", by, forbund)
    try:
        with transaction.atomic():
            upload = (
                LedgerUpload.objects.select_for_update()
                .filter(forbund=forbund, pk=upload_id, status=U.KLAR)
                .first()
            )
            if upload is None:
                raise ValidationError(EXPIRED)
            with upload.file.open("rb") as file:
                imported = _ledger_import_checked(
                    forbund=forbund,
                    by=by,
                    summary=ledger_upload_summary(upload),
                    file=file,
                    filename=upload.filename,
                )
            _upload_delete(upload)
            return imported
    except ValidationError:
        ledger_upload_discard(forbund=forbund, by=by, upload_id=upload_id)
        raise


def ledger_upload_discard(*, forbund: Forbund, by: User, upload_id: int) -> None:
    access.require("manage_economy", by, forbund)
    with transaction.atomic():
        upload = LedgerUpload.objects.select_for_update().filter(forbund=forbund, pk=upload_id).first()
        if upload is not None:
            _upload_delete(upload)


def _upload_delete(upload: LedgerUpload) -> None:
    name = upload.file.name
    upload.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def year_lock(*, forbund: Forbund, year: int, by: User) -> LockedPeriod:
    """Close a year's ledger (after the annual accounts): it can no longer be imported again.
    A closed year is never opened again here; a correction is made in the next year."""
    access.require("manage_economy", by, forbund)
    if not LedgerImport.objects.filter(forbund=forbund, year=year).exists():
        raise ValidationError(f"Det finns ingen inläst huvudbok för {year} att låsa.")
    locked, created = LockedPeriod.objects.get_or_create(
        forbund=forbund, year=year, defaults={"locked_by": by}
    )
    if created:
        audit.created(forbund=forbund, actor=by, obj=locked, description=f"Låste huvudboken för {year}")
    return locked


def ledger_uploads_remove(*, older_than_seconds: int = UPLOAD_MAX_AGE, now=None) -> int:
    """Remove uploads whose preview was abandoned, with their files, and end as misslyckad the
    uploads a worker took and never finished (it died), so no page waits for them forever."""
    now = now or timezone.now()
    LedgerUpload.objects.filter(status__in=[U.I_KO, U.PAGAR], created_at__lt=now - UPLOAD_STALE_AFTER).update(
        status=U.MISSLYCKAD,
        progress="",
        finished_at=now,
        error="Läsningen av filen avbröts. Ladda upp den igen.",
    )
    removed = 0
    cutoff = now - datetime.timedelta(seconds=older_than_seconds)
    for upload in LedgerUpload.objects.filter(created_at__lt=cutoff):
        with transaction.atomic():
            _upload_delete(upload)
        removed += 1
    return removed
