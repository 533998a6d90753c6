"""What every economy page shares."""

from django.urls import reverse

from finsam import access
from forbund.mixins import ForbundViewMixin


class EconomyMixin(ForbundViewMixin):
    """Economy pages: readers are the kansli, the board and the revisor (projektägare get 403)."""

    permission = staticmethod(access.can_view_economy)

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"ekonomi:{name}", kwargs={"forbund": self.forbund.slug, **kwargs})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_manage_economy"] = access.can_manage_economy(self.request.user, self.forbund)
        return context
