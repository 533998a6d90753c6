from django.utils.functional import SimpleLazyObject

from finsam import access


def navigation(request):
    """The förbund the user may switch between, for the top navigation (queried only if shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_forbund_list": SimpleLazyObject(lambda: list(access.forbund_for(user)))}
