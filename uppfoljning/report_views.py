"""Tertial and annual reports: periods, the status board, "Mina rapporter", the form and the review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.forms import CommentForm
from forbund.mixins import ForbundViewMixin, TransitionPostMixin, add_model_errors

from . import report_forms as forms
from . import reports as services
from . import statistics
from .models import ReportPeriod, ReportStatusChange, Tertialrapport
from .workflow import REPORT_TRANSITIONS, report_transitions_from


def default_report_year(forbund) -> int:
    latest = (
        ReportPeriod.objects.filter(forbund=forbund).order_by("-year").values_list("year", flat=True).first()
    )
    return latest or timezone.localdate().year


class ReportsMixin(ForbundViewMixin):
    permission = staticmethod(access.can_view_reports)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_manage_periods"] = access.can_manage_report_periods(self.request.user, self.forbund)
        context["may_see_board"] = access.can_see_report_board(self.request.user, self.forbund)
        return context


class ReportsView(ReportsMixin, TemplateView):
    """For the kansli and the board, a status board of every insats and period; for a projektägare,
    the reports of their own insatser."""

    template_name = "uppfoljning/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs.get("year") or default_report_year(self.forbund)
        today = timezone.localdate()
        periods = sorted(
            ReportPeriod.objects.filter(forbund=self.forbund, year=year), key=lambda period: period.end
        )
        reports = list(
            access.reports_visible_to(self.request.user, self.forbund)
            .filter(period__in=periods)
            .select_related("insats", "period")
            .order_by("insats__name", "period__kind")
        )
        board: dict = {}
        for report in reports:
            report.late = report.is_late(today)
            board.setdefault(report.insats, {})[report.period_id] = report
        rows = [(insats, [cells.get(period.pk) for period in periods]) for insats, cells in board.items()]
        years = sorted(
            set(ReportPeriod.objects.filter(forbund=self.forbund).values_list("year", flat=True))
            | {year, today.year}
        )
        context.update(year=year, years=years, periods=periods, rows=rows, reports=reports, today=today)
        return context


class ReportPeriodsView(ReportsMixin, TemplateView):
    permission = staticmethod(access.can_manage_report_periods)
    template_name = "uppfoljning/report_periods.html"

    def get_form(self, instance=None):
        return forms.ReportPeriodForm(self.request.POST or None, instance=instance, year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        context.setdefault("form", self.get_form())
        context.update(
            year=year,
            periods=sorted(ReportPeriod.objects.filter(forbund=self.forbund, year=year), key=lambda p: p.end),
        )
        return context

    def post(self, request, *args, **kwargs):
        year = self.kwargs["year"]
        existing = ReportPeriod.objects.filter(
            forbund=self.forbund, year=year, kind=request.POST.get("kind")
        ).first()
        form = self.get_form(instance=existing)
        if form.is_valid():
            try:
                period = services.report_period_save(
                    forbund=self.forbund, by=request.user, period=form.save(commit=False)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{period} är sparad. Rapporter finns för alla insatser som pågår under perioden.",
                )
                return redirect("uppfoljning:report_periods", forbund=self.forbund.slug, year=year)
        return self.render_to_response(self.get_context_data(form=form))


class ReportMixin(ReportsMixin):
    report_permission = None

    def load_objects(self) -> None:
        visible = access.reports_visible_to(self.request.user, self.forbund).select_related(
            "insats", "insats__owner", "period", "period__forbund"
        )
        self.report = get_object_or_404(visible, pk=self.kwargs["pk"])
        if self.report_permission is not None:
            verdict = self.report_permission(self.request.user, self.report)
            if not verdict:
                raise PermissionDenied(verdict.reason)

    def report_url(self) -> str:
        return reverse("uppfoljning:report", kwargs={"forbund": self.forbund.slug, "pk": self.report.pk})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = self.report
        return context


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "uppfoljning/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.report, self.request.user
        counts = services.counts_of(report)
        exact = access.can_see_exact_counts(user, self.forbund, insats=report.insats)
        groups = []
        for dimension in statistics.dimensions_for(report.insats.kind):
            values = [counts.get((dimension.code, code), 0) for code, _ in dimension.categories]
            shown = (
                [str(value) for value in values] if exact else statistics.masked_dimension(dimension, counts)
            )
            groups.append(
                (dimension, list(zip([label for _, label in dimension.categories], shown, strict=True)))
            )
        actions = [
            (transition, CommentForm(prefix=transition.target))
            for transition in report_transitions_from(report.status)
            if access.can_transition_report(user, report, transition.target)
        ]
        context.update(
            exact_counts=exact,
            groups=groups,
            goal_progress=report.goal_progress.select_related("goal"),
            history=ReportStatusChange.objects.filter(report=report).select_related("by"),
            may_edit=access.can_edit_report(user, report),
            actions=actions,
            problems=services.submission_problems(report) if report.is_editable else [],
            late=report.is_late(timezone.localdate()),
        )
        return context


class ReportEditView(ReportMixin, TemplateView):
    template_name = "uppfoljning/report_form.html"
    report_permission = staticmethod(access.can_edit_report)

    def get_form(self, data=None):
        initial = forms.report_initial(self.report, suggested_cost=services.invoiced_in_period(self.report))
        return forms.ReportForm(data, initial=initial, report=self.report)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        counts = {}
        if form.is_bound and form.is_valid():
            counts = form.data_for_service().counts
        else:
            counts = services.counts_of(self.report)
        returned = None
        if self.report.status == Tertialrapport.Status.RETURNERAD:
            returned = self.report.status_changes.filter(to_status=Tertialrapport.Status.RETURNERAD).last()
        context.update(
            returned=returned,
            invoiced=services.invoiced_in_period(self.report),
            count_problems=statistics.problems(counts, self.report.insats.kind),
            cancel_url=self.report_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                services.report_save(report=self.report, by=request.user, data=form.data_for_service())
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                if "submit" in request.POST:
                    return self.submit(form)
                messages.success(request, "Utkastet är sparat.")
                return redirect(self.report_url())
        return self.render_to_response(self.get_context_data(form=form))

    def submit(self, form):
        target = Tertialrapport.Status.INSKICKAD
        try:
            services.report_transition(report=self.report, to=target, by=self.request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            messages.warning(self.request, "Utkastet är sparat men inte inskickat. Rätta det som står nedan.")
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, "Rapporten är inskickad.")
        return redirect(self.report_url())


class ReportTransitionView(ReportMixin, TransitionPostMixin, View):
    def transition(self, target: str, comment: str):
        return services.report_transition(
            report=self.report, to=target, by=self.request.user, comment=comment
        )

    def transition_label(self, target: str) -> str | None:
        transition = REPORT_TRANSITIONS.get((self.report.status, target))
        return transition.label if transition else None

    def success_message(self, change) -> str:
        return f"Rapporten är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        return self.report_url()


urlpatterns = [
    path("rapporter/", ReportsView.as_view(), name="reports"),
    path("rapporter/<int:year>/", ReportsView.as_view(), name="reports_year"),
    path("rapporter/<int:year>/perioder/", ReportPeriodsView.as_view(), name="report_periods"),
    path("rapport/<int:pk>/", ReportDetailView.as_view(), name="report"),
    path("rapport/<int:pk>/andra/", ReportEditView.as_view(), name="report_edit"),
    path("rapport/<int:pk>/status/<slug:target>/", ReportTransitionView.as_view(), name="report_transition"),
]
