"""Budget pages: the year's budget as a document, its versions, editing a proposal and the decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import access, concurrency
from forbund.meetings.selectors.decisions import BUDGET_DECISION_RELATED
from forbund.membership import funding_rule
from forbund.mixins import add_model_errors
from forbund.selectors import current_year, medlemmar_in_year

from .. import exports, funding
from ..charts import cumulative_cost_chart
from ..forms import budget as forms
from ..forms.carry_over import ContributionPlanForm, NextYearForm
from ..models import Budget, CostCategory
from ..selectors import budget as selectors
from ..selectors import comparison as comparison_selectors
from ..services import budget as services
from .common import EconomyMixin


class EconomyOverviewView(EconomyMixin, TemplateView):
    template_name = "ekonomi/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budgets = list(selectors.budgets_for(self.forbund).select_related("decided_meeting"))
        years: dict[int, list[Budget]] = {}
        for budget in budgets:
            years.setdefault(budget.year, []).append(budget)
        context["years"] = years
        context["create_form"] = forms.BudgetCreateForm(initial={"year": current_year() + 1})
        context["outcome_links"] = outcome_links(self.forbund)
        return context


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

OUTCOME_PAGES = [
    ("ekonomi:invoice_list", "Fakturor från projektägarna"),
    ("ekonomi:ledger", "Utfall enligt huvudboken"),
    ("ekonomi:ledger_import", "Läs in huvudbok"),
    ("ekonomi:account_list", "Kontokopplingar"),
]


def outcome_links(forbund) -> list[dict]:
    return [
        {"url": reverse(name, kwargs={"forbund": forbund.slug}), "label": label}
        for name, label in OUTCOME_PAGES
    ]


class BudgetMixin(EconomyMixin):
    """Loads one budget version of this förbund (another förbund's is a 404)."""

    budget: Budget

    def load_objects(self) -> None:
        self.budget = get_object_or_404(
            Budget.objects.select_related("forbund"), forbund=self.forbund, pk=self.kwargs["pk"]
        )

    def budget_url(self) -> str:
        return self.budget.get_absolute_url()


class BudgetYearView(EconomyMixin, TemplateView):
    """The budget in force for a year (or the version asked for), as its tables are shown in tkr."""

    template_name = "ekonomi/budget_detail.html"
    budget: Budget | None = None

    def load_objects(self) -> None:
        year = self.kwargs["year"]
        self.versions = list(
            Budget.objects.filter(forbund=self.forbund, year=year)
            .select_related("forbund", *BUDGET_DECISION_RELATED)
            .order_by("-version")
        )
        requested = self.request.GET.get("version", "")
        if requested.isdigit():
            self.budget = next((b for b in self.versions if b.version == int(requested)), None)
            if self.budget is None:
                raise Http404("Versionen finns inte.")
        else:
            self.budget = selectors.in_force_of(self.versions)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.kwargs["year"], versions=self.versions, budget=self.budget)
        if self.budget is None:
            context["missing_parties"] = selectors.missing_parties_warning(self.forbund, self.kwargs["year"])
        else:
            context["overview"] = selectors.budget_overview(self.budget).in_tkr
            context["revise_form"] = forms.BudgetReviseForm()
            context["next_year_form"] = NextYearForm()
            context["next_year_budget"] = Budget.objects.filter(
                forbund=self.forbund, year=self.kwargs["year"] + 1
            ).exists()
        return context


class BudgetCreateView(EconomyMixin, View):
    rule = "manage_economy"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.BudgetCreateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Ange ett budgetår mellan 2004 och 2100.")
            return redirect("ekonomi:overview", forbund=self.forbund.slug)
        budget, created = concurrency.create_once(
            token=form.token,
            by=request.user,
            create=lambda: services.budget_create(
                forbund=self.forbund, year=form.cleaned_data["year"], by=request.user
            ),
        )
        if created:
            messages.success(request, f"{budget} är skapad som förslag.")
        return redirect("ekonomi:budget_edit", forbund=self.forbund.slug, pk=budget.pk)


