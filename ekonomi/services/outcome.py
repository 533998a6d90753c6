"""Writes for the outcome: invoices and their status, account mappings, and the ledger import.

Each checks the user's right through the access module, validates, runs in a transaction and
leaves a line in the förbund's activity log.
"""

from __future__ import annotations

import datetime
import posixpath
import uuid
from dataclasses import dataclass
from typing import IO

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from finsam import access
from forbund.models import Forbund, User
from forbund.services import activity_log

from ..ledger_format import parse_ledger
from ..models import AccountMapping, Invoice, LedgerEntry, LedgerImport, LockedPeriod
from ..selectors.outcome import ledger_problems, overlapping_imports

S = Invoice.Status

# The invoice workflow: (from, to) → what the step is called.
INVOICE_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.MOTTAGEN, S.ATTESTERAD): "attestera",
    (S.ATTESTERAD, S.BETALD): "markera som betald",
}
# Once attested, the amount and period are approved: a correction is a credit note.
INVOICE_EDITABLE = frozenset({S.MOTTAGEN})

STAGING_DIR = "huvudbok/tmp"
STAGING_SALT = "ekonomi.ledger-import"
STAGING_MAX_AGE = 24 * 60 * 60  # seconds


def _require(verdict: access.Verdict) -> None:
    if not verdict:
        raise PermissionDenied(verdict.reason)


# Invoices -----------------------------------------------------------------------------------------


def invoice_transitions_from(status: str) -> list[tuple[str, str]]:
    """(target, label) of the steps an invoice in `status` can take."""
    return [(target, label) for (source, target), label in INVOICE_TRANSITIONS.items() if source == status]


@transaction.atomic
def invoice_save(*, forbund: Forbund, by: User, invoice: Invoice) -> Invoice:
    """Register a received invoice, or correct one that is not yet attested."""
    _require(access.can_manage_economy(by, forbund))
    created = invoice.pk is None
    if created:
        invoice.status = S.MOTTAGEN
        invoice.attested_on = invoice.paid_on = None
    else:
        stored = Invoice.objects.select_for_update().get(pk=invoice.pk, forbund=forbund)
        if stored.status not in INVOICE_EDITABLE:
            raise ValidationError(
                f"Fakturan är {stored.get_status_display().lower()} och kan inte ändras; "
                "registrera en kreditfaktura om något behöver rättas."
            )
        invoice.status, invoice.attested_on, invoice.paid_on = stored.status, None, None
    invoice.forbund = forbund
    invoice.full_clean()
    invoice.save()
    verb = "Registrerade" if created else "Ändrade"
    kind = "kreditfakturan" if invoice.is_credit_note else "fakturan"
    activity_log(forbund=forbund, actor=by, description=f"{verb} {kind} {invoice} ({invoice.amount} kr)")
    return invoice


@transaction.atomic
def invoice_transition(*, invoice: Invoice, to: str, by: User, on: datetime.date | None = None) -> Invoice:
    """Take an invoice one step: mottagen → attesterad → betald, recording the step's date."""
    _require(access.can_manage_economy(by, invoice.forbund))
    invoice = Invoice.objects.select_for_update().select_related("insats", "forbund").get(pk=invoice.pk)
    label = INVOICE_TRANSITIONS.get((invoice.status, to))
    if label is None:
        target = S(to).label.lower() if to in S.values else to
        raise ValidationError(
            f"En faktura som är {invoice.get_status_display().lower()} kan inte bli {target}."
        )
    on = on or timezone.localdate()
    if on < invoice.received_on:
        raise ValidationError(f"Datumet kan inte vara före den dag fakturan kom in ({invoice.received_on}).")
    if to == S.ATTESTERAD:
        invoice.attested_on = on
    else:
        if on < invoice.attested_on:
            raise ValidationError(f"Datumet kan inte vara före attesten ({invoice.attested_on}).")
        invoice.paid_on = on
    invoice.status = to
    invoice.full_clean()
    invoice.save()
    activity_log(
        forbund=invoice.forbund,
        actor=by,
        description=f"Fakturan {invoice} är {invoice.get_status_display().lower()} {on:%Y-%m-%d}",
    )
    return invoice


# Account mappings ---------------------------------------------------------------------------------


@transaction.atomic
def account_mapping_save(*, forbund: Forbund, by: User, mapping: AccountMapping) -> AccountMapping:
    _require(access.can_manage_economy(by, forbund))
    mapping.forbund = forbund
    taken = AccountMapping.objects.filter(forbund=forbund, account=mapping.account).exclude(pk=mapping.pk)
    if taken.exists():
        raise ValidationError({"account": f"Konto {mapping.account} har redan en kontokoppling."})
    created = mapping.pk is None
    mapping.full_clean()
    mapping.save()
    verb = "Lade till" if created else "Ändrade"
    activity_log(forbund=forbund, actor=by, description=f"{verb} kontokopplingen {mapping}")
    return mapping


@transaction.atomic
def account_mapping_delete(*, mapping: AccountMapping, by: User) -> None:
    _require(access.can_manage_economy(by, mapping.forbund))
    activity_log(forbund=mapping.forbund, actor=by, description=f"Tog bort kontokopplingen {mapping}")
    mapping.delete()


