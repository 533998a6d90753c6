"""Forms for insatser. They check the shape of the input; the services check the rules. Every text
field is screened for personnummer (`ScreenedTextMixin`): applications, budgets and decisions travel
into the board's packet, and no participant may be named in them."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from finsam import access, uploads
from finsam.concurrency import OnceForm, VersionedForm
from finsam.money import KronorFormField
from finsam.personnummer import ScreenedTextMixin
from forbund.forms import DateInput, ForbundScopedForm
from forbund.models import AgendaItem, Forbund, Medlem, MeetingStatus, Styrelsemote, User

from .models import (
    ALLOWED_ATTACHMENT_EXTENSIONS,
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Beslut,
    Delprocess,
    Goal,
    Insats,
    Milestone,
)
from .services import BudgetLineData

APPLICATION_FIELDS = [
    "name",
    "description",
    "kind",
    "malgrupp",
    "malgrupp_description",
    "problem",
    "activities",
    "implementation_plan",
    "owner",
    "owner_unit",
    "partners",
    "contact",
    "start",
    "end",
    "budgeted_participants",
    "esf_cofunded",
    "external_evaluation",
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class InsatsVersionForm(VersionedForm):
    """The version of the insats a form about one of its parts was opened on: a part (a delprocess,
    the budget, a signature) changes the application, so it is saved only over the application its
    editor saw."""

    def __init__(self, *args, insats: Insats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = insats.lock_version


class InsatsForm(ScreenedTextMixin, ForbundScopedForm):
    """The application: what, for whom, why, by whom, when; goals as one per line. A new one is made
    once per form (a double submit leads to it), an edit is saved only over the version it opened."""

    resultatmal = forms.CharField(
        label="Resultatmål",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ett mål per rad: vad insatsen ska åstadkomma under perioden.",
    )
    effektmal = forms.CharField(
        label="Effektmål",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ett mål per rad: den långsiktiga effekten för målgruppen och parterna.",
    )

    class Meta:
        model = Insats
        fields = APPLICATION_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "malgrupp_description": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 5}),
            "activities": forms.Textarea(attrs={"rows": 5}),
            "implementation_plan": forms.Textarea(attrs={"rows": 4}),
            "partners": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, forbund: Forbund, user: User, **kwargs):
        super().__init__(*args, forbund=forbund, **kwargs)
        if not access.check("manage_organisation", user, forbund):  # the samordnare applies for anyone
            self.fields["owner"].queryset = access.projektagare_medlemmar(user, forbund)
            self.fields["owner"].empty_label = None
        self.fields[
            "partners"
        ].help_text = "Minst en part utöver projektägaren: en ansökan görs av minst två medlemmar."
        if self.instance.pk:
            self.fields["resultatmal"].initial = "\n".join(g.text for g in self.instance.resultatmal)
            self.fields["effektmal"].initial = "\n".join(g.text for g in self.instance.effektmal)

    def clean(self):
        cleaned = super().clean()
        owner, partners = cleaned.get("owner"), cleaned.get("partners")
        if owner and partners is not None and owner in partners:
            self.add_error("partners", "Projektägaren räknas redan; välj de andra parterna.")
        return cleaned

    @property
    def goals(self) -> dict[str, list[str]]:
        return {
            Goal.Kind.RESULTATMAL: _lines(self.cleaned_data.get("resultatmal", "")),
            Goal.Kind.EFFEKTMAL: _lines(self.cleaned_data.get("effektmal", "")),
        }


class DelprocessForm(ScreenedTextMixin, OnceForm, forms.ModelForm):
    class Meta:
        model = Delprocess
        fields = ["name", "owner", "owner_unit", "problem", "goals", "activities"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, insats: Insats, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.insats = insats
        self.fields["owner"].queryset = Medlem.objects.filter(forbund_id=insats.forbund_id)


class BudgetLineForm(ScreenedTextMixin, forms.Form):
    """One budget line with an amount field per year of the insats's period."""

    section = forms.CharField(label="Avsnitt", required=False, max_length=200)
    delprocess = forms.ModelChoiceField(
        label="Delprocess", queryset=Delprocess.objects.none(), required=False
    )
    description = forms.CharField(label="Kostnad", max_length=300, required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Medlem.objects.none(), required=False
    )
    share = forms.CharField(label="Andel av heltid", max_length=40, required=False)

    def __init__(self, *args, insats: Insats, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = insats.years
        self.fields["delprocess"].queryset = insats.delprocesser.all()
        self.fields["organisation"].queryset = Medlem.objects.filter(forbund_id=insats.forbund_id)
        for year in self.years:
            self.fields[f"amount_{year}"] = KronorFormField(label=f"Belopp {year} (kr)", required=False)

        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ModelChoiceField)
                else "form-control form-control-sm"
            )
            if name == "DELETE":
                continue
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()

    def amount_fields(self):
        return [self[f"amount_{year}"] for year in self.years]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("description") and all(data.get(f"amount_{year}") is None for year in self.years)

    def clean(self):
        cleaned = super().clean()
        has_amount = any(cleaned.get(f"amount_{year}") is not None for year in self.years)
        if has_amount and not cleaned.get("description"):
            self.add_error("description", "Beskriv kostnaden.")
        return cleaned

    def to_data(self) -> BudgetLineData:
        data = self.cleaned_data
        return BudgetLineData(
            description=data["description"],
            section=data.get("section") or "",
            delprocess=data.get("delprocess"),
            organisation=data.get("organisation"),
            share=data.get("share") or "",
            amounts={
                year: data[f"amount_{year}"] for year in self.years if data.get(f"amount_{year}") is not None
            },
        )