class BudgetReviseView(BudgetMixin, View):
    """A new version based on this one; the version itself stays as it is."""

    rule = "manage_economy"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.BudgetReviseForm(request.POST)
        form.is_valid()
        revision, created = concurrency.create_once(
            token=form.token,
            by=request.user,
            create=lambda: services.budget_create(
                forbund=self.forbund, year=self.budget.year, by=request.user, based_on=self.budget
            ),
        )
        if created:
            messages.success(
                request, f"Version {revision.version} är skapad. Version {self.budget.version} finns kvar."
            )
        return redirect("ekonomi:budget_edit", forbund=self.forbund.slug, pk=revision.pk)


class BudgetEditView(BudgetMixin, TemplateView):
    """A proposal's content in one form. A decided version is refused by the rule, with its reason."""

    rule = "edit_budget"
    template_name = "ekonomi/budget_form.html"

    def get_form(self, data=None, initial=None):
        return forms.BudgetContentForm(
            data,
            initial=initial if initial is not None else forms.content_initial(self.budget),
            budget=self.budget,
            medlemmar=list(medlemmar_in_year(self.forbund, self.budget.year)),
            categories=services.cost_categories_ensure(self.forbund, by=self.request.user),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.setdefault("calculator", forms.FundingCalculatorForm(prefix="kalkyl"))
        context["budget"] = self.budget
        context["insats_costs"] = selectors.insats_cost_rows(self.budget)
        context["cancel_url"] = self.budget_url()
        context["missing_parties"] = selectors.missing_parties_warning(self.forbund, self.budget.year)
        context["funding_rule"] = funding_rule(self.forbund)
        return context

    def post(self, request, *args, **kwargs):
        if "calculate" in request.POST:
            return self.calculate()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                services.budget_save(
                    budget=self.budget, by=request.user, content=form.content(), opened_version=form.opened
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{self.budget} är sparad.")
                return redirect(self.budget_url())
        return self.render_to_response(self.get_context_data(form=form))

    def calculate(self):
        """Fill the income fields from the funding rule, keeping everything else as typed. A quarter
        that cannot be split (a population or agreed share missing) is left as typed, with the
        warning naming the members; without a party the law requires, nothing is filled in."""
        calculator = forms.FundingCalculatorForm(self.request.POST, prefix="kalkyl")
        data = self.request.POST.copy()
        calculation = None
        if calculator.is_valid():
            try:
                calculation = services.funding_proposal(
                    forbund=self.forbund,
                    year=self.budget.year,
                    start=calculator.cleaned_data["party"],
                    amount=calculator.cleaned_data["amount"],
                )
            except funding.FundingRefused as refusal:
                messages.error(self.request, refusal.message)
            else:
                for medlem, amount in calculation.amounts().items():
                    data[f"income_{medlem.pk}"] = str(amount)
                for warning in calculation.warnings:
                    messages.warning(self.request, warning)
                done = "delvis ifyllda" if calculation.warnings else "ifyllda"
                messages.info(self.request, f"Intäkterna är {done} enligt 50/25/25. Kontrollera och spara.")
        form = self.get_form(data)
        return self.render_to_response(
            self.get_context_data(form=form, calculator=calculator, calculation=calculation)
        )


class BudgetDecideView(BudgetMixin, TemplateView):
    """The board's decision. Declared for the kansli; whether this version can still be decided is
    the `edit_budget` rule, which the page shows and the service enforces (a decided version is
    refused on the page with its reason, not with a 403)."""

    rule = "manage_economy"
    template_name = "ekonomi/budget_decide.html"

    def get_form(self):
        return forms.BudgetDecisionForm(self.request.POST or None, budget=self.budget)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["budget"] = self.budget
        context["overview"] = selectors.budget_overview(self.budget).in_tkr
        context["cancel_url"] = self.budget_url()
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.budget_decide(
                    budget=self.budget,
                    by=request.user,
                    item=data["decided_item"],
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{self.budget} är beslutad.")
                return redirect(self.budget_url())
        return self.render_to_response(self.get_context_data(form=form))


class CostCategoryListView(EconomyMixin, TemplateView):
    template_name = "ekonomi/cost_categories.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = selectors.cost_categories(self.forbund)
        return context


class CostCategoryFormView(EconomyMixin, TemplateView):
    """Add a cost category (`/nytt/`) or rename one (`/<pk>/andra/`)."""

    rule = "manage_economy"
    template_name = "forbund/record_form.html"
    category: CostCategory | None = None

    def load_objects(self) -> None:
        if "pk" in self.kwargs:
            self.category = get_object_or_404(CostCategory, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_form(self):
        return forms.CostCategoryForm(self.request.POST or None, instance=self.category, forbund=self.forbund)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = "Nytt kostnadsslag" if self.category is None else f"Ändra {self.category}"
        context["cancel_url"] = self.url("cost_categories")
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():

            def save():
                return services.cost_category_save(
                    forbund=self.forbund, by=request.user, category=form.save(commit=False)
                )

            try:
                if self.category is None:
                    category, _ = concurrency.create_once(token=form.token, by=request.user, create=save)
                else:
                    category = save()
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Kostnadsslag sparat: {category}.")
                return redirect(self.url("cost_categories"))
        return self.render_to_response(self.get_context_data(form=form))


class ComparisonView(EconomyMixin, TemplateView):
    """Budget versus utfall for a month, a tertial or the year, with a chart and an Excel export."""

    template_name = "ekonomi/comparison.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            comparison = self.comparison()
            data = exports.comparison_workbook(comparison, self.forbund.name)
            response = HttpResponse(data, content_type=XLSX)
            filename = f"budget-mot-utfall-{comparison.year}-{comparison.months:02d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def comparison(self):
        return comparison_selectors.budget_vs_outcome(
            self.forbund, self.kwargs["year"], self.request.GET.get("period", "")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        comparison = self.comparison()
        context.update(
            comparison=comparison,
            chart=cumulative_cost_chart(comparison.monthly),
            periods=[("T1", "Tertial 1 (jan–apr)"), ("T2", "Tertial 2 (jan–aug)"), ("AR", "Helår")]
            + [(str(m), f"Jan–{name}") for m, name in enumerate(comparison_selectors.MONTH_NAMES, start=1)],
            selected=self.request.GET.get("period", ""),
            sections=[comparison.income, comparison.internal, comparison.insatser],
            last_month_name=comparison_selectors.MONTH_NAMES[comparison.last_ledger_month - 1]
            if comparison.last_ledger_month
            else "",
            may_override=access.check(
                "override_forecast", self.request.user, self.forbund, comparison.year, comparison.locked
            ),
            plan_form=ContributionPlanForm(initial={"contribution_plan": comparison.contribution_plan}),
        )
        return context


urlpatterns = [
    path("", EconomyOverviewView.as_view(), name="overview"),
    path("budget/ny/", BudgetCreateView.as_view(), name="budget_create"),
    path("budget/<year:year>/", BudgetYearView.as_view(), name="budget"),
    path("budget/version/<id:pk>/andra/", BudgetEditView.as_view(), name="budget_edit"),
    path("budget/version/<id:pk>/beslut/", BudgetDecideView.as_view(), name="budget_decide"),
    path("budget/version/<id:pk>/revidera/", BudgetReviseView.as_view(), name="budget_revise"),
    path("utfall/<year:year>/", ComparisonView.as_view(), name="comparison"),
    path("kostnadsslag/", CostCategoryListView.as_view(), name="cost_categories"),
    path("kostnadsslag/nytt/", CostCategoryFormView.as_view(), name="cost_category_create"),
    path("kostnadsslag/<id:pk>/andra/", CostCategoryFormView.as_view(), name="cost_category_edit"),
]
