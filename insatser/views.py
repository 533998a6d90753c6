"""Insats pages. Thin: resolve access, validate input, call one service, render a selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import access, broker, concurrency, pagination, workflow
from finsam.files import file_response
from forbund.forms import CommentForm
from forbund.mixins import ForbundViewMixin, TransitionPostMixin, add_model_errors
from forbund.models import Forbund

from . import confirmation_forms, confirmations, exports, forms, selectors, services
from .filters import InsatsFilter
from .models import CONFIRMABLE, Attachment, Confirmation, Delprocess, Insats, Milestone
from .workflow import submission_problems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InsatsListView(ForbundViewMixin, TemplateView):
    rule = "view_forbund"  # a projektägare sees their own organisation's insatser
    template_name = "insatser/insats_list.html"

    def get_filter(self) -> InsatsFilter:
        visible = selectors.insatser_for_user(self.request.user, self.forbund)
        bounds = visible.aggregate(first=Min("start"), last_start=Max("start"), last_end=Max("end"))
        last = max(filter(None, [bounds["last_start"], bounds["last_end"]]), default=None)
        years = list(range(bounds["first"].year, last.year + 1)) if bounds["first"] else []
        return InsatsFilter(self.request.GET or None, queryset=visible, forbund=self.forbund, years=years)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self) -> HttpResponse:
        insatser = list(self.get_filter().qs)
        applied = selectors.applied_per_insats(insatser)
        granted = selectors.granted_per_insats(insatser)
        years = sorted({year for amounts in granted.values() for year in amounts})
        data = exports.insatser_workbook(insatser=insatser, applied=applied, granted=granted, years=years)
        return xlsx_response(data, f"insatser-{self.forbund.slug}.xlsx")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        insats_filter = self.get_filter()
        page = pagination.paginate(self.request, insats_filter.qs.order_by("start", "name", "pk"))
        context.update(
            page,
            filter=insats_filter,
            insatser=page["page_obj"].object_list,
            is_filtered=bool(self.request.GET),
            export_query=self.request.GET.urlencode(),
        )
        return context


class InsatsMixin(ForbundViewMixin):
    """Loads the insats among those the user may see (any other is a 404); a rule about an insats
    is then asked about it."""

    insats: Insats

    def visible_insatser(self):
        return selectors.insatser_for_user(self.request.user, self.forbund)

    def load_objects(self) -> None:
        self.insats = get_object_or_404(self.visible_insatser(), pk=self.kwargs["pk"])

    def detail_url(self, anchor: str = "") -> str:
        url = reverse("insatser:detail", kwargs={"forbund": self.forbund.slug, "pk": self.insats.pk})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["insats"] = self.insats
        context["detail_url"] = self.detail_url()
        return context


class InsatsDetailView(InsatsMixin, TemplateView):
    rule = "view_forbund"  # the insats itself is found only among those the user may see
    template_name = "insatser/insats_detail.html"

    def visible_insatser(self):
        return selectors.insats_detail(self.request.user, self.forbund)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            data = exports.budget_workbook(insats=self.insats, table=selectors.budget_table(self.insats))
            return xlsx_response(data, f"budget-{self.insats.pk}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        insats = self.insats
        today = timezone.localdate()
        editable = context["may"].edit_application
        steps = workflow.steps_for(self.request.user, insats)
        submittable = any(step.target == Insats.Status.INSKICKAD for step in steps)
        context.update(
            budget=selectors.budget_table(insats),
            granted=selectors.granted_per_year(insats),
            applied=selectors.applied_per_year(insats),
            actions=[(step, CommentForm(prefix=step.target)) for step in steps],
            problems=submission_problems(insats) if submittable else [],
            confirmations=selectors.confirmation_overview(insats),
            confirmations_open=insats.status in CONFIRMABLE,
            awaiting_decision=insats.status in (Insats.Status.INSKICKAD, Insats.Status.UNDER_BEREDNING),
            attachment_form=forms.AttachmentForm() if editable else None,
            overdue={m.pk for m in insats.milestones.all() if m.is_overdue(today)},
            returned=selectors.last_return(insats),
        )
        return context


class InsatsCreateView(ForbundViewMixin, TemplateView):
    """A new application; submitted twice (a double click, a reload) it still makes one insats."""

    rule = "create_application"
    template_name = "insatser/insats_form.html"
    as_idea = False
    title = "Ny ansökan om medel"

    def get_form(self):
        return forms.InsatsForm(
            self.request.POST or None,
            forbund=self.forbund,
            user=self.request.user,
            initial={"kind": "individinriktad"},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = self.title
        context["as_idea"] = self.as_idea
        context["cancel_url"] = reverse("insatser:list", kwargs={"forbund": self.forbund.slug})
        return context

    def create(self, form) -> Insats:
        return services.insats_create(
            forbund=self.forbund,
            by=self.request.user,
            insats=form.save(commit=False),
            partners=form.cleaned_data["partners"],
            goals=form.goals,
            as_idea=self.as_idea,
        )

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                insats, created = concurrency.create_once(
                    token=form.token, by=request.user, create=lambda: self.create(form)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                if created:
                    messages.success(
                        request, f"{insats} är sparad som {insats.get_status_display().lower()}."
                    )
                else:
                    messages.info(request, f"{insats} var redan sparad.")
                return redirect(insats.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class IdeaCreateView(InsatsCreateView):
    """An idea or förstudie the parties discuss before anyone applies: the samordnare registers it."""

    rule = "register_idea"
    as_idea = True
    title = "Ny idé eller förstudie"


class InsatsUpdateView(InsatsMixin, TemplateView):
    """The application's text and facts, saved only over the version the form was opened on."""

    rule = "edit_application"
    template_name = "insatser/insats_form.html"

    def get_form(self):
        return forms.InsatsForm(
            self.request.POST or None, instance=self.insats, forbund=self.forbund, user=self.request.user
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = f"Ändra ansökan: {self.insats}"
        context["cancel_url"] = self.detail_url()
        context["returned"] = selectors.last_return(self.insats)
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                services.insats_update(
                    insats=form.save(commit=False),
                    by=request.user,
                    opened_version=form.opened,
                    partners=form.cleaned_data["partners"],
                    goals=form.goals,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Ansökan är sparad.")
                return redirect(self.detail_url())
        return self.render_to_response(self.get_context_data(form=form))


class BudgetEditView(InsatsMixin, TemplateView):
    rule = "edit_application"
    template_name = "insatser/budget_form.html"

    def get_formset(self):
        return forms.BudgetFormSet(
            self.request.POST or None,
            initial=None if self.request.POST else forms.budget_initial(self.insats),
            form_kwargs={"insats": self.insats},
            prefix="rad",
        )

    def get_version_form(self):
        return forms.InsatsVersionForm(self.request.POST or None, insats=self.insats)

    def get(self, request, *args, **kwargs):
        if not self.insats.years:
            messages.error(request, "Ange insatsens period innan budgeten fylls i.")
            return redirect("insatser:edit", forbund=self.forbund.slug, pk=self.insats.pk)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        context.setdefault("version", self.get_version_form())
        context["years"] = self.insats.years
        return context

    def post(self, request, *args, **kwargs):
        formset, version = self.get_formset(), self.get_version_form()
        errors = []
        if formset.is_valid() and version.is_valid():
            try:
                services.budget_replace(
                    insats=self.insats, by=request.user, lines=formset.lines(), opened_version=version.opened
                )
            except concurrency.StaleEdit as error:
                version.show_stale(error)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "Budgeten är sparad.")
                return redirect(self.detail_url("budget"))
        context = self.get_context_data(formset=formset, version=version, service_errors=errors)
        return self.render_to_response(context)


class DelprocessFormView(InsatsMixin, TemplateView):
    """A new delprocess (made once per form) or a changed one, saved over the application its
    editor saw."""

    rule = "edit_application"
    template_name = "insatser/simple_form.html"

    def get_object(self):
        if "delprocess_pk" not in self.kwargs:
            return None
        return get_object_or_404(Delprocess, insats=self.insats, pk=self.kwargs["delprocess_pk"])

    def get_form(self):
        return forms.DelprocessForm(self.request.POST or None, instance=self.get_object(), insats=self.insats)

    def get_version_form(self):
        return forms.InsatsVersionForm(self.request.POST or None, insats=self.insats)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        context.setdefault("version", self.get_version_form())
        context["title"] = f"Ändra {form.instance}" if form.instance.pk else "Ny delprocess"
        context["cancel_url"] = self.detail_url("delprocesser")
        return context

    def save(self, form, version) -> Delprocess:
        def save() -> Delprocess:
            return services.delprocess_save(
                insats=self.insats,
                by=self.request.user,
                delprocess=form.save(commit=False),
                opened_version=version.opened,
            )

        if form.instance.pk:
            return save()
        delprocess, _ = concurrency.create_once(token=form.token, by=self.request.user, create=save)
        return delprocess

    def post(self, request, *args, **kwargs):
        form, version = self.get_form(), self.get_version_form()
        if form.is_valid() and version.is_valid():
            try:
                delprocess = self.save(form, version)
            except concurrency.StaleEdit as error:
                version.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delprocessen {delprocess} är sparad.")
                return redirect(self.detail_url("delprocesser"))
        return self.render_to_response(self.get_context_data(form=form, version=version))


class DelprocessDeleteView(InsatsMixin, View):
    rule = "edit_application"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        delprocess = get_object_or_404(Delprocess, insats=self.insats, pk=self.kwargs["delprocess_pk"])
        try:
            services.delprocess_delete(delprocess=delprocess, by=request.user)
        except ValidationError as error:  # the insats was submitted after the page was opened
            for message in error.messages:
                messages.error(request, f"Delprocessen togs inte bort: {message}")
        else:
            messages.success(request, f"Delprocessen {delprocess} och dess budgetrader är borttagna.")
        return redirect(self.detail_url("delprocesser"))


class TransitionView(TransitionPostMixin, InsatsMixin, View):
    """One step in the insats's workflow, by a button on its page."""

    record_attribute = "insats"

    def transition(self, target: str, comment: str):
        return services.insats_transition(
            insats=self.insats, to=target, by=self.request.user, comment=comment
        )

    def success_url(self) -> str:
        return self.detail_url()


class DecisionView(InsatsMixin, TemplateView):
    rule = "decide"
    template_name = "insatser/decision_form.html"

    def get_form(self):
        applied = selectors.applied_per_year(self.insats)
        initial = {f"amount_{year}": amount for year, amount in applied.items()}
        return forms.DecisionForm(self.request.POST or None, insats=self.insats, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["applied"] = selectors.applied_per_year(self.insats)
        context["cancel_url"] = self.detail_url()
        context["unconfirmed"] = selectors.missing_confirmations(self.insats)
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                beslut = services.insats_decide(
                    insats=self.insats,
                    by=request.user,
                    outcome=data["outcome"],
                    on_delegation=form.on_delegation,
                    agenda_item=None if form.on_delegation else data["agenda_item"],
                    new_item_meeting=None if form.on_delegation else data["new_item_meeting"],
                    decided_on=data["decided_on"],
                    delegation_point=data["delegation_point"],
                    motivation=data["motivation"],
                    amounts=form.amounts,
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Beslutet är registrerat: {beslut.get_outcome_display().lower()}.")
                return redirect(self.detail_url())
        return self.render_to_response(self.get_context_data(form=form))


class MilestoneFormView(InsatsMixin, TemplateView):
    """A new milestone (made once per form) or a changed one (saved over the version it opened)."""

    rule = "follow_up_insats"
    template_name = "insatser/simple_form.html"

    def get_form(self):
        instance = None
        if "milestone_pk" in self.kwargs:
            instance = get_object_or_404(Milestone, insats=self.insats, pk=self.kwargs["milestone_pk"])
        return forms.MilestoneForm(self.request.POST or None, instance=instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        context["title"] = f"Ändra delmål: {form.instance}" if form.instance.pk else "Nytt delmål"
        context["cancel_url"] = self.detail_url("delmal")
        return context

    def save(self, form) -> Milestone:
        user, milestone = self.request.user, form.save(commit=False)
        if milestone.pk:
            return services.milestone_update(
                insats=self.insats, by=user, milestone=milestone, opened_version=form.opened
            )
        milestone, _ = concurrency.create_once(
            token=form.token,
            by=user,
            create=lambda: services.milestone_create(insats=self.insats, by=user, milestone=milestone),
        )
        return milestone

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                milestone = self.save(form)
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delmålet {milestone} är sparat.")
                return redirect(self.detail_url("delmal"))
        return self.render_to_response(self.get_context_data(form=form))


class AttachmentUploadView(InsatsMixin, View):
    rule = "edit_application"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = services.attachment_add(
                    insats=self.insats,
                    by=request.user,
                    file=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, f"Bilagan sparades inte: {message}")
            else:
                messages.success(request, f"Bilagan {attachment} är uppladdad.")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"Bilagan sparades inte: {error}")
        return redirect(self.detail_url("bilagor"))


class AttachmentDownloadView(InsatsMixin, View):
    rule = "view_forbund"  # whoever sees the insats reads its attachments
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(Attachment, insats=self.insats, pk=self.kwargs["attachment_pk"])
        return file_response(attachment.file, filename=attachment.filename)


class AttachmentRemoveView(InsatsMixin, View):
    rule = "edit_application"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        attachment = get_object_or_404(Attachment, insats=self.insats, pk=self.kwargs["attachment_pk"])
        try:
            services.attachment_remove(attachment=attachment, by=request.user)
        except ValidationError as error:  # the insats was submitted after the page was opened
            for message in error.messages:
                messages.error(request, f"Bilagan togs inte bort: {message}")
        else:
            messages.success(request, f"Bilagan {attachment} är borttagen.")
        return HttpResponseRedirect(self.detail_url("bilagor"))


# The parties' confirmations -----------------------------------------------------------------------


class ConfirmationRequestView(InsatsMixin, TemplateView):
    """The applicant names a party's representative, who is asked by e-mail to confirm the application."""

    rule = "request_confirmation"
    template_name = "insatser/confirmation_request_form.html"

    def get_form(self):
        return confirmation_forms.ConfirmationRequestForm(
            self.request.POST or None, insats=self.insats, user=self.request.user
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["cancel_url"] = self.detail_url("underskrifter")
        context["version"] = selectors.application_version(self.insats)
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            data = form.cleaned_data
            try:
                confirmation = confirmations.confirmation_request(
                    insats=self.insats,
                    by=request.user,
                    medlem=data["medlem"],
                    representative=data["representative"],
                    name=data["name"],
                    email=data["email"],
                    title=data["title"],
                )
            except broker.BrokerUnavailable as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{confirmation.representative} är ombedd att bekräfta ansökan för "
                    f"{confirmation.medlem}; en inbjudan skickas till {confirmation.representative.email}.",
                )
                return redirect(self.detail_url("underskrifter"))
        return self.render_to_response(self.get_context_data(form=form))


class ConfirmationView(TemplateView):
    """Where a named representative reads the application and confirms or declines it. Outside the
    förbund's own pages: the representative needs no role in the förbund, so access is the request
    itself (`view_confirmation_request`; `confirm_application` to answer). Anyone else gets a 404,
    or a 403 with the reason if they work in the förbund."""

    rule = "view_confirmation_request"
    post_rule = "confirm_application"
    template_name = "insatser/confirmation.html"
    confirmation: Confirmation

    def dispatch(self, request, *args, **kwargs):
        forbund = get_object_or_404(Forbund, slug=kwargs["forbund"])
        self.confirmation = get_object_or_404(
            Confirmation.objects.select_related("insats__forbund", "medlem", "representative"),
            pk=kwargs["confirmation_pk"],
            insats__forbund=forbund,
        )
        verdict = access.check(self.rule, request.user, self.confirmation)
        if not verdict:
            if not access.roles(request.user, forbund):
                raise Http404("Sidan finns inte.")
            raise PermissionDenied(verdict.reason)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        newer = self.newer_request()
        if newer is not None:
            messages.info(
                request, "Ansökan har ändrats sedan du ombads bekräfta den. Här är den nya versionen."
            )
            return redirect(self.url_of(newer))
        return super().get(request, *args, **kwargs)

    def newer_request(self) -> Confirmation | None:
        if not self.confirmation.voided_at:
            return None
        return Confirmation.objects.filter(
            insats_id=self.confirmation.insats_id,
            medlem_id=self.confirmation.medlem_id,
            representative_id=self.confirmation.representative_id,
            voided_at__isnull=True,
        ).first()

    def url_of(self, confirmation: Confirmation) -> str:
        return reverse(
            "insatser:confirmation",
            kwargs={"forbund": self.kwargs["forbund"], "confirmation_pk": confirmation.pk},
        )

    def get_form(self):
        return confirmation_forms.ConfirmationAnswerForm(
            self.request.POST or None, initial={"version": self.confirmation.version}
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        insats = selectors.application_for_confirmation(self.confirmation)
        context.update(
            forbund=None,  # not the förbund's pages: no förbund menu for a representative without a role
            confirmation=self.confirmation,
            insats=insats,
            budget=selectors.budget_table(insats),
            version=selectors.application_version(insats),
            answer=access.check("confirm_application", self.request.user, self.confirmation),
        )
        context.setdefault("form", self.get_form())
        return context

    def post(self, request, *args, **kwargs):
        verdict = access.check(self.post_rule, request.user, self.confirmation)
        if not verdict:
            messages.error(request, verdict.reason)
            return redirect(self.url_of(self.confirmation))
        form = self.get_form()
        if form.is_valid():
            try:
                answered = confirmations.confirmation_answer(
                    confirmation=self.confirmation,
                    by=request.user,
                    confirmed=form.confirmed,
                    seen_version=form.cleaned_data["version"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                if form.confirmed:
                    text = f"Tack! Du har bekräftat ansökan, version {answered.short_version}."
                else:
                    text = "Du har avböjt att bekräfta ansökan. Sökanden ser din kommentar."
                messages.success(request, text)
                return redirect(self.url_of(answered))
        return self.render_to_response(self.get_context_data(form=form))
