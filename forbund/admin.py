from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from finsam.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline

from .models import (
    ActivityEvent,
    Arbetsgrupp,
    Forbund,
    Forhinder,
    GroupMembership,
    Inkallelse,
    Invitation,
    Kansliuppdrag,
    Medlem,
    MembershipEvent,
    Notification,
    Person,
    PlatformAdministrator,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
    WorkingAgePopulation,
)


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["forbund"]


@admin.register(User)
class FinsamUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [RoleInline]


@admin.register(Forbund)
class ForbundAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "organisationsnummer", "bildat"]
    search_fields = ["name", "organisationsnummer"]
    prepopulated_fields = {"slug": ["name"]}


class ScopedAdmin(AuditedAdmin, admin.ModelAdmin):
    list_filter = ["forbund"]
    list_select_related = ["forbund"]


@admin.register(Medlem)
class MedlemAdmin(ScopedAdmin):
    list_display = ["name", "kind", "forbund", "joined", "left"]
    search_fields = ["name"]


@admin.register(WorkingAgePopulation)
class WorkingAgePopulationAdmin(ScopedAdmin):
    list_display = ["kommun", "year", "count", "forbund"]


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["name", "title", "medlem", "email", "forbund"]
    search_fields = ["name", "email"]


@admin.register(Styrelseuppdrag)
class StyrelseuppdragAdmin(ScopedAdmin):
    list_display = ["person", "role", "presidium", "medlem", "start", "end", "forbund"]


@admin.register(Kansliuppdrag)
class KansliuppdragAdmin(ScopedAdmin):
    list_display = ["person", "role", "employer", "employer_name", "share_percent", "start", "end"]


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    extra = 0


@admin.register(Arbetsgrupp)
class ArbetsgruppAdmin(ScopedAdmin):
    list_display = ["name", "kind", "insats", "forbund"]
    inlines = [GroupMembershipInline]


@admin.register(Styrelsemote)
class StyrelsemoteAdmin(ReadOnlyAdmin):
    list_filter = ["forbund"]
    list_select_related = ["forbund"]
    list_display = ["date", "start_time", "place", "forbund"]
    date_hierarchy = "date"


@admin.register(Role)
class RoleAdmin(ScopedAdmin):
    list_display = ["user", "kind", "forbund", "medlem"]
    list_select_related = ["user", "forbund", "medlem"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(ScopedAdmin):
    """Read-only: the audit log is written only by the services. Failed logins with an unknown
    username belong to no förbund and are seen only here."""

    list_display = ["created_at", "kind", "description", "actor", "forbund"]
    list_filter = ["kind", "forbund"]
    list_select_related = ["forbund", "actor"]
    search_fields = ["description", "object_repr"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlatformAdministrator)
class PlatformAdministratorAdmin(admin.ModelAdmin):
    """Who administers the platform: starts new förbund and invites their first samordnare. Appointed
    here by a superuser; the role gives no access to any förbund's own records."""

    list_display = ["user", "granted_by", "granted_at"]
    list_select_related = ["user", "granted_by"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


# Records the services write (the app's own steps, with their rules and log): shown here to read,
# never added, changed or deleted behind the rules.


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    """Inträden and utträden with the decisions behind them; registered on the members page."""

    list_display = ["date", "kind", "medlem", "decided_by", "decided_on", "reference", "forbund"]
    list_filter = ["kind", "forbund"]
    list_select_related = ["medlem", "forbund"]
    search_fields = ["medlem__name", "reference"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations sent from "Användare och behörigheter"; sent again or withdrawn there. The link's
    checksum is left out: it is of no use to read and is the key to the account."""

    list_display = ["name", "email", "forbund", "sent_at", "expires_at", "accepted_at", "withdrawn_at"]
    list_filter = ["forbund"]
    list_select_related = ["forbund"]
    search_fields = ["name", "email"]
    date_hierarchy = "sent_at"
    exclude = ["token_hash"]
    readonly_fields = ["created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What each person was told, and whether it was read and e-mailed (for answering "I never got
    it")."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at", "email", "forbund"]
    list_filter = ["kind", "email", "forbund"]
    list_select_related = ["recipient", "forbund"]
    search_fields = ["title", "recipient__username", "recipient__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]


class InkallelseInline(ReadOnlyInline):
    model = Inkallelse
    fields = ["person", "asked_at", "answer", "answered_at", "comment", "voided_at"]
    readonly_fields = fields


@admin.register(Forhinder)
class ForhinderAdmin(ReadOnlyAdmin):
    """A ledamot's förhinder for a meeting, with the ersättare asked to serve in their place."""

    list_display = ["meeting", "person", "reported_at", "withdrawn_at"]
    list_filter = ["meeting__forbund"]
    list_select_related = ["meeting__forbund", "person"]
    search_fields = ["person__name"]
    date_hierarchy = "reported_at"
    readonly_fields = ["reported_at"]
    inlines = [InkallelseInline]


@admin.register(Inkallelse)
class InkallelseAdmin(ReadOnlyAdmin):
    list_display = ["forhinder", "person", "asked_at", "answer", "answered_at", "voided_at"]
    list_filter = ["answer", "forhinder__meeting__forbund"]
    list_select_related = ["forhinder__meeting__forbund", "forhinder__person", "person"]
    search_fields = ["person__name"]
    readonly_fields = ["asked_at"]
