"""The login form (with "Kom ihåg mig") and the code forms of two-step verification."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from finsam.concurrency import OnceForm

from ..models import Medlem, Person, Role, User, medlem_kind_order


class LoginForm(AuthenticationForm):
    """Django's login with Swedish messages and a choice of how long the session lasts."""

    remember_me = forms.BooleanField(
        label="Kom ihåg mig",
        required=False,
        help_text=(
            "Håll mig inloggad i upp till sju dagar på den här datorn. Välj inte det på en delad dator."
        ),
    )

    error_messages = {
        "invalid_login": (
            "Fel användarnamn eller lösenord. Tänk på att lösenordet skiljer på stora och små bokstäver."
        ),
        "inactive": "Kontot är avstängt.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Användarnamn"
        # Django sets max_length after the field is built, so no validator enforces it; without one a
        # 10 000-character name reached authenticate() and the attempt log (varchar 255).
        username.validators.append(
            MaxLengthValidator(
                username.max_length, message=f"Användarnamnet kan vara högst {username.max_length} tecken."
            )
        )
        self.fields["password"].label = "Lösenord"

    def clean(self):
        cleaned = super().clean()
        # Only reached with a right password. The session is cycled, not emptied, by login(), so the
        # expiry set here is the new session's.
        if self.request is not None:
            remember = cleaned.get("remember_me")
            self.request.session.set_expiry(settings.FINSAM_REMEMBER_ME_AGE if remember else 0)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Kod",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class VerifyForm(CodeForm):
    """The code asked for after the password: from the app, or one of the recovery codes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = "Sexsiffrig kod från autentiseringsappen, eller en av dina återställningskoder."
        self.fields["code"].help_text = help_text


class SetupForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Kod från appen"
        self.fields["code"].help_text = "Den sexsiffriga kod som appen visar för finsam."
        self.fields["code"].widget.attrs.update(inputmode="numeric", autofocus=False)


class AcceptInvitationForm(forms.Form):
    """A new account from an invitation: the name as it should be shown, and a password that passes
    Django's validators (length, common passwords, likeness to the name and address)."""

    name = forms.CharField(
        label="Namn", max_length=200, help_text="Så som ditt namn visas för andra i finsam."
    )
    password1 = forms.CharField(
        label="Lösenord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Lösenord igen",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Skriv samma lösenord en gång till.",
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Skriv ditt namn.")
        return name

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Lösenorden är inte lika. Skriv samma lösenord i båda fälten.")
        elif first:
            given, _, family = (cleaned.get("name") or "").partition(" ")
            candidate = User(username=self.email, email=self.email, first_name=given, last_name=family)
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


# The samordnare's forms on "Användare och behörigheter" ------------------------------------------------


def _role_choices(exclude: set[str] = frozenset()) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.Kind.choices if value not in exclude]


class InviteForm(OnceForm):
    name = forms.CharField(label="Namn", max_length=200)
    email = forms.EmailField(
        label="E-post",
        max_length=254,
        help_text="Inbjudan skickas hit. Adressen blir också användarnamnet för ett nytt konto.",
    )
    kinds = forms.MultipleChoiceField(
        label="Roller",
        choices=_role_choices(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Välj minst en roll."},
        help_text=(
            "Samordnare och ekonom måste använda tvåstegsverifiering; de får ställa in den när de tar "
            "emot inbjudan."
        ),
    )
    medlem = forms.ModelChoiceField(
        label="Organisation (för projektägare)",
        queryset=Medlem.objects.none(),
        required=False,
        empty_label="—",
        help_text="Den medlemsorganisation vars insatser projektägaren ska se och ansvara för.",
    )
    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbund = forbund
        self.fields["medlem"].queryset = Medlem.objects.filter(forbund=forbund).order_by(
            medlem_kind_order(), "name"
        )
        self.fields["person"].queryset = Person.objects.filter(forbund=forbund, user__isnull=True)
        self.fields["person"].error_messages["invalid_choice"] = (
            "Personen finns inte i registret eller har redan ett konto."
        )

    def clean(self):
        cleaned = super().clean()
        if Role.Kind.PROJEKTAGARE in (cleaned.get("kinds") or []) and not cleaned.get("medlem"):
            if "medlem" not in self.errors:
                self.add_error(
                    "medlem", "Välj den medlemsorganisation vars insatser projektägaren ansvarar för."
                )
        return cleaned


class GiveRoleForm(forms.Form):
    kind = forms.ChoiceField(label="Roll", choices=_role_choices())
    medlem = forms.ModelChoiceField(
        label="Organisation (för projektägare)",
        queryset=Medlem.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, forbund, held: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Välj roll")] + _role_choices(exclude=held)
        self.fields["kind"].error_messages["invalid_choice"] = "Välj en av rollerna i listan."
        self.fields["medlem"].queryset = Medlem.objects.filter(forbund=forbund).order_by(
            medlem_kind_order(), "name"
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("kind") == Role.Kind.PROJEKTAGARE
            and not cleaned.get("medlem")
            and "medlem" not in self.errors
        ):
            self.add_error("medlem", "Välj den medlemsorganisation vars insatser projektägaren ansvarar för.")
        return cleaned
