"""Pages of the platform administration (/plattform/): the installation's förbund, the guided start of
a new one and its Excel import. Thin: check the rule, validate the form, call a service, render a
selector. A platform administrator sees no förbund's insatser, reports, meetings or economy here."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from finsam import access, broker, concurrency

from ..forms import MedlemForm
from ..mixins import add_model_errors
from ..models import (
    Forbund,
    Kansliuppdrag,
    Medlem,
    Styrelseuppdrag,
    SubmittedForm,
    Uppstart,
    Uppstartsimport,
    WorkingAgePopulation,
)
from . import forms, importer, selectors, services
from . import template_format as fmt

TEMPLATE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlatformMixin:
    """Pages about the installation as a whole: for platform administrators only."""

    rule = "administer_platform"

    def dispatch(self, request, *args, **kwargs):
        access.require(self.rule, request.user, request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["platform_page"] = True
        return context


class SetupMixin:
    """The pages of one förbund's guided start. Anyone but a platform administrator is refused before
    the förbund is looked up (so the pages do not tell which förbund exist); a förbund not started
    here is a 404; a start that has been handed over is closed, and its pages lead back to the list."""

    rule = "set_up_forbund"
    step: str = ""

    def dispatch(self, request, *args, **kwargs):
        access.require("administer_platform", request.user, request.user)
        self.forbund = get_object_or_404(Forbund.objects.select_related("uppstart"), slug=kwargs["forbund"])
        self.setup = getattr(self.forbund, "uppstart", None)
        if self.setup is None:
            raise Http404("Förbundet startades inte här.")
        verdict = access.check(self.rule, request.user, self.forbund)
        if not verdict:
            if not verdict.locked:
                raise PermissionDenied(verdict.reason)
            messages.info(request, verdict.reason)
            return redirect("platform:home")
        return super().dispatch(request, *args, **kwargs)

    def url(self, name: str, **kwargs) -> str:
        return reverse(name, kwargs={"forbund": self.forbund.slug, **kwargs})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Not `forbund`: that would show the förbund's own menu, whose pages are not the admin's.
        context.pop("forbund", None)
        steps = selectors.steps(self.forbund, self.setup)
        context.update(
            setup_forbund=self.forbund,
            setup=self.setup,
            steps=steps,
            current_step=self.step,
            next_step_url=self._next_url(steps),
            platform_page=True,
        )
        return context

    def _next_url(self, steps) -> str:
        codes = [step.code for step in steps]
        if self.step in codes and codes.index(self.step) + 1 < len(codes):
            following = steps[codes.index(self.step) + 1]
            return self.url(following.url_name)
        return self.url("platform:setup")


# The installation ---------------------------------------------------------------------------------


class PlatformHomeView(PlatformMixin, TemplateView):
    template_name = "forbund/platform/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forbund_list"] = selectors.forbund_list()
        return context


class ForbundStartView(PlatformMixin, TemplateView):
    """Step 1 of a new förbund: name, organisationsnummer and short name. Saving creates the förbund
    and its guided start (once per form, however often the button is pressed)."""

    template_name = "forbund/platform/start.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.ForbundStartForm())
        return context

    def post(self, request, *args, **kwargs):
        data = request.POST.copy()
        if not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"].lower().removeprefix("samordningsförbundet").strip())[:60]
        form = forms.ForbundStartForm(data)
        earlier = _earlier_start(data.get("form_token", ""), request.user)
        if earlier is not None:  # a second press of the button: the förbund the first one made
            return redirect("platform:members", forbund=earlier.slug)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            forbund, created = concurrency.create_once(
                token=form.token,
                by=request.user,
                create=lambda: services.forbund_start(by=request.user, forbund=form.save(commit=False)),
            )
        except ValidationError as error:
            add_model_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form))
        if created:
            messages.success(request, f"{forbund} är skapat. Fortsätt med förbundets medlemmar.")
        return redirect("platform:members", forbund=forbund.slug)


def _earlier_start(token: str, user) -> Forbund | None:
    try:
        token = uuid.UUID(token)
    except ValueError:
        return None
    submitted = SubmittedForm.objects.filter(token=token, user=user).first()
    return Forbund.objects.filter(pk=submitted.object_id).first() if submitted is not None else None


# The guided start -----------------------------------------------------------------------------------


class SetupOverviewView(SetupMixin, TemplateView):
    template_name = "forbund/platform/setup.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            warnings=selectors.party_warnings(self.forbund),
            problems=selectors.completion_problems(self.forbund),
            resume=next((step for step in context["steps"] if not step.done), None),
        )
        return context


class SetupCompleteView(SetupMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.setup_complete(forbund=self.forbund, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"Uppstarten kan inte avslutas än: {message}")
            return redirect(self.url("platform:setup"))
        messages.success(request, f"Uppstarten av {self.forbund} är klar; förbundets samordnare tar över.")
        return redirect("platform:home")


class FactsView(SetupMixin, TemplateView):
    template_name = "forbund/platform/facts.html"
    step = Uppstart.Step.UPPGIFTER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.ForbundStartForm(instance=self.forbund))
        return context

    def post(self, request, *args, **kwargs):
        form = forms.ForbundStartForm(request.POST, instance=Forbund.objects.get(pk=self.forbund.pk))
        if form.is_valid():
            try:
                forbund = services.forbund_facts_update(
                    forbund=form.instance, by=request.user, opened_version=form.opened
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Förbundets namn och organisationsnummer är sparade.")
                return redirect("platform:members", forbund=forbund.slug)
        return self.render_to_response(self.get_context_data(form=form))


class RecordStepView(SetupMixin, TemplateView):
    """A step that lists what has been entered and adds one more per save."""

    def new_form(self, data=None):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def saved_message(self, record) -> str:
        return f"{record._meta.verbose_name.capitalize()} sparad: {record}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.new_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.new_form(request.POST)
        if form.is_valid():
            try:
                record, created = concurrency.create_once(
                    token=form.token, by=request.user, create=lambda: self.save(form)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                if created:
                    messages.success(request, self.saved_message(record))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class MembersView(RecordStepView):
    template_name = "forbund/platform/members.html"
    step = Uppstart.Step.MEDLEMMAR

    def new_form(self, data=None):
        return MedlemForm(data, forbund=self.forbund)

    def save(self, form):
        return services.setup_record_save(
            forbund=self.forbund, by=self.request.user, instance=form.save(commit=False), step=self.step
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            medlemmar=Medlem.objects.filter(forbund=self.forbund),
            warnings=selectors.party_warnings(self.forbund),
        )
        return context


class MemberEditView(SetupMixin, TemplateView):
    template_name = "forbund/platform/record_form.html"
    step = Uppstart.Step.MEDLEMMAR

    @cached_property
    def medlem(self) -> Medlem:
        return get_object_or_404(Medlem, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MedlemForm(instance=self.medlem, forbund=self.forbund))
        context.update(title=f"Ändra {self.medlem}", cancel_url=self.url("platform:members"))
        return context

    def post(self, request, *args, **kwargs):
        form = MedlemForm(request.POST, instance=self.medlem, forbund=self.forbund)
        if form.is_valid():
            try:
                services.setup_record_save(
                    forbund=self.forbund,
                    by=request.user,
                    instance=form.save(commit=False),
                    step=self.step,
                    opened_version=form.opened,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Medlem sparad: {self.medlem}.")
                return redirect(self.url("platform:members"))
        return self.render_to_response(self.get_context_data(form=form))


REMOVABLE = {
    "medlem": (Medlem, "platform:members"),
    "styrelseuppdrag": (Styrelseuppdrag, "platform:board"),
    "kansliuppdrag": (Kansliuppdrag, "platform:staff"),
}


class RecordRemoveView(SetupMixin, View):
    """Take back a member, board seat or kansli assignment entered by mistake during the start."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if kwargs["kind"] not in REMOVABLE:
            raise Http404("Det finns inget sådant att ta bort.")
        model, back = REMOVABLE[kwargs["kind"]]
        record = get_object_or_404(model, forbund=self.forbund, pk=kwargs["pk"])
        try:
            services.record_remove(forbund=self.forbund, by=request.user, instance=record)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Borttagen: {record}.")
        return redirect(self.url(back))


