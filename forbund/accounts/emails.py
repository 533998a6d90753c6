"""The invitation e-mail, sent by the worker (`forbund.tasks.send_invitation`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Invitation
from . import invitations


def invitation_url(token: str) -> str:
    return settings.FINSAM_BASE_URL + reverse("invitation", kwargs={"token": token})


def send_invitation(*, invitation_id: int, token: str) -> bool:
    """Send the link, unless the invitation has since been withdrawn, used or given a newer link
    (then this token no longer opens it and the e-mail would only confuse)."""
    invitation = Invitation.objects.select_related("forbund", "created_by").get(pk=invitation_id)
    if invitation.token_hash != invitations._token_hash(token) or not invitation.is_pending:
        return False
    context = {
        "invitation": invitation,
        "url": invitation_url(token),
        "roles": invitations.kinds_text(invitation.kinds),
        "expires": timezone.localtime(invitation.expires_at),
        "has_account": invitations.account_for(invitation.email) is not None,
    }
    subject = f"Inbjudan till {invitation.forbund} i finsam"
    body = render_to_string("forbund/accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True