# Ledger import ------------------------------------------------------------------------------------


@transaction.atomic
def ledger_import(*, forbund: Forbund, by: User, file: IO[bytes], filename: str) -> LedgerImport:
    """Import a huvudbok: all of it or nothing. The file is read and checked again here, whatever a
    preview said. Its entries are summed per account and month; an earlier import of the same months
    is replaced (its entries for those months are removed and it is marked replaced), so totals are
    never counted twice."""
    _require(access.can_manage_economy(by, forbund))
    # One import at a time per förbund, so two imports of the same months cannot both keep theirs.
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()
    parsed = parse_ledger(file)
    problems = ledger_problems(forbund, parsed)
    if problems:
        raise ValidationError([str(problem) for problem in problems])
    year, first, last = parsed.year, parsed.first_month, parsed.last_month

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
    new.full_clean()
    new.save()

    replaced = list(overlapping_imports(forbund, year, first, last).exclude(pk=new.pk))
    LedgerEntry.objects.filter(
        ledger_import__forbund=forbund, year=year, month__gte=first, month__lte=last
    ).exclude(ledger_import=new).delete()
    LedgerImport.objects.filter(pk__in=[earlier.pk for earlier in replaced]).update(replaced_by=new)

    LedgerEntry.objects.bulk_create(
        LedgerEntry(ledger_import=new, account=account, year=year, month=month, amount=amount)
        for (account, month), amount in parsed.totals().items()
        if amount
    )
    description = f"Läste in huvudboken {filename} för {year}, månad {first}–{last}"
    if replaced:
        description += f" (ersätter {len(replaced)} tidigare inläsning{'ar' if len(replaced) > 1 else ''})"
    activity_log(forbund=forbund, actor=by, description=description)
    return new


@dataclass(frozen=True)
class StagedLedger:
    """An uploaded file kept between the preview and the confirmation."""

    path: str
    filename: str


def ledger_stage(*, forbund: Forbund, by: User, file: IO[bytes], filename: str) -> str:
    """Keep an uploaded ledger in MEDIA until it is confirmed; returns a signed token naming it,
    which the confirm form carries (not the session)."""
    _require(access.can_manage_economy(by, forbund))
    file.seek(0)
    path = default_storage.save(f"{STAGING_DIR}/{uuid.uuid4().hex}.xlsx", File(file))
    return signing.dumps({"f": forbund.pk, "u": by.pk, "p": path, "n": filename}, salt=STAGING_SALT)


def ledger_staged(*, forbund: Forbund, by: User, token: str) -> StagedLedger:
    """The staged file a token names, if the token is genuine, recent, this förbund's and this
    user's, and the file is still there."""
    expired = ValidationError("Förhandsgranskningen har gått ut. Ladda upp filen igen.")
    try:
        data = signing.loads(token, salt=STAGING_SALT, max_age=STAGING_MAX_AGE)
    except signing.BadSignature as error:
        raise expired from error
    path = str(data.get("p", ""))
    if (
        data.get("f") != forbund.pk
        or data.get("u") != by.pk
        or posixpath.dirname(path) != STAGING_DIR
        or not default_storage.exists(path)
    ):
        raise expired
    return StagedLedger(path=path, filename=str(data.get("n") or "huvudbok.xlsx"))


def ledger_unstage(staged: StagedLedger) -> None:
    if default_storage.exists(staged.path):
        default_storage.delete(staged.path)


def ledger_import_staged(*, forbund: Forbund, by: User, token: str) -> LedgerImport:
    """Confirm a previewed import. The staged file is removed afterwards whether the import was saved
    or refused (a refused file must be fixed and uploaded again)."""
    staged = ledger_staged(forbund=forbund, by=by, token=token)
    try:
        with default_storage.open(staged.path, "rb") as file:
            return ledger_import(forbund=forbund, by=by, file=file, filename=staged.filename)
    finally:
        ledger_unstage(staged)


@transaction.atomic
def year_lock(*, forbund: Forbund, year: int, by: User) -> LockedPeriod:
    """Close a year's ledger (after the annual accounts): it can no longer be imported again.
    A closed year is never opened again here; a correction is made in the next year."""
    if not (verdict := access.can_manage_economy(by, forbund)):
        raise PermissionDenied(verdict.reason)
    if not LedgerImport.objects.filter(forbund=forbund, year=year).exists():
        raise ValidationError(f"Det finns ingen inläst huvudbok för {year} att låsa.")
    locked, created = LockedPeriod.objects.get_or_create(
        forbund=forbund, year=year, defaults={"locked_by": by}
    )
    if created:
        activity_log(forbund=forbund, actor=by, description=f"Låste huvudboken för {year}")
    return locked


def staged_ledgers_remove(*, older_than_seconds: int = STAGING_MAX_AGE) -> int:
    """Remove uploaded ledger files whose preview was abandoned: their token has expired anyway."""
    try:
        _, names = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    removed = 0
    for name in names:
        path = posixpath.join(STAGING_DIR, name)
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
