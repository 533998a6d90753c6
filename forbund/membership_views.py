"""Pages for joining and leaving the förbund and for the rule that splits the quarters. Only the
samordnare changes membership (`manage_organisation`); the member list shows the result to all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from finsam import concurrency

from . import membership
from .membership_forms import FundingRuleForm, JoinForm, LeaveForm
from .mixins import ForbundViewMixin, add_model_errors
from .models import Medlem


class MedlemLeaveView(ForbundViewMixin, TemplateView):
    """Leaving in two steps: the decision and the date, then the list of what follows (seats that end,
    seats removed, budget lines taken out, a required party missing), which the samordnare confirms."""

    rule = "manage_organisation"
    template_name = "forbund/medlem_leave.html"

    def load_objects(self) -> None:
        self.medlem = get_object_or_404(Medlem, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", LeaveForm(medlem=self.medlem))
        context["medlem"] = self.medlem
        return context

    def get(self, request, *args, **kwargs):
        if self.medlem.left is not None:
            messages.info(request, f"{self.medlem} har redan utträtt ({self.medlem.left:%Y-%m-%d}).")
            return redirect("forbund:medlemmar", forbund=self.forbund.slug)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = LeaveForm(request.POST, medlem=self.medlem)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        date = form.cleaned_data["date"]
        refusal = None
        if "confirm" in request.POST:
            try:
                membership.medlem_leave(
                    medlem=self.medlem,
                    by=request.user,
                    date=date,
                    decision=form.decision(),
                    confirmed=form.cleaned_data["confirmed"],
                )
            except ValidationError as error:
                refusal = error
            else:
                messages.success(request, f"{self.medlem} utträder ur förbundet {date:%Y-%m-%d}.")
                return redirect("forbund:medlemmar", forbund=self.forbund.slug)
        # The list of what follows, as it stands now; confirming it carries out exactly this list.
        self.medlem.refresh_from_db()
        plan = membership.leave_plan(medlem=self.medlem, date=date)
        data = request.POST.copy()
        data["confirmed"] = plan.fingerprint
        form = LeaveForm(data, medlem=self.medlem)
        form.is_valid()
        if refusal is not None:
            add_model_errors(form, refusal)
        return self.render_to_response(self.get_context_data(form=form, plan=plan))


class MedlemJoinView(ForbundViewMixin, TemplateView):
    """A new member joins on its decision; its first year is counted by months unless an amount is set."""

    rule = "manage_organisation"
    template_name = "forbund/medlem_join.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", JoinForm(forbund=self.forbund))
        return context

    def post(self, request, *args, **kwargs):
        form = JoinForm(request.POST, forbund=self.forbund)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event, _ = concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: membership.medlem_join(
                        forbund=self.forbund,
                        by=request.user,
                        kind=data["kind"],
                        name=data["name"],
                        organisationsnummer=data.get("organisationsnummer") or "",
                        date=data["date"],
                        decision=form.decision(),
                        first_year_amount=data.get("first_year_amount"),
                    ),
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{event.medlem} är medlem från {event.date:%Y-%m-%d}.")
                return redirect("forbund:medlemmar", forbund=self.forbund.slug)
        return self.render_to_response(self.get_context_data(form=form))


class FundingRuleView(ForbundViewMixin, TemplateView):
    """How the regions' and the kommuner's quarters are split, with the agreed shares where chosen."""

    rule = "manage_organisation"
    template_name = "forbund/medlem_fordelning.html"

    def medlemmar(self) -> list[Medlem]:
        return list(
            Medlem.objects.filter(
                forbund=self.forbund, kind__in=[Medlem.Kind.REGION, Medlem.Kind.KOMMUN], left__isnull=True
            )
        )

    def get_form(self, data=None):
        rule = membership.funding_rule(self.forbund)
        medlemmar = self.medlemmar()
        stored = membership.agreed_shares(self.forbund)
        initial = {
            "kommun_method": rule.kommun_method,
            "region_method": rule.region_method,
            "opened_version": rule.lock_version,
            **{f"share_{m.pk}": stored.get(m.pk) for m in medlemmar},
        }
        return FundingRuleForm(data, initial=initial, medlemmar=medlemmar)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                membership.funding_rule_save(
                    forbund=self.forbund,
                    by=request.user,
                    kommun_method=form.cleaned_data["kommun_method"],
                    region_method=form.cleaned_data["region_method"],
                    shares=form.shares(),
                    opened_version=form.opened,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Fördelningen av medlemsbidragen är sparad.")
                return redirect("forbund:medlemmar", forbund=self.forbund.slug)
        return self.render_to_response(self.get_context_data(form=form))
