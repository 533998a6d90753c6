"""Attendance, decisions, justering and the announcement, under /f/<forbund>/moten/<pk>/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.mixins import ForbundViewMixin, TransitionPostMixin
from forbund.models import MeetingStatus, Person, Styrelsemote

from . import minutes
from .minutes_forms import AttendanceAddForm, AttendanceForm, DecisionForm, JusterareForm
from .workflow import MEETING_TRANSITIONS, meeting_transitions_from

# The steps the minutes page offers as buttons.
MINUTES_STEPS = {
    (MeetingStatus.KALLAT, MeetingStatus.GENOMFORT),
    (MeetingStatus.GENOMFORT, MeetingStatus.JUSTERING),
    (MeetingStatus.JUSTERING, MeetingStatus.GENOMFORT),
}


class MeetingMixin(ForbundViewMixin):
    """A meeting of this förbund (another förbund's id is a 404); reading needs can_view_meetings,
    every POST can_manage_meetings."""

    permission = staticmethod(access.can_view_meetings)
    meeting: Styrelsemote

    def load_objects(self) -> None:
        self.meeting = get_object_or_404(
            Styrelsemote.objects.select_related("forbund"), forbund=self.forbund, pk=self.kwargs["pk"]
        )

    def require_manager(self) -> None:
        verdict = access.can_manage_meetings(self.request.user, self.forbund)
        if not verdict:
            raise PermissionDenied(verdict.reason)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        context["may_manage_meeting"] = access.can_manage_meetings(self.request.user, self.forbund)
        context["refusal"] = minutes.minutes_refusal(self.meeting)
        return context

    def url(self, name: str) -> str:
        return reverse(name, kwargs={"forbund": self.forbund.slug, "pk": self.meeting.pk})


class AttendanceView(MeetingMixin, TemplateView):
    template_name = "forbund/meetings/attendance.html"

    def get_context_data(self, form=None, add_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = minutes.attendance_rows(self.meeting)
        listed = [row.person.pk for row in rows]
        state = minutes.quorum(self.meeting)
        context.update(
            rows=rows,
            form=form or AttendanceForm(rows=rows),
            add_form=add_form
            or AttendanceAddForm(persons=Person.objects.filter(forbund=self.forbund).exclude(pk__in=listed)),
            quorum=state,
            quorum_text=minutes.quorum_text(state),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_manager()
        if "lagg_till" in request.POST:
            return self.post_add()
        form = AttendanceForm(request.POST, rows=minutes.attendance_rows(self.meeting))
        if form.is_valid():
            try:
                minutes.attendance_save(meeting=self.meeting, by=request.user, entries=form.entries())
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Närvaron är sparad.")
                return HttpResponseRedirect(self.url("forbund:narvaro"))
        return self.render_to_response(self.get_context_data(form=form))

    def post_add(self):
        persons = Person.objects.filter(forbund=self.forbund).exclude(attendance__meeting=self.meeting)
        add_form = AttendanceAddForm(self.request.POST, persons=persons)
        if add_form.is_valid():
            try:
                minutes.attendance_add(
                    meeting=self.meeting,
                    by=self.request.user,
                    person=add_form.cleaned_data["person"],
                    role=add_form.cleaned_data["role"],
                )
            except ValidationError as error:
                for message in error.messages:
                    add_form.add_error(None, message)
            else:
                person = add_form.cleaned_data["person"]
                messages.success(self.request, f"{person} är tillagd i närvarolistan.")
                return HttpResponseRedirect(self.url("forbund:narvaro"))
        return self.render_to_response(self.get_context_data(add_form=add_form))


class MinutesView(MeetingMixin, TemplateView):
    """The decisions per item, the justerare and the minutes' status buttons."""

    template_name = "forbund/meetings/minutes.html"

    def present(self) -> list[Person]:
        return [
            a.person
            for a in self.meeting.attendance.filter(present=True)
            .select_related("person")
            .order_by("person__name")
        ]

    def build_forms(self, data=None):
        present = self.present()
        items = list(minutes.minutes_items(self.meeting))
        decision_forms = [DecisionForm(data, item=item, present=present) for item in items]
        justerare_form = JusterareForm(data, present=present, chosen=list(self.meeting.justerare.all()))
        return decision_forms, justerare_form

    def get_context_data(self, decision_forms=None, justerare_form=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if decision_forms is None:
            decision_forms, justerare_form = self.build_forms()
        state = minutes.minutes_state(self.meeting, self.request.user)
        steps = [
            t for t in meeting_transitions_from(self.meeting.status) if (t.source, t.target) in MINUTES_STEPS
        ]
        if self.meeting.approvals.exists():
            steps = [t for t in steps if t.target != MeetingStatus.GENOMFORT]
        context.update(
            decision_forms=decision_forms,
            justerare_form=justerare_form,
            errors=errors or [],
            state=state,
            steps=steps,
        )
        return context

    def post(self, request, *args, **kwargs):
        self.require_manager()
        decision_forms, justerare_form = self.build_forms(request.POST)
        errors: list[str] = []
        if all(f.is_valid() for f in decision_forms) and justerare_form.is_valid():
            try:
                minutes.minutes_save(
                    meeting=self.meeting,
                    by=request.user,
                    decisions=[f.to_decision() for f in decision_forms],
                    justerare=justerare_form.persons(),
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "Protokollet är sparat.")
                return HttpResponseRedirect(self.url("forbund:protokoll"))
        else:
            errors = ["Rätta felen nedan."]
        context = self.get_context_data(
            decision_forms=decision_forms, justerare_form=justerare_form, errors=errors
        )
        return self.render_to_response(context, status=400)


class MinutesStatusView(MeetingMixin, TransitionPostMixin, View):
    permission = staticmethod(access.can_manage_meetings)

    def transition(self, target: str, comment: str):
        if target not in MeetingStatus.values:
            raise ValidationError("Okänd status.")
        return minutes.minutes_status(meeting=self.meeting, to=target, by=self.request.user, comment=comment)

    def transition_label(self, target: str) -> str | None:
        step = MEETING_TRANSITIONS.get((self.meeting.status, target))
        return step.label if step else None

    def success_message(self, change) -> str:
        return f"Mötet är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        return self.url("forbund:protokoll")


class ApproveView(MeetingMixin, View):
    """The ordförande or a justerare approves the minutes."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            minutes.minutes_approve(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Justeringen gick inte: {message}")
        else:
            self.meeting.refresh_from_db()
            if self.meeting.status == MeetingStatus.JUSTERAT:
                messages.success(request, "Du har justerat. Protokollet är nu justerat och anslaget.")
            else:
                messages.success(request, "Du har justerat protokollet.")
        return HttpResponseRedirect(self.url("forbund:protokoll"))


class MinutesPrintView(MeetingMixin, TemplateView):
    """The minutes as a printable document (the PDF is made by the worker from the same template)."""

    template_name = "forbund/meetings/pdf/minutes.html"

    def get_context_data(self, **kwargs):
        context = minutes.minutes_context(self.meeting)
        context.update(preview=True, back_url=self.url("forbund:protokoll"))
        return context


class AnnouncementView(MeetingMixin, TemplateView):
    template_name = "forbund/meetings/minutes_anslag.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            announced_on=self.meeting.announced_on,
            announced_until=minutes.announcement_end(self.meeting),
        )
        return context


urlpatterns = [
    path("moten/<int:pk>/narvaro/", AttendanceView.as_view(), name="narvaro"),
    path("moten/<int:pk>/protokoll/", MinutesView.as_view(), name="protokoll"),
    path("moten/<int:pk>/protokoll/utskrift/", MinutesPrintView.as_view(), name="protokoll_utskrift"),
    path(
        "moten/<int:pk>/protokoll/status/<str:target>/", MinutesStatusView.as_view(), name="protokoll_status"
    ),
    path("moten/<int:pk>/justera/", ApproveView.as_view(), name="justera"),
    path("moten/<int:pk>/anslag/", AnnouncementView.as_view(), name="anslag"),
]
