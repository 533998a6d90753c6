"""Forms for the parties' confirmations: naming a representative, and the representative's answer."""

from __future__ import annotations

from django import forms

from finsam import access
from finsam.personnummer import ScreenedTextMixin
from forbund.models import Medlem, User

from .models import Insats
from .selectors import parties_of, representatives_for


class RepresentativeChoiceField(forms.ModelChoiceField):
    """Accounts by name; their e-mail addresses only for those who may read the person register."""

    show_email = False

    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.username
        return f"{name} ({user.email})" if user.email and self.show_email else name


class ConfirmationRequestForm(ScreenedTextMixin, forms.Form):
    """A party and its representative: an account that exists, or a name and an e-mail address for
    a new one."""

    medlem = forms.ModelChoiceField(label="Part", queryset=Medlem.objects.none())
    representative = RepresentativeChoiceField(
        label="Befintlig användare",
        queryset=None,
        required=False,
        empty_label="– Ny person (fyll i namn och e-post nedan) –",
    )
    name = forms.CharField(label="Namn", max_length=200, required=False)
    email = forms.EmailField(
        label="E-postadress",
        required=False,
        help_text="Personen får ett konto och en inbjudan att välja lösenord.",
    )
    title = forms.CharField(label="Befattning", max_length=200, required=False)

    def __init__(self, *args, insats: Insats, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["medlem"].queryset = Medlem.objects.filter(pk__in=parties_of(insats)).order_by("name")
        self.fields["representative"].queryset = representatives_for(insats.forbund)
        self.fields["representative"].show_email = bool(
            access.check("view_contact_register", user, insats.forbund)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("representative"):
            return cleaned
        if not cleaned.get("name", "").strip():
            self.add_error("name", "Ange namn, eller välj en befintlig användare.")
        if not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Ange e-postadress, eller välj en befintlig användare.")
        return cleaned


class ConfirmationAnswerForm(ScreenedTextMixin, forms.Form):
    """The representative's answer about the version on the page (kept in `version`, so an answer
    never covers a version they did not see)."""

    CONFIRM, DECLINE = "bekrafta", "avboj"

    decision = forms.ChoiceField(
        label="Ditt svar",
        choices=[
            (CONFIRM, "Jag bekräftar ansökan i denna version för min organisation"),
            (DECLINE, "Jag avböjer"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Välj om du bekräftar eller avböjer."},
    )
    comment = forms.CharField(
        label="Kommentar",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Krävs om du avböjer.",
    )
    version = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Skriv varför du avböjer.")
        return cleaned

    @property
    def confirmed(self) -> bool:
        return self.cleaned_data["decision"] == self.CONFIRM
