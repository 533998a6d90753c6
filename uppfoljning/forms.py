"""Forms for reports, follow-up and the förbund's documents. They check the shape of the input; the
services check the rules. Edit forms carry the version they were opened on (`VersionedForm`), create
forms a one-time token (`OnceForm`). Every text field is screened for personnummer
(`ScreenedTextMixin`): reports travel into the board's packet and the documents are public."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator

from finsam.concurrency import OnceForm, VersionedForm
from finsam.money import KronorFormField, SignedKronorFormField
from finsam.personnummer import ScreenedTextMixin
from forbund.forms import DateInput

from . import statistics
from .models import Arsredovisning, GoalProgress, Indikator, ReportPeriod, Tertialrapport, Verksamhetsplan
from .selectors.reports import TEXT_FIELDS
from .services.plan import ActivityData, IndicatorData, IndicatorOutcome
from .services.reports import ReportData

# Reports ------------------------------------------------------------------------------------------

# A participant count is stored in a PostgreSQL integer; far more than any insats has, but a bound.
MAX_COUNT = 1_000_000


class ReportForm(ScreenedTextMixin, VersionedForm):
    cooperation = forms.CharField(
        label="Hur samverkan fungerar och har utvecklats",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    activities = forms.CharField(
        label="Genomförda aktiviteter", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    deviations = forms.CharField(
        label="Avvikelser och risker", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    implementation = forms.CharField(
        label="Arbete med implementering i ordinarie verksamhet",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost = KronorFormField(
        label="Kostnad under perioden (kr)",
        required=False,
        validators=[MinValueValidator(0, message="Kostnaden kan inte vara negativ.")],
        error_messages={"invalid": "Ange kostnaden som ett belopp i hela kronor, till exempel 1 893 000."},
    )
    cost_comment = forms.CharField(label="Kommentar till kostnaden", max_length=300, required=False)

    def __init__(self, *args, report: Tertialrapport, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["opened_version"].initial = report.lock_version
        self.goals = list(report.insats.goals.all())
        self.dimensions = statistics.dimensions_for(report.insats.kind)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}_status"] = forms.ChoiceField(
                label=f"Läge: {goal.text}", choices=[("", "—"), *GoalProgress.Status.choices], required=False
            )
            self.fields[f"goal_{goal.pk}_comment"] = forms.CharField(
                label=f"Kommentar: {goal.text}", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        for dimension in self.dimensions:
            for code, label in dimension.categories:
                self.fields[f"count_{dimension.code}_{code}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=MAX_COUNT,
                    widget=forms.NumberInput(attrs={"min": 0, "class": "text-end"}),
                    error_messages={
                        "invalid": f"{label}: ange ett heltal.",
                        "min_value": f"{label}: antalet kan inte vara negativt.",
                        "max_value": f"{label}: antalet är orimligt stort.",
                    },
                )

    def goal_fields(self):
        return [
            (goal, self[f"goal_{goal.pk}_status"], self[f"goal_{goal.pk}_comment"]) for goal in self.goals
        ]

    def count_groups(self):
        return [
            (dimension, [self[f"count_{dimension.code}_{code}"] for code, _ in dimension.categories])
            for dimension in self.dimensions
        ]

    def data_for_service(self) -> ReportData:
        data = self.cleaned_data
        counts = {
            (dimension.code, code): data.get(f"count_{dimension.code}_{code}") or 0
            for dimension in self.dimensions
            for code, _ in dimension.categories
        }
        goals = {
            goal.pk: (data.get(f"goal_{goal.pk}_status") or "", data.get(f"goal_{goal.pk}_comment") or "")
            for goal in self.goals
            if data.get(f"goal_{goal.pk}_status") or data.get(f"goal_{goal.pk}_comment")
        }
        return ReportData(
            **{name: data.get(name) or "" for name in TEXT_FIELDS},
            cost=data.get("cost"),
            cost_comment=data.get("cost_comment") or "",
            goals=goals,
            counts=counts,
        )


def report_initial(report: Tertialrapport, suggested_cost=None) -> dict:
    initial = {name: getattr(report, name) for name in TEXT_FIELDS}
    initial["cost"] = report.cost if report.cost is not None else suggested_cost
    initial["cost_comment"] = report.cost_comment
    for progress in report.goal_progress.all():
        initial[f"goal_{progress.goal_id}_status"] = progress.status
        initial[f"goal_{progress.goal_id}_comment"] = progress.comment
    for count in report.counts.all():
        initial[f"count_{count.dimension}_{count.category}"] = count.count
    return initial


class ReportPeriodForm(OnceForm, forms.ModelForm):
    class Meta:
        model = ReportPeriod
        fields = ["kind", "due_date", "reminder_days"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.year = year


# Follow-up --------------------------------------------------------------------------------------


class IndicatorOutcomeForm(ScreenedTextMixin, forms.Form):
    indicator_id = forms.IntegerField(widget=forms.HiddenInput)
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    outcome = forms.CharField(label="Utfall", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    achieved = forms.ChoiceField(label="Uppnått", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = Indikator._meta.get_field("achieved")
        self.fields["achieved"].choices = [(value, label) for value, label in field.flatchoices]
        self.fields["achieved"].required = not field.blank


# At most this many rows: a tampered form count otherwise builds (and shows) Django's default 2 000 forms.
MAX_ROWS = 100
IndicatorOutcomeFormSet = forms.formset_factory(
    IndicatorOutcomeForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


def outcome_initial(indicators: list[Indikator]) -> list[dict]:
    return [
        {"indicator_id": i.pk, "opened_version": i.lock_version, "outcome": i.outcome, "achieved": i.achieved}
        for i in indicators
    ]


def outcomes_from(formset) -> dict[int, IndicatorOutcome]:
    return {
        row["indicator_id"]: IndicatorOutcome(
            row.get("outcome", ""), row.get("achieved", ""), row.get("opened_version")
        )
        for row in formset.cleaned_data
        if row
    }


# Documents --------------------------------------------------------------------------------------


class VerksamhetsplanForm(ScreenedTextMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Verksamhetsplan
        fields = list(Verksamhetsplan.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in Verksamhetsplan.TEXT_FIELDS}


class IndicatorForm(ScreenedTextMixin, forms.Form):
    indicator = forms.CharField(label="Indikator", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label="Mått", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("indicator")) != bool(cleaned.get("measure")):
            raise forms.ValidationError("Ange både indikator och mått, eller lämna båda tomma.")
        return cleaned


class ActivityForm(ScreenedTextMixin, forms.Form):
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


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=RowsFormSet, extra=2, can_delete=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)
ActivityFormSet = forms.formset_factory(
    ActivityForm, formset=RowsFormSet, extra=2, can_delete=True, max_num=MAX_ROWS, absolute_max=MAX_ROWS
)


def indicators_from(formset) -> list[IndicatorData]:
    return [IndicatorData(row["indicator"], row["measure"]) for row in formset.filled()]


def activities_from(formset) -> list[ActivityData]:
    return [
        ActivityData(
            row["activity"], row.get("when", ""), row.get("responsible", ""), row.get("follow_up", "")
        )
        for row in formset.filled()
    ]


class ArsredovisningForm(ScreenedTextMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Arsredovisning
        fields = [*Arsredovisning.TEXT_FIELDS, *Arsredovisning.BALANCE_FIELDS, "balance_comment"]
        # Balance figures shown grouped (1 893 000) and read back with or without the spaces.
        field_classes = dict.fromkeys(Arsredovisning.BALANCE_FIELDS, SignedKronorFormField)
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 4}) for name in Arsredovisning.TEXT_FIELDS},
            "balance_comment": forms.Textarea(attrs={"rows": 2}),
        }


class AnsvarsfrihetForm(ScreenedTextMixin, forms.Form):
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
