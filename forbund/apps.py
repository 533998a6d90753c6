from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals


def _logged_in(sender, request, user, **kwargs) -> None:
    from .services import account_login_record

    account_login_record(user=user)


def _logged_out(sender, request, user, **kwargs) -> None:
    from .services import account_logout_record

    if user is not None:
        account_logout_record(user=user)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Django has already masked the password in `credentials`; only the username is passed on."""
    from .services import account_login_failed_record

    account_login_failed_record(username=str(credentials.get("username", "")))


class ForbundConfig(AppConfig):
    name = "forbund"
    verbose_name = "Förbund"

    def ready(self) -> None:
        # Importing the meeting workflow registers it with finsam.workflow.
        from .meetings import packet, workflow  # noqa: F401

        packet.register_documents()
        auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="forbund.audit.logged_in")
        auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="forbund.audit.logged_out")
        auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="forbund.audit.login_failed")
        from .accounts import signals as account_signals

        account_signals.connect()
        from . import notifications_events

        notifications_events.connect()