class PopulationsView(SetupMixin, TemplateView):
    template_name = "forbund/platform/populations.html"
    step = Uppstart.Step.INVANARE

    def kommuner(self) -> list[Medlem]:
        return list(Medlem.objects.filter(forbund=self.forbund, kind=Medlem.Kind.KOMMUN).order_by("name"))

    def year(self) -> int:
        value = self.request.GET.get("ar", "")
        if value.isdigit() and 2004 <= int(value) <= 2100:
            return int(value)
        return timezone.localdate().year - 1  # SCB's figures for last year are the latest published

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.year()
        kommuner = self.kommuner()
        existing = dict(
            WorkingAgePopulation.objects.filter(forbund=self.forbund, year=year).values_list(
                "kommun_id", "count"
            )
        )
        context.setdefault(
            "form",
            forms.PopulationYearForm(initial={"year": year}, kommuner=kommuner, initial_counts=existing),
        )
        context.update(
            kommuner=kommuner,
            populations=WorkingAgePopulation.objects.filter(forbund=self.forbund)
            .select_related("kommun")
            .order_by("-year", "kommun__name"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.PopulationYearForm(request.POST, kommuner=self.kommuner())
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                services.populations_save(
                    forbund=self.forbund, by=request.user, year=year, counts=form.counts()
                )
            except concurrency.StaleEdit as error:
                form.add_error(None, error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Invånarantalen för {year} är sparade.")
                return redirect(f"{request.path}?ar={year}")
        return self.render_to_response(self.get_context_data(form=form))


class BoardView(RecordStepView):
    template_name = "forbund/platform/board.html"
    step = Uppstart.Step.STYRELSE

    def new_form(self, data=None):
        return forms.BoardSeatForm(data, forbund=self.forbund)

    def save(self, form):
        return services.person_with_assignment_save(
            forbund=self.forbund,
            by=self.request.user,
            person=form.person(),
            assignment=form.assignment(),
            step=self.step,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["uppdrag_list"] = Styrelseuppdrag.objects.filter(forbund=self.forbund).select_related(
            "person", "medlem"
        )
        return context


class StaffView(RecordStepView):
    template_name = "forbund/platform/staff.html"
    step = Uppstart.Step.KANSLI

    def new_form(self, data=None):
        return forms.StaffForm(data, forbund=self.forbund)

    def save(self, form):
        return services.person_with_assignment_save(
            forbund=self.forbund,
            by=self.request.user,
            person=form.person(),
            assignment=form.assignment(),
            step=self.step,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["uppdrag_list"] = Kansliuppdrag.objects.filter(forbund=self.forbund).select_related(
            "person", "employer"
        )
        return context


class SamordnareView(SetupMixin, TemplateView):
    template_name = "forbund/platform/samordnare.html"
    step = Uppstart.Step.SAMORDNARE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            staff = (
                Kansliuppdrag.objects.filter(
                    forbund=self.forbund,
                    role__in=[Kansliuppdrag.Role.SAMORDNARE, Kansliuppdrag.Role.FORBUNDSCHEF],
                    person__user__isnull=True,
                )
                .select_related("person")
                .first()
            )
            initial = {"name": staff.person.name, "email": staff.person.email} if staff else {}
            context["form"] = forms.SamordnareInviteForm(initial=initial)
        context["invitations"] = selectors.samordnare_invitations(self.forbund)
        context["has_samordnare"] = selectors.has_samordnare(self.forbund)
        return context

    def post(self, request, *args, **kwargs):
        form = forms.SamordnareInviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.first_samordnare_invite(
                    forbund=self.forbund,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                )
            except broker.BrokerUnavailable as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Inbjudan är skickad till {invitation.name} ({invitation.email}).")
                return redirect(self.url("platform:import"))
        return self.render_to_response(self.get_context_data(form=form))


# The Excel import -------------------------------------------------------------------------------------


class ImportView(SetupMixin, TemplateView):
    """Download the template; upload it filled in. The file is checked (type by content, size, sheets,
    rows) and read; the preview follows."""

    template_name = "forbund/platform/import.html"
    step = Uppstart.Step.IMPORT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", forms.ImportUploadForm())
        context["imports"] = Uppstartsimport.objects.filter(forbund=self.forbund).select_related(
            "uploaded_by"
        )[:20]
        context["columns"] = fmt.COLUMNS
        return context

    def post(self, request, *args, **kwargs):
        form = forms.ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        file = form.cleaned_data["file"]
        upload = importer.import_upload(forbund=self.forbund, by=request.user, file=file, filename=file.name)
        return redirect(self.url("platform:import_preview", pk=upload.pk))


class TemplateDownloadView(SetupMixin, View):
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        names = list(Medlem.objects.filter(forbund=self.forbund).values_list("name", flat=True))
        content = fmt.build_template(forbund_name=self.forbund.name, member_names=names)
        response = HttpResponse(content, content_type=TEMPLATE_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="finsam-mall-{self.forbund.slug}.xlsx"'
        return response


class ImportPreviewView(SetupMixin, TemplateView):
    template_name = "forbund/platform/import_preview.html"
    step = Uppstart.Step.IMPORT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = get_object_or_404(Uppstartsimport, forbund=self.forbund, pk=self.kwargs["pk"])
        context["upload"] = upload
        if upload.status == Uppstartsimport.Status.GRANSKAS:
            context["preview"] = importer.preview(self.forbund, importer.parsed_of(upload))
        return context


class ImportConfirmView(SetupMixin, View):
    """Import the previewed file whole, or discard it."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        pk = self.kwargs["pk"]
        if "avbryt" in request.POST:
            importer.import_discard(forbund=self.forbund, by=request.user, upload_id=pk)
            messages.info(request, "Inläsningen avbröts. Inget sparades.")
            return redirect(self.url("platform:import"))
        try:
            imported = importer.import_confirm(forbund=self.forbund, by=request.user, upload_id=pk)
        except ValidationError as error:
            messages.error(request, "Filen lästes inte in; inget sparades. Se felen nedan.")
            if importer.EXPIRED in error.messages:
                return redirect(self.url("platform:import"))
            return redirect(self.url("platform:import_preview", pk=pk))
        messages.success(request, f"Filen är inläst: {imported}.")
        return redirect(self.url("platform:import"))
