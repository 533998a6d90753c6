"""Forms for the outcome. They check the shape of the input; the services check the rules."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator

from finsam import uploads
from finsam.money import KronorFormField, SignedKronorFormField
from forbund.forms import DateInput, ForbundScopedForm
from forbund.models import Forbund, Medlem
from insatser.models import Insats

from ..models import (
    ATTEST_RULE_FIELDS,
    INVOICE_FIELDS,
    AccountMapping,
    CostCategory,
    EconomySettings,
    Invoice,
)

MAX_ATTACHMENT_BYTES = 10 * uploads.MB
ATTACHMENT_KINDS = ["pdf", "png", "jpg", "jpeg"]
MAX_LEDGER_BYTES = 20 * uploads.MB
ALL = "Alla"


class NumberCheckedByService:
    """The supplier number's uniqueness per insats is left to the service: a double submit must reach
    `create_once` (which returns the first invoice) rather than be refused as a duplicate of itself."""

    def _get_validation_exclusions(self):
        return {*super()._get_validation_exclusions(), "number"}


class InvoiceForm(NumberCheckedByService, ForbundScopedForm):
    class Meta:
        model = Invoice
        fields = INVOICE_FIELDS
        help_texts = {
            "amount": "Hela kronor. En kreditfaktura anges med negativt belopp.",
            "is_credit_note": "Kryssa i för en kreditfaktura, som minskar det fakturerade beloppet.",
        }
        widgets = {"over_grant_reason": forms.Textarea(attrs={"rows": 2})}
        # A credit note is entered with a negative amount.
        field_classes = {"amount": SignedKronorFormField}

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, forbund=forbund, **kwargs)
        self.fields["insats"].queryset = Insats.objects.filter(forbund=forbund).order_by("name")
        self.fields["insats"].help_text = "Bara beviljade och pågående insatser tar emot fakturor."
        self.fields["number"].label = "Leverantörens fakturanummer"
        self.fields["number"].help_text = "Samma fakturanummer kan bara registreras en gång per insats."
        self.fields["attachment"].help_text = "PDF, PNG eller JPG, högst 10 MB."
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg"

    def clean_attachment(self):
        file = self.cleaned_data.get("attachment")
        if isinstance(file, UploadedFile):  # a new upload, not the stored file
            if uploads.extension(file.name) not in ATTACHMENT_KINDS:
                raise forms.ValidationError("Fakturan ska vara en PDF, PNG eller JPG.")
            uploads.check_upload(file, kinds=ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES)
        return file


class RekvisitionForm(NumberCheckedByService, ForbundScopedForm):
    """A projektägare's request for payment for one of their organisation's granted insatser; the
    attachment (their invoice or underlag) is required."""

    class Meta:
        model = Invoice
        fields = [
            "insats",
            "number",
            "period_start",
            "period_end",
            "amount",
            "attachment",
            "note",
            "over_grant_reason",
        ]
        labels = {
            "number": "Er fakturans eller rekvisitionens nummer",
            "amount": "Belopp (kr)",
            "attachment": "Faktura eller underlag",
            "note": "Meddelande till förbundet",
        }
        help_texts = {"amount": "Hela kronor."}
        widgets = {"over_grant_reason": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"amount": KronorFormField}

    def __init__(self, *args, forbund: Forbund, insatser, **kwargs):
        super().__init__(*args, forbund=forbund, **kwargs)
        self.fields["insats"].queryset = insatser
        self.fields["insats"].help_text = "Din organisations beviljade insatser."
        self.fields["number"].required = True
        self.fields["attachment"].required = True
        self.fields["attachment"].help_text = "PDF, PNG eller JPG, högst 10 MB."
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg"

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount <= 0:
            raise forms.ValidationError("Ange ett belopp större än 0 kr.")
        return amount

    def clean_attachment(self):
        file = self.cleaned_data.get("attachment")
        if isinstance(file, UploadedFile):
            if uploads.extension(file.name) not in ATTACHMENT_KINDS:
                raise forms.ValidationError("Underlaget ska vara en PDF, PNG eller JPG.")
            uploads.check_upload(file, kinds=ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES)
        return file


class AttestRulesForm(forms.ModelForm):
    class Meta:
        model = EconomySettings
        fields = ATTEST_RULE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("samordnare_attests") or cleaned.get("ekonom_attests")):
            raise forms.ValidationError("Minst en roll måste få attestera fakturor.")
        return cleaned


class InvoiceTransitionForm(forms.Form):
    on = forms.DateField(label="Datum", required=False, widget=DateInput())


class InvoiceFilter(django_filters.FilterSet):
    insats = django_filters.ModelChoiceFilter(label="Insats", queryset=Insats.objects.none(), empty_label=ALL)
    year = django_filters.ChoiceFilter(label="År", method="in_year", empty_label=ALL)
    status = django_filters.ChoiceFilter(label="Status", choices=Invoice.Status.choices, empty_label=ALL)

    class Meta:
        model = Invoice
        fields = ["insats", "year", "status"]

    def __init__(self, *args, forbund: Forbund, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the choice shows: a förbund's ten years of insatser with their texts are heavy.
        self.filters["insats"].queryset = (
            Insats.objects.filter(forbund=forbund).only("pk", "forbund_id", "name").order_by("name")
        )
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def in_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(period_start__year__lte=year, period_end__year__gte=year)


class AccountMappingForm(forms.ModelForm):
    """An account and the one budget line it belongs to, chosen in a single list so that it is
    always exactly one."""

    account = forms.CharField(
        label="Konto",
        max_length=10,
        validators=[RegexValidator(r"^\d{3,10}$", "Ange kontonumret med siffror, t.ex. 4010.")],
    )
    target = forms.ChoiceField(
        label="Hör till",
        help_text=(
            "Intäktskonton kopplas till en medlem, kostnadskonton till ett kostnadsslag eller en insats."
        ),
    )

    class Meta:
        model = AccountMapping
        fields = ["account", "name"]

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.targets = {}
        groups = [
            ("medlem", "Intäkt från medlem", Medlem.objects.filter(forbund=forbund).order_by("kind", "name")),
            ("category", "Kostnadsslag", CostCategory.objects.filter(forbund=forbund)),
            ("insats", "Insats", Insats.objects.filter(forbund=forbund).order_by("name")),
        ]
        choices: list = [("", "Välj …")]
        for kind, label, queryset in groups:
            options = []
            for obj in queryset:
                key = f"{kind}:{obj.pk}"
                self.targets[key] = (kind, obj)
                options.append((key, str(obj)))
            if options:
                choices.append((label, options))
        self.fields["target"].choices = choices
        instance = self.instance
        for kind in ("medlem", "category", "insats"):
            if getattr(instance, f"{kind}_id", None):
                self.initial["target"] = f"{kind}:{getattr(instance, f'{kind}_id')}"

    def clean(self):
        cleaned = super().clean()
        choice = self.targets.get(cleaned.get("target", ""))
        if choice is not None:
            kind, obj = choice
            for field in ("medlem", "category", "insats"):
                setattr(self.instance, field, obj if field == kind else None)
        return cleaned


class LedgerUploadForm(forms.Form):
    """The file, checked before anything parses it: an .xlsx by its content, within the size, sheet
    and row limits (`finsam.uploads.check_spreadsheet`). `facts` then tells how many rows it has."""

    file = forms.FileField(
        label="Huvudbok (Excel)",
        help_text="En .xlsx-fil, högst 20 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if uploads.extension(file.name) != "xlsx" and not getattr(file, "refusal", None):
            raise forms.ValidationError(
                "Filen måste vara en Excelfil (.xlsx). Spara om den i Excel som .xlsx."
            )
        uploads.check_upload(file, kinds=["xlsx"], max_bytes=MAX_LEDGER_BYTES)
        self.facts = uploads.check_spreadsheet(file, name=file.name)
        return file
