from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from forbund.mixins import ForbundViewMixin

from . import selectors


class InsatsListView(ForbundViewMixin, TemplateView):
    template_name = "insatser/insats_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        insatser = selectors.insatser_for_user(user, self.forbund)
        context["insatser"] = insatser.exclude(status=selectors.Insats.Status.IDE)
        context["ideas"] = selectors.ideas(user, self.forbund)
        return context


class InsatsDetailView(ForbundViewMixin, DetailView):
    template_name = "insatser/insats_detail.html"
    context_object_name = "insats"

    def get_object(self, queryset=None):
        visible = selectors.insatser_for_user(self.request.user, self.forbund)
        return get_object_or_404(visible.prefetch_related("arbetsgrupper"), pk=self.kwargs["pk"])
