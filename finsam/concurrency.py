"""No lost updates, no double records.

Edit forms carry the `lock_version` of the record as it was when the form was opened
(`VersionedForm`); `save_edit` saves only if nobody has saved since, and otherwise refuses with a
Swedish message that lists what the other person changed (from the audit log), while the form
keeps what this person typed and now carries the current version, so a second save after reading
the message goes through.

Create forms carry a one-time token (`OnceForm`); `create_once` makes the record and remembers the
token in the same transaction, so a double click or a reload of the POST leads to the record the
first submit made instead of a second one or a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from finsam import audit
from forbund.models import ActivityEvent, SubmittedForm


class StaleEdit(ValidationError):
    """Someone else saved the record after this form was opened."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message, code="stale")
        self.current_version = current_version


def changes_since(obj: models.Model, version: int) -> list[ActivityEvent]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        ActivityEvent.objects.filter(
            content_type=content_type, object_id=str(obj.pk), object_version__gt=version
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


def stale_message(obj: models.Model, version: int) -> str:
    noun = obj._meta.verbose_name
    lines = []
    for event in changes_since(obj, version):
        who = str(event.actor) if event.actor else "Någon"
        when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
        fields = "; ".join(
            f"{change['label']}: ”{change['before']}” → ”{change['after']}”" for change in event.changes
        )
        lines.append(f"{who} {when}: {fields or event.description}")
    detail = " ".join(lines) if lines else "Ändringarna syns i loggen."
    return (
        f"Någon annan har sparat {noun} sedan du öppnade formuläret, så dina ändringar är inte sparade. "
        f"Det här ändrades: {detail} Det du skrev står kvar nedan: jämför och spara igen."
    )


def save_record(
    obj: models.Model,
    *,
    by,
    forbund,
    opened_version: int | None = None,
    check: Callable[[models.Model], None] | None = None,
    created: str = "",
    changed: str = "",
) -> models.Model:
    """Save a record a form made or edited: a new one is validated, saved and logged with its values
    (`created` describes it); an edited one goes through `save_edit` (`changed`)."""
    if obj.pk is not None:
        return save_edit(
            obj, by=by, forbund=forbund, opened_version=opened_version, check=check, description=changed
        )
    with transaction.atomic():
        obj.full_clean()
        obj.save()
        audit.created(forbund=forbund, actor=by, obj=obj, description=created)
    return obj


def lock_current(obj: models.Model, opened_version: int | None) -> models.Model:
    """The record's row, locked for this transaction; refused when it changed since `opened_version`."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if opened_version is not None and getattr(current, "lock_version", opened_version) != opened_version:
        raise StaleEdit(stale_message(current, opened_version), current_version=current.lock_version)
    return current


def save_edit(
    obj: models.Model,
    *,
    by,
    forbund,
    opened_version: int | None,
    check: Callable[[models.Model], None] | None = None,
    description: str = "",
) -> models.Model:
    """Save an edited record (a ModelForm's `save(commit=False)`): refuse a save over someone else's,
    let `check(current)` refuse by the record's state, validate, bump the version and record the
    values before and after."""
    with transaction.atomic():
        current = lock_current(obj, opened_version)
        if check is not None:
            check(current)
        before = audit.values(current)
        if hasattr(current, "lock_version"):
            obj.lock_version = current.lock_version + 1
        if hasattr(type(obj), "workflow"):
            obj.status = current.status  # a status changes only by a step, never by an edit form
        obj.full_clean()
        obj.save()
        audit.changed(forbund=forbund, actor=by, obj=obj, before=before, description=description)
    return obj


def bump(obj: models.Model) -> None:
    """Mark a record changed by a service that saves it field by field (inside its transaction)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(lock_version=models.F("lock_version") + 1)
    obj.lock_version = type(obj)._default_manager.values_list("lock_version", flat=True).get(pk=obj.pk)


def create_once(
    *, token: uuid.UUID | None, by, create: Callable[[], models.Model]
) -> tuple[models.Model, bool]:
    """Run `create()` once per form token. Returns (record, created): a repeated token returns the
    record the first submit made."""
    if token is None:
        return create(), True
    earlier = _earlier(token)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            obj = create()
            SubmittedForm.objects.create(
                token=token,
                user=by,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
            )
    except IntegrityError:
        earlier = _earlier(token)
        if earlier is None:
            raise
        return earlier, False
    return obj, True


def _earlier(token: uuid.UUID) -> models.Model | None:
    submitted = SubmittedForm.objects.filter(token=token).select_related("content_type").first()
    if submitted is None:
        return None
    return submitted.content_type.get_object_for_this_type(pk=submitted.object_id)


# Forms ----------------------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """Mixin for an edit form: carries the version of the record it was opened on."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None) or kwargs.get("instance")
        if instance is not None and instance.pk is not None:
            self.fields["opened_version"].initial = getattr(instance, "lock_version", None)

    @property
    def opened(self) -> int | None:
        return self.cleaned_data.get("opened_version") if hasattr(self, "cleaned_data") else None

    def show_stale(self, error: StaleEdit) -> None:
        """Keep what the user typed, say what changed, and let the next save go through."""
        self.add_error(None, error)
        data = self.data.copy()
        data[self.add_prefix("opened_version")] = str(error.current_version)
        self.data = data


class OnceForm(forms.Form):
    """Mixin for a create form: a one-time token so a double submit makes one record."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["form_token"].initial = uuid.uuid4()

    @property
    def token(self) -> uuid.UUID | None:
        return self.cleaned_data.get("form_token") if hasattr(self, "cleaned_data") else None
