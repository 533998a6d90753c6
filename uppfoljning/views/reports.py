"""Tertial and annual reports: periods, the status board, "Mina rapporter", the form and the review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import access, concurrency, workflow
from forbund.forms import CommentForm
from forbund.mixins import ForbundViewMixin, TransitionPostMixin, add_model_errors

from .. import forms, statistics
from ..models import ReportPeriod, Tertialrapport
from ..selectors import reports as selectors
from ..selectors import versions
from ..services import reports as services


class ReportsMixin(ForbundViewMixin):
    rule = "view_reports"


class ReportsView(ReportsMixin, TemplateView):
    """For the kansli and the board, a status board of every insats and period; for a projektägare,
    the reports of their own insatser."""

    template_name = "uppfoljning/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs.get("year") or selectors.default_report_year(self.forbund)
        board = selectors.status_board(self.request.user, self.forbund, year, timezone.localdate())
        context.update(
            year=year,
            years=board.years,
            periods=board.periods,
            rows=board.rows,
            totals=board.period_totals(),
        )
        return context


class ReportPeriodsView(ReportsMixin, TemplateView):
    """Add a period (or change an existing one's due date); saving creates the period's reports."""

    rule = "manage_report_periods"
    template_name = "uppfoljning/report_periods.html"

    def get_form(self, instance=None):
        return forms.ReportPeriodForm(self.request.POST or None, instance=instance, year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        context.setdefault("form", self.get_form())
        context.update(year=year, periods=selectors.periods_of_year(self.forbund, year))
        return context

    def post(self, request, *args, **kwargs):
        year = self.kwargs["year"]
        existing = ReportPeriod.objects.filter(
            forbund=self.forbund, year=year, kind=request.POST.get("kind")
        ).first()
        form = self.get_form(instance=existing)
        if form.is_valid():
            try:
                period = self.save(form)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{period} är sparad. Rapporter finns för alla insatser som pågår under perioden.",
                )
                return redirect("uppfoljning:report_periods", forbund=self.forbund.slug, year=year)
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, form) -> ReportPeriod:
        period = form.save(commit=False)

        def save() -> ReportPeriod:
            return services.report_period_save(forbund=self.forbund, by=self.request.user, period=period)

        if period.pk is not None:
            return save()
        saved, _ = concurrency.create_once(token=form.token, by=self.request.user, create=save)
        return saved


class ReportMixin(ReportsMixin):
    """One report the user may see; another förbund's or another organisation's is a 404."""

    report: Tertialrapport

    def load_objects(self) -> None:
        visible = access.reports_visible_to(self.request.user, self.forbund).select_related(
            "insats", "insats__owner", "period", "period__forbund"
        )
        self.report = get_object_or_404(visible, pk=self.kwargs["pk"])

    def report_url(self) -> str:
        return self.report.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = self.report
        return context


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "uppfoljning/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.report, self.request.user
        exact = access.check("see_exact_counts", user, self.forbund, report.insats)
        context.update(
            exact_counts=exact,
            groups=selectors.count_groups(report, exact=bool(exact)),
            goal_progress=report.goal_progress.select_related("goal"),
            history=selectors.report_history(report),
            actions=[(step, CommentForm(prefix=step.target)) for step in workflow.steps_for(user, report)],
            problems=selectors.submission_problems(report) if report.is_editable else [],
            late=report.is_late(timezone.localdate()),
            version_count=versions.version_count(report),
            returned=selectors.last_return(report),
        )
        return context


class ReportEditView(ReportMixin, TemplateView):
    """The form: saved as a draft as often as the owner likes, or saved and submitted. A submitted or
    approved report is locked (`edit_report`)."""

    rule = "edit_report"
    template_name = "uppfoljning/report_form.html"

    def get_form(self, data=None):
        initial = forms.report_initial(self.report, suggested_cost=selectors.invoiced_in_period(self.report))
        return forms.ReportForm(data, initial=initial, report=self.report)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        if form.is_bound and form.is_valid():
            counts = form.data_for_service().counts
        else:
            counts = selectors.counts_of(self.report)
        context.update(
            returned=selectors.last_return(self.report),
            invoiced=selectors.invoiced_in_period(self.report),
            count_problems=statistics.problems(counts, self.report.insats.kind),
            cancel_url=self.report_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                saved = services.report_save(
                    report=self.report,
                    by=request.user,
                    data=form.data_for_service(),
                    opened_version=form.opened,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                if "submit" in request.POST:
                    return self.submit(form, saved)
                messages.success(request, "Utkastet är sparat.")
                return redirect(self.report_url())
        return self.render_to_response(self.get_context_data(form=form))

    def submit(self, form, saved: Tertialrapport):
        try:
            workflow.transition(saved, to=Tertialrapport.Status.INSKICKAD, by=self.request.user)
        except ValidationError as error:
            # The draft is saved: the form now stands on the saved version, so the next save goes through.
            data = form.data.copy()
            data[form.add_prefix("opened_version")] = str(saved.lock_version)
            form.data = data
            messages.warning(self.request, "Utkastet är sparat men inte inskickat. Rätta det som står nedan.")
            return self.render_to_response(self.get_context_data(form=form, submit_problems=error.messages))
        messages.success(self.request, "Rapporten är inskickad.")
        return redirect(self.report_url())


class ReportTransitionView(TransitionPostMixin, ReportMixin, View):
    """Submit, return or approve a report with the buttons on its page (`transition` rule)."""

    record_attribute = "report"

    def success_message(self, change) -> str:
        return f"Rapporten är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        return self.report_url()


# Submitted versions --------------------------------------------------------------------------------


class ReportVersionsMixin(ReportMixin):
    """The versions of a report the user may read: the same rule and the same reports as the report
    page (`view_reports`, `reports_visible_to`)."""

    def load_objects(self) -> None:
        super().load_objects()
        self.versions = versions.report_versions(self.report)
        self.exact = bool(
            access.check("see_exact_counts", self.request.user, self.forbund, self.report.insats)
        )

    def version(self, number: int) -> versions.ReportVersion:
        found = versions.version_of(self.versions, number)
        if found is None:
            raise Http404("Rapporten har ingen sådan version.")
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(versions=self.versions, exact_counts=self.exact)
        return context


class ReportVersionsView(ReportVersionsMixin, TemplateView):
    """Every submitted version of a report: when, by whom, and what became of it."""

    template_name = "uppfoljning/report_versions.html"


class ReportVersionView(ReportVersionsMixin, TemplateView):
    """One submitted version, read-only, laid out as the report page."""

    template_name = "uppfoljning/report_version.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version(self.kwargs["number"])
        context.update(
            version=version,
            body=versions.version_body(self.report, version, exact=self.exact),
            previous=versions.version_of(self.versions, version.number - 1),
        )
        return context


class ReportVersionCompareView(ReportVersionsMixin, TemplateView):
    """A version beside the one before it: changed texts marked, changed figures as old → new."""

    template_name = "uppfoljning/report_version_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        current = self.version(self.kwargs["number"])
        previous = self.version(current.number - 1)
        context["comparison"] = versions.compare_versions(self.report, previous, current, exact=self.exact)
        return context
