"""Attendance, decisions, the minutes' status, justering, rättelser and the announcement, under
/f/<forbund>/moten/<pk>/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import concurrency, workflow
from forbund.mixins import TransitionPostMixin, add_model_errors
from forbund.models import MeetingStatus, Person

from ..forms.minutes import AttendanceAddForm, AttendanceForm, DecisionForm, JusterareForm, RattelseForm
from ..selectors import minutes as selectors
from ..services import minutes as services
from .common import MeetingMixin, error_messages


class MinutesPageMixin(MeetingMixin):
    def url(self, name: str) -> str:
        return reverse(name, kwargs={"forbund": self.forbund.slug, "pk": self.meeting.pk})


class AttendanceView(MinutesPageMixin, TemplateView):
    rule = "view_meetings"
    post_rule = "edit_minutes"
    template_name = "forbund/meetings/attendance.html"

    def get_context_data(self, form=None, add_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.attendance_rows(self.meeting)
        listed = [row.person.pk for row in rows]
        state = selectors.quorum(self.meeting)
        context.update(
            rows=rows,
            form=form or AttendanceForm(rows=rows, ordforande=self.meeting.ordforande),
            ordforande=self.meeting.ordforande,
            add_form=add_form
            or AttendanceAddForm(persons=Person.objects.filter(forbund=self.forbund).exclude(pk__in=listed)),
            quorum=state,
            quorum_text=selectors.quorum_text(state),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "lagg_till" in request.POST:
            return self.post_add()
        form = AttendanceForm(
            request.POST, rows=selectors.attendance_rows(self.meeting), ordforande=self.meeting.ordforande
        )
        if form.is_valid():
            try:
                services.attendance_save(
                    meeting=self.meeting,
                    by=request.user,
                    entries=form.entries(),
                    ordforande=form.ordforande(),
                )
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
                services.attendance_add(
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


class MinutesView(MinutesPageMixin, TemplateView):
    """The decisions per item, the justerare and the minutes' status buttons."""

    rule = "view_meetings"
    post_rule = "edit_minutes"
    template_name = "forbund/meetings/minutes.html"

    def build_forms(self, data=None):
        present = selectors.present_persons(self.meeting)
        voting = selectors.voting_person_ids(self.meeting)
        items = selectors.minutes_items_counted(self.meeting, selectors.quorum(self.meeting, voting), voting)
        decision_forms = [DecisionForm(data, item=item, present=present) for item in items]
        justerare_form = JusterareForm(data, present=present, chosen=list(self.meeting.justerare.all()))
        return decision_forms, justerare_form

    def steps(self) -> list[workflow.Step]:
        """The status buttons this user may press; minutes someone has approved are not unlocked."""
        steps = workflow.steps_for(self.request.user, self.meeting)
        if self.meeting.status == MeetingStatus.JUSTERING and self.meeting.approvals.exists():
            steps = [step for step in steps if step.target != MeetingStatus.GENOMFORT]
        return steps

    def get_context_data(self, decision_forms=None, justerare_form=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if decision_forms is None:
            decision_forms, justerare_form = self.build_forms()
        context.update(
            decision_forms=decision_forms,
            justerare_form=justerare_form,
            errors=errors or [],
            state=selectors.minutes_state(self.meeting),
            steps=self.steps(),
        )
        return context

    def post(self, request, *args, **kwargs):
        decision_forms, justerare_form = self.build_forms(request.POST)
        errors: list[str] = []
        if all(f.is_valid() for f in decision_forms) and justerare_form.is_valid():
            try:
                services.minutes_save(
                    meeting=self.meeting,
                    by=request.user,
                    decisions=[f.to_decision() for f in decision_forms],
                    justerare=justerare_form.persons(),
                )
            except services.StaleDecision as error:
                for form in decision_forms:
                    if form.item.pk == error.item.pk:
                        form.show_stale(error)
                errors = [f"{error.item.title}: {error.message}"]
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


class MinutesStatusView(TransitionPostMixin, MinutesPageMixin, View):
    """The minutes page's status buttons, through the meeting's workflow."""

    record_attribute = "meeting"

    def transition(self, target: str, comment: str):
        return services.meeting_transition(
            meeting=self.meeting, to=target, by=self.request.user, comment=comment
        )

    def success_message(self, change) -> str:
        return f"Mötet är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        return self.url("forbund:protokoll")


class ApproveView(MinutesPageMixin, View):
    """The ordförande or a justerare approves the minutes."""

    rule = "approve_minutes"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.minutes_approve(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            error_messages(request, error, "Justeringen gick inte")
        else:
            self.meeting.refresh_from_db()
            if self.meeting.status == MeetingStatus.JUSTERAT:
                messages.success(request, "Du har justerat. Protokollet är nu justerat och anslaget.")
            else:
                messages.success(request, "Du har justerat protokollet.")
        return HttpResponseRedirect(self.url("forbund:protokoll"))


class MinutesCorrectionView(MinutesPageMixin, TemplateView):
    """A rättelse of justerade minutes: the samordnare records what is corrected, how and why."""

    rule = "correct_minutes"
    template_name = "forbund/meetings/minutes_correction.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", RattelseForm(meeting=self.meeting))
        context["rattelser"] = selectors.rattelser(self.meeting)
        return context

    def post(self, request, *args, **kwargs):
        form = RattelseForm(request.POST, meeting=self.meeting)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rattelse, _ = concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: services.minutes_correct(
                        meeting=self.meeting,
                        by=request.user,
                        item=data["item"],
                        concerns=data["concerns"],
                        correction=data["correction"],
                        reason=data["reason"],
                    ),
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Rättelsen av {rattelse.where} är införd i protokollet.")
                return HttpResponseRedirect(rattelse.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class MinutesPrintView(MinutesPageMixin, TemplateView):
    """The minutes as a printable document (the PDF is made by the worker from the same template)."""

    rule = "view_meetings"
    template_name = "forbund/meetings/pdf/minutes.html"

    def get_context_data(self, **kwargs):
        context = selectors.minutes_context(self.meeting)
        context.update(preview=True, back_url=self.url("forbund:protokoll"))
        return context


class AnnouncementView(MinutesPageMixin, TemplateView):
    rule = "view_meetings"
    template_name = "forbund/meetings/minutes_anslag.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            announced_on=self.meeting.announced_on,
            announced_until=selectors.announcement_end(self.meeting),
        )
        return context
