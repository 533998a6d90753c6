"""Forms for the agenda, the notice and the delegationsbeslut. Choices come only from the förbund.
Edit forms carry the version they were opened on; create forms a one-time token."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

from ekonomi.models import Budget
from finsam import uploads
from finsam.concurrency import OnceForm, VersionedForm
from finsam.personnummer import ScreenedTextMixin
from forbund.forms import DateInput
from forbund.models import (
    AgendaItem,
    AgendaTemplateItem,
    Delegationsbeslut,
    Dokumentjobb,
    Forbund,
    Person,
    Styrelsemote,
)
from forbund.models.meetings import MAX_PAPER_BYTES, PAPER_EXTENSIONS
from insatser.models import Insats
from uppfoljning.models import Tertialrapport

# The prefix of a link choice names the AgendaItem field it fills.
LINK_FIELDS = {
    "insats": "insats",
    "rapport": "tertialrapport",
    "budget": "budget",
    "dokument": "dokumentjobb",
}


def link_choices(forbund: Forbund) -> list:
    """The förbund's records an agenda item can link to, grouped by kind."""
    insatser = Insats.objects.filter(forbund=forbund).order_by("name")
    reports = (
        Tertialrapport.objects.filter(period__forbund=forbund)
        .select_related("insats", "period")
        .order_by("-period__year", "period__kind", "insats__name")
    )
    budgets = Budget.objects.filter(forbund=forbund).order_by("-year", "-version")
    documents = Dokumentjobb.objects.filter(forbund=forbund, status=Dokumentjobb.Status.KLAR).order_by(
        "-year", "kind"
    )
    groups = [
        ("Insatser", [(f"insats:{i.pk}", str(i)) for i in insatser]),
        ("Tertial- och årsrapporter", [(f"rapport:{r.pk}", str(r)) for r in reports]),
        ("Budgetar", [(f"budget:{b.pk}", str(b)) for b in budgets]),
        ("Dokument", [(f"dokument:{d.pk}", str(d)) for d in documents]),
    ]
    return [("", "Inget underlag"), *[(label, options) for label, options in groups if options]]


class AgendaItemForm(ScreenedTextMixin, VersionedForm, OnceForm, forms.ModelForm):
    link = forms.ChoiceField(
        label="Underlag i finsam",
        required=False,
        help_text="En ansökan eller insats, en rapport, en budget eller ett färdigt dokument.",
        error_messages={"invalid_choice": "Välj ett underlag som hör till förbundet."},
    )
    attachment_title = forms.CharField(label="Handlingens rubrik", max_length=200, required=False)
    attachment_file = forms.FileField(
        label="Ladda upp en handling",
        required=False,
        validators=[
            FileExtensionValidator(PAPER_EXTENSIONS),
            uploads.UploadValidator(PAPER_EXTENSIONS, max_bytes=MAX_PAPER_BYTES, check_extension=False),
        ],
        help_text="PDF, Word eller Excel, högst 20 MB.",
    )

    class Meta:
        model = AgendaItem
        fields = ["kind", "title", "proposal", "presenter"]
        widgets = {"proposal": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, meeting: Styrelsemote, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.instance.meeting = meeting
        self.fields["link"].choices = link_choices(meeting.forbund)
        linked = self.instance.linked if self.instance.pk else None
        if linked is not None and not self.is_bound:
            prefix = next(p for p, f in LINK_FIELDS.items() if getattr(self.instance, f"{f}_id"))
            self.initial["link"] = f"{prefix}:{linked.pk}"

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("link") or ""
        for field in LINK_FIELDS.values():
            setattr(self.instance, field, None)
        if value:
            prefix, _, pk = value.partition(":")
            field = LINK_FIELDS.get(prefix)
            model = AgendaItem._meta.get_field(field).related_model if field else None
            record = model.objects.filter(pk=pk).first() if model and pk.isdigit() else None
            if record is None:
                raise ValidationError({"link": "Välj ett underlag som hör till förbundet."})
            setattr(self.instance, field, record)
        return cleaned


class AgendaTemplateItemForm(ScreenedTextMixin, forms.ModelForm):
    class Meta:
        model = AgendaTemplateItem
        fields = ["title", "kind", "proposal", "order", "at_end"]
        widgets = {"proposal": forms.Textarea(attrs={"rows": 2})}


class NoticeForm(ScreenedTextMixin, VersionedForm, forms.ModelForm):
    """The notice's greeting; the version guards against sending a notice for a meeting someone
    changed after the page was opened."""

    class Meta:
        model = Styrelsemote
        fields = ["notice_text"]
        widgets = {"notice_text": forms.Textarea(attrs={"rows": 5})}


class DelegationsbeslutForm(ScreenedTextMixin, VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = Delegationsbeslut
        fields = ["decided_on", "title", "description", "delegation_point", "decided_by"]
        widgets = {"decided_on": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.forbund = forbund
        self.fields["decided_by"].queryset = Person.objects.filter(forbund=forbund).order_by("name")
