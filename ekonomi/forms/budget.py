"""Budget forms: one form for a proposal's content, with a field per member, category and plan year."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator

from finsam.concurrency import OnceForm, VersionedForm
from finsam.money import KronorFormField
from forbund.models import AgendaItem, Medlem

from .. import funding
from ..models import Budget, CostCategory
from ..services.budget import BudgetContent, OutlineData

OUTLINE_YEARS = 2


def kronor_field(label: str, *, required: bool = True, allow_negative: bool = False) -> forms.DecimalField:
    validators = (
        [] if allow_negative else [MinValueValidator(Decimal(0), message="Beloppet får inte vara negativt.")]
    )
    # Grouped as Swedes write amounts (1 893 000), read back with or without the spaces (finsam.money).
    return KronorFormField(
        label=label, required=required, validators=validators, allow_negative=allow_negative
    )


class BudgetContentForm(VersionedForm):
    """A proposal's whole content, carrying the version it was opened on so that a save over someone
    else's is refused instead of silently reverting it."""

    opening_equity = kronor_field("Ingående eget kapital (kr)", required=False, allow_negative=True)
    opening_equity_note = forms.CharField(label="Avser", max_length=200, required=False)
    forecast_result_previous_year = kronor_field(
        "Beräknat resultat innevarande år (kr)", required=False, allow_negative=True
    )
    funding_deviation = forms.CharField(
        label="Motivering om intäkterna avviker från 50/25/25",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args, budget: Budget, medlemmar: list[Medlem], categories: list[CostCategory], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.budget, self.medlemmar, self.categories = budget, medlemmar, categories
        self.fields["opened_version"].initial = budget.lock_version
        self.outline_years = [budget.year + offset for offset in range(1, OUTLINE_YEARS + 1)]
        for medlem in medlemmar:
            self.fields[f"income_{medlem.pk}"] = kronor_field(f"{medlem}", required=False)
        for category in categories:
            self.fields[f"cost_{category.pk}"] = kronor_field(f"{category}", required=False)
            self.fields[f"cost_text_{category.pk}"] = forms.CharField(
                label=f"Beskrivning av {category}", max_length=200, required=False
            )
        for year in self.outline_years:
            self.fields[f"plan_income_{year}"] = kronor_field(f"Intäkter {year}", required=False)
            self.fields[f"plan_internal_{year}"] = kronor_field(f"Interna kostnader {year}", required=False)
            self.fields[f"plan_insats_{year}"] = kronor_field(f"Insatskostnader {year}", required=False)

    def income_fields(self):
        return [(medlem, self[f"income_{medlem.pk}"]) for medlem in self.medlemmar]

    def cost_fields(self):
        return [(c, self[f"cost_text_{c.pk}"], self[f"cost_{c.pk}"]) for c in self.categories]

    def outline_fields(self):
        return [
            (year, self[f"plan_income_{year}"], self[f"plan_internal_{year}"], self[f"plan_insats_{year}"])
            for year in self.outline_years
        ]

    def content(self) -> BudgetContent:
        data = self.cleaned_data
        zero = Decimal(0)
        outline = []
        for year in self.outline_years:
            values = [data.get(f"plan_{kind}_{year}") for kind in ("income", "internal", "insats")]
            if any(value is not None for value in values):
                outline.append(OutlineData(year, *(value or zero for value in values)))
        return BudgetContent(
            incomes={
                m: data[f"income_{m.pk}"] for m in self.medlemmar if data.get(f"income_{m.pk}") is not None
            },
            costs={
                c: (data.get(f"cost_text_{c.pk}") or "", data.get(f"cost_{c.pk}") or zero)
                for c in self.categories
            },
            outline=outline,
            opening_equity=data.get("opening_equity"),
            opening_equity_note=data.get("opening_equity_note") or "",
            forecast_result_previous_year=data.get("forecast_result_previous_year"),
            funding_deviation=data.get("funding_deviation") or "",
            comment=data.get("comment") or "",
        )


def content_initial(budget: Budget) -> dict:
    initial = {
        "opening_equity": budget.opening_equity,
        "opening_equity_note": budget.opening_equity_note,
        "forecast_result_previous_year": budget.forecast_result_previous_year,
        "funding_deviation": budget.funding_deviation,
        "comment": budget.comment,
    }
    initial.update({f"income_{row.medlem_id}": row.amount for row in budget.intakter.all()})
    for row in budget.costs.all():
        initial[f"cost_{row.category_id}"] = row.amount
        initial[f"cost_text_{row.category_id}"] = row.description
    for row in budget.outline.all():
        initial[f"plan_income_{row.year}"] = row.income
        initial[f"plan_internal_{row.year}"] = row.internal_costs
        initial[f"plan_insats_{row.year}"] = row.insats_costs
    return initial


class FundingCalculatorForm(forms.Form):
    """The calculator's known figure: the members' total, the state's half or one quarter. How each
    quarter is split is the förbund's rule (Medlemmar → Fördelning), not chosen here."""

    party = forms.ChoiceField(label="Utgå från", choices=funding.START_CHOICES)
    amount = kronor_field("Belopp (kr)")


class BudgetCreateForm(OnceForm):
    year = forms.IntegerField(label="Budgetår", min_value=2004, max_value=2100)


class BudgetReviseForm(OnceForm):
    """The Revidera button: a new version, once however often it is pressed."""


class BudgetDecisionItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        paragraph = f"§ {obj.paragraph}" if obj.paragraph is not None else "§ (numreras i protokollet)"
        return f"Styrelsemöte {obj.meeting.date:%Y-%m-%d}, {paragraph}: {obj.title}"


class BudgetDecisionForm(forms.Form):
    """The board's decision is the decision of the agenda item that handles this budget version:
    the date is the meeting's and the § the minutes'."""

    decided_item = BudgetDecisionItemChoice(
        label="Dagordningspunkt",
        queryset=AgendaItem.objects.none(),
        help_text=(
            "Punkten om budgeten på styrelsens dagordning; datum och § hämtas från mötet och protokollet."
        ),
        error_messages={
            "required": "Välj dagordningspunkten där styrelsen beslutade om budgeten.",
            "invalid_choice": "Välj en dagordningspunkt om budgeten i listan.",
        },
    )

    def __init__(self, *args, budget: Budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_item"].queryset = (
            AgendaItem.objects.filter(budget=budget, meeting__forbund_id=budget.forbund_id)
            .select_related("meeting")
            .order_by("-meeting__date", "order")
        )


class CostCategoryForm(OnceForm, forms.ModelForm):
    class Meta:
        model = CostCategory
        fields = ["name", "order"]

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
