"""The meeting packet, read as a page or ordered as a PDF (a document job), and the justerat minutes
ordered as a PDF. Uploaded papers are downloaded from the agenda's own view (forbund:agenda_attachment)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import access, rendering
from forbund.mixins import ForbundViewMixin
from forbund.models import Dokumentjobb, MeetingStatus, Styrelsemote

from . import packet


class PacketMixin(ForbundViewMixin):
    """A meeting of this förbund (another förbund's id is a 404), for those who read the board's
    papers: the board, the kansli and the revisor. Before the notice the packet says it is a draft."""

    permission = staticmethod(access.can_view_meetings)

    def load_objects(self) -> None:
        self.meeting = get_object_or_404(
            Styrelsemote.objects.select_related("forbund"), forbund=self.forbund, pk=self.kwargs["pk"]
        )


class PacketView(PacketMixin, TemplateView):
    template_name = "forbund/meetings/packet_html.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(packet.packet_context(self.meeting, for_pdf=False))
        context["back_url"] = reverse(
            "forbund:mote", kwargs={"forbund": self.forbund.slug, "pk": self.meeting.pk}
        )
        return context


class PacketPdfView(PacketMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        job = rendering.document_request(
            forbund=self.forbund,
            kind=Dokumentjobb.Kind.MOTESPAKET,
            year=self.meeting.date.year,
            by=request.user,
            meeting=self.meeting,
        )
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)


class MinutesPdfView(PacketMixin, View):
    """The justerat minutes as a PDF. They never change again, so a finished PDF is reused."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if self.meeting.status != MeetingStatus.JUSTERAT:
            raise PermissionDenied("Protokollet kan skapas som PDF när det är justerat.")
        done = (
            Dokumentjobb.objects.filter(
                meeting=self.meeting, kind=Dokumentjobb.Kind.PROTOKOLL, status=Dokumentjobb.Status.KLAR
            )
            .order_by("-finished_at", "-id")
            .first()
        )
        job = done or rendering.document_request(
            forbund=self.forbund,
            kind=Dokumentjobb.Kind.PROTOKOLL,
            year=self.meeting.date.year,
            by=request.user,
            meeting=self.meeting,
        )
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)


urlpatterns = [
    path("moten/<int:pk>/handlingar/", PacketView.as_view(), name="motespaket_html"),
    path("moten/<int:pk>/handlingar/pdf/", PacketPdfView.as_view(), name="motespaket"),
    path("moten/<int:pk>/protokoll/pdf/", MinutesPdfView.as_view(), name="motesprotokoll_pdf"),
]
