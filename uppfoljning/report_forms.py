"""The report form: texts, progress per goal, participant counts and cost. Counts only."""

from __future__ import annotations

from django import forms
from django.core.validators import MinValueValidator

from forbund.forms import DateInput

from . import statistics
from .models import GoalProgress, ReportPeriod, Tertialrapport
from .reports import ReportData

TEXT_FIELDS = ["cooperation", "activities", "deviations", "implementation"]


class ReportForm(forms.Form):
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
    cost = forms.DecimalField(
        label="Kostnad under perioden (kr)",
        required=False,
        max_digits=14,
        decimal_places=0,
        validators=[MinValueValidator(0, message="Kostnaden kan inte vara negativ.")],
        error_messages={"invalid": "Ange kostnaden som ett belopp i hela kronor."},
    )
    cost_comment = forms.CharField(label="Kommentar till kostnaden", max_length=300, required=False)

    def __init__(self, *args, report: Tertialrapport, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
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
                    widget=forms.NumberInput(attrs={"min": 0, "class": "text-end"}),
                    error_messages={
                        "invalid": f"{label}: ange ett heltal.",
                        "min_value": f"{label}: antalet kan inte vara negativt.",
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


class ReportPeriodForm(forms.ModelForm):
    class Meta:
        model = ReportPeriod
        fields = ["kind", "due_date", "reminder_days"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.year = year
