"""Pages for carrying the economy into the next year: next year's proposal from this year's, other
income in a budget, the members' payment plan and a person's forecast for a line."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import concurrency
from forbund.mixins import add_model_errors
from forbund.models import Medlem
from insatser.models import Insats

from ..forms import carry_over as forms
from ..models import BudgetOtherIncome, CostCategory, ForecastOverride
from ..selectors import comparison as comparison_selectors
from ..services import carry_over as services
from .budget import BudgetMixin
from .common import EconomyMixin


class BudgetNextYearView(BudgetMixin, View):
    """ "Nytt budgetförslag från <år>": next year's first proposal, made from this version."""

    rule = "manage_economy"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.NextYearForm(request.POST)
        form.is_valid()
        try:
            budget, created = concurrency.create_once(
                token=form.token,
                by=request.user,
                create=lambda: services.budget_create_next_year(source=self.budget, by=request.user),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.budget_url())
        if created:
            messages.success(
                request,
                f"Budgetförslaget för {budget.year} är skapat från budget {self.budget.year}. "
                "Kontrollera beloppen och spara.",
            )
        return redirect("ekonomi:budget_edit", forbund=self.forbund.slug, pk=budget.pk)


class OtherIncomeCreateView(BudgetMixin, TemplateView):
    """A line of other income (ESF, state project money …) in a proposal."""

    rule = "edit_budget"
    template_name = "forbund/record_form.html"

    def get_form(self):
        return forms.OtherIncomeForm(self.request.POST or None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = f"Övrig intäkt i budget {self.budget.year}"
        context["cancel_url"] = self.budget_url()
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: services.other_income_add(
                        budget=self.budget, by=request.user, income=form.save(commit=False)
                    ),
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Den övriga intäkten är tillagd.")
                return redirect(self.budget_url())
        return self.render_to_response(self.get_context_data(form=form))


class OtherIncomeDeleteView(BudgetMixin, View):
    rule = "edit_budget"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        income = get_object_or_404(BudgetOtherIncome, budget=self.budget, pk=self.kwargs["income_pk"])
        try:
            services.other_income_remove(income=income, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{income} är borttagen ur budgeten.")
        return redirect(self.budget_url())


class ContributionPlanView(EconomyMixin, View):
    """When the members pay; set from the budget versus utfall page."""

    rule = "manage_economy"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.ContributionPlanForm(request.POST)
        if form.is_valid():
            settings = services.contribution_plan_save(
                forbund=self.forbund, by=request.user, plan=form.cleaned_data["contribution_plan"]
            )
            messages.success(
                request, f"Medlemsbidragen betalas: {settings.get_contribution_plan_display().lower()}."
            )
        else:
            messages.error(request, "Välj en av betalningsplanerna.")
        return redirect("ekonomi:comparison", forbund=self.forbund.slug, year=self.kwargs["year"])


LINE_KINDS = {
    "medlem": (Medlem, "medlem"),
    "kostnad": (CostCategory, "category"),
    "insats": (Insats, "insats"),
}


class ForecastOverrideView(EconomyMixin, TemplateView):
    """A person's full-year forecast for one line, with the reason, beside the computed one."""

    rule = "override_forecast"
    template_name = "ekonomi/forecast_override.html"

    def rule_args(self) -> tuple:
        return (self.kwargs["year"],)

    def load_objects(self) -> None:
        if self.kwargs["line"] not in LINE_KINDS:
            raise Http404("Raden finns inte.")
        model, self.key_kind = LINE_KINDS[self.kwargs["line"]]
        self.line = get_object_or_404(model, forbund=self.forbund, pk=self.kwargs["pk"])
        self.override = ForecastOverride.objects.filter(
            forbund=self.forbund, year=self.kwargs["year"], **{self.key_kind: self.line}
        ).first()

    def comparison_url(self) -> str:
        return reverse(
            "ekonomi:comparison", kwargs={"forbund": self.forbund.slug, "year": self.kwargs["year"]}
        )

    def get_form(self):
        initial = {}
        if self.override is not None:
            initial = {"amount": self.override.amount, "comment": self.override.comment}
        return forms.ForecastOverrideForm(self.request.POST or None, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comparison = comparison_selectors.budget_vs_outcome(self.forbund, self.kwargs["year"])
        key = (self.key_kind, self.line.pk)
        rows = [*comparison.income.rows, *comparison.internal.rows, *comparison.insatser.rows]
        context.setdefault("form", self.get_form())
        context.update(
            year=self.kwargs["year"],
            line=self.line,
            row=next((row for row in rows if row.key == key), None),
            override=self.override,
            cancel_url=self.comparison_url(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "remove" in request.POST:
            if self.override is not None:
                services.forecast_override_remove(override=self.override, by=request.user)
                messages.success(request, f"Prognosen för {self.line} räknas fram igen.")
            return redirect(self.comparison_url())
        form = self.get_form()
        if form.is_valid():
            try:
                services.forecast_override_set(
                    forbund=self.forbund,
                    by=request.user,
                    year=self.kwargs["year"],
                    line=self.line,
                    amount=form.cleaned_data["amount"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Prognosen för {self.line} är justerad.")
                return redirect(self.comparison_url())
        return self.render_to_response(self.get_context_data(form=form))


urlpatterns = [
    path("budget/version/<id:pk>/nasta-ar/", BudgetNextYearView.as_view(), name="budget_next_year"),
    path(
        "budget/version/<id:pk>/ovriga-intakter/ny/",
        OtherIncomeCreateView.as_view(),
        name="other_income_create",
    ),
    path(
        "budget/version/<id:pk>/ovriga-intakter/<id:income_pk>/ta-bort/",
        OtherIncomeDeleteView.as_view(),
        name="other_income_delete",
    ),
    path("utfall/<year:year>/betalningsplan/", ContributionPlanView.as_view(), name="contribution_plan"),
    path(
        "utfall/<year:year>/prognos/<str:line>/<id:pk>/",
        ForecastOverrideView.as_view(),
        name="forecast_override",
    ),
]
