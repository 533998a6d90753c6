"""What every economy page shares."""

from django.urls import reverse

from forbund.mixins import ForbundViewMixin


class EconomyMixin(ForbundViewMixin):
    """Economy pages: readers are the kansli, the board and the revisor (projektägare get 403). A page
    that changes something declares its own rule (`manage_economy`, `edit_budget`, `edit_invoice`)."""

    rule = "view_economy"

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"ekonomi:{name}", kwargs={"forbund": self.forbund.slug, **kwargs})
