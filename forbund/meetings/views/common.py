"""What every page about one meeting shares: the meeting is looked up within the förbund (another
förbund's meeting is a 404) and the view's declared rule is asked about it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404

from finsam import access
from forbund.mixins import ForbundViewMixin
from forbund.models import Styrelsemote


class _RefusedByState(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def error_messages(request, error: ValidationError, intro: str) -> None:
    for message in error.messages:
        messages.error(request, f"{intro}: {message}")


class MeetingMixin(ForbundViewMixin):
    """A page about one meeting. A refusal by the meeting's state (the minutes are justerat) sends a
    GET back to the meeting page with the reason, and lets a POST through to its service, which asks
    the same rule about the meeting as stored and refuses with the same reason, shown on the page."""

    rule = "view_meetings"
    meeting: Styrelsemote

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except _RefusedByState as refusal:
            messages.error(request, refusal.reason)
            return HttpResponseRedirect(self.meeting.get_absolute_url())

    def load_objects(self) -> None:
        self.meeting = get_object_or_404(
            Styrelsemote.objects.select_related("forbund", "ordforande"),
            forbund=self.forbund,
            pk=self.kwargs["pk"],
        )

    def refused_by_state(self, verdict: access.Verdict) -> None:
        if self.request.method != "POST":
            raise _RefusedByState(verdict.reason)

    def meeting_url(self, anchor: str = "") -> str:
        url = self.meeting.get_absolute_url()
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        return context
