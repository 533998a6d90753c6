"""Importing a new förbund's existing insatser and board from the Excel template: the file is read
(`template_format`), checked against the förbund (members by name, what exists already), previewed
and imported on confirmation, all of it or nothing, in one transaction.

Importing the same file twice creates nothing twice: an insats whose name the förbund has, or a
board assignment it has (same person, member, role and start), is refused with its row, so the user
sees which rows are already in and removes them from the file."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from finsam import access, audit, money, workflow
from insatser.models import Beslut, GrantedAmount, Insats

from .. import generation
from ..models import Forbund, Medlem, Person, Styrelseuppdrag, Uppstart, Uppstartsimport, User
from . import template_format as fmt
from .template_format import RowError

EXPIRED = "Förhandsgranskningen finns inte längre. Ladda upp filen igen."
DECIDED_BEFORE = "före finsam"  # the legacy § of a grant decided before the förbund used finsam


@dataclass
class Preview:
    """What confirming the import would create, and every problem that stops it."""

    insatser: list[dict] = field(default_factory=list)
    styrelse: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.insatser or self.styrelse)

    def errors_by_sheet(self) -> list[tuple[str, list[str]]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for error in self.errors:
            grouped[error.sheet].append(str(error))
        return [(sheet or "Filen", grouped[sheet]) for sheet in ["", *fmt.COLUMNS] if sheet in grouped]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _members(forbund: Forbund) -> dict[str, Medlem]:
    return {medlem.name.lower(): medlem for medlem in Medlem.objects.filter(forbund=forbund)}


def _unknown_member(name: str, members: dict[str, Medlem]) -> str:
    listed = (
        ", ".join(sorted(medlem.name for medlem in members.values())) or "förbundet har inga medlemmar än"
    )
    return f"”{name}” är inte en medlem i förbundet (medlemmar: {listed})."


def preview(forbund: Forbund, parsed: fmt.ParsedFile) -> Preview:
    """Check the rows read against the förbund as it is now."""
    result = Preview(errors=list(parsed.errors))
    members = _members(forbund)
    existing = {
        name.lower() for name in Insats.objects.filter(forbund=forbund).values_list("name", flat=True)
    }
    grants: dict[str, list[dict]] = defaultdict(list)
    for grant in parsed.beviljat:
        if not grant["invalid"]:
            grants[grant["insats"].lower()].append(grant)

    for row in parsed.insatser:
        problems = []
        place = {"sheet": fmt.INSATSER, "row": row["row"]}
        owner = members.get(row["owner"].lower()) if row["owner"] else None
        if row["owner"] and owner is None:
            problems.append(
                RowError(_unknown_member(row["owner"], members), column=row["columns"]["owner"], **place)
            )
        if row["name"] and row["name"].lower() in existing:
            problems.append(
                RowError(
                    f"insatsen ”{row['name']}” finns redan i förbundet och läses inte in igen.",
                    column=row["columns"]["name"],
                    **place,
                )
            )
        result.errors.extend(problems)
        amounts = {grant["year"]: Decimal(grant["amount"]) for grant in grants[(row["name"] or "").lower()]}
        result.insatser.append(
            {
                **row,
                "owner_medlem": owner,
                "amounts": dict(sorted(amounts.items())),
                "granted": money.total(amounts.values()) if amounts else None,
            }
        )

    people = _people(forbund)
    held = {
        (name.lower(), medlem_id, role, start)
        for name, medlem_id, role, start in Styrelseuppdrag.objects.filter(forbund=forbund).values_list(
            "person__name", "medlem_id", "role", "start"
        )
    }
    for row in parsed.styrelse:
        place = {"sheet": fmt.STYRELSE, "row": row["row"]}
        medlem = members.get(row["medlem"].lower()) if row["medlem"] else None
        if row["medlem"] and medlem is None:
            result.errors.append(
                RowError(_unknown_member(row["medlem"], members), column=row["columns"]["medlem"], **place)
            )
        elif medlem is not None and row["start"] and row["role"] and row["name"]:
            start = _date(row["start"])
            role_label = Styrelseuppdrag.Role(row["role"]).label.lower()
            if (row["name"].lower(), medlem.pk, row["role"], start) in held:
                result.errors.append(
                    RowError(
                        f"{row['name']} är redan {role_label} för {medlem} från {row['start']} "
                        "och läses inte in igen.",
                        column=row["columns"]["name"],
                        **place,
                    )
                )
            elif not medlem.is_member_on(start):
                joined = f"{medlem.joined:%Y-%m-%d}" + (f"–{medlem.left:%Y-%m-%d}" if medlem.left else "")
                result.errors.append(
                    RowError(
                        f"uppdraget måste börja medan {medlem} är medlem ({joined}).",
                        column=row["columns"]["start"],
                        **place,
                    )
                )
        person = _person_for(row, people) if row["name"] else None
        result.styrelse.append({**row, "medlem_obj": medlem, "existing_person": person})
    result.errors.sort(key=fmt.error_order)
    return result


def _people(forbund: Forbund) -> dict[str, Person]:
    """The förbund's persons by e-mail and by name, so a board member who is already a contact (or on
    two rows, for two periods) is one person."""
    found: dict[str, Person] = {}
    for person in Person.objects.filter(forbund=forbund).order_by("pk"):
        if person.email:
            found.setdefault(f"e:{person.email.lower()}", person)
        found.setdefault(f"n:{person.name.lower()}", person)
    return found


def _person_for(row: dict, people: dict[str, Person]) -> Person | None:
    if row.get("email"):
        return people.get(f"e:{row['email'].lower()}")
    return people.get(f"n:{row['name'].lower()}")


# Uploading, confirming, discarding ------------------------------------------------------------------


@transaction.atomic
def import_upload(*, forbund: Forbund, by: User, file: IO[bytes], filename: str) -> Uppstartsimport:
    """Read an uploaded (already checked, `finsam.uploads`) template and keep what it says for the
    preview. Nothing of the förbund changes until the import is confirmed."""
    access.require("set_up_forbund", by, forbund)
    file.seek(0)
    parsed = fmt.parse_file(file)
    upload = Uppstartsimport(
        forbund=forbund,
        filename=(filename or "import.xlsx")[:200],
        rows={**parsed.as_json(), "errors": [error.as_json() for error in parsed.errors]},
        uploaded_by=by,
    )
    upload.full_clean()
    upload.save()
    return upload


def parsed_of(upload: Uppstartsimport) -> fmt.ParsedFile:
    parsed = fmt.ParsedFile.from_json(upload.rows)
    parsed.errors = [RowError.from_json(error) for error in upload.rows.get("errors", [])]
    return parsed


def import_discard(*, forbund: Forbund, by: User, upload_id: int) -> None:
    access.require("set_up_forbund", by, forbund)
    Uppstartsimport.objects.filter(
        forbund=forbund, pk=upload_id, status=Uppstartsimport.Status.GRANSKAS
    ).update(status=Uppstartsimport.Status.AVBRUTEN, finished_at=timezone.now())


@dataclass(frozen=True)
class Imported:
    insatser: int
    uppdrag: int
    persons: int

    def __str__(self) -> str:
        parts = [
            f"{self.insatser} insats{'er' if self.insatser != 1 else ''}",
            f"{self.uppdrag} styrelseuppdrag",
        ]
        if self.persons:
            many = self.persons != 1
            parts.append(f"{self.persons} ny{'a' if many else ''} person{'er' if many else ''}")
        return ", ".join(parts)


@transaction.atomic
def import_confirm(*, forbund: Forbund, by: User, upload_id: int) -> Imported:
    """Import a previewed file: every row or none. The rows are checked again against the förbund as it
    is now (another import may have run since the preview); any problem refuses the whole file."""
    access.require("set_up_forbund", by, forbund)
    Forbund.objects.select_for_update().filter(pk=forbund.pk).first()  # one import at a time
    generation.invalidate(forbund)
    upload = (
        Uppstartsimport.objects.select_for_update()
        .filter(forbund=forbund, pk=upload_id, status=Uppstartsimport.Status.GRANSKAS)
        .first()
    )
    if upload is None:
        raise ValidationError(EXPIRED)
    checked = preview(forbund, parsed_of(upload))
    if checked.errors:
        raise ValidationError([str(error) for error in checked.errors])
    if not checked.ok:
        raise ValidationError("Filen har inga rader att läsa in.")

    for row in checked.insatser:
        _insats_create(forbund=forbund, by=by, row=row, filename=upload.filename)
    people = _people(forbund)
    new_people = 0
    for row in checked.styrelse:
        person = _person_for(row, people)
        if person is None:
            person = Person(
                forbund=forbund, name=row["name"], email=row["email"] or "", medlem=row["medlem_obj"]
            )
            _save(
                person,
                by=by,
                forbund=forbund,
                description=f"Läste in personen {person} från {upload.filename}",
            )
            new_people += 1
            if person.email:
                people[f"e:{person.email.lower()}"] = person
            people[f"n:{person.name.lower()}"] = person
        uppdrag = Styrelseuppdrag(
            forbund=forbund,
            person=person,
            medlem=row["medlem_obj"],
            role=row["role"],
            presidium=row["presidium"],
            start=_date(row["start"]),
            end=_date(row["end"]),
        )
        _save(uppdrag, by=by, forbund=forbund, description=f"Läste in styrelseuppdraget {uppdrag}", row=row)

    imported = Imported(insatser=len(checked.insatser), uppdrag=len(checked.styrelse), persons=new_people)
    upload.status = Uppstartsimport.Status.INLAST
    upload.finished_at = timezone.now()
    upload.summary = str(imported)[:300]
    upload.save(update_fields=["status", "finished_at", "summary"])
    audit.event(forbund=forbund, actor=by, obj=upload, description=f"Läste in {upload.filename}: {imported}")
    setup = Uppstart.objects.filter(forbund=forbund).first()
    if setup is not None and Uppstart.Step.IMPORT not in setup.steps_done:
        setup.steps_done = [*setup.steps_done, Uppstart.Step.IMPORT]
        setup.save(update_fields=["steps_done"])
    return imported


def _save(obj, *, by: User, forbund: Forbund, description: str, row: dict | None = None) -> None:
    """Validate and save one new record; a model error (should the checks above have missed one)
    still names the file's row."""
    try:
        obj.full_clean()
    except ValidationError as error:
        if row is None:
            raise
        raise ValidationError([f"Rad {row['row']}: {message}" for message in error.messages]) from error
    obj.save()
    audit.created(forbund=forbund, actor=by, obj=obj, description=description)


