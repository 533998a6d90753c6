"""Two-step verification before anything else, once the password is accepted; and sessions that end
after a time without use."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.urls import reverse

from . import services

# Pages a signed-in but not yet verified user may open: signing out, the verification pages
# themselves, static files and the health check.
EXEMPT_URL_NAMES = ("logout", "two_factor_verify", "two_factor_setup", "two_factor_codes")
RENEWED_AT_KEY = "finsam_renewed_at"


class TwoFactorMiddleware:
    """After `OTPMiddleware`: a user with a device must give a code, and a user whose role requires
    two-step verification (when `FINSAM_REQUIRE_2FA` is on) must set it up, before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request.path):
            state = request.session.get(services.SESSION_STATE_KEY)
            if not state or time.time() - state.get("at", 0) >= services.STATE_RECHECK_SECONDS:
                state = services.remember_state(request.session, user)
            if state["device"]:
                return self._to("two_factor_verify", request)
            if state["required"] and settings.FINSAM_REQUIRE_2FA:
                return self._to("two_factor_setup", request)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = [reverse(name) for name in EXEMPT_URL_NAMES] + [reverse("health")]
        return path in exempt or path.startswith("/" + settings.STATIC_URL.lstrip("/"))

    @staticmethod
    def _to(url_name: str, request):
        url = reverse(url_name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, with the idle limit renewed by use: a session that has not been
    saved for `SESSION_RENEW_SECONDS` is saved again, which moves its end (and a "Kom ihåg mig"
    cookie's) a full `SESSION_COOKIE_AGE` ahead. Saving on every request would do the same with a
    database write per page view; a minute of slack on an 8-hour limit costs nothing."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and _has_data(session):
            if time.time() - session.get(RENEWED_AT_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                mark_renewed(session)
        return super().process_response(request, response)


def _has_data(session) -> bool:
    # Only a session that was read this request (and is not empty) is worth keeping alive; reading an
    # anonymous visitor's absent session here would create one.
    return session.accessed and not session.is_empty()


def mark_renewed(session) -> None:
    session[RENEWED_AT_KEY] = int(time.time())
