"""A projektägare's rekvisition: the request for payment for their own organisation's granted insats,
and what they have requested so far. Thin: declare the rule, validate, call the service."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import ExtractYear
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from finsam import access, concurrency
from finsam.converters import FIRST_YEAR, LAST_YEAR
from forbund.mixins import ForbundViewMixin, add_model_errors
from insatser.models import GRANTED_STATUSES, Beslut, GrantedAmount

from ..forms.outcome import RekvisitionForm
from ..models import Invoice
from ..selectors.grants import grant_positions
from ..services import outcome as services


class RekvisitionView(ForbundViewMixin, TemplateView):
    """The rekvisition form and, for one year at a time (`?ar=`), the grant and invoiced sum per own
    insats and the invoices of the organisation's insatser with their status. An invoice belongs to
    the year its period starts in and needs that year's grant, so the year's choice of insatser holds
    those granted whose period touches it: an insats that ended in an earlier year is reached by
    choosing that year."""

    rule = "submit_rekvisition"
    template_name = "ekonomi/invoice_rekvisition.html"

    def own_granted(self):
        return (
            access.insatser_visible_to(self.request.user, self.forbund)
            .filter(owner_id__in=access.projektagare_medlemmar(self.request.user, self.forbund))
            .filter(status__in=GRANTED_STATUSES)
        )

    @cached_property
    def years(self) -> list[int]:
        """The years the organisation has a grant or an invoice in."""
        own = self.own_granted()
        granted = GrantedAmount.objects.filter(
            beslut__insats__in=own, beslut__outcome=Beslut.Outcome.BEVILJAD
        ).values_list("year", flat=True)
        invoiced = (
            Invoice.objects.filter(forbund=self.forbund, insats__in=own)
            .annotate(year=ExtractYear("period_start"))
            .values_list("year", flat=True)
        )
        return sorted({*granted.order_by().distinct(), *invoiced.order_by().distinct()})

    @cached_property
    def year(self) -> int:
        """The chosen year, else the latest year up to this one with a grant or an invoice (else the
        first such year to come, else this year)."""
        value = self.request.GET.get("ar", "")
        if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
            return int(value)
        this_year = timezone.localdate().year
        passed = [year for year in self.years if year <= this_year]
        if passed:
            return passed[-1]
        return self.years[0] if self.years else this_year

    def own_insatser(self):
        """The organisation's granted insatser whose period touches the year: what can be invoiced for it."""
        year = self.year
        return (
            self.own_granted()
            .filter(start__lte=datetime.date(year, 12, 31), end__gte=datetime.date(year, 1, 1))
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
        year = self.year
        positions = [row for row in grant_positions(self.own_insatser()) if row.year == year]
        context.update(
            year=year,
            years=sorted({year, *self.years}),
            positions=positions,
            totals={
                "granted": sum((row.granted for row in positions), Decimal(0)),
                "invoiced": sum((row.invoiced for row in positions), Decimal(0)),
                "left": sum((row.left for row in positions), Decimal(0)),
            },
            invoices=Invoice.objects.filter(
                forbund=self.forbund,
                insats__owner_id__in=access.projektagare_medlemmar(self.request.user, self.forbund),
                period_start__year=year,
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
                url = reverse("ekonomi:rekvisition", kwargs={"forbund": self.forbund.slug})
                return redirect(f"{url}?ar={invoice.period_start.year}")
        return self.render_to_response(self.get_context_data(form=form))


urlpatterns = [
    path("rekvisition/", RekvisitionView.as_view(), name="rekvisition"),
]
