"""Connected in `forbund.apps`: what happens around a login besides the audit rows written there."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals


def _start_session(sender, request, user, **kwargs) -> None:
    from .middleware import mark_renewed
    from .services import remember_state

    if request is not None and hasattr(request, "session"):
        remember_state(request.session, user)
        mark_renewed(request.session)


def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    from .services import lockout_record

    lockout_record(username=str(username or ""), ip_address=str(ip_address or "okänd"))


def connect() -> None:
    auth_signals.user_logged_in.connect(_start_session, dispatch_uid="forbund.accounts.start_session")
    user_locked_out.connect(_locked_out, dispatch_uid="forbund.accounts.locked_out")
