"""`manage.py check_personnummer`: finds personnummer and samordningsnummer already stored in the
texts of insatser, reports and their submitted versions, the förbund's documents and the board's
meetings. Prints each hit masked (never the whole number) and exits with 1 when there is any."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models

from finsam.personnummer import find_identity_numbers

# Each model with text someone wrote, and the way from it to its förbund.
SCANNED: list[tuple[str, str]] = [
    ("insatser.Insats", "forbund"),
    ("insatser.Goal", "insats__forbund"),
    ("insatser.Delprocess", "insats__forbund"),
    ("insatser.BudgetLine", "insats__forbund"),
    ("insatser.Signature", "insats__forbund"),
    ("insatser.Confirmation", "insats__forbund"),
    ("insatser.StatusChange", "insats__forbund"),
    ("insatser.Beslut", "insats__forbund"),
    ("insatser.Milestone", "insats__forbund"),
    ("insatser.Attachment", "insats__forbund"),
    ("uppfoljning.Tertialrapport", "period__forbund"),
    ("uppfoljning.GoalProgress", "report__period__forbund"),
    ("uppfoljning.ReportStatusChange", "report__period__forbund"),
    ("uppfoljning.Indikator", "forbund"),
    ("uppfoljning.PlannedActivity", "forbund"),
    ("uppfoljning.Verksamhetsplan", "forbund"),
    ("uppfoljning.Arsredovisning", "forbund"),
    ("uppfoljning.Ansvarsfrihet", "arsredovisning__forbund"),
    ("forbund.Styrelsemote", "forbund"),
    ("forbund.MeetingStatusChange", "meeting__forbund"),
    ("forbund.AgendaItem", "meeting__forbund"),
    ("forbund.AgendaAttachment", "item__meeting__forbund"),
    ("forbund.NoticeVersion", "meeting__forbund"),
    ("forbund.Delegationsbeslut", "forbund"),
    ("forbund.Rattelse", "meeting__forbund"),
    ("forbund.GroupMeeting", "arbetsgrupp__forbund"),
]
# Not prose: addresses and links, where a run of digits is an id rather than a person.
SKIPPED_FIELDS = frozenset({"recipients", "video_link", "email", "url", "evidence"})


@dataclass(frozen=True)
class Hit:
    model: str
    pk: int
    forbund: str
    field: str
    masked: str

    def __str__(self) -> str:
        return f"{self.model} {self.pk} ({self.forbund}), fält {self.field}: {self.masked}"


def _text_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.choices
        and field.name not in SKIPPED_FIELDS
    ]


def _strings(value, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a stored value, with where it stands (`snapshot.texts.deviations`)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def stored_identity_numbers(forbund_slug: str | None = None) -> Iterator[Hit]:
    for label, to_forbund in SCANNED:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        fields = _text_fields(model)
        rows = model.objects.order_by("pk")
        if forbund_slug:
            rows = rows.filter(**{f"{to_forbund}__slug": forbund_slug})
        for pk, forbund, *values in rows.values_list("pk", f"{to_forbund}__name", *fields).iterator():
            for name, value in zip(fields, values, strict=True):
                for path, text in _strings(value, name):
                    for match in find_identity_numbers(text):
                        yield Hit(model._meta.verbose_name, pk, forbund, path, match.masked)


class Command(BaseCommand):
    help = (
        "Letar efter personnummer och samordningsnummer i sparade texter (insatser, rapporter och "
        "deras inskickade versioner, dokument, möten). Visar bara maskerade nummer; avslutar med "
        "felkod 1 om något hittas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forbund", metavar="SLUG", help="Sök bara i ett förbund.")

    def handle(self, *args, forbund: str | None = None, **options):
        hits = 0
        for hit in stored_identity_numbers(forbund):
            self.stdout.write(str(hit))
            hits += 1
        if hits:
            raise CommandError(
                f"{hits} {'träff' if hits == 1 else 'träffar'} som ser ut som personnummer eller "
                "samordningsnummer. Ta bort uppgifterna om deltagare.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS("Inga personnummer hittades."))
