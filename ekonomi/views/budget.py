"""Budget pages: the year's budget as a document, its versions, editing a proposal and the decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.mixins import RecordCreateView, RecordUpdateView, add_model_errors
from forbund.selectors import current_year, medlemmar_in_year

from .. import exports
from ..charts import cumulative_cost_chart
from ..forms import budget as forms
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
        self.budget = get_object_or_404(Budget, forbund=self.forbund, pk=self.kwargs["pk"])

    def budget_url(self) -> str:
        url = reverse("ekonomi:budget", kwargs={"forbund": self.forbund.slug, "year": self.budget.year})
        return f"{url}?version={self.budget.version}"

    def require_manage(self) -> None:
        verdict = access.can_manage_economy(self.request.user, self.forbund)
        if not verdict:
            raise PermissionDenied(verdict.reason)


class BudgetYearView(EconomyMixin, TemplateView):
    template_name = "ekonomi/budget_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        versions = list(Budget.objects.filter(forbund=self.forbund, year=year).order_by("-version"))
        requested = self.request.GET.get("version", "")
        if requested.isdigit():
            budget = next((b for b in versions if b.version == int(requested)), None)
            if budget is None:
                raise Http404("Versionen finns inte.")
        else:
            budget = selectors.budget_in_force(self.forbund, year)
        context.update(year=year, versions=versions, budget=budget)
        if budget is not None:
            context["overview"] = selectors.budget_overview(budget)
        return context


class BudgetCreateView(EconomyMixin, View):
    permission = staticmethod(access.can_manage_economy)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.BudgetCreateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Ange ett budgetår mellan 2004 och 2100.")
            return redirect("ekonomi:overview", forbund=self.forbund.slug)
        budget = services.budget_create(forbund=self.forbund, year=form.cleaned_data["year"], by=request.user)
        messages.success(request, f"{budget} är skapad som förslag.")
        return redirect("ekonomi:budget_edit", forbund=self.forbund.slug, pk=budget.pk)


class BudgetReviseView(BudgetMixin, View):
    permission = staticmethod(access.can_manage_economy)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        revision = services.budget_create(
            forbund=self.forbund, year=self.budget.year, by=request.user, based_on=self.budget
        )
        messages.success(
            request, f"Version {revision.version} är skapad. Version {self.budget.version} finns kvar."
        )
        return redirect("ekonomi:budget_edit", forbund=self.forbund.slug, pk=revision.pk)


class BudgetEditView(BudgetMixin, TemplateView):
    permission = staticmethod(access.can_manage_economy)
    template_name = "ekonomi/budget_form.html"

    def load_objects(self) -> None:
        super().load_objects()
        if self.budget.is_decided:
            raise PermissionDenied("En beslutad budget ändras inte. Skapa en revidering i stället.")

    def get_form(self, data=None, initial=None):
        return forms.BudgetContentForm(
            data,
            initial=initial if initial is not None else forms.content_initial(self.budget),
            budget=self.budget,
            medlemmar=list(medlemmar_in_year(self.forbund, self.budget.year)),
            categories=services.cost_categories_ensure(self.forbund),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.setdefault("calculator", forms.FundingCalculatorForm(prefix="kalkyl"))
        context["budget"] = self.budget
        context["insats_costs"] = selectors.insats_cost_rows(self.budget)
        context["cancel_url"] = self.budget_url()
        return context

    def post(self, request, *args, **kwargs):
        if "calculate" in request.POST:
            return self.calculate()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                services.budget_save(budget=self.budget, by=request.user, content=form.content())
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{self.budget} är sparad.")
                return redirect(self.budget_url())
        return self.render_to_response(self.get_context_data(form=form))

    def calculate(self):
        """Fill the income fields from the funding rule, keeping everything else as typed."""
        calculator = forms.FundingCalculatorForm(self.request.POST, prefix="kalkyl")
        data = self.request.POST.copy()
        if calculator.is_valid():
            proposal = services.funding_proposal(
                forbund=self.forbund,
                year=self.budget.year,
                party=calculator.cleaned_data["party"],
                amount=calculator.cleaned_data["amount"],
                split=calculator.cleaned_data["split"],
            )
            for medlem, amount in proposal.items():
                data[f"income_{medlem.pk}"] = str(amount)
            messages.info(self.request, "Intäkterna är ifyllda enligt 50/25/25. Kontrollera och spara.")
        form = self.get_form(data)
        return self.render_to_response(self.get_context_data(form=form, calculator=calculator))


class BudgetDecideView(BudgetMixin, TemplateView):
    permission = staticmethod(access.can_manage_economy)
    template_name = "ekonomi/budget_decide.html"

    def get_form(self):
        return forms.BudgetDecisionForm(self.request.POST or None, budget=self.budget)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["budget"] = self.budget
        context["overview"] = selectors.budget_overview(self.budget)
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
                    decided_on=data["decided_on"],
                    meeting=data["meeting"],
                    paragraph=data["paragraph"],
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


class CostCategoryFormMixin:
    model, form_class, list_url_name = CostCategory, forms.CostCategoryForm, "ekonomi:cost_categories"
    permission = staticmethod(access.can_manage_economy)


class CostCategoryCreateView(CostCategoryFormMixin, RecordCreateView):
    create_title = "Nytt kostnadsslag"


class CostCategoryUpdateView(CostCategoryFormMixin, RecordUpdateView):
    pass


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
        )
        return context


urlpatterns = [
    path("", EconomyOverviewView.as_view(), name="overview"),
    path("budget/ny/", BudgetCreateView.as_view(), name="budget_create"),
    path("budget/<int:year>/", BudgetYearView.as_view(), name="budget"),
    path("budget/version/<int:pk>/andra/", BudgetEditView.as_view(), name="budget_edit"),
    path("budget/version/<int:pk>/beslut/", BudgetDecideView.as_view(), name="budget_decide"),
    path("budget/version/<int:pk>/revidera/", BudgetReviseView.as_view(), name="budget_revise"),
    path("utfall/<int:year>/", ComparisonView.as_view(), name="comparison"),
    path("kostnadsslag/", CostCategoryListView.as_view(), name="cost_categories"),
    path("kostnadsslag/nytt/", CostCategoryCreateView.as_view(), name="cost_category_create"),
    path("kostnadsslag/<int:pk>/andra/", CostCategoryUpdateView.as_view(), name="cost_category_edit"),
]
