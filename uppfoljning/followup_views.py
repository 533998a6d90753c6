"""The förbund's follow-up pages: participant sums over every insats's approved reports for a period
(with the Uppföljning Finsam export), and the year's indicators with their outcome."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.generic import TemplateView

from finsam import access
from forbund.mixins import ForbundViewMixin

from . import exports, followup
from .models import Indikator, ReportPeriod

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_LABELS = {"T1": "Tertial 1", "T2": "Tertial 2", "AR": "Årsrapport"}


class FollowUpView(ForbundViewMixin, TemplateView):
    """Sums per period over all insatser, from approved reports only. Counts below 5 (and what would
    let a reader work them out) are hidden for everyone but the förbund's staff."""

    permission = staticmethod(access.can_see_report_board)
    template_name = "uppfoljning/followup.html"

    def load_objects(self) -> None:
        self.year = self.kwargs["year"]
        kind = self.request.GET.get("period", "")
        self.kind = (
            kind if kind in ReportPeriod.Kind.values else followup.default_kind(self.forbund, self.year)
        )
        exact = bool(access.can_see_exact_counts(self.request.user, self.forbund))
        self.page = followup.followup(self.forbund, self.year, self.kind, exact=exact)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            insatser, forbund = followup.national_followup(self.forbund, self.year, self.page)
            data = exports.followup_workbook(self.page, insatser, forbund)
            response = HttpResponse(data, content_type=XLSX)
            filename = f"uppfoljning-finsam-{self.year}-{self.kind}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page
        label = PERIOD_LABELS[self.kind].lower()
        context.update(
            page=page,
            year=self.year,
            periods=list(PERIOD_LABELS.items()),
            gender_chart=followup.bar_chart(page.breakdown("gender"), year=self.year, period_label=label),
            outcome_chart=followup.bar_chart(page.breakdown("outcome"), year=self.year, period_label=label),
            columns=followup.INSATS_COLUMNS,
            total_cells=[page.totals[code] for code, _ in followup.INSATS_COLUMNS],
            may_edit_indicators=access.can_manage_report_periods(self.request.user, self.forbund),
        )
        return context


class IndicatorOutcomeForm(forms.Form):
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(label="Utfall", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    achieved = forms.ChoiceField(label="Uppnått", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = Indikator._meta.get_field("achieved")
        self.fields["achieved"].choices = [(value, label) for value, label in field.flatchoices]
        self.fields["achieved"].required = not field.blank


IndicatorOutcomeFormSet = forms.formset_factory(IndicatorOutcomeForm, extra=0)


class IndicatorsView(ForbundViewMixin, TemplateView):
    """The year's indicators with target and outcome: the samordnare records the outcome, the kansli,
    the board and the revisor read it."""

    permission = staticmethod(access.can_see_report_board)
    template_name = "uppfoljning/followup_indicators.html"

    def load_objects(self) -> None:
        self.year = self.kwargs["year"]
        self.indicators = followup.indicators_of_year(self.forbund, self.year)
        self.may_edit = access.can_manage_report_periods(self.request.user, self.forbund)

    def get_formset(self, data=None):
        initial = [
            {"indicator_id": i.pk, "outcome": i.outcome, "achieved": i.achieved} for i in self.indicators
        ]
        return IndicatorOutcomeFormSet(data, initial=initial, prefix="indikator")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = kwargs.get("formset")
        if formset is None and self.may_edit:
            formset = self.get_formset()
        rows = list(zip(self.indicators, formset.forms, strict=False)) if formset else []
        context.update(
            year=self.year,
            indicators=self.indicators,
            formset=formset,
            rows=rows,
            may_edit=self.may_edit,
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.may_edit:
            raise PermissionDenied(self.may_edit.reason)
        formset = self.get_formset(request.POST)
        if formset.is_valid():
            outcomes = {
                row["indicator_id"]: (row.get("outcome", ""), row.get("achieved", ""))
                for row in formset.cleaned_data
                if row
            }
            try:
                changed = followup.indicator_outcomes_save(
                    forbund=self.forbund, year=self.year, by=request.user, outcomes=outcomes
                )
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                messages.success(request, f"Utfallet är sparat ({changed} indikatorer ändrade).")
                return redirect("uppfoljning:indicators", forbund=self.forbund.slug, year=self.year)
        return self.render_to_response(self.get_context_data(formset=formset))


urlpatterns = [
    path("uppfoljning/<int:year>/", FollowUpView.as_view(), name="followup"),
    path("indikatorer/<int:year>/", IndicatorsView.as_view(), name="indicators"),
]
