"""Forms for the förbund core. Choices for related records are limited to the user's förbund."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from finsam.concurrency import OnceForm, VersionedForm

from .models import (
    Arbetsgrupp,
    Forbund,
    GroupMeeting,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Styrelsemote,
    Styrelseuppdrag,
    WorkingAgePopulation,
)

logger = logging.getLogger(__name__)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ForbundScopedForm(VersionedForm, OnceForm, forms.ModelForm):
    """A model form whose related-record choices come only from one förbund.

    The instance is bound to the förbund before validation so that model validation (which
    compares förbund across related records) sees the right one. The same form creates a record
    (once per form token, so a double submit makes one) and edits one (only over the version it was
    opened on, so nobody's save is silently lost).
    """

    def __init__(self, *args, forbund: Forbund, **kwargs):
        super().__init__(*args, **kwargs)
        self.forbund = forbund
        self.instance.forbund = forbund
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "forbund_id"):
                field.queryset = queryset.filter(forbund=forbund)
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if isinstance(field, forms.TimeField):
                field.widget = TimeInput()


class ForbundForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Forbund
        fields = [
            "name",
            "organisationsnummer",
            "bildat",
            "andamal",
            "uppgifter",
            "verksamhetside",
            "ersattare_shared",
        ]
        widgets = {"bildat": DateInput(), "uppgifter": forms.Textarea(attrs={"rows": 7})}


class MedlemForm(ForbundScopedForm):
    class Meta:
        model = Medlem
        fields = ["kind", "name", "organisationsnummer", "joined", "left"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A member leaves through its decision (Utträde), which ends its board seats and takes it
            # out of later budgets; the date is not typed over here.
            del self.fields["left"]


class WorkingAgePopulationForm(ForbundScopedForm):
    class Meta:
        model = WorkingAgePopulation
        fields = ["kommun", "year", "count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A region's figure (its part of the förbund) splits the regions' quarter when there are several.
        self.fields["kommun"].queryset = self.fields["kommun"].queryset.filter(
            kind__in=[Medlem.Kind.KOMMUN, Medlem.Kind.REGION]
        )
        self.fields["kommun"].label = "Kommun eller region"


class PersonForm(ForbundScopedForm):
    class Meta:
        model = Person
        fields = ["name", "title", "medlem", "unit", "email", "phone"]


class StyrelseuppdragForm(ForbundScopedForm):
    class Meta:
        model = Styrelseuppdrag
        fields = ["person", "medlem", "role", "presidium", "call_order", "start", "end"]


class KansliuppdragForm(ForbundScopedForm):
    class Meta:
        model = Kansliuppdrag
        fields = ["person", "role", "employer", "employer_name", "share_percent", "start", "end"]


class ArbetsgruppForm(ForbundScopedForm):
    class Meta:
        model = Arbetsgrupp
        fields = ["kind", "name", "purpose", "insats", "start", "end"]


class GroupMemberForm(OnceForm):
    person = forms.ModelChoiceField(label="Person", queryset=Person.objects.none())
    role = forms.ChoiceField(label="Roll i gruppen", choices=GroupMembership.Role.choices)

    def __init__(self, *args, arbetsgrupp: Arbetsgrupp, **kwargs):
        super().__init__(*args, **kwargs)
        already = arbetsgrupp.medlemmar.values("person")
        self.fields["person"].queryset = Person.objects.filter(forbund_id=arbetsgrupp.forbund_id).exclude(
            pk__in=already
        )


class GroupMeetingForm(OnceForm, forms.ModelForm):
    class Meta:
        model = GroupMeeting
        fields = ["date", "note"]
        widgets = {"date": DateInput()}


class StyrelsemoteForm(ForbundScopedForm):
    video_link = forms.URLField(label="Videolänk", required=False, assume_scheme="https")

    class Meta:
        model = Styrelsemote
        fields = ["date", "start_time", "place", "video_link", "planned_items"]
        widgets = {"planned_items": forms.Textarea(attrs={"rows": 4})}


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose e-mail is sent by the Celery worker, not inside the request.

    The page answers the same whether the address has an account, has none or the broker is down
    (then the failure is only logged): what it says must not tell anyone which addresses exist.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        from finsam import broker

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = {"subject": subject, "body": body, "to": [to_email], "from_email": from_email}
        try:
            broker.send("finsam.tasks.send_email", kwargs=message)
        except broker.BrokerUnavailable:
            logger.error("Länken för att återställa lösenord kunde inte köas; inget e-brev skickades.")


class RecordedSetPasswordForm(SetPasswordForm):
    """The new password chosen through a reset link; the change is recorded in the account's förbund."""

    def save(self, commit=True):
        from .services import account_password_change_record

        user = super().save(commit=commit)
        if commit:
            account_password_change_record(user=user, reset=True)
        return user


class CommentForm(forms.Form):
    """The optional comment that goes with a step in a workflow (required where the step says so)."""

    comment = forms.CharField(label="Kommentar", required=False, widget=forms.Textarea(attrs={"rows": 3}))
