"""Forms for joining, leaving and the rule for splitting the quarters: input only, the consequences
are `forbund.membership`'s."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from ekonomi.funding import Method
from finsam.concurrency import OnceForm, VersionedForm
from finsam.money import KronorFormField
from finsam.personnummer import ScreenedTextMixin

from .forms import DateInput
from .membership import Decision
from .models import Medlem
from .validators import validate_organisationsnummer


class DecisionForm(ScreenedTextMixin, forms.Form):
    """The member's own decision: which body, when, and its paragraph or diarienummer."""

    decided_by = forms.CharField(
        label="Beslutande organ",
        max_length=200,
        help_text="Till exempel kommunfullmäktige i Nyby kommun eller regionfullmäktige.",
        error_messages={"required": "Ange vilket organ som fattade beslutet."},
    )
    decided_on = forms.DateField(
        label="Beslutsdatum",
        widget=DateInput(),
        error_messages={"required": "Ange när beslutet fattades.", "invalid": "Ange datumet som ÅÅÅÅ-MM-DD."},
    )
    reference = forms.CharField(
        label="Paragraf eller diarienummer",
        max_length=100,
        error_messages={"required": "Ange beslutets paragraf eller diarienummer."},
    )
    note = forms.CharField(label="Anteckning", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def decision(self) -> Decision:
        data = self.cleaned_data
        return Decision(
            decided_by=data["decided_by"],
            decided_on=data["decided_on"],
            reference=data["reference"],
            note=data.get("note") or "",
        )


class LeaveForm(DecisionForm):
    date = forms.DateField(
        label="Utträdesdag",
        widget=DateInput(),
        help_text="Den sista dagen som medlem. Styrelseuppdragen slutar den dagen.",
        error_messages={"required": "Ange utträdesdagen.", "invalid": "Ange datumet som ÅÅÅÅ-MM-DD."},
    )
    confirmed = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["date", "decided_by", "decided_on", "reference", "note"]

    def __init__(self, *args, medlem: Medlem, **kwargs):
        super().__init__(*args, **kwargs)
        self.medlem = medlem

    def clean(self):
        data = super().clean()
        date, decided_on = data.get("date"), data.get("decided_on")
        if date and date < self.medlem.joined:
            self.add_error("date", f"Utträdet kan inte ligga före inträdet ({self.medlem.joined:%Y-%m-%d}).")
        if date and decided_on and decided_on > date:
            self.add_error("decided_on", "Beslutet om utträde måste vara fattat senast utträdesdagen.")
        return data


class JoinForm(OnceForm, DecisionForm):
    kind = forms.ChoiceField(label="Typ av medlem", choices=Medlem.Kind.choices)
    name = forms.CharField(label="Namn", max_length=200, error_messages={"required": "Ange medlemmens namn."})
    organisationsnummer = forms.CharField(
        label="Organisationsnummer", max_length=11, required=False, validators=[validate_organisationsnummer]
    )
    date = forms.DateField(
        label="Inträdesdag",
        widget=DateInput(),
        error_messages={"required": "Ange inträdesdagen.", "invalid": "Ange datumet som ÅÅÅÅ-MM-DD."},
    )
    first_year_amount = KronorFormField(
        label="Bidrag inträdesåret (kr)",
        required=False,
        help_text=(
            "Lämna tomt så räknas bidraget det första året efter månaderna som medlem (inträde i maj "
            "ger 8/12 av en hel andel). Fyll i ett belopp om förbundet kommit överens om något annat."
        ),
    )

    field_order = [
        "kind",
        "name",
        "organisationsnummer",
        "date",
        "decided_by",
        "decided_on",
        "reference",
        "first_year_amount",
        "note",
    ]

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbund = forbund

    def _screened_fields(self):
        # An organisationsnummer is checked by its own validator, not screened as an identity number.
        return ((name, field) for name, field in super()._screened_fields() if name != "organisationsnummer")

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        if name and Medlem.objects.filter(forbund=self.forbund, name__iexact=name).exists():
            self.add_error("name", "Förbundet har redan en medlem med det namnet.")
        date, decided_on = data.get("date"), data.get("decided_on")
        if date and decided_on and decided_on > date:
            self.add_error("decided_on", "Beslutet om inträde måste vara fattat senast inträdesdagen.")
        return data


class FundingRuleForm(VersionedForm):
    kommun_method = forms.ChoiceField(label="Kommunernas fjärdedel fördelas", choices=Method.choices)
    region_method = forms.ChoiceField(
        label="Regionernas fjärdedel fördelas",
        choices=Method.choices,
        help_text="Spelar roll bara när förbundet har flera regioner.",
    )

    def __init__(self, *args, medlemmar: list[Medlem], **kwargs):
        super().__init__(*args, **kwargs)
        self.medlemmar = medlemmar
        for medlem in medlemmar:
            self.fields[f"share_{medlem.pk}"] = forms.DecimalField(
                label=f"{medlem} (%)",
                required=False,
                max_digits=5,
                decimal_places=2,
                validators=[
                    MinValueValidator(Decimal(0), message="Andelen får inte vara negativ."),
                    MaxValueValidator(Decimal(100), message="Andelen kan inte vara över 100 procent."),
                ],
                widget=forms.NumberInput(attrs={"step": "0.01", "class": "text-end"}),
                error_messages={"max_decimal_places": "Ange andelen med högst två decimaler."},
            )

    def share_fields(self):
        return [(medlem, self[f"share_{medlem.pk}"]) for medlem in self.medlemmar]

    def shares(self) -> dict[Medlem, Decimal | None]:
        return {medlem: self.cleaned_data.get(f"share_{medlem.pk}") for medlem in self.medlemmar}

    def clean(self):
        data = super().clean()
        for method_field, kind, who in (
            ("kommun_method", Medlem.Kind.KOMMUN, "kommunerna"),
            ("region_method", Medlem.Kind.REGION, "regionerna"),
        ):
            if data.get(method_field) != Method.AGREED:
                continue
            lacking = [
                str(m)
                for m in self.medlemmar
                if m.kind == kind and m.left is None and data.get(f"share_{m.pk}") in (None, Decimal(0))
            ]
            if lacking:
                self.add_error(
                    method_field,
                    f"Med överenskomna andelar för {who} behöver {', '.join(lacking)} en andel.",
                )
        return data
