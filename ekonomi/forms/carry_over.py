"""Forms for carrying the economy into the next year: next year's proposal, other income, the
members' payment plan and a person's forecast for a line."""

from __future__ import annotations

from django import forms

from finsam.concurrency import OnceForm
from finsam.money import KronorFormField, SignedKronorFormField
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
            "amount": {"required": "Ange beloppet i hela kronor."},
        }
        # Grouped as Swedes write amounts (1 893 000), read back with or without the spaces.
        field_classes = {"amount": KronorFormField}


class ContributionPlanForm(forms.Form):
    contribution_plan = forms.ChoiceField(
        label="Medlemsbidragen betalas",
        choices=ContributionPlan.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"invalid_choice": "Välj en av betalningsplanerna."},
    )


class ForecastOverrideForm(ScreenedTextMixin, forms.Form):
    amount = SignedKronorFormField(
        label="Prognos helår (kr)",
        error_messages={"required": "Ange prognosen för helåret i hela kronor."},
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
