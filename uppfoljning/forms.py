"""Forms for the verksamhetsplan's text, indicators and planned activities."""

from __future__ import annotations

from django import forms

from forbund.forms import DateInput

from .models import Arsredovisning, Verksamhetsplan
from .services import ActivityData, IndicatorData


class VerksamhetsplanForm(forms.ModelForm):
    class Meta:
        model = Verksamhetsplan
        fields = list(Verksamhetsplan.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in Verksamhetsplan.TEXT_FIELDS}


class IndicatorForm(forms.Form):
    indicator = forms.CharField(label="Indikator", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label="Mått", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("indicator")) != bool(cleaned.get("measure")):
            raise forms.ValidationError("Ange både indikator och mått, eller lämna båda tomma.")
        return cleaned


class ActivityForm(forms.Form):
    activity = forms.CharField(label="Aktivitet", max_length=300, required=False)
    when = forms.CharField(label="När", max_length=100, required=False)
    responsible = forms.CharField(label="Ansvarig", max_length=200, required=False)
    follow_up = forms.CharField(label="Uppföljning och information", max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in ("when", "responsible", "follow_up")) and not cleaned.get(
            "activity"
        ):
            self.add_error("activity", "Beskriv aktiviteten.")
        return cleaned


class RowsFormSet(forms.BaseFormSet):
    def filled(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and any(form.cleaned_data.values()) and not self._should_delete_form(form)
        ]


IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=RowsFormSet, extra=2, can_delete=True)
ActivityFormSet = forms.formset_factory(ActivityForm, formset=RowsFormSet, extra=2, can_delete=True)


def indicators_from(formset) -> list[IndicatorData]:
    return [IndicatorData(row["indicator"], row["measure"]) for row in formset.filled()]


def activities_from(formset) -> list[ActivityData]:
    return [
        ActivityData(
            row["activity"], row.get("when", ""), row.get("responsible", ""), row.get("follow_up", "")
        )
        for row in formset.filled()
    ]


class ArsredovisningForm(forms.ModelForm):
    class Meta:
        model = Arsredovisning
        fields = [*Arsredovisning.TEXT_FIELDS, *Arsredovisning.BALANCE_FIELDS]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in Arsredovisning.TEXT_FIELDS}


class AnsvarsfrihetForm(forms.Form):
    medlem = forms.ModelChoiceField(label="Medlem", queryset=None)
    decided_on = forms.DateField(label="Beslutsdatum", widget=DateInput())
    granted = forms.TypedChoiceField(
        label="Beslut",
        choices=[("1", "Ansvarsfrihet beviljad"), ("0", "Ansvarsfrihet inte beviljad")],
        coerce=lambda value: value == "1",
    )
    comment = forms.CharField(label="Kommentar", max_length=300, required=False)

    def __init__(self, *args, medlemmar, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medlem"].queryset = medlemmar