def _insats_create(*, forbund: Forbund, by: User, row: dict, filename: str) -> Insats:
    """An insats as it stands, in the state the file gives, with its first history row; a granted one
    with the board's decision and the amounts per year."""
    insats = Insats(
        forbund=forbund,
        name=row["name"],
        owner=row["owner_medlem"],
        kind=row["kind"],
        status=row["status"],
        start=_date(row["start"]),
        end=_date(row["end"]),
        description=row["description"] or "",
    )
    _save(insats, by=by, forbund=forbund, description=f"Läste in insatsen {insats} från {filename}", row=row)
    workflow.begin(insats, by=by)
    if row["status"] in fmt.GRANTED_STATUSES:
        beslut = Beslut(
            insats=insats,
            outcome=Beslut.Outcome.BEVILJAD,
            decided_on=_date(row["decided_on"]),
            paragraph=DECIDED_BEFORE,
            motivation=f"Beviljad innan förbundet började använda finsam; inläst från {filename}.",
            recorded_by=by,
        )
        _save(beslut, by=by, forbund=forbund, description=f"Läste in beslutet om {insats}: {beslut}", row=row)
        GrantedAmount.objects.bulk_create(
            GrantedAmount(beslut=beslut, year=year, amount=amount) for year, amount in row["amounts"].items()
        )
    return insats
