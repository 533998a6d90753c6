"""Forms for the attendance list, the decisions, the justerare and a rättelse. They check the shape of
the input only; the rules (quorum, votes, locks) live in forbund.meetings.services.minutes."""

from __future__ import annotations

from django import forms

from finsam.concurrency import OnceForm, VersionedForm
from finsam.personnummer import ScreenedTextMixin
from forbund.models import AgendaItem, Attendance, Person, Rattelse, Styrelsemote

from ..selectors.minutes import AttendanceRow
from ..services import adoption
from ..services.minutes import AttendanceEntry, ItemDecision


class AttendanceForm(forms.Form):
    """One checkbox per expected person; an ersättare can be set to serve for an absent ledamot; the
    ordförande vid sammanträdet is chosen when neither the ordförande nor the vice is present."""

    def __init__(self, *args, rows: list[AttendanceRow], ordforande: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        ledamoter = [(str(r.person.pk), r.person.name) for r in rows if r.role == Attendance.Role.LEDAMOT]
        self.fields["ordforande"] = self._ordforande_field(rows, ordforande)
        for row in rows:
            pk = row.person.pk
            self.fields[f"present_{pk}"] = forms.BooleanField(
                label=f"{row.person.name} är närvarande", required=False, initial=row.present
            )
            if row.role == Attendance.Role.ERSATTARE and row.seat is not None:
                replaces = row.replaces or row.suggested_for
                self.fields[f"serves_for_{pk}"] = forms.ChoiceField(
                    label=f"{row.person.name} tjänstgör för",
                    choices=[("", "Tjänstgör inte")] + ledamoter,
                    required=False,
                    initial=str(replaces.pk) if replaces else "",
                )

    @staticmethod
    def _ordforande_field(rows: list[AttendanceRow], current: Person | None) -> forms.ChoiceField:
        seated = [r for r in rows if r.seat is not None]
        by_rule = {r.person.pk for r in seated if r.seat.presidium}
        # The stored choice is shown only when it was a choice, not the order's own outcome, so that
        # marking the ordförande absent is not contradicted by the form.
        chosen = current.pk if current is not None and current.pk not in by_rule else None
        return forms.ChoiceField(
            label="Ordförande vid sammanträdet",
            required=False,
            choices=[("", "Enligt ordningen: ordföranden, annars vice ordföranden")]
            + [(str(r.person.pk), r.person.name) for r in seated],
            initial=str(chosen) if chosen else "",
            help_text=(
                "Styrelsens ordförande leder mötet om hen är närvarande, annars vice ordföranden. "
                "Är båda frånvarande väljer du en av de närvarande ledamöterna (eller en tjänstgörande "
                "ersättare)."
            ),
        )

    def ordforande(self) -> Person | None:
        persons = {str(r.person.pk): r.person for r in self.rows}
        return persons.get(self.cleaned_data.get("ordforande") or "")

    def bound_rows(self):
        """(row, present field, serves-for field or None) for the template."""
        for row in self.rows:
            pk = row.person.pk
            serves = self[f"serves_for_{pk}"] if f"serves_for_{pk}" in self.fields else None
            yield row, self[f"present_{pk}"], serves

    def entries(self) -> list[AttendanceEntry]:
        persons = {str(r.person.pk): r.person for r in self.rows}
        entries = []
        for row in self.rows:
            pk = row.person.pk
            present = self.cleaned_data[f"present_{pk}"]
            serves_for = self.cleaned_data.get(f"serves_for_{pk}") or ""
            if row.seat is not None and row.role == Attendance.Role.ERSATTARE:
                role = Attendance.Role.TJANSTGORANDE if serves_for else Attendance.Role.ERSATTARE
            elif row.seat is not None:
                role = Attendance.Role.LEDAMOT
            else:
                role = row.record.role if row.record else row.role
            entries.append(AttendanceEntry(row.person, role, present, persons.get(serves_for)))
        return entries


class AttendanceAddForm(forms.Form):
    person = forms.ModelChoiceField(label="Person", queryset=Person.objects.none())
    role = forms.ChoiceField(
        label="Deltar som",
        choices=[(Attendance.Role.PERSONAL, "Tjänsteperson"), (Attendance.Role.GAST, "Gäst")],
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class DecisionForm(ScreenedTextMixin, VersionedForm):
    """The decision on one agenda item, over the item's version when the page was opened. `present`
    is the list of those present, for jäv."""

    decision = forms.CharField(label="Beslut", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    votes_yes = forms.IntegerField(label="Ja", required=False, min_value=0)
    votes_no = forms.IntegerField(label="Nej", required=False, min_value=0)
    votes_abstain = forms.IntegerField(label="Avstår", required=False, min_value=0)
    chair_casting_vote = forms.ChoiceField(
        label="Ordförandens utslagsröst",
        required=False,
        choices=[("", "Ingen"), ("ja", "Ja"), ("nej", "Nej")],
    )
    reservations = forms.CharField(
        label="Reservationer", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conflicts = forms.MultipleChoiceField(
        label="Jäv anmält av", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, item: AgendaItem, present: list[Person], **kwargs):
        self.item = item
        self.present = {str(p.pk): p for p in present}
        initial = {
            "decision": item.decision or item.proposal,
            "votes_yes": item.votes_yes,
            "votes_no": item.votes_no,
            "votes_abstain": item.votes_abstain,
            "chair_casting_vote": item.chair_casting_vote,
            "reservations": item.reservations,
            "conflicts": [str(c.person_id) for c in item.conflicts.all()],
            "opened_version": item.lock_version,
        }
        if item.dokumentjobb_id and item.dokumentjobb.is_adoptable:
            initial["document_action"] = adoption.current_action(item)
        super().__init__(*args, prefix=f"punkt{item.pk}", initial=initial, **kwargs)
        self.fields["conflicts"].choices = [(pk, p.name) for pk, p in self.present.items()]
        if "document_action" in initial:
            job = item.dokumentjobb
            self.fields["document_action"] = forms.ChoiceField(
                label=f"Fastställelse av {job.get_kind_display().lower()} {job.year}",
                required=False,
                choices=adoption.ACTIONS,
                help_text="Fastställer beslutet exakt den version som är kopplad till punkten? Den "
                "publiceras i arkivet när protokollet är justerat.",
            )

    def to_decision(self) -> ItemDecision:
        data = self.cleaned_data
        return ItemDecision(
            item=self.item,
            decision=data["decision"],
            votes_yes=data["votes_yes"],
            votes_no=data["votes_no"],
            votes_abstain=data["votes_abstain"],
            chair_casting_vote=data["chair_casting_vote"],
            reservations=data["reservations"],
            conflicts=tuple(self.present[pk] for pk in data["conflicts"]),
            opened_version=self.opened,
            document_action=data.get("document_action"),
        )


class JusterareForm(forms.Form):
    justerare = forms.MultipleChoiceField(
        label="Justerare",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="En eller två, bland de närvarande; ordföranden vid sammanträdet justerar som ordförande.",
    )

    def __init__(self, *args, present: list[Person], chosen: list[Person], **kwargs):
        self.present = {str(p.pk): p for p in present}
        super().__init__(*args, initial={"justerare": [str(p.pk) for p in chosen]}, **kwargs)
        self.fields["justerare"].choices = [(pk, p.name) for pk, p in self.present.items()]

    def persons(self) -> list[Person]:
        return [self.present[pk] for pk in self.cleaned_data["justerare"]]


class RattelseForm(ScreenedTextMixin, OnceForm, forms.ModelForm):
    """A rättelse of justerade minutes: which § (or what else), how it should read, and why."""

    class Meta:
        model = Rattelse
        fields = ["item", "concerns", "correction", "reason"]
        widgets = {
            "correction": forms.Textarea(attrs={"rows": 4}),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, meeting: Styrelsemote, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        items = meeting.items.filter(paragraph__isnull=False).order_by("paragraph")
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: f"§ {item.paragraph} {item.title}"
        self.fields["item"].empty_label = "Ingen paragraf (ange vad som rättas nedan)"
