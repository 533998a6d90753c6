"""The login form (with "Kom ihåg mig") and the code forms of two-step verification."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


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
