"""Forms of the guided start. Where a form of the förbund pages fits (a member) it is reused; a board
seat and a kansli assignment are entered with their person in one form, since a new förbund has no
persons yet."""

from __future__ import annotations

from django import forms
from django.conf import settings

from finsam import uploads
from finsam.concurrency import OnceForm, VersionedForm

from ..forms import DateInput
from ..models import Forbund, Kansliuppdrag, Medlem, Person, Styrelseuppdrag

MAX_IMPORT_BYTES = 5 * uploads.MB


class ForbundStartForm(VersionedForm, OnceForm, forms.ModelForm):
    """Step 1: the förbund's name, organisationsnummer and its short name in addresses."""

    class Meta:
        model = Forbund
        fields = ["name", "organisationsnummer", "slug"]
        help_texts = {
            "name": "Som i förbundsordningen, t.ex. Samordningsförbundet Trelleborg.",
            "organisationsnummer": "NNNNNN-NNNN, som i Skatteverkets register.",
            "slug": "Små bokstäver, siffror och bindestreck, t.ex. trelleborg. Syns i förbundets adresser.",
        }
        error_messages = {
            "name": {"unique": "Det finns redan ett förbund med det namnet."},
            "slug": {
                "unique": "Kortnamnet används redan av ett annat förbund.",
                "invalid": "Använd bara små bokstäver a–z, siffror, bindestreck och understreck.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisationsnummer"].required = True
        self.fields["organisationsnummer"].error_messages["required"] = "Ange förbundets organisationsnummer."
        self.fields["name"].error_messages["required"] = "Ange förbundets namn."
        self.fields["slug"].error_messages["required"] = "Ange ett kortnamn för förbundets adresser."
        if self.instance.pk is None:
            self.fields["slug"].required = False  # suggested from the name when left empty (the view)
            self.fields["slug"].help_text += " Lämna tomt så skapas det av namnet."

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if slug in {"nytt", "f", "arkiv", "plattform", "konto", "admin", "halsa"}:
            raise forms.ValidationError("Kortnamnet är reserverat; välj ett annat.")
        return slug

    def clean_organisationsnummer(self):
        value = self.cleaned_data["organisationsnummer"].strip()
        digits = value.replace("-", "")
        return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 and digits.isdigit() else value


class PopulationYearForm(forms.Form):
    """Step 3: the working-age population (16–64 år) of each member kommun in one year."""

    year = forms.IntegerField(label="År", min_value=2004, max_value=2100)

    def __init__(self, *args, kommuner: list[Medlem], initial_counts: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kommuner = kommuner
        self.fields["year"].error_messages.update(
            {
                "required": "Ange vilket år invånarantalen gäller.",
                "min_value": "Ange ett år från 2004.",
                "max_value": "Ange ett år till och med 2100.",
                "invalid": "Ange året med fyra siffror.",
            }
        )
        for kommun in kommuner:
            field = forms.IntegerField(
                label=f"{kommun.name}: invånare 16–64 år",
                min_value=0,
                max_value=10_000_000,
                required=False,
                initial=(initial_counts or {}).get(kommun.pk),
            )
            field.error_messages.update(
                {
                    "invalid": "Ange antalet som ett heltal utan mellanslag.",
                    "min_value": "Antalet kan inte vara negativt.",
                    "max_value": "Antalet är orimligt stort.",
                }
            )
            self.fields[f"kommun_{kommun.pk}"] = field

    def clean(self):
        cleaned = super().clean()
        if self.kommuner and not any(
            cleaned.get(f"kommun_{kommun.pk}") is not None for kommun in self.kommuner
        ):
            raise forms.ValidationError("Fyll i invånarantalet för minst en kommun.")
        return cleaned

    def counts(self) -> dict[Medlem, int | None]:
        return {kommun: self.cleaned_data.get(f"kommun_{kommun.pk}") for kommun in self.kommuner}


class _PersonFields(OnceForm, forms.Form):
    name = forms.CharField(label="Namn", max_length=200, error_messages={"required": "Ange personens namn."})
    email = forms.EmailField(
        label="E-post",
        required=False,
        help_text="Behövs för att bjuda in personen till finsam.",
        error_messages={"invalid": "Skriv en giltig e-postadress, t.ex. namn@kommun.se."},
    )

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbund = forbund
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = field.queryset.filter(forbund=forbund)
            if isinstance(field, forms.DateField):
                field.widget = DateInput()

    def person(self) -> Person:
        return Person(
            forbund=self.forbund, name=self.cleaned_data["name"].strip(), email=self.cleaned_data["email"]
        )


class BoardSeatForm(_PersonFields):
    """Step 4: a ledamot or ersättare, appointed by a member, with their place in the presidium."""

    medlem = forms.ModelChoiceField(
        label="Utsedd av",
        queryset=Medlem.objects.all(),
        error_messages={"required": "Välj vilken medlem som utsett personen."},
    )
    role = forms.ChoiceField(label="Uppdrag", choices=Styrelseuppdrag.Role.choices)
    presidium = forms.ChoiceField(
        label="Presidium", choices=Styrelseuppdrag.Presidium.choices, required=False
    )
    call_order = forms.IntegerField(
        label="Inkallelseordning",
        required=False,
        min_value=1,
        max_value=99,
        help_text="För ersättare: i vilken ordning de kallas in (1 först).",
    )
    start = forms.DateField(label="Från", error_messages={"required": "Ange när uppdraget börjar."})
    end = forms.DateField(label="Till", required=False)

    def assignment(self) -> Styrelseuppdrag:
        data = self.cleaned_data
        return Styrelseuppdrag(
            forbund=self.forbund,
            medlem=data["medlem"],
            role=data["role"],
            presidium=data.get("presidium") or "",
            call_order=data.get("call_order"),
            start=data["start"],
            end=data.get("end"),
        )


class StaffForm(_PersonFields):
    """Step 5: someone in the kansli, employed by a member (on loan) or by someone else."""

    title = forms.CharField(label="Befattning", max_length=200, required=False)
    role = forms.ChoiceField(label="Roll", choices=Kansliuppdrag.Role.choices)
    employer = forms.ModelChoiceField(
        label="Anställd hos (medlem)",
        queryset=Medlem.objects.all(),
        required=False,
        help_text="Välj medlemmen om personen är inlånad från en av förbundets medlemmar.",
    )
    employer_name = forms.CharField(
        label="Anställd hos (annan)",
        max_length=200,
        required=False,
        help_text="Fyll i om personen är anställd av förbundet eller av någon annan än en medlem.",
    )
    share_percent = forms.DecimalField(
        label="Andel av heltid (%)",
        min_value=1,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        error_messages={"required": "Ange hur stor del av heltid uppdraget är."},
    )
    start = forms.DateField(label="Från", error_messages={"required": "Ange när uppdraget börjar."})
    end = forms.DateField(label="Till", required=False)

    def person(self) -> Person:
        person = super().person()
        person.title = self.cleaned_data.get("title", "")
        return person

    def assignment(self) -> Kansliuppdrag:
        data = self.cleaned_data
        return Kansliuppdrag(
            forbund=self.forbund,
            role=data["role"],
            employer=data.get("employer"),
            employer_name=data.get("employer_name", ""),
            share_percent=data["share_percent"],
            start=data["start"],
            end=data.get("end"),
        )


class SamordnareInviteForm(forms.Form):
    """Step 6: the first samordnare, invited by e-mail to set a password."""

    name = forms.CharField(
        label="Namn", max_length=200, error_messages={"required": "Ange samordnarens namn."}
    )
    email = forms.EmailField(
        label="E-post",
        error_messages={
            "required": "Ange den e-postadress inbjudan ska gå till.",
            "invalid": "Skriv en giltig e-postadress, t.ex. namn@kommun.se.",
        },
    )


class ImportUploadForm(forms.Form):
    """Step 7: the filled template, checked before anything parses it (`finsam.uploads`)."""

    file = forms.FileField(
        label="Ifylld mall (Excel)",
        help_text="En .xlsx-fil, högst 5 MB.",
        error_messages={"required": "Välj den ifyllda mallen."},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if uploads.extension(file.name) != "xlsx" and not getattr(file, "refusal", None):
            raise forms.ValidationError(
                "Filen måste vara en Excelfil (.xlsx). Utgå från mallen och spara som .xlsx."
            )
        uploads.check_upload(
            file, kinds=["xlsx"], max_bytes=min(MAX_IMPORT_BYTES, settings.FILE_UPLOAD_MAX_BYTES)
        )
        uploads.check_spreadsheet(file, name=file.name)
        return file