class BaseBudgetFormSet(forms.BaseFormSet):
    def lines(self) -> list[BudgetLineData]:
        return [
            form.to_data()
            for form in self.forms
            if form.cleaned_data and not form.is_blank() and not self._should_delete_form(form)
        ]


# At most this many lines: a tampered form count otherwise builds (and shows) Django's default 2 000 forms.
MAX_BUDGET_LINES = 100
BudgetFormSet = forms.formset_factory(
    BudgetLineForm,
    formset=BaseBudgetFormSet,
    extra=1,  # one empty row; "Lägg till rad" (static/js/formset_rows.js) adds more without saving
    can_delete=True,
    max_num=MAX_BUDGET_LINES,
    absolute_max=MAX_BUDGET_LINES,
)


def budget_initial(insats: Insats) -> list[dict]:
    initial = []
    for line in insats.budget_lines.select_related("delprocess", "organisation").prefetch_related("amounts"):
        row = {
            "section": line.section,
            "delprocess": line.delprocess,
            "description": line.description,
            "organisation": line.organisation,
            "share": line.share,
        }
        row.update({f"amount_{a.year}": a.amount for a in line.amounts.all()})
        initial.append(row)
    return initial


class AgendaItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        paragraph = f"§ {obj.paragraph}" if obj.paragraph is not None else "§ (numreras i protokollet)"
        return f"Styrelsemöte {obj.meeting.date:%Y-%m-%d}, {paragraph}: {obj.title}"


class DecisionForm(ScreenedTextMixin, forms.Form):
    """A decision on the application: the board's, on an agenda item about the insats (an existing
    one, or one put on an open meeting's agenda now), or one taken under delegation."""

    BOARD, DELEGATION = "styrelsen", "delegation"

    outcome = forms.ChoiceField(label="Beslut", choices=Beslut.Outcome.choices, widget=forms.RadioSelect)
    decided_by = forms.ChoiceField(
        label="Vem beslutade",
        choices=[(BOARD, "Styrelsen, på ett möte"), (DELEGATION, "Beslut på delegation")],
        initial=BOARD,
        widget=forms.RadioSelect,
    )
    agenda_item = AgendaItemChoice(
        label="Dagordningspunkt",
        queryset=AgendaItem.objects.none(),
        required=False,
        help_text="Punkten om insatsen; datum och § hämtas från mötet och protokollet.",
        error_messages={"invalid_choice": "Välj en dagordningspunkt om insatsen i listan."},
    )
    new_item_meeting = forms.ModelChoiceField(
        label="Eller lägg ansökan på dagordningen för",
        queryset=Styrelsemote.objects.none(),
        required=False,
        help_text="Ett möte vars dagordning ännu kan ändras; punkten skapas när beslutet registreras.",
        error_messages={"invalid_choice": "Välj ett möte i listan."},
    )
    decided_on = forms.DateField(
        label="Beslutsdatum (vid beslut på delegation)", required=False, widget=DateInput()
    )
    delegation_point = forms.CharField(label="Punkt i delegationsordningen", max_length=100, required=False)
    motivation = forms.CharField(label="Motivering", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, insats: Insats, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = insats.years
        self.fields["agenda_item"].queryset = (
            AgendaItem.objects.filter(insats=insats, meeting__forbund_id=insats.forbund_id)
            .select_related("meeting")
            .order_by("-meeting__date", "order")
        )
        self.fields["new_item_meeting"].queryset = (
            Styrelsemote.objects.filter(forbund_id=insats.forbund_id)
            .exclude(status__in=[MeetingStatus.JUSTERING, MeetingStatus.JUSTERAT])
            .order_by("date")
        )
        for year in self.years:
            self.fields[f"amount_{year}"] = KronorFormField(label=f"Beviljat {year} (kr)", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decided_by") == self.DELEGATION:
            if not cleaned.get("decided_on") and "decided_on" not in self.errors:
                self.add_error("decided_on", "Ange vilken dag beslutet fattades på delegation.")
        elif cleaned.get("agenda_item") and cleaned.get("new_item_meeting"):
            self.add_error(
                "new_item_meeting", "Välj antingen en befintlig punkt eller ett möte att lägga punkten på."
            )
        elif (
            "agenda_item" not in self.errors
            and "new_item_meeting" not in self.errors
            and not cleaned.get("agenda_item")
            and not cleaned.get("new_item_meeting")
        ):
            self.add_error(
                "agenda_item",
                "Välj dagordningspunkten där styrelsen beslutade, eller ett möte att lägga ansökan på.",
            )
        return cleaned

    @property
    def on_delegation(self) -> bool:
        return self.cleaned_data.get("decided_by") == self.DELEGATION

    @property
    def amounts(self) -> dict[int, Decimal]:
        return {
            year: self.cleaned_data[f"amount_{year}"]
            for year in self.years
            if self.cleaned_data.get(f"amount_{year}") is not None
        }


class MilestoneForm(ScreenedTextMixin, VersionedForm, OnceForm, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "description", "due", "status"]
        widgets = {"due": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}


class AttachmentForm(ScreenedTextMixin, forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file", "description"]

    def clean_file(self):
        # The content must match the extension; the model's validator names a wrong extension.
        file = self.cleaned_data["file"]
        uploads.UploadValidator(
            ALLOWED_ATTACHMENT_EXTENSIONS, max_bytes=MAX_ATTACHMENT_BYTES, check_extension=False
        )(file)
        return file
