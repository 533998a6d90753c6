"""The förbund's *Logg*: who changed what, when, with the values before and after; and the password
change page, which records the change in that log."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import ListView

from finsam import access, pagination, xlsx

from . import selectors, services
from .forms import DateInput
from .mixins import ForbundViewMixin
from .models import ActivityEvent, Forbund, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALL = "Alla"
EMPTY = "(tomt)"


class AuditLogFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from_date"), cleaned.get("to_date")
        if first and last and last < first:
            self.add_error("to_date", "Till-datumet kan inte ligga före från-datumet.")
        return cleaned


class AuditLogFilter(django_filters.FilterSet):
    """The log's filters; the page's query string is the filter, so a filtered log can be linked."""

    actor = django_filters.ModelChoiceFilter(label="Person", queryset=User.objects.none(), empty_label=ALL)
    content_type = django_filters.ChoiceFilter(label="Typ av post", empty_label=ALL)
    kind = django_filters.ChoiceFilter(label="Slag", choices=ActivityEvent.Kind.choices, empty_label=ALL)
    from_date = django_filters.DateFilter(
        label="Från och med", field_name="created_at", lookup_expr="date__gte", widget=DateInput()
    )
    to_date = django_filters.DateFilter(
        label="Till och med", field_name="created_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = ActivityEvent
        fields = ["actor", "content_type", "kind", "from_date", "to_date"]
        form = AuditLogFilterForm

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["actor"].queryset = selectors.audit_log_people(forbund)
        self.filters["content_type"].extra["choices"] = selectors.audit_log_record_kinds(forbund)

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(value for value in self.form.cleaned_data.values())


def change_lines(event: ActivityEvent) -> list[str]:
    """'Telefon: 040-123 → 040-456': each changed field of the event, as a reader reads it."""
    return [
        f"{str(change['label']).capitalize()}: {change['before'] or EMPTY} → {change['after'] or EMPTY}"
        for change in event.changes or []
    ]


def local_time(event: ActivityEvent) -> str:
    return timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")


HEADER = ["Tidpunkt", "Person", "Slag", "Typ av post", "Post", "Händelse", "Ändringar", "Adress"]


def audit_log_workbook(events, forbund: Forbund) -> bytes:
    """The filtered log as an Excel sheet: one row per event, the changes one per line."""
    workbook, sheet = xlsx.new_workbook("Logg")
    xlsx.append_header(sheet, HEADER, numeric_from=len(HEADER) + 1)
    for event in events:
        xlsx.append_row(
            sheet,
            [
                local_time(event),
                str(event.actor) if event.actor else "",
                event.get_kind_display(),
                selectors.record_kind(event.content_type),
                event.object_repr,
                event.description,
                "\n".join(change_lines(event)),
                event.url,
            ],
        )
    xlsx.finish(sheet, freeze="A2", measure_from=1)
    return xlsx.to_bytes(workbook)


class AuditLogView(ForbundViewMixin, ListView):
    """The log of the förbund, for the samordnare who keeps its records and the revisor who examines
    them: filter by person, kind of record, slag and dates, follow a row to its record, export the
    filtered rows to Excel."""

    rule = "view_audit_log"
    template_name = "forbund/audit_log.html"
    context_object_name = "events"

    def get(self, request, *args, **kwargs):
        self.filterset = AuditLogFilter(
            request.GET, queryset=selectors.audit_log(self.forbund), forbund=self.forbund
        )
        if request.GET.get("format") == "xlsx" and self.filterset.is_valid():
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def export(self) -> HttpResponse:
        data = audit_log_workbook(self.filterset.qs.iterator(chunk_size=500), self.forbund)
        response = HttpResponse(data, content_type=XLSX)
        filename = f"logg-{self.forbund.slug}-{timezone.localdate():%Y-%m-%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Years of events are shown a page at a time (`?sida=N`, the filter kept in the page links);
        # the Excel export holds every event that matches.
        page = pagination.paginate(self.request, context["events"])
        events = page["page_obj"].object_list
        for event in events:
            event.record_kind = selectors.record_kind(event.content_type)
            event.change_lines = change_lines(event)
        context.update(page, events=events)
        context["filter"] = self.filterset
        context["is_filtered"] = self.filterset.is_filtered
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, recorded in the audit log of every förbund the account works in."""

    rule = "use_finsam"

    def dispatch(self, request, *args, **kwargs):
        access.require(self.rule, request.user, request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.account_password_change_record(user=form.user)
        return response
