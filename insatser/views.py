"""Insats pages. Thin: resolve access, validate input, call one service, render a selector."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Min
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.forms import CommentForm
from forbund.mixins import ForbundViewMixin, TransitionPostMixin, add_model_errors

from . import exports, forms, selectors, services
from .filters import InsatsFilter
from .models import Attachment, Delprocess, Insats, Milestone
from .workflow import TRANSITIONS, transitions_from

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InsatsListView(ForbundViewMixin, TemplateView):
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
        user = self.request.user
        insats_filter = self.get_filter()
        context.update(
            filter=insats_filter,
            insatser=insats_filter.qs,
            is_filtered=bool(self.request.GET),
            may_create=access.can_create_application(user, self.forbund),
            may_register_idea=access.can_register_idea(user, self.forbund),
            export_query=self.request.GET.urlencode(),
        )
        return context


class InsatsMixin(ForbundViewMixin):
    """Loads the insats among those the user may see (others are 404) and checks `insats_permission`."""

    insats_permission: Callable | None = None
    insats: Insats

    def load_objects(self) -> None:
        visible = selectors.insatser_for_user(self.request.user, self.forbund)
        self.insats = get_object_or_404(visible, pk=self.kwargs["pk"])
        if self.insats_permission is not None:
            verdict = self.insats_permission(self.request.user, self.insats)
            if not verdict:
                raise PermissionDenied(verdict.reason)

    def detail_url(self, anchor: str = "") -> str:
        url = reverse("insatser:detail", kwargs={"forbund": self.forbund.slug, "pk": self.insats.pk})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["insats"] = self.insats
        context["detail_url"] = self.detail_url()
        return context


class InsatsDetailView(InsatsMixin, TemplateView):
    template_name = "insatser/insats_detail.html"

    def load_objects(self) -> None:
        visible = selectors.insats_detail(self.request.user, self.forbund)
        self.insats = get_object_or_404(visible, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            data = exports.budget_workbook(insats=self.insats, table=selectors.budget_table(self.insats))
            return xlsx_response(data, f"budget-{self.insats.pk}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, insats = self.request.user, self.insats
        today = timezone.localdate()
        editable = access.can_edit_application(user, insats)
        actions = [
            (transition, CommentForm(prefix=transition.target))
            for transition in transitions_from(insats.status)
            if not transition.by_decision and access.can_transition(user, insats, transition.target)
        ]
        context.update(
            budget=selectors.budget_table(insats),
            granted=selectors.granted_per_year(insats),
            applied=selectors.applied_per_year(insats),
            may_edit=editable,
            edit_refusal=editable.reason,
            may_decide=access.can_decide(user, insats),
            may_follow_up=access.can_follow_up_insats(user, insats),
            actions=actions,
            problems=services.submission_problems(insats)
            if insats.status in {"utkast", "komplettering_begard"}
            else [],
            signature_form=forms.SignatureForm(insats=insats) if editable else None,
            attachment_form=forms.AttachmentForm() if editable else None,
            overdue={m.pk for m in insats.milestones.all() if m.is_overdue(today)},
        )
        return context


class InsatsCreateView(ForbundViewMixin, TemplateView):
    template_name = "insatser/insats_form.html"
    permission = staticmethod(access.can_create_application)

    @property
    def as_idea(self) -> bool:
        return self.request.GET.get("typ") == "ide" or self.request.POST.get("as_idea") == "1"

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
        context["title"] = "Ny idé eller förstudie" if self.as_idea else "Ny ansökan om medel"
        context["as_idea"] = self.as_idea
        context["cancel_url"] = reverse("insatser:list", kwargs={"forbund": self.forbund.slug})
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                insats = services.insats_create(
                    forbund=self.forbund,
                    by=request.user,
                    insats=form.save(commit=False),
                    partners=form.cleaned_data["partners"],
                    as_idea=self.as_idea,
                )
                services.goals_replace(insats=insats, by=request.user, goals=form.goals)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{insats} är sparad som {insats.get_status_display().lower()}.")
                return redirect("insatser:detail", forbund=self.forbund.slug, pk=insats.pk)
        return self.render_to_response(self.get_context_data(form=form))


class InsatsUpdateView(InsatsMixin, TemplateView):
    template_name = "insatser/insats_form.html"
    insats_permission = staticmethod(access.can_edit_application)

    def get_form(self):
        return forms.InsatsForm(
            self.request.POST or None, instance=self.insats, forbund=self.forbund, user=self.request.user
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["title"] = f"Ändra ansökan: {self.insats}"
        context["cancel_url"] = self.detail_url()
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                insats = services.insats_update(
                    insats=form.save(commit=False), by=request.user, partners=form.cleaned_data["partners"]
                )
                services.goals_replace(insats=insats, by=request.user, goals=form.goals)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Ansökan är sparad.")
                return redirect(self.detail_url())
        return self.render_to_response(self.get_context_data(form=form))


class BudgetEditView(InsatsMixin, TemplateView):
    template_name = "insatser/budget_form.html"
    insats_permission = staticmethod(access.can_edit_application)

    def get_formset(self):
        return forms.BudgetFormSet(
            self.request.POST or None,
            initial=None if self.request.POST else forms.budget_initial(self.insats),
            form_kwargs={"insats": self.insats},
            prefix="rad",
        )

    def get(self, request, *args, **kwargs):
        if not self.insats.years:
            messages.error(request, "Ange insatsens period innan budgeten fylls i.")
            return redirect("insatser:edit", forbund=self.forbund.slug, pk=self.insats.pk)
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset())
        context["years"] = self.insats.years
        return context

    def post(self, request, *args, **kwargs):
        formset = self.get_formset()
        errors = []
        if formset.is_valid():
            try:
                services.budget_replace(insats=self.insats, by=request.user, lines=formset.lines())
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "Budgeten är sparad.")
                return redirect(self.detail_url("budget"))
        return self.render_to_response(self.get_context_data(formset=formset, service_errors=errors))


class DelprocessFormView(InsatsMixin, TemplateView):
    template_name = "insatser/simple_form.html"
    insats_permission = staticmethod(access.can_edit_application)

    def get_object(self):
        if "delprocess_pk" not in self.kwargs:
            return None
        return get_object_or_404(Delprocess, insats=self.insats, pk=self.kwargs["delprocess_pk"])

    def get_form(self):
        return forms.DelprocessForm(self.request.POST or None, instance=self.get_object(), insats=self.insats)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context.setdefault("form", self.get_form())
        context["title"] = f"Ändra {form.instance}" if form.instance.pk else "Ny delprocess"
        context["cancel_url"] = self.detail_url("delprocesser")
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                services.delprocess_save(
                    insats=self.insats, by=request.user, delprocess=form.save(commit=False)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delprocessen {form.instance} är sparad.")
                return redirect(self.detail_url("delprocesser"))
        return self.render_to_response(self.get_context_data(form=form))


class DelprocessDeleteView(InsatsMixin, View):
    insats_permission = staticmethod(access.can_edit_application)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        delprocess = get_object_or_404(Delprocess, insats=self.insats, pk=self.kwargs["delprocess_pk"])
        services.delprocess_delete(delprocess=delprocess, by=request.user)
        messages.success(request, f"Delprocessen {delprocess} och dess budgetrader är borttagna.")
        return redirect(self.detail_url("delprocesser"))


class SignatureView(InsatsMixin, View):
    insats_permission = staticmethod(access.can_edit_application)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.SignatureForm(request.POST, insats=self.insats)
        if form.is_valid():
            data = form.cleaned_data
            services.signature_record(
                insats=self.insats,
                by=request.user,
                medlem=data["medlem"],
                name=data["name"],
                title=data["title"],
            )
            messages.success(request, f"Bekräftelsen från {data['medlem']} är registrerad.")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"Bekräftelsen sparades inte: {error}")
        return redirect(self.detail_url("underskrifter"))


class TransitionView(InsatsMixin, TransitionPostMixin, View):
    def transition(self, target: str, comment: str):
        return services.insats_transition(
            insats=self.insats, to=target, by=self.request.user, comment=comment
        )

    def transition_label(self, target: str) -> str | None:
        transition = TRANSITIONS.get((self.insats.status, target))
        return transition.label if transition else None

    def success_message(self, change) -> str:
        return f"{self.insats} är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        return self.detail_url()


class DecisionView(InsatsMixin, TemplateView):
    template_name = "insatser/decision_form.html"
    insats_permission = staticmethod(access.can_decide)

    def get_form(self):
        applied = selectors.applied_per_year(self.insats)
        initial = {f"amount_{year}": amount for year, amount in applied.items()}
        return forms.DecisionForm(self.request.POST or None, insats=self.insats, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["applied"] = selectors.applied_per_year(self.insats)
        context["cancel_url"] = self.detail_url()
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
                    decided_on=data["decided_on"],
                    meeting=data["meeting"],
                    paragraph=data["paragraph"],
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
    template_name = "insatser/simple_form.html"
    insats_permission = staticmethod(access.can_follow_up_insats)

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

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            try:
                services.milestone_save(
                    insats=self.insats, by=request.user, milestone=form.save(commit=False)
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delmålet {form.instance} är sparat.")
                return redirect(self.detail_url("delmal"))
        return self.render_to_response(self.get_context_data(form=form))


class AttachmentUploadView(InsatsMixin, View):
    insats_permission = staticmethod(access.can_edit_application)
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
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(Attachment, insats=self.insats, pk=self.kwargs["attachment_pk"])
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename)


class AttachmentRemoveView(InsatsMixin, View):
    insats_permission = staticmethod(access.can_edit_application)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        attachment = get_object_or_404(Attachment, insats=self.insats, pk=self.kwargs["attachment_pk"])
        services.attachment_remove(attachment=attachment, by=request.user)
        messages.success(request, f"Bilagan {attachment} är borttagen.")
        return HttpResponseRedirect(self.detail_url("bilagor"))
