"""What the Django admin may do with the förbund's records. A platform administrator sets up a
förbund, its accounts and roles here; the records of the public body itself (insatser, meetings,
budgets, invoices) are changed only in the app, where the rules, the workflows and the log apply,
so the admin shows them read-only. What the admin does change is logged like any other write."""

from __future__ import annotations

from django.contrib import admin

from finsam import audit


def _forbund_of(obj):
    return getattr(obj, "forbund", None) if getattr(obj, "forbund_id", None) else None


class ReadOnlyAdmin(admin.ModelAdmin):
    """A public record seen in the admin: never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def record_admin_save(request, obj, *, created: bool, before=None) -> None:
    what = "lades till" if created else "ändrades"
    description = f"{obj._meta.verbose_name.capitalize()} {what} i administrationen: {obj}"
    forbund = _forbund_of(obj)
    if created:
        audit.created(forbund=forbund, actor=request.user, obj=obj, description=description)
    else:
        audit.changed(forbund=forbund, actor=request.user, obj=obj, before=before, description=description)


def record_admin_delete(request, obj) -> None:
    description = f"{obj._meta.verbose_name.capitalize()} togs bort i administrationen: {obj}"
    audit.deleted(forbund=_forbund_of(obj), actor=request.user, obj=obj, description=description)


class AuditedAdmin:
    """Mixin for an admin whose saves and deletes are in the log with the values before and after."""

    def save_model(self, request, obj, form, change):
        before = audit.values(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_admin_save(request, obj, created=not change, before=before)

    def delete_model(self, request, obj):
        record_admin_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_admin_delete(request, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a user's roles) are logged one by one."""
        stored = [f for f in formset.forms if f.instance.pk]
        for row in stored:
            if formset.can_delete and formset._should_delete_form(row):
                record_admin_delete(request, row.instance)
        befores = {
            row.instance.pk: audit.values(type(row.instance)._default_manager.get(pk=row.instance.pk))
            for row in stored
            if row.has_changed()
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_admin_save(request, obj, created=True)
        for obj, _fields in formset.changed_objects:
            record_admin_save(request, obj, created=False, before=befores.get(obj.pk))
