"""The invitee's page: the link from the invitation e-mail (/konto/inbjudan/<token>/).

Without an account for the address, the invitee chooses a password and is signed in; with one, they
sign in with it and take the roles onto it. Either way they continue to the förbund's dashboard, by
way of setting up two-step verification when a new role requires it (the middleware sends them
there). A link that is used, withdrawn, expired or replaced explains itself.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from finsam import access

from . import invitations, services
from .forms import AcceptInvitationForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@method_decorator(login_not_required, name="dispatch")
class InvitationView(View):
    """Holding the link is what lets one in; the rule refuses a link that can no longer be used."""

    rule = "accept_invitation"
    template_name = "forbund/accounts/invitation_accept.html"

    def dispatch(self, request, *args, token: str, **kwargs):
        self.token = token
        self.invitation = invitations.find(token)
        if self.invitation is None:
            return self._unusable(invitations.InvitationUnusable(invitations.UNKNOWN_LINK), status=404)
        verdict = access.check(self.rule, request.user, self.invitation)
        if not verdict:
            return self._unusable(invitations.InvitationUnusable(verdict.reason, self.invitation), status=410)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._page(request, self._form())

    def post(self, request):
        user = request.user
        if user.is_authenticated:
            if not self._is_invitee(user):
                return self._page(request, None)
            try:
                invitations.accept_existing(invitation=self.invitation, user=user)
            except invitations.InvitationUnusable as error:
                return self._unusable(error, status=410)
            services.remember_state(request.session, user)
            return self._welcome(request)
        if self._existing_account() is not None:
            return self._page(request, None)
        form = self._form(request.POST)
        if not form.is_valid():
            return self._page(request, form)
        try:
            user = invitations.accept_new_account(
                invitation=self.invitation,
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
            )
        except invitations.InvitationUnusable as error:
            return self._unusable(error, status=410)
        login(request, user, backend=MODEL_BACKEND)
        return self._welcome(request)

    # ------------------------------------------------------------------------------------------------

    def _form(self, data=None) -> AcceptInvitationForm:
        return AcceptInvitationForm(data, email=self.invitation.email, initial={"name": self.invitation.name})

    def _existing_account(self):
        return invitations.account_for(self.invitation.email)

    def _is_invitee(self, user) -> bool:
        return invitations.normalize_email(user.email) == self.invitation.email

    def _page(self, request, form):
        user = request.user
        signed_in = user.is_authenticated
        context = {
            "invitation": self.invitation,
            "roles": invitations.kinds_text(self.invitation.kinds),
            "form": form if not signed_in else None,
            "signed_in_as_invitee": signed_in and self._is_invitee(user),
            "signed_in_as_other": signed_in and not self._is_invitee(user),
            "has_account": not signed_in and self._existing_account() is not None,
            "login_url": reverse("login") + "?" + urlencode({"next": request.path}),
        }
        if context["has_account"]:
            context["form"] = None
        return render(request, self.template_name, context)

    def _unusable(self, error: invitations.InvitationUnusable, *, status: int):
        return render(
            self.request,
            "forbund/accounts/invitation_unusable.html",
            {"message": error.message, "invitation": error.invitation},
            status=status,
        )

    def _welcome(self, request):
        forbund = self.invitation.forbund
        messages.success(
            request, f"Välkommen till {forbund}! Du har nu behörighet som {_roles(self.invitation)}."
        )
        return redirect("forbund:dashboard", forbund=forbund.slug)


def _roles(invitation) -> str:
    return invitations.kinds_text(invitation.kinds)
