"""The meeting packet, read as a page or ordered as a PDF (a document job), and the justerat minutes
ordered as a PDF. Uploaded papers are downloaded from the agenda's own view (forbund:agenda_attachment).
The board, the kansli and the revisor read them; before the notice the packet says it is a draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from finsam import broker, rendering
from forbund.models import Dokumentjobb, MeetingStatus

from ..selectors.packet import minutes_pdf_done, packet_context
from .common import MeetingMixin


class PacketView(MeetingMixin, TemplateView):
    rule = "view_meetings"
    template_name = "forbund/meetings/packet_html.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(packet_context(self.meeting, for_pdf=False))
        context["back_url"] = self.meeting_url()
        return context


class PacketPdfView(MeetingMixin, View):
    rule = "view_meetings"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            job = rendering.document_request(
                forbund=self.forbund,
                kind=Dokumentjobb.Kind.MOTESPAKET,
                year=self.meeting.date.year,
                by=request.user,
                meeting=self.meeting,
            )
        except broker.BrokerUnavailable as error:
            messages.error(request, error.message)
            return redirect(self.meeting_url())
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)


class MinutesPdfView(MeetingMixin, View):
    """The justerat minutes as a PDF. They change only by a rättelse, so a finished PDF made after the
    last rättelse is reused."""

    rule = "view_meetings"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.meeting.status != MeetingStatus.JUSTERAT:
            raise PermissionDenied("Protokollet kan skapas som PDF när det är justerat.")
        try:
            job = minutes_pdf_done(self.meeting) or rendering.document_request(
                forbund=self.forbund,
                kind=Dokumentjobb.Kind.PROTOKOLL,
                year=self.meeting.date.year,
                by=request.user,
                meeting=self.meeting,
            )
        except broker.BrokerUnavailable as error:
            messages.error(request, error.message)
            return redirect(self.meeting_url())
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)
