"""The förbund's documents: the verksamhetsplan's and the årsredovisning's texts, their HTML preview,
PDF jobs and downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import broker, concurrency, rendering
from finsam.files import file_response
from forbund.mixins import ForbundViewMixin, add_model_errors
from forbund.models import Dokumentjobb
from forbund.selectors import current_year, medlemmar_in_year

from .. import forms
from ..models import Indikator, PlannedActivity
from ..selectors import arsredovisning as arsredovisning_selectors
from ..selectors import documents as selectors
from ..services import arsredovisning as arsredovisning_services
from ..services import plan as plan_services


class DocumentMixin(ForbundViewMixin):
    rule = "view_documents"


# The name of the "Skapa PDF" button on a document's edit page: it submits the same form as "Spara",
# so what was typed is saved first and the PDF is made from it (nothing typed is lost).
PDF_BUTTON = "skapa_pdf"


class SaveThenPdfMixin(DocumentMixin):
    """After a document's texts are saved: back to the page, or, when "Skapa PDF" was pressed, on to
    the PDF job made from what was just saved."""

    document_kind = ""
    edit_url_name = ""

    def wants_pdf(self) -> bool:
        return PDF_BUTTON in self.request.POST

    def after_save(self, year: int, saved_message: str):
        edit_url = redirect(self.edit_url_name, forbund=self.forbund.slug, year=year)
        if not self.wants_pdf():
            messages.success(self.request, saved_message)
            return edit_url
        try:
            job = rendering.document_request(
                forbund=self.forbund, kind=self.document_kind, year=year, by=self.request.user
            )
        except broker.BrokerUnavailable as error:
            messages.success(self.request, saved_message)
            messages.error(self.request, error.message)
            return edit_url
        messages.success(self.request, f"{saved_message} PDF:en görs av det som nu är sparat.")
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)

    def not_saved(self) -> None:
        if self.wants_pdf():
            messages.error(
                self.request,
                "PDF:en skapades inte, eftersom texterna inte kunde sparas. Rätta det som är markerat – "
                "det du har skrivit finns kvar.",
            )


class DocumentListView(DocumentMixin, TemplateView):
    template_name = "uppfoljning/documents.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            years=selectors.document_years(self.forbund),
            jobs=selectors.document_jobs(self.forbund),
            this_year=current_year(),
        )
        return context


class PreviewMixin(DocumentMixin):
    """A document as HTML, from the same template and context the PDF is made from."""

    def document_context(self, year: int) -> dict:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        year = self.kwargs["year"]
        context = self.document_context(year)
        context.update(
            forbund=self.forbund,
            year=year,
            generated_at=timezone.now(),
            preview=True,
            back_url=reverse("uppfoljning:documents", kwargs={"forbund": self.forbund.slug}),
        )
        return context


class VerksamhetsplanEditView(SaveThenPdfMixin, TemplateView):
    rule = "manage_documents"
    template_name = "uppfoljning/verksamhetsplan_form.html"
    document_kind = Dokumentjobb.Kind.VERKSAMHETSPLAN
    edit_url_name = "uppfoljning:verksamhetsplan"

    def load_objects(self) -> None:
        self.plan = plan_services.verksamhetsplan_for(
            forbund=self.forbund, year=self.kwargs["year"], by=self.request.user
        )

    def get_forms(self):
        data = self.request.POST or None
        plan, year = self.plan, self.plan.year
        indicators = Indikator.objects.filter(forbund=self.forbund, year=year)
        activities = PlannedActivity.objects.filter(forbund=self.forbund, year=year)
        return (
            forms.VerksamhetsplanForm(data, instance=plan),
            forms.IndicatorFormSet(
                data,
                prefix="indikator",
                initial=[{"indicator": i.indicator, "measure": i.measure} for i in indicators],
            ),
            forms.ActivityFormSet(
                data,
                prefix="aktivitet",
                initial=[
                    {
                        "activity": a.activity,
                        "when": a.when,
                        "responsible": a.responsible,
                        "follow_up": a.follow_up,
                    }
                    for a in activities
                ],
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            context["form"], context["indicators"], context["activities"] = self.get_forms()
        jobs = selectors.document_jobs(
            self.forbund, kind=Dokumentjobb.Kind.VERKSAMHETSPLAN, year=self.plan.year, limit=10
        )
        context.update(plan=self.plan, year=self.plan.year, jobs=jobs)
        return context

    def post(self, request, *args, **kwargs):
        form, indicators, activities = self.get_forms()
        if form.is_valid() and indicators.is_valid() and activities.is_valid():
            try:
                plan_services.verksamhetsplan_save(
                    plan=form.save(commit=False),
                    by=request.user,
                    indicators=forms.indicators_from(indicators),
                    activities=forms.activities_from(activities),
                    opened_version=form.opened,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                year = self.plan.year
                return self.after_save(year, f"Texterna till verksamhetsplan {year} är sparade.")
        self.not_saved()
        return self.render_to_response(
            self.get_context_data(form=form, indicators=indicators, activities=activities)
        )


class VerksamhetsplanPreviewView(PreviewMixin, TemplateView):
    template_name = "uppfoljning/pdf/verksamhetsplan.html"

    def document_context(self, year: int) -> dict:
        return selectors.verksamhetsplan_context(self.forbund, year)


class DocumentRequestView(DocumentMixin, View):
    rule = "manage_documents"
    http_method_names = ["post"]

    def post(self, request, forbund, kind, year):
        if kind not in rendering.DOCUMENT_TYPES:
            raise Http404("Okänt dokument.")
        try:
            job = rendering.document_request(forbund=self.forbund, kind=kind, year=year, by=request.user)
        except broker.BrokerUnavailable as error:
            messages.error(request, error.message)
            return redirect("uppfoljning:documents", forbund=self.forbund.slug)
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)


class JobMixin(DocumentMixin):
    def load_objects(self) -> None:
        self.job = get_object_or_404(
            Dokumentjobb.objects.select_related("requested_by").prefetch_related(
                "faststallelser__item", "faststallelser__withdrawn_by_item"
            ),
            forbund=self.forbund,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        return context


class JobView(JobMixin, TemplateView):
    template_name = "uppfoljning/job.html"


class JobStatusView(JobMixin, TemplateView):
    """The status fragment the job page polls (htmx) until the document is done or failed."""

    template_name = "uppfoljning/partials/job_status.html"


class JobDownloadView(JobMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        if self.job.status != Dokumentjobb.Status.KLAR or not self.job.file:
            raise Http404("Dokumentet är inte klart.")
        return file_response(self.job.file, filename=self.job.filename)


class JobRetryView(JobMixin, View):
    """ "Försök igen" for a failed job, or one whose worker stopped answering (access: retry_document)."""

    rule = "retry_document"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            job = rendering.document_retry(job=self.job, by=request.user)
        except ValidationError as error:  # it finished or came back to life since the page was drawn
            messages.info(request, " ".join(error.messages))
            job = self.job
        except broker.BrokerUnavailable as error:
            messages.error(request, error.message)
            job = self.job
        else:
            messages.info(request, "Dokumentet görs om.")
        return redirect("uppfoljning:job", forbund=self.forbund.slug, pk=job.pk)


class ArsredovisningEditView(SaveThenPdfMixin, TemplateView):
    rule = "manage_documents"
    template_name = "uppfoljning/arsredovisning_form.html"
    document_kind = Dokumentjobb.Kind.ARSREDOVISNING
    edit_url_name = "uppfoljning:arsredovisning"

    def load_objects(self) -> None:
        self.arsredovisning = arsredovisning_services.arsredovisning_for(
            forbund=self.forbund, year=self.kwargs["year"], by=self.request.user
        )

    def medlemmar(self):
        return medlemmar_in_year(self.forbund, self.arsredovisning.year)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.ArsredovisningForm(instance=self.arsredovisning))
        context.setdefault("ansvarsfrihet_form", forms.AnsvarsfrihetForm(medlemmar=self.medlemmar()))
        figures, sources, ledger = arsredovisning_selectors.balance_figures(self.forbund, self.arsredovisning)
        context.update(
            arsredovisning=self.arsredovisning,
            year=self.arsredovisning.year,
            ledger_balance=ledger,
            balance_rows=[
                {"label": label, "value": figures[name], "source": sources.get(name, "")}
                for name, label in arsredovisning_selectors.BALANCE_LABELS.items()
            ],
            ansvarsfrihet=self.arsredovisning.ansvarsfrihet.select_related("medlem"),
            jobs=selectors.document_jobs(
                self.forbund, kind=Dokumentjobb.Kind.ARSREDOVISNING, year=self.arsredovisning.year, limit=10
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        if "ansvarsfrihet" in request.POST:
            return self.record_ansvarsfrihet()
        form = forms.ArsredovisningForm(request.POST, instance=self.arsredovisning)
        if form.is_valid():
            try:
                arsredovisning_services.arsredovisning_save(
                    report=form.save(commit=False), by=request.user, opened_version=form.opened
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                year = self.arsredovisning.year
                return self.after_save(year, f"Årsredovisningen {year} är sparad.")
        self.not_saved()
        return self.render_to_response(self.get_context_data(form=form))

    def record_ansvarsfrihet(self):
        form = forms.AnsvarsfrihetForm(self.request.POST, medlemmar=self.medlemmar())
        if form.is_valid():
            try:
                arsredovisning_services.ansvarsfrihet_record(
                    report=self.arsredovisning, by=self.request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(self.request, "Beslutet om ansvarsfrihet är registrerat.")
                return redirect(
                    "uppfoljning:arsredovisning", forbund=self.forbund.slug, year=self.arsredovisning.year
                )
        return self.render_to_response(self.get_context_data(ansvarsfrihet_form=form))


class ArsredovisningPreviewView(PreviewMixin, TemplateView):
    template_name = "uppfoljning/pdf/arsredovisning.html"

    def document_context(self, year: int) -> dict:
        return arsredovisning_selectors.arsredovisning_context(self.forbund, year)
