"""The audit trail: every service write says who, when, which record and the field values before
and after, in one `ActivityEvent` row. The förbund's *Logg* page reads these rows.

Services call `created`, `changed` or `deleted` with the record (and, for `changed`, the values
`values()` returned before the change); the workflow engine records transitions; logins, failed
logins and password changes are recorded from Django's auth signals (`forbund.apps`).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import models

from forbund.models import ActivityEvent

Kind = ActivityEvent.Kind

# Bookkeeping fields every change touches; listing them would hide what really changed.
IGNORED_FIELDS = frozenset({"id", "lock_version", "created_at", "updated_at", "password", "last_login"})


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def _display(instance: models.Model, field: models.Field) -> str:
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if field.is_relation:
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return ""
        related = getattr(instance, field.name)
        return str(related)
    value = getattr(instance, field.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, datetime.date | int):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return str(value)


def _decimal(value: Decimal) -> str:
    """As the pages show figures: grouped in thousands, decimals only where there are any (an
    amount of 500 000 kr reads "500 000", a share of 12,5 % reads "12,5")."""
    from django.utils.formats import number_format

    places = 0 if value == value.to_integral_value() else max(-value.normalize().as_tuple().exponent, 0)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def values(instance: models.Model) -> dict[str, tuple[str, str]]:
    """The record's field values as a reader sees them: name → (label, shown value)."""
    shown = {}
    for field in instance._meta.concrete_fields:
        if field.name in IGNORED_FIELDS:
            continue
        shown[field.name] = (str(field.verbose_name), _display(instance, field))
    return shown


def diff(before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]) -> list[Change]:
    changes = []
    for name, (label, new) in after.items():
        old = before.get(name, (label, ""))[1]
        if old != new:
            changes.append(Change(name, label, old, new))
    return changes


def _object_url(obj: models.Model | None) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url()
    except Exception:  # noqa: BLE001 - a record without an address is still logged
        return ""


def record(
    *,
    forbund,
    actor,
    kind: str,
    obj: models.Model | None = None,
    description: str = "",
    changes: list[Change] | None = None,
) -> ActivityEvent:
    from django.contrib.contenttypes.models import ContentType

    return ActivityEvent.objects.create(
        forbund=forbund,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        object_version=getattr(obj, "lock_version", None),
        url=_object_url(obj),
        description=(description or (str(obj) if obj is not None else ""))[:300],
        changes=[asdict(change) for change in changes or []],
    )


def created(*, forbund, actor, obj: models.Model, description: str = "") -> ActivityEvent:
    after = values(obj)
    changes = [Change(name, label, "", shown) for name, (label, shown) in after.items() if shown]
    noun = obj._meta.verbose_name
    return record(
        forbund=forbund,
        actor=actor,
        kind=Kind.CREATED,
        obj=obj,
        description=description or f"{noun.capitalize()} skapad: {obj}",
        changes=changes,
    )


def changed(
    *, forbund, actor, obj: models.Model, before: dict[str, tuple[str, str]], description: str = ""
) -> ActivityEvent:
    noun = obj._meta.verbose_name
    return record(
        forbund=forbund,
        actor=actor,
        kind=Kind.CHANGED,
        obj=obj,
        description=description or f"{noun.capitalize()} ändrad: {obj}",
        changes=diff(before, values(obj)),
    )


def deleted(*, forbund, actor, obj: models.Model, description: str = "") -> ActivityEvent:
    before = values(obj)
    changes = [Change(name, label, shown, "") for name, (label, shown) in before.items() if shown]
    noun = obj._meta.verbose_name
    event = record(
        forbund=forbund,
        actor=actor,
        kind=Kind.DELETED,
        obj=obj,
        description=description or f"{noun.capitalize()} borttagen: {obj}",
        changes=changes,
    )
    event.url = ""
    event.save(update_fields=["url"])
    return event


def event(*, forbund, actor, description: str, obj: models.Model | None = None) -> ActivityEvent:
    """Something that happened that is not a change of one record's fields (a notice sent, an
    import committed); prefer `created`/`changed`/`deleted` when it is."""
    return record(forbund=forbund, actor=actor, kind=Kind.EVENT, obj=obj, description=description)
