"""The form a user chooses, per kind of notification, how it reaches them by e-mail."""

from __future__ import annotations

from django import forms

from forbund.models import Delivery, NotificationKind

# Kinds whose e-mail is sent by their own service (the notice with its calendar file, the request to
# confirm an application): always e-mailed, so there is nothing to choose.
OWN_EMAIL = frozenset(
    {NotificationKind.MEETING_NOTICE, NotificationKind.MEETING_CHANGED, NotificationKind.CONFIRMATION}
)
CHOOSABLE = [(kind, label) for kind, label in NotificationKind.choices if kind not in OWN_EMAIL]

# What each kind covers, shown under its name on the preferences page (see notifications_events).
COVERS = {
    NotificationKind.SUBMITTED: "En ansökan eller rapport har skickats in till kansliet.",
    NotificationKind.RETURNED: "En ansökan eller rapport har skickats tillbaka med en kommentar.",
    NotificationKind.APPROVED: "En rapport har godkänts.",
    NotificationKind.DECIDED: "En ansökan har beviljats eller avslagits, en budget har beslutats, eller ett "
    "styrelseprotokoll har justerats.",
    NotificationKind.JUSTERING: "Ett protokoll väntar på att du justerar det.",
    NotificationKind.INVOICE_ATTEST: "En faktura väntar på attest.",
}


class PreferencesForm(forms.Form):
    """One choice per kind: Direkt, Daglig sammanfattning or Av."""

    def __init__(self, *args, initial_deliveries: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in CHOOSABLE:
            self.fields[kind] = forms.ChoiceField(
                label=label,
                help_text=COVERS.get(kind, ""),
                choices=Delivery.choices,
                initial=initial_deliveries.get(kind, Delivery.IMMEDIATELY),
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Välj hur du vill få e-post om det här.",
                    "invalid_choice": "Välj Direkt, Daglig sammanfattning eller Av.",
                },
            )

    def chosen(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind, _ in CHOOSABLE}


class MarkReadForm(forms.Form):
    """Mark one notification (`notification`) or all of them (`all`) as read."""

    notification = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    all = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("all") and not data.get("notification"):
            raise forms.ValidationError("Välj vilken notis som ska markeras som läst.")
        return data
