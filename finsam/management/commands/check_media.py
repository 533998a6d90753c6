"""Lists records whose stored file is gone, so they are found before a user gets the 404.

Every FileField on every model of the project's own apps is checked; a new model with a file is
covered without touching this command.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.utils.text import capfirst

from forbund.models import Forbund

PROJECT_ROOT = Path(settings.BASE_DIR).resolve()
MAX_FORBUND_DEPTH = 3


@dataclass(frozen=True)
class StoredFile:
    model: type[models.Model]
    field: models.FileField
    pk: int
    forbund: str
    name: str

    @property
    def description(self) -> str:
        meta = self.model._meta
        return (
            f"{capfirst(meta.verbose_name)} {self.pk} ({self.forbund}): fält {self.field.verbose_name}, "
            f"sökväg {self.name}"
        )


def project_file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """(model, field) for each FileField on a concrete model of this repository's apps (top-level
    packages beside manage.py; the virtualenv may live there too, so not "anything below it")."""
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != PROJECT_ROOT:  # not Django's or a library's
            continue
        for model in config.get_models():
            if model._meta.abstract or model._meta.proxy:
                continue
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    yield model, field


def forbund_path(model: type[models.Model]) -> str | None:
    """The shortest lookup from the model to its Forbund through foreign keys
    ("item__meeting__forbund"); users are not followed (who uploaded is not whose it is)."""
    if model is Forbund:
        return "pk"
    queue: list[tuple[type[models.Model], str]] = [(model, "")]
    for _ in range(MAX_FORBUND_DEPTH):
        next_queue = []
        for current, prefix in queue:
            for field in current._meta.concrete_fields:
                if not field.many_to_one or field.related_model is get_user_model():
                    continue
                if field.related_model is Forbund:
                    return f"{prefix}{field.name}"
                next_queue.append((field.related_model, f"{prefix}{field.name}__"))
        queue = next_queue
    return None


def stored_files(model: type[models.Model], field: models.FileField) -> Iterator[StoredFile]:
    path = forbund_path(model)
    columns = ["pk", field.name] + ([path] if path else [])
    records = model._base_manager.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
    forbund_names = dict(Forbund.objects.values_list("pk", "name"))
    for row in records.order_by("pk").values_list(*columns):
        forbund = forbund_names.get(row[2], "inget förbund") if path else "inget förbund"
        yield StoredFile(model=model, field=field, pk=row[0], forbund=forbund, name=row[1])


def files(count: int) -> str:
    return f"{count} fil" if count == 1 else f"{count} filer"


def all_present(count: int) -> str:
    if count == 0:
        return "Inga poster har filer."
    if count == 1:
        return f"Den enda filen finns i {settings.MEDIA_ROOT}."
    return f"Alla {count} filer finns i {settings.MEDIA_ROOT}."


def is_present(stored: StoredFile) -> bool:
    storage = stored.field.storage
    try:
        return os.path.isfile(storage.path(stored.name))
    except NotImplementedError:
        return storage.exists(stored.name)


class Command(BaseCommand):
    help = (
        "Listar poster vars fil saknas i MEDIA_ROOT (avslutar med felkod om någon saknas). "
        "Med --orphans listas även filer som ingen post hänvisar till."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Lista även filer i MEDIA_ROOT som ingen post hänvisar till.",
        )

    def handle(self, *args, orphans: bool = False, **options):
        checked = 0
        missing: list[StoredFile] = []
        referenced: set[str] = set()
        for model, field in project_file_fields():
            for stored in stored_files(model, field):
                checked += 1
                referenced.add(stored.name)
                if not is_present(stored):
                    missing.append(stored)
        if orphans:
            self._report_orphans(referenced)
        if missing:
            self.stdout.write(f"{len(missing)} av {checked} poster saknar sin fil i {settings.MEDIA_ROOT}:")
            for stored in missing:
                self.stdout.write(f"  {stored.description}")
            raise CommandError(f"{files(len(missing))} saknas.")
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(all_present(checked)))

    def _report_orphans(self, referenced: set[str]) -> None:
        media_root = Path(settings.MEDIA_ROOT)
        on_disk = (
            {path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file()}
            if media_root.is_dir()
            else set()
        )
        unreferenced = sorted(on_disk - referenced)
        if not unreferenced:
            self.stdout.write("Inga filer utan post i MEDIA_ROOT.")
            return
        self.stdout.write(f"{files(len(unreferenced))} i MEDIA_ROOT hör inte till någon post (för kännedom):")
        for name in unreferenced:
            self.stdout.write(f"  {name}")
