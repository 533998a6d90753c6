"""Förhinder and the call-in of ersättare, under /f/<forbund>/moten/<pk>/: a ledamot reports förhinder
(the samordnare may record it for them) and withdraws it; the ersättare asked answers yes or no."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.models import Forhinder, Inkallelse, Role

from ..forms.forhinder import AnswerForm, ForhinderForm
from ..selectors import forhinder as selectors
from ..services import forhinder as services
from .common import MeetingMixin, error_messages


class ForhinderReportView(MeetingMixin, TemplateView):
    """Report förhinder: a ledamot for themself; the samordnare chooses the ledamot."""

    rule = "report_forhinder"
    template_name = "forbund/meetings/forhinder_form.html"

    @property
    def for_someone(self) -> bool:
        return Role.Kind.SAMORDNARE in access.roles(self.request.user, self.forbund)

    def own_person(self):
        return access.person_of(self.request.user, self.forbund)

    def get_form(self, data=None) -> ForhinderForm:
        ledamoter = selectors.ledamoter_without_forhinder(self.meeting) if self.for_someone else None
        return ForhinderForm(data, ledamoter=ledamoter)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        own = None if self.for_someone else self.own_person()
        context.update(
            form=form or self.get_form(),
            for_someone=self.for_someone,
            standing=selectors.standing_forhinder(self.meeting, own) if own else None,
            call_order=selectors.ersattare_in_call_order(self.meeting, own) if own else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            person = form.cleaned_data["ledamot"] if self.for_someone else self.own_person()
            try:
                forhinder = services.forhinder_report(
                    meeting=self.meeting, person=person, by=request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                state = selectors.ForhinderState(
                    forhinder, list(forhinder.inkallelser.select_related("person"))
                )
                messages.success(request, f"Förhindret för {person} är anmält. {state.summary}.")
                return HttpResponseRedirect(self.meeting_url("forhinder"))
        return self.render_to_response(self.get_context_data(form=form))


class ForhinderWithdrawView(MeetingMixin, View):
    """Withdraw a förhinder before the meeting (the ledamot or the samordnare)."""

    rule = "withdraw_forhinder"
    http_method_names = ["post"]

    def load_objects(self) -> None:
        super().load_objects()
        self.forhinder = get_object_or_404(
            Forhinder.objects.select_related("person"), meeting=self.meeting, pk=self.kwargs["forhinder_pk"]
        )
        self.forhinder.meeting = self.meeting

    def post(self, request, *args, **kwargs):
        try:
            services.forhinder_withdraw(forhinder=self.forhinder, by=request.user)
        except ValidationError as error:
            error_messages(request, error, "Förhindret kunde inte återkallas")
        else:
            messages.success(request, f"Förhindret för {self.forhinder.person} är återkallat.")
        return HttpResponseRedirect(self.meeting_url("forhinder"))


class InkallelseView(MeetingMixin, TemplateView):
    """The request to an ersättare to serve: the meeting, its packet and the ledamot's note, with
    yes and no. The samordnare may read it too; only the ersättare asked answers."""

    rule = "view_inkallelse"
    post_rule = "answer_inkallelse"
    template_name = "forbund/meetings/inkallelse.html"

    def load_objects(self) -> None:
        super().load_objects()
        self.inkallelse = get_object_or_404(
            Inkallelse.objects.select_related("person", "forhinder__person", "answered_by"),
            forhinder__meeting=self.meeting,
            pk=self.kwargs["ask_pk"],
        )
        self.inkallelse.forhinder.meeting = self.meeting

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            ask=self.inkallelse,
            form=form or AnswerForm(),
            may_answer=access.check("answer_inkallelse", self.request.user, self.inkallelse),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.inkallelse_answer(
                    inkallelse=self.inkallelse,
                    by=request.user,
                    accept=form.accepted,
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if form.accepted:
                    messages.success(
                        request,
                        f"Tack! Du tjänstgör för {self.inkallelse.forhinder.person} "
                        "och står i närvarolistan.",
                    )
                else:
                    messages.success(request, "Tack för beskedet. Nästa ersättare tillfrågas.")
                return HttpResponseRedirect(self.meeting_url("forhinder"))
        return self.render_to_response(self.get_context_data(form=form))
