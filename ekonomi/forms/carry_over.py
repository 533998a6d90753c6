"""Forms for carrying the economy into the next year: next year's proposal, other income, the
members' payment plan and a person's forecast for a line."""

from __future__ import annotations

from django import forms

from finsam.concurrency import OnceForm
from finsam.personnummer import ScreenedTextMixin

from ..models import BudgetOtherIncome, ContributionPlan


class NextYearForm(OnceForm):
    """The button "Nytt budgetförslag från <år>": one proposal however often it is pressed."""


class OtherIncomeForm(ScreenedTextMixin, OnceForm, forms.ModelForm):
    class Meta:
        model = BudgetOtherIncome
        fields = ["kind", "description", "amount"]
        error_messages = {
            "description": {"required": "Beskriv intäkten, t.ex. vilket projekt den gäller."},
            "amount": {
                "required": "Ange beloppet i hela kronor.",
                "max_decimal_places": "Ange hela kronor.",
                "invalid": "Ange beloppet i hela kronor.",
            },
        }
        widgets = {"amount": forms.NumberInput(attrs={"step": 1, "class": "text-end"})}

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError("Beloppet får inte vara negativt.")
        return amount


class ContributionPlanForm(forms.Form):
    contribution_plan = forms.ChoiceField(
        label="Medlemsbidragen betalas",
        choices=ContributionPlan.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": "Välj en av betalningsplanerna."},
    )


class ForecastOverrideForm(ScreenedTextMixin, forms.Form):
    amount = forms.DecimalField(
        label="Prognos helår (kr)",
        max_digits=14,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"step": 1, "class": "text-end"}),
        error_messages={
            "required": "Ange prognosen för helåret i hela kronor.",
            "invalid": "Ange prognosen för helåret i hela kronor.",
            "max_decimal_places": "Ange hela kronor.",
            "max_digits": "Beloppet är för stort.",
        },
    )
    comment = forms.CharField(
        label="Motivering",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Varför prognosen avviker från den beräknade, t.ex. ”Slutfakturan kommer i december”.",
        error_messages={"required": "Motivera den justerade prognosen."},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError("Motivera den justerade prognosen.")
        return comment
