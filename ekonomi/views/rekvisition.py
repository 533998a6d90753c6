"""A projektägare's rekvisition: the request for payment for their own organisation's granted insats,
and what they have requested so far. Thin: declare the rule, validate, call the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import TemplateView

from finsam import access, concurrency
from forbund.mixins import ForbundViewMixin, add_model_errors
from insatser.models import GRANTED_STATUSES

from ..forms.outcome import RekvisitionForm
from ..models import Invoice
from ..selectors.grants import grant_positions
from ..services import outcome as services


class RekvisitionView(ForbundViewMixin, TemplateView):
    """The rekvisition form, the year's grant and invoiced sum per own insats, and every invoice of
    the organisation's insatser with its status."""

    rule = "submit_rekvisition"
    template_name = "ekonomi/invoice_rekvisition.html"

    def own_insatser(self):
        return (
            access.insatser_visible_to(self.request.user, self.forbund)
            .filter(owner_id__in=access.projektagare_medlemmar(self.request.user, self.forbund))
            .filter(status__in=GRANTED_STATUSES)
            .select_related("owner")
            .order_by("name")
        )

    def get_form(self):
        initial = {}
        insats = self.request.GET.get("insats", "")
        if insats.isdigit():
            initial["insats"] = int(insats)
        return RekvisitionForm(
            self.request.POST or None,
            self.request.FILES or None,
            forbund=self.forbund,
            insatser=self.own_insatser(),
            initial=initial,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            positions=grant_positions(self.own_insatser()),
            invoices=Invoice.objects.filter(
                forbund=self.forbund,
                insats__owner_id__in=access.projektagare_medlemmar(self.request.user, self.forbund),
            )
            .select_related("insats")
            .order_by("-period_end", "-pk"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                invoice, _ = concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: services.rekvisition_submit(
                        forbund=self.forbund, by=request.user, invoice=form.save(commit=False)
                    ),
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request, f"Rekvisitionen är skickad: {invoice}. Förbundets ekonom attesterar den."
                )
                return redirect(reverse("ekonomi:rekvisition", kwargs={"forbund": self.forbund.slug}))
        return self.render_to_response(self.get_context_data(form=form))


urlpatterns = [
    path("rekvisition/", RekvisitionView.as_view(), name="rekvisition"),
]
