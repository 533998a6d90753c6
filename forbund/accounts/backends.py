"""Login throttling as an authentication backend (django-axes)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a login while the account or the address it comes from is locked out.

    A sign-in without a request (a management command, the test client's `login`) has no address to
    throttle and no page to show the lockout on, so it is left to the next backend; every login page
    (ours and the admin's) passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """The address a login comes from, for throttling per address.

    Behind `TRUSTED_PROXY_COUNT` proxies it is the entry the outermost of them added to
    X-Forwarded-For, counted from the right: whatever stands to the left of it the client wrote itself
    and could change on every try.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
