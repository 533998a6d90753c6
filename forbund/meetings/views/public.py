"""The förbund's public archive, open without login: per year, the announced (justerade) minutes and
the fastställda verksamhetsplaner and årsredovisningar (only their fastställd edition; a draft is
never public), with search. Nothing else is public; an unjusterat meeting or a draft is a 404.

Its URLs are `forbund.urls.public_urlpatterns`, included by finsam/urls.py at
`arkiv/<slug:forbund>/`; the URL names carry no namespace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from finsam import access, pagination
from finsam.files import file_response
from forbund.models import AgendaItem, Forbund

from ..selectors import minutes


class PublicMixin:
    rule = access.PUBLIC

    def dispatch(self, request, *args, **kwargs):
        self.forbund = get_object_or_404(Forbund, slug=kwargs["forbund"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The URL's förbund is a slug; the page is not inside the förbund (no förbund menu).
        context.pop("forbund", None)
        context["public_forbund"] = self.forbund
        return context

    def get_meeting(self):
        return get_object_or_404(
            minutes.public_meetings(self.forbund).select_related("forbund"), pk=self.kwargs["pk"]
        )


class ArchiveView(PublicMixin, TemplateView):
    """The archive a few years a page, newest first, with every year listed as a link to its page; a
    search shows its hits instead, a page at a time. Both grow with every meeting the board holds."""

    template_name = "forbund/meetings/public_archive.html"
    years_per_page = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        if query:
            meetings = minutes.public_meetings(self.forbund)
            hits = (
                AgendaItem.objects.filter(meeting__in=meetings)
                .filter(Q(title__icontains=query) | Q(decision__icontains=query))
                .select_related("meeting")
                .order_by("-meeting__date", "paragraph", "pk")
            )
            page = pagination.paginate(self.request, hits)
            context.update(page, query=query, hits=page["page_obj"].object_list)
            return context
        numbers = minutes.archive_year_numbers(self.forbund)
        page = pagination.paginate(self.request, numbers, per_page=self.years_per_page)
        context.update(
            page,
            query=query,
            hits=None,
            years=minutes.archive_years(self.forbund, years=list(page["page_obj"].object_list)),
            year_pages=[(year, index // self.years_per_page + 1) for index, year in enumerate(numbers)],
        )
        return context


class PublicMinutesView(PublicMixin, TemplateView):
    template_name = "forbund/meetings/pdf/minutes.html"

    def get_context_data(self, **kwargs):
        context = minutes.minutes_context(self.get_meeting())
        context.update(
            preview=True,
            public=True,
            back_url=reverse("public_archive", kwargs={"forbund": self.forbund.slug}),
        )
        return context


class PublicAnnouncementView(PublicMixin, TemplateView):
    template_name = "forbund/meetings/public_anslag.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.get_meeting()
        context.update(
            meeting=meeting,
            announced_on=meeting.announced_on,
            announced_until=minutes.announcement_end(meeting),
        )
        return context


@login_not_required
@access.public
def plan_download(request, forbund: str, pk: int):
    """The fastställd edition of an adopted document (`pk` is the adoption's). A draft, a job's id, an
    adoption not yet published or a withdrawn one is a 404, logged in or not."""
    document = minutes.downloadable_documents(get_object_or_404(Forbund, slug=forbund)).filter(pk=pk).first()
    if document is None:
        raise Http404("Dokumentet finns inte.")
    return file_response(document.published_file, filename=document.filename)
