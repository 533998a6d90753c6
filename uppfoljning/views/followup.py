"""The förbund's follow-up pages: participant sums over every insats's approved reports for a period
(with the Uppföljning Finsam export), and the year's indicators with their outcome."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from finsam import access, concurrency
from forbund.mixins import ForbundViewMixin

from .. import exports, forms
from ..models import ReportPeriod
from ..selectors import followup as selectors
from ..selectors.national import national_followup
from ..services import plan as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FollowUpView(ForbundViewMixin, TemplateView):
    """Sums per period over all insatser, from approved reports only. Counts below 5 (and what would
    let a reader work them out) are hidden for everyone but the förbund's staff."""

    rule = "see_report_board"
    template_name = "uppfoljning/followup.html"

    def load_objects(self) -> None:
        self.year = self.kwargs["year"]
        kind = self.request.GET.get("period", "")
        self.kind = (
            kind if kind in ReportPeriod.Kind.values else selectors.default_kind(self.forbund, self.year)
        )
        exact = bool(access.check("see_exact_counts", self.request.user, self.forbund))
        self.page = selectors.followup(self.forbund, self.year, self.kind, exact=exact)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            insatser, forbund = national_followup(self.forbund, self.year, self.page)
            response = HttpResponse(
                exports.followup_workbook(self.page, insatser, forbund), content_type=XLSX
            )
            filename = f"uppfoljning-finsam-{self.year}-{self.kind}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page
        label = selectors.PERIOD_LABELS[self.kind].lower()
        context.update(
            page=page,
            year=self.year,
            periods=list(selectors.PERIOD_LABELS.items()),
            gender_chart=selectors.bar_chart(page.breakdown("gender"), year=self.year, period_label=label),
            outcome_chart=selectors.bar_chart(page.breakdown("outcome"), year=self.year, period_label=label),
            columns=selectors.INSATS_COLUMNS,
            total_cells=[page.totals[code] for code, _ in selectors.INSATS_COLUMNS],
        )
        return context


class IndicatorsView(ForbundViewMixin, TemplateView):
    """The year's indicators with target and outcome: the samordnare records the outcome, the kansli,
    the board and the revisor read it."""

    rule = "see_report_board"
    template_name = "uppfoljning/followup_indicators.html"

    def load_objects(self) -> None:
        self.year = self.kwargs["year"]
        self.indicators = selectors.indicators_of_year(self.forbund, self.year)

    def get_formset(self, data=None):
        return forms.IndicatorOutcomeFormSet(
            data, initial=forms.outcome_initial(self.indicators), prefix="indikator"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = kwargs.get("formset")
        if formset is None and context["may"].follow_up_indicators:
            formset = self.get_formset()
        rows = list(zip(self.indicators, formset.forms, strict=False)) if formset else []
        context.update(year=self.year, indicators=self.indicators, formset=formset, rows=rows)
        return context

    def post(self, request, *args, **kwargs):
        access.require("follow_up_indicators", request.user, self.forbund)
        formset = self.get_formset(request.POST)
        if formset.is_valid():
            try:
                changed = services.indicator_outcomes_save(
                    forbund=self.forbund,
                    year=self.year,
                    by=request.user,
                    outcomes=forms.outcomes_from(formset),
                )
            except concurrency.StaleEdit as error:
                self.show_stale(formset, error)
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, f"Utfallet är sparat ({changed} indikatorer ändrade).")
                return redirect("uppfoljning:indicators", forbund=self.forbund.slug, year=self.year)
        return self.render_to_response(self.get_context_data(formset=formset))

    def show_stale(self, formset, error: concurrency.StaleEdit) -> None:
        """Say what changed, keep what was typed, and let the next save go through: each row now
        stands on its indicator's current version."""
        formset._non_form_errors = formset.error_class(error.messages)
        versions = {indicator.pk: indicator.lock_version for indicator in self.indicators}
        data = formset.data.copy()
        for form in formset.forms:
            indicator_id = form.cleaned_data.get("indicator_id")
            if indicator_id in versions:
                data[form.add_prefix("opened_version")] = str(versions[indicator_id])
        formset.data = data
        for form in formset.forms:
            form.data = data
