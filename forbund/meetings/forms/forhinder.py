"""Forms for förhinder and the ersättare's answer. They check the shape of the input only; who may
report or answer, and when, is decided in `finsam.access` and `forbund.meetings.services.forhinder`."""

from __future__ import annotations

from django import forms

from finsam.personnummer import ScreenedTextMixin
from forbund.models import Person


class ForhinderForm(ScreenedTextMixin, forms.Form):
    """A ledamot's förhinder: an optional note. The samordnare, recording it on a ledamot's behalf,
    also chooses the ledamot."""

    ledamot = forms.ModelChoiceField(
        label="Ledamot",
        queryset=Person.objects.none(),
        empty_label="Välj ledamot",
        error_messages={
            "required": "Välj vilken ledamot som har förhinder.",
            "invalid_choice": "Välj en av ledamöterna i listan.",
        },
    )
    note = forms.CharField(
        label="Meddelande (valfritt)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Syns för samordnaren och den ersättare som kallas in. Högst 300 tecken.",
        error_messages={"max_length": "Meddelandet får vara högst 300 tecken (nu %(show_value)d)."},
    )

    def __init__(self, *args, ledamoter=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ledamoter is None:
            del self.fields["ledamot"]
        else:
            self.fields["ledamot"].queryset = ledamoter


class AnswerForm(ScreenedTextMixin, forms.Form):
    """The ersättare's yes or no, with an optional comment."""

    ANSWERS = [("ja", "Ja, jag tjänstgör"), ("nej", "Nej, jag kan inte")]

    answer = forms.ChoiceField(
        label="Svar",
        choices=ANSWERS,
        error_messages={"required": "Svara ja eller nej.", "invalid_choice": "Svara ja eller nej."},
    )
    comment = forms.CharField(
        label="Kommentar (valfri)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Kommentaren får vara högst 300 tecken (nu %(show_value)d)."},
    )

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["answer"] == "ja"
