"""Outcome pages: invoices, account mappings and ledger import. Thin: declare the rule, validate input,
call one service, render a selector."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import access, concurrency, pagination, workflow
from finsam.broker import BrokerUnavailable
from finsam.files import file_response
from forbund.mixins import add_model_errors

from ..forms import outcome as forms
from ..models import AccountMapping, Invoice, LedgerImport, LedgerUpload, LockedPeriod
from ..selectors import outcome as selectors
from ..selectors.budget import economy_settings
from ..services import outcome as services
from .common import EconomyMixin

MAX_ERRORS_SHOWN = 100


class EconomyManageMixin(EconomyMixin):
    rule = "manage_economy"


# Invoices -----------------------------------------------------------------------------------------


class InvoiceListView(EconomyMixin, TemplateView):
    template_name = "ekonomi/invoice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice_filter = forms.InvoiceFilter(
            self.request.GET or None,
            queryset=selectors.invoices_for(self.forbund),
            forbund=self.forbund,
            years=selectors.invoice_years(self.forbund),
        )
        invoices = invoice_filter.qs
        user = self.request.user
        # Ten years of invoices are shown a page at a time; the total is of every invoice that
        # matches the filter, not only those on the page.
        page = pagination.paginate(self.request, invoices)
        context.update(
            page,
            filter=invoice_filter,
            rows=[
                (invoice, workflow.steps_for(user, invoice), _held_steps(user, invoice))
                for invoice in page["page_obj"].object_list
            ],
            attest_rules=economy_settings(self.forbund),
            total=selectors.invoice_total(invoices),
            is_filtered=bool(self.request.GET),
            late=selectors.late_invoicing(self.forbund, timezone.localdate()),
            today=timezone.localdate(),
        )
        return context


def _held_steps(user, invoice: Invoice) -> list[str]:
    """The next steps this member of the kansli may not take on this invoice, each with the reason
    (the förbund's attest rules: not the registrar, not the attester), so the page says why the
    button is missing."""
    if not access.check("manage_economy", user, invoice.forbund):
        return []
    held = []
    for step in workflow.of(invoice).steps_from(invoice.status):
        verdict = access.check("transition", user, invoice, step.target)
        if not verdict:
            held.append(f"{step.label}: {verdict.reason}")
    return held


class AttestRulesView(EconomyMixin, TemplateView):
    """The förbund's attest rules: who attests invoices, and whether registrar, attester and payer
    may be the same person."""

    rule = "manage_attest_rules"
    template_name = "ekonomi/invoice_attest_rules.html"

    def get_form(self):
        return forms.AttestRulesForm(self.request.POST or None, instance=economy_settings(self.forbund))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["cancel_url"] = self.url("invoice_list")
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                services.attest_rules_save(
                    forbund=self.forbund, by=request.user, rules=form.save(commit=False)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Attestreglerna är sparade.")
                return redirect(self.url("invoice_list"))
        return self.render_to_response(self.get_context_data(form=form))


class InvoiceFormMixin(EconomyMixin):
    template_name = "ekonomi/invoice_form.html"
    invoice: Invoice | None = None

    def get_form(self):
        initial = {"received_on": timezone.localdate()} if self.invoice is None else None
        insats = self.request.GET.get("insats", "")
        if self.invoice is None and insats.isdigit():
            initial["insats"] = int(insats)
        return forms.InvoiceForm(
            self.request.POST or None,
            self.request.FILES or None,
            instance=self.invoice,
            forbund=self.forbund,
            initial=initial,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["invoice"] = self.invoice
        context["title"] = "Ny faktura" if self.invoice is None else f"Ändra faktura: {self.invoice}"
        context["cancel_url"] = self.url("invoice_list")
        return context

    def save(self, form) -> Invoice:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                invoice = self.save(form)
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Fakturan är sparad: {invoice}.")
                return redirect(self.url("invoice_list"))
        return self.render_to_response(self.get_context_data(form=form))


class InvoiceCreateView(InvoiceFormMixin, TemplateView):
    """Register a received invoice; a double submit registers it once."""

    rule = "manage_economy"

    def save(self, form) -> Invoice:
        invoice, _ = concurrency.create_once(
            token=form.token,
            by=self.request.user,
            create=lambda: services.invoice_save(
                forbund=self.forbund, by=self.request.user, invoice=form.save(commit=False)
            ),
        )
        return invoice


class InvoiceUpdateView(InvoiceFormMixin, TemplateView):
    """Correct an invoice that is not yet attested. An attested or paid one is locked: the user is sent
    back to the list with the reason (a correction is a credit note), not shown a 403."""

    rule = "edit_invoice"
    refusal: access.Verdict | None = None

    def load_objects(self) -> None:
        self.invoice = get_object_or_404(
            Invoice.objects.select_related("forbund", "insats"), forbund=self.forbund, pk=self.kwargs["pk"]
        )

    def refused_by_state(self, verdict: access.Verdict) -> None:
        self.refusal = verdict

    def get(self, request, *args, **kwargs):
        if self.refusal is not None:
            return self.refused()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.refusal is not None:
            return self.refused()
        return super().post(request, *args, **kwargs)

    def refused(self):
        messages.error(self.request, self.refusal.reason)
        return redirect(self.url("invoice_list"))

    def save(self, form) -> Invoice:
        return services.invoice_save(
            forbund=self.forbund,
            by=self.request.user,
            invoice=form.save(commit=False),
            opened_version=form.opened,
        )


class InvoiceTransitionView(EconomyManageMixin, View):
    """One step of the invoice workflow with its date. Declared for the kansli; the step itself is
    checked by the workflow's table (`transition`) in the service."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invoice = get_object_or_404(Invoice, forbund=self.forbund, pk=self.kwargs["pk"])
        form = forms.InvoiceTransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Ange datumet som ÅÅÅÅ-MM-DD.")
            return redirect(self.url("invoice_list"))
        try:
            invoice = services.invoice_transition(
                invoice=invoice, to=self.kwargs["target"], by=request.user, on=form.cleaned_data["on"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Fakturan {invoice} ändrades inte: {message}")
        else:
            messages.success(request, f"Fakturan {invoice} är nu {invoice.get_status_display().lower()}.")
        return redirect(self.url("invoice_list"))


class InvoiceAttachmentView(EconomyMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        invoice = get_object_or_404(Invoice, forbund=self.forbund, pk=self.kwargs["pk"])
        if not invoice.attachment:
            raise Http404("Fakturan har ingen fil.")
        name = invoice.attachment.name.rsplit("/", 1)[-1]
        return file_response(invoice.attachment, filename=name)


# Account mappings ---------------------------------------------------------------------------------


class AccountListView(EconomyMixin, TemplateView):
    """The account mappings by account number, a page at a time (`?sida=N`): every insats that gets an
    account of its own adds one, year after year."""

    template_name = "ekonomi/account_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = pagination.paginate(self.request, selectors.account_mappings(self.forbund).order_by("account"))
        context.update(page, mappings=page["page_obj"].object_list)
        return context


class AccountFormView(EconomyManageMixin, TemplateView):
    template_name = "ekonomi/account_form.html"
    mapping: AccountMapping | None = None

    def load_objects(self) -> None:
        if "pk" in self.kwargs:
            self.mapping = get_object_or_404(AccountMapping, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_form(self):
        return forms.AccountMappingForm(
            self.request.POST or None, instance=self.mapping, forbund=self.forbund
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = (
            "Ny kontokoppling" if self.mapping is None else f"Ändra konto {self.mapping.account}"
        )
        context["cancel_url"] = self.url("account_list")
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                mapping = services.account_mapping_save(
                    forbund=self.forbund, by=request.user, mapping=form.save(commit=False)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Kontokopplingen är sparad: {mapping}.")
                return redirect(self.url("account_list"))
        return self.render_to_response(self.get_context_data(form=form))


class AccountDeleteView(EconomyManageMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        mapping = get_object_or_404(AccountMapping, forbund=self.forbund, pk=self.kwargs["pk"])
        services.account_mapping_delete(mapping=mapping, by=request.user)
        messages.success(request, f"Kontokopplingen för konto {mapping.account} är borttagen.")
        return redirect(self.url("account_list"))


# Ledger -------------------------------------------------------------------------------------------


class LedgerView(EconomyMixin, TemplateView):
    """The imported outcome of a year, by account and by budget line, and every import so far."""

    template_name = "ekonomi/ledger.html"

    def get_year(self, years: list[int]) -> int:
        """The year asked for, else the latest of `years` (the years with a ledger), else this year."""
        value = self.request.GET.get("ar", "")
        if value.isdigit() and 2004 <= int(value) <= 2100:
            return int(value)
        return years[0] if years else timezone.localdate().year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ledger_years = selectors.ledger_years(self.forbund)
        year = self.get_year(ledger_years)
        years = sorted(set(ledger_years) | {year}, reverse=True)
        context.update(
            year=year,
            years=years,
            table=selectors.ledger_outcome(self.forbund, year),
            imports=selectors.ledger_imports(self.forbund),
            locked=LockedPeriod.objects.filter(forbund=self.forbund, year=year)
            .select_related("locked_by")
            .first(),
        )
        return context


class YearLockView(EconomyManageMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        year = self.kwargs["year"]
        try:
            services.year_lock(forbund=self.forbund, year=year, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Huvudboken för {year} är låst.")
        return redirect(f"{reverse('ekonomi:ledger', kwargs={'forbund': self.forbund.slug})}?ar={year}")


class LedgerImportView(EconomyManageMixin, TemplateView):
    """Step 1: the file form (GET). Step 2 (POST): the file is checked without parsing it (type by
    content, size, sheets, rows), kept, and queued for the worker; the page of the upload follows
    the reading and shows the preview."""

    template_name = "ekonomi/ledger_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.LedgerUploadForm())
        context["limits"] = {
            "sheets": settings.XLSX_MAX_SHEETS,
            "rows": f"{settings.XLSX_MAX_ROWS:,}".replace(",", "\u00a0"),
        }
        return context

    def post(self, request, *args, **kwargs):
        form = forms.LedgerUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        file = form.cleaned_data["file"]
        try:
            upload = services.ledger_upload_start(
                forbund=self.forbund,
                by=request.user,
                file=file,
                filename=file.name,
                rows_total=form.facts.rows,
            )
        except BrokerUnavailable as error:
            return self.render_to_response(self.get_context_data(form=form, broker_error=error.message))
        return redirect(self.url("ledger_upload", pk=upload.pk))


class LedgerUploadMixin(EconomyManageMixin):
    """An upload of this förbund (another förbund's is a 404, as is one already confirmed)."""

    def load_objects(self) -> None:
        self.upload = get_object_or_404(LedgerUpload, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = self.upload
        context.update(upload=upload, max_errors=MAX_ERRORS_SHOWN)
        if upload.status == LedgerUpload.Status.KLAR:
            preview = selectors.ledger_preview(self.forbund, services.ledger_upload_summary(upload))
            problems = [str(problem) for problem in preview.problems]
            context.update(
                preview=preview,
                table=preview.table,
                problems=problems[:MAX_ERRORS_SHOWN],
                more_problems=max(0, len(problems) - MAX_ERRORS_SHOWN),
                unmapped=any("saknar kontokoppling" in problem for problem in problems),
            )
        return context


class LedgerUploadView(LedgerUploadMixin, TemplateView):
    """Step 3: the upload's page. While the worker reads the file it polls the status fragment;
    then it shows the preview with every problem, or the totals and the confirm button."""

    template_name = "ekonomi/ledger_upload.html"


class LedgerUploadStatusView(LedgerUploadMixin, TemplateView):
    template_name = "ekonomi/partials/ledger_upload_status.html"


class LedgerConfirmView(EconomyManageMixin, View):
    """Step 4: commit the previewed upload in one transaction, or discard it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        pk = self.kwargs["pk"]
        if "avbryt" in request.POST:
            services.ledger_upload_discard(forbund=self.forbund, by=request.user, upload_id=pk)
            messages.info(request, "Inläsningen avbröts. Inget sparades.")
            return redirect(self.url("ledger_import"))
        try:
            imported = services.ledger_upload_import(forbund=self.forbund, by=request.user, upload_id=pk)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Huvudboken lästes inte in: {message}")
            return redirect(self.url("ledger_import"))
        messages.success(
            request,
            f"Huvudboken {imported.filename} är inläst: {imported.year}, "
            f"månad {imported.first_month}–{imported.last_month}.",
        )
        return redirect(f"{self.url('ledger')}?ar={imported.year}")


class LedgerFileView(EconomyMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        ledger_import = get_object_or_404(LedgerImport, forbund=self.forbund, pk=self.kwargs["pk"])
        return file_response(ledger_import.file, filename=ledger_import.filename)


urlpatterns = [
    path("fakturor/", InvoiceListView.as_view(), name="invoice_list"),
    path("fakturor/ny/", InvoiceCreateView.as_view(), name="invoice_create"),
    path("fakturor/<id:pk>/andra/", InvoiceUpdateView.as_view(), name="invoice_edit"),
    path(
        "fakturor/<id:pk>/status/<slug:target>/", InvoiceTransitionView.as_view(), name="invoice_transition"
    ),
    path("fakturor/<id:pk>/fil/", InvoiceAttachmentView.as_view(), name="invoice_attachment"),
    path("fakturor/attestregler/", AttestRulesView.as_view(), name="invoice_attest_rules"),
    path("konton/", AccountListView.as_view(), name="account_list"),
    path("konton/ny/", AccountFormView.as_view(), name="account_create"),
    path("konton/<id:pk>/andra/", AccountFormView.as_view(), name="account_edit"),
    path("konton/<id:pk>/ta-bort/", AccountDeleteView.as_view(), name="account_delete"),
    path("huvudbok/", LedgerView.as_view(), name="ledger"),
    path("huvudbok/las-in/", LedgerImportView.as_view(), name="ledger_import"),
    path("huvudbok/las-in/<id:pk>/", LedgerUploadView.as_view(), name="ledger_upload"),
    path("huvudbok/las-in/<id:pk>/status/", LedgerUploadStatusView.as_view(), name="ledger_upload_status"),
    path("huvudbok/las-in/<id:pk>/bekrafta/", LedgerConfirmView.as_view(), name="ledger_confirm"),
    path("huvudbok/<id:pk>/fil/", LedgerFileView.as_view(), name="ledger_file"),
    path("huvudbok/<year:year>/las/", YearLockView.as_view(), name="year_lock"),
]
