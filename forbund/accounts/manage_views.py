""" "Användare och behörigheter": the samordnare's pages for accounts in the förbund.

The list (samordnare, and the revisor read-only), inviting a person (prefilled from a board seat or
kansli entry), one account's roles (give a role, end one after a confirmation), and sending again or
withdrawing an invitation. Every write goes through `invitations` or `roles`, which ask the rules
again and record the change in the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from finsam import access, broker, concurrency

from ..mixins import ForbundViewMixin, add_model_errors
from ..models import Invitation, Kansliuppdrag, Person, Role, Styrelseuppdrag, User
from . import invitations, roles, selectors
from .forms import GiveRoleForm, InviteForm


def _accounts_url(forbund) -> str:
    return reverse("forbund:accounts", kwargs={"forbund": forbund.slug})


class AccountsView(ForbundViewMixin, TemplateView):
    rule = "view_accounts"
    template_name = "forbund/accounts/accounts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = selectors.accounts_in(self.forbund)
        open_invitations = selectors.open_invitations(self.forbund)
        count = selectors.samordnare_count(accounts)
        for account in accounts:
            for role in account.roles:
                role.may_end = roles.may_end(role, count)
        context.update(
            accounts=accounts,
            invitations=open_invitations,
            unaccounted=selectors.people_without_account(self.forbund, open_invitations),
            samordnare_count=count,
        )
        return context


class InviteView(ForbundViewMixin, TemplateView):
    """Bjud in: name, e-mail and roles, prefilled from the person in the register
    (`?person=<id>`), whose board seats and kansli entries suggest the roles."""

    rule = "manage_accounts"
    template_name = "forbund/accounts/invite.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=InviteForm(forbund=self.forbund, initial=self._initial()))
        )

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST, forbund=self.forbund)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, created = concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: invitations.invite(
                        forbund=self.forbund,
                        email=data["email"],
                        name=data["name"],
                        kinds=data["kinds"],
                        medlem=data["medlem"],
                        person=data["person"],
                        by=request.user,
                    ),
                )
            except ValidationError as error:
                add_model_errors(form, error)
            except broker.BrokerUnavailable as error:
                form.add_error(None, f"Inbjudan skickades inte. {error.message}")
            else:
                if created:
                    messages.success(
                        request,
                        f"Inbjudan till {invitation.name} skickas till {invitation.email}. Länken gäller "
                        f"till och med {timezone.localtime(invitation.expires_at):%Y-%m-%d}.",
                    )
                else:
                    messages.info(request, f"Inbjudan till {invitation.name} var redan skickad.")
                return redirect(_accounts_url(self.forbund))
        return self.render_to_response(self.get_context_data(form=form), status=200)

    def _person(self) -> Person | None:
        value = self.request.GET.get("person", "")
        if not value.isdigit() or len(value) > 18:
            return None
        return Person.objects.filter(forbund=self.forbund, pk=int(value)).first()

    def _initial(self) -> dict:
        person = self._person()
        if person is None:
            return {}
        initial = {"name": person.name, "email": person.email, "kinds": selectors.suggested_kinds(person)}
        if person.user_id is None:
            initial["person"] = person.pk
        if person.medlem_id:
            initial["medlem"] = person.medlem_id
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self._person()
        context["person"] = person
        if person is not None:
            context["waiting"] = Invitation.objects.filter(
                Invitation.pending_q(), forbund=self.forbund, person=person
            ).first()
            current = selectors.current_assignment_q(timezone.localdate())
            seats = Styrelseuppdrag.objects.filter(current, person=person).select_related("medlem")
            staff = Kansliuppdrag.objects.filter(current, person=person)
            context["assignments"] = [
                *(f"uppdrag som {seat.get_role_display().lower()} för {seat.medlem}" for seat in seats),
                *(f"uppdrag som {entry.get_role_display().lower()} i kansliet" for entry in staff),
            ]
        back = self.request.GET.get("tillbaka")
        context["cancel_url"] = (
            reverse(f"forbund:{back}", kwargs={"forbund": self.forbund.slug})
            if back in {"styrelse", "kansli", "inbox"}
            else _accounts_url(self.forbund)
        )
        return context


class AccountView(ForbundViewMixin, TemplateView):
    """One account's roles in the förbund: give one more, or end one (after a confirmation)."""

    rule = "manage_accounts"
    template_name = "forbund/accounts/account.html"

    def load_objects(self) -> None:
        self.account = get_object_or_404(User, pk=self.kwargs["user_pk"])
        self.roles = list(
            Role.objects.filter(forbund=self.forbund, user=self.account)
            .select_related("medlem")
            .order_by("kind")
        )
        if not self.roles:
            raise Http404("Användaren har ingen roll i förbundet.")

    def _form(self, data=None) -> GiveRoleForm:
        return GiveRoleForm(data, forbund=self.forbund, held={role.kind for role in self.roles})

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self._form()))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                role = roles.role_give(
                    forbund=self.forbund,
                    user=self.account,
                    kind=form.cleaned_data["kind"],
                    medlem=form.cleaned_data["medlem"],
                    by=request.user,
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{self.account} har nu rollen {role.get_kind_display().lower()}.")
                return redirect("forbund:account", forbund=self.forbund.slug, user_pk=self.account.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = Role.objects.filter(forbund=self.forbund, kind=Role.Kind.SAMORDNARE).count()
        for role in self.roles:
            role.may_end = roles.may_end(role, count)
        person = Person.objects.filter(forbund=self.forbund, user=self.account).first()
        context.update(
            account=self.account, roles=self.roles, person=person, accounts_url=_accounts_url(self.forbund)
        )
        return context


class RoleEndView(ForbundViewMixin, TemplateView):
    """Avsluta roll: a page that asks, then ends the role on POST."""

    rule = "manage_accounts"
    template_name = "forbund/accounts/role_end.html"

    def load_objects(self) -> None:
        self.role = get_object_or_404(
            Role.objects.select_related("user", "medlem"), forbund=self.forbund, pk=self.kwargs["role_pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = Role.objects.filter(forbund=self.forbund, kind=Role.Kind.SAMORDNARE).count()
        context.update(
            role=self.role,
            may_end=roles.may_end(self.role, count),
            last_samordnare=roles.LAST_SAMORDNARE.format(user=self.role.user),
            own=self.role.user_id == self.request.user.pk,
            account_url=reverse(
                "forbund:account", kwargs={"forbund": self.forbund.slug, "user_pk": self.role.user_id}
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        user = self.role.user
        label = self.role.get_kind_display().lower()
        try:
            roles.role_end(role=self.role, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("forbund:role_end", forbund=self.forbund.slug, role_pk=self.role.pk)
        messages.success(request, f"Rollen {label} för {user} är avslutad.")
        if not access.check("manage_accounts", request.user, self.forbund):
            # One's own samordnare role ended: the pages for accounts are no longer one's own.
            if access.roles(request.user, self.forbund):
                return redirect("forbund:dashboard", forbund=self.forbund.slug)
            return redirect("home")
        if Role.objects.filter(forbund=self.forbund, user=user).exists():
            return redirect("forbund:account", forbund=self.forbund.slug, user_pk=user.pk)
        return redirect(_accounts_url(self.forbund))


class InvitationActionView(ForbundViewMixin, TemplateView):
    """Send again (POST) or withdraw (a page that asks, then POST) an invitation."""

    rule = "manage_accounts"
    template_name = "forbund/accounts/invitation_withdraw.html"
    action = ""  # "resend" or "withdraw"

    def load_objects(self) -> None:
        self.invitation = get_object_or_404(
            Invitation.objects.select_related("created_by"),
            forbund=self.forbund,
            pk=self.kwargs["invitation_pk"],
        )

    def get(self, request, *args, **kwargs):
        if self.action == "resend":
            return redirect(_accounts_url(self.forbund))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(invitation=self.invitation, accounts_url=_accounts_url(self.forbund))
        return context

    def post(self, request, *args, **kwargs):
        try:
            if self.action == "resend":
                invitation = invitations.resend(invitation=self.invitation, by=request.user)
                messages.success(
                    request,
                    f"Inbjudan till {invitation.email} skickas igen med en ny länk, giltig till och "
                    f"med {timezone.localtime(invitation.expires_at):%Y-%m-%d}. Den tidigare länken "
                    "gäller inte längre.",
                )
            else:
                invitations.withdraw(invitation=self.invitation, by=request.user)
                messages.success(request, f"Inbjudan till {self.invitation.email} är återkallad.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except broker.BrokerUnavailable as error:
            messages.error(request, f"Inbjudan skickades inte igen. {error.message}")
        return redirect(_accounts_url(self.forbund))
