"""The meeting page, its agenda, the notice and the delegationsbeslut. Thin: resolve access, call a
service in forbund.meetings.agenda, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import access
from forbund.mixins import ForbundViewMixin, add_model_errors
from forbund.models import AgendaAttachment, AgendaItem, AgendaTemplateItem, Delegationsbeslut, Styrelsemote

from . import agenda
from .agenda_forms import AgendaItemForm, AgendaTemplateItemForm, DelegationsbeslutForm, NoticeForm


def _error_messages(request, error: ValidationError, intro: str) -> None:
    for message in error.messages:
        messages.error(request, f"{intro}: {message}")


class MeetingMixin(ForbundViewMixin):
    """A page about one meeting of the förbund: another förbund's meeting is a 404."""

    permission = staticmethod(access.can_view_meetings)
    meeting: Styrelsemote

    def load_objects(self) -> None:
        self.meeting = get_object_or_404(Styrelsemote, forbund=self.forbund, pk=self.kwargs["pk"])

    def meeting_url(self, anchor: str = "") -> str:
        url = reverse("forbund:mote", kwargs={"forbund": self.forbund.slug, "pk": self.meeting.pk})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        context["may_manage_meetings"] = access.can_manage_meetings(self.request.user, self.forbund)
        context["lock_reason"] = agenda.agenda_lock_reason(self.meeting)
        return context


class ManageMeetingMixin(MeetingMixin):
    permission = staticmethod(access.can_manage_meetings)


class ItemMixin(ManageMeetingMixin):
    item: AgendaItem

    def load_objects(self) -> None:
        super().load_objects()
        self.item = get_object_or_404(AgendaItem, meeting=self.meeting, pk=self.kwargs["item_pk"])


class MeetingDetailView(MeetingMixin, TemplateView):
    template_name = "forbund/meetings/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = (
            AgendaItem.objects.filter(meeting=self.meeting)
            .select_related(
                "insats", "tertialrapport__insats", "tertialrapport__period", "budget", "dokumentjobb"
            )
            .prefetch_related("attachments", "delegationsbeslut")
            .order_by("order", "id")
        )
        manage = context["may_manage_meetings"]
        context.update(
            items=items,
            notices=list(self.meeting.notices.select_related("sent_by").order_by("version")),
            unreported=agenda.delegationsbeslut_unreported(self.forbund, before=self.meeting.date).count()
            if manage
            else 0,
            may_edit_agenda=manage and not context["lock_reason"],
            may_send_notice=manage
            and self.meeting.status in (Styrelsemote.Status.PLANERAT, Styrelsemote.Status.KALLAT)
            and not agenda.meeting_is_past(self.meeting),
        )
        return context


class AgendaItemFormView(ItemMixin, TemplateView):
    template_name = "forbund/meetings/agenda_item_form.html"
    item = None

    def load_objects(self) -> None:
        if "item_pk" in self.kwargs:
            super().load_objects()
        else:
            ManageMeetingMixin.load_objects(self)

    def get(self, request, *args, **kwargs):
        if self.locked():
            return HttpResponseRedirect(self.meeting_url())
        return self.render_to_response(
            self.get_context_data(form=AgendaItemForm(meeting=self.meeting, instance=self.item))
        )

    def locked(self) -> bool:
        reason = agenda.agenda_lock_reason(self.meeting)
        if reason:
            messages.error(self.request, reason)
        return bool(reason)

    def post(self, request, *args, **kwargs):
        form = AgendaItemForm(request.POST, request.FILES, meeting=self.meeting, instance=self.item)
        if form.is_valid():
            try:
                item = agenda.agenda_item_save(
                    meeting=self.meeting,
                    item=form.instance,
                    by=request.user,
                    attachment_title=form.cleaned_data["attachment_title"],
                    attachment_file=form.cleaned_data["attachment_file"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "file" in error.error_dict:
                    error = ValidationError({"attachment_file": error.error_dict["file"]})
                add_model_errors(form, error)
            else:
                messages.success(request, f"Punkten {item.title} är sparad.")
                return HttpResponseRedirect(self.meeting_url(f"punkt-{item.pk}"))
        return self.render_to_response(self.get_context_data(form=form), status=200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["item"] = self.item
        context["title"] = f"Ändra punkten {self.item.title}" if self.item else "Ny punkt på dagordningen"
        context["cancel_url"] = self.meeting_url()
        return context


class MeetingPostView(ManageMeetingMixin, View):
    """A POST-only action on a meeting: call `action`, report success or the Swedish refusal."""

    http_method_names = ["post"]
    failure_intro = "Det gick inte"

    def action(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.action()
        except ValidationError as error:
            _error_messages(request, error, self.failure_intro)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.success_url())

    def success_url(self) -> str:
        return self.meeting_url("dagordning")


class AgendaItemDeleteView(ItemMixin, MeetingPostView):
    failure_intro = "Punkten togs inte bort"

    def action(self) -> str:
        agenda.agenda_item_delete(item=self.item, by=self.request.user)
        return f"Punkten {self.item.title} är borttagen."


class AgendaItemMoveView(ItemMixin, MeetingPostView):
    failure_intro = "Punkten flyttades inte"

    def action(self) -> str:
        agenda.agenda_item_move(item=self.item, direction=self.kwargs["direction"], by=self.request.user)
        return f"Punkten {self.item.title} är flyttad."

    def success_url(self) -> str:
        return self.meeting_url(f"punkt-{self.item.pk}")


class AgendaStandardItemsView(MeetingPostView):
    failure_intro = "Standardpunkterna lades inte in"

    def action(self) -> str:
        added = agenda.agenda_standard_items_insert(meeting=self.meeting, by=self.request.user)
        return (
            f"{added} standardpunkter är inlagda."
            if added
            else "Standardpunkterna finns redan på dagordningen."
        )


class AgendaDelegationItemView(MeetingPostView):
    failure_intro = "Delegationsbesluten anmäldes inte"

    def action(self) -> str:
        item = agenda.agenda_delegation_item_add(meeting=self.meeting, by=self.request.user)
        return f"Delegationsbesluten är anmälda under punkt {item.order}, {item.title}."


class AgendaAttachmentDeleteView(MeetingPostView):
    failure_intro = "Handlingen togs inte bort"

    def load_objects(self) -> None:
        super().load_objects()
        self.attachment = get_object_or_404(
            AgendaAttachment, item__meeting=self.meeting, pk=self.kwargs["attachment_pk"]
        )

    def action(self) -> str:
        agenda.agenda_attachment_delete(attachment=self.attachment, by=self.request.user)
        return f"Handlingen {self.attachment.title} är borttagen."


class AgendaAttachmentDownloadView(MeetingMixin, View):
    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            AgendaAttachment, item__meeting=self.meeting, pk=self.kwargs["attachment_pk"]
        )
        name = attachment.file.name.rsplit("/", 1)[-1]
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=name)


class MeetingIcsView(MeetingMixin, View):
    def get(self, request, *args, **kwargs):
        version = self.meeting.notices.count()
        response = HttpResponse(
            agenda.meeting_ics(self.meeting, sequence=max(version - 1, 0)),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{agenda.ics_filename(self.meeting)}"'
        return response


class NoticeSendView(ManageMeetingMixin, TemplateView):
    template_name = "forbund/meetings/notice_send.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NoticeForm(instance=self.meeting))
        context["recipients"] = agenda.notice_recipients(self.meeting)
        context["next_version"] = self.meeting.notices.count() + 1
        context["is_past"] = agenda.meeting_is_past(self.meeting)
        return context

    def post(self, request, *args, **kwargs):
        form = NoticeForm(request.POST, instance=Styrelsemote.objects.get(pk=self.meeting.pk))
        if form.is_valid():
            try:
                notice = agenda.notice_send(
                    meeting=self.meeting, by=request.user, notice_text=form.cleaned_data["notice_text"]
                )
            except ValidationError as error:
                form.add_error(None, ValidationError(error.messages))
            else:
                count = len(agenda.notice_recipient_list(notice))
                if count:
                    messages.success(
                        request, f"Kallelsen (version {notice.version}) skickas till {count} mottagare."
                    )
                else:
                    messages.warning(
                        request,
                        f"Kallelsen (version {notice.version}) är sparad, men ingen ledamot eller ersättare "
                        "har en e-postadress; ingen fick den med e-post.",
                    )
                return HttpResponseRedirect(self.meeting_url("kallelser"))
        return self.render_to_response(self.get_context_data(form=form))


class NoticeListView(MeetingMixin, TemplateView):
    template_name = "forbund/meetings/notice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notices"], context["recipient_rows"] = agenda.notice_recipient_table(self.meeting)
        return context


class AgendaTemplateView(ForbundViewMixin, TemplateView):
    permission = staticmethod(access.can_manage_meetings)
    template_name = "forbund/meetings/agenda_template.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["template_items"] = agenda.agenda_template_ensure(forbund=self.forbund)
        context.setdefault("form", AgendaTemplateItemForm())
        return context

    def post(self, request, *args, **kwargs):
        form = AgendaTemplateItemForm(request.POST)
        if form.is_valid():
            try:
                agenda.agenda_template_item_save(
                    forbund=self.forbund, instance=form.instance, by=request.user
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Standardpunkten {form.instance.title} är tillagd.")
                return HttpResponseRedirect(
                    reverse("forbund:agenda_template", kwargs={"forbund": self.forbund.slug})
                )
        return self.render_to_response(self.get_context_data(form=form))


class TemplateItemMixin(ForbundViewMixin):
    permission = staticmethod(access.can_manage_meetings)

    def load_objects(self) -> None:
        self.template_item = get_object_or_404(AgendaTemplateItem, forbund=self.forbund, pk=self.kwargs["pk"])

    def list_url(self) -> str:
        return reverse("forbund:agenda_template", kwargs={"forbund": self.forbund.slug})


class AgendaTemplateItemEditView(TemplateItemMixin, TemplateView):
    template_name = "forbund/record_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", AgendaTemplateItemForm(instance=self.template_item))
        context["title"] = f"Ändra standardpunkten {self.template_item.title}"
        context["cancel_url"] = self.list_url()
        return context

    def post(self, request, *args, **kwargs):
        form = AgendaTemplateItemForm(request.POST, instance=self.template_item)
        if form.is_valid():
            try:
                agenda.agenda_template_item_save(
                    forbund=self.forbund, instance=form.instance, by=request.user
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Standardpunkten {form.instance.title} är sparad.")
                return HttpResponseRedirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form))


class AgendaTemplateItemDeleteView(TemplateItemMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        agenda.agenda_template_item_delete(instance=self.template_item, by=request.user)
        messages.success(request, f"Standardpunkten {self.template_item.title} är borttagen.")
        return HttpResponseRedirect(self.list_url())


class DelegationsbeslutListView(ForbundViewMixin, TemplateView):
    permission = staticmethod(access.can_view_meetings)
    template_name = "forbund/meetings/delegation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["decisions"] = Delegationsbeslut.objects.filter(forbund=self.forbund).select_related(
            "decided_by", "reported_in__meeting"
        )
        context["may_manage_meetings"] = access.can_manage_meetings(self.request.user, self.forbund)
        return context


class DelegationsbeslutFormView(ForbundViewMixin, TemplateView):
    permission = staticmethod(access.can_manage_meetings)
    template_name = "forbund/meetings/delegation_form.html"
    decision = None

    def load_objects(self) -> None:
        if "pk" in self.kwargs:
            self.decision = get_object_or_404(Delegationsbeslut, forbund=self.forbund, pk=self.kwargs["pk"])

    def list_url(self) -> str:
        return reverse("forbund:delegationsbeslut", kwargs={"forbund": self.forbund.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DelegationsbeslutForm(instance=self.decision, forbund=self.forbund))
        context["title"] = (
            f"Ändra delegationsbeslut {self.decision}" if self.decision else "Nytt delegationsbeslut"
        )
        context["cancel_url"] = self.list_url()
        return context

    def post(self, request, *args, **kwargs):
        form = DelegationsbeslutForm(request.POST, instance=self.decision, forbund=self.forbund)
        if form.is_valid():
            try:
                decision = agenda.delegationsbeslut_save(
                    forbund=self.forbund, instance=form.instance, by=request.user
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delegationsbeslutet är sparat: {decision}.")
                return HttpResponseRedirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form))


urlpatterns = [
    path("moten/<int:pk>/", MeetingDetailView.as_view(), name="mote"),
    path("moten/<int:pk>/kalender.ics", MeetingIcsView.as_view(), name="mote_ics"),
    path("moten/<int:pk>/punkter/ny/", AgendaItemFormView.as_view(), name="agenda_item_create"),
    path(
        "moten/<int:pk>/punkter/<int:item_pk>/andra/", AgendaItemFormView.as_view(), name="agenda_item_edit"
    ),
    path(
        "moten/<int:pk>/punkter/<int:item_pk>/ta-bort/",
        AgendaItemDeleteView.as_view(),
        name="agenda_item_delete",
    ),
    path(
        "moten/<int:pk>/punkter/<int:item_pk>/flytta/<slug:direction>/",
        AgendaItemMoveView.as_view(),
        name="agenda_item_move",
    ),
    path("moten/<int:pk>/standardpunkter/", AgendaStandardItemsView.as_view(), name="agenda_standard_items"),
    path(
        "moten/<int:pk>/delegationsbeslut/", AgendaDelegationItemView.as_view(), name="agenda_delegation_item"
    ),
    path(
        "moten/<int:pk>/handlingar/<int:attachment_pk>/",
        AgendaAttachmentDownloadView.as_view(),
        name="agenda_attachment",
    ),
    path(
        "moten/<int:pk>/handlingar/<int:attachment_pk>/ta-bort/",
        AgendaAttachmentDeleteView.as_view(),
        name="agenda_attachment_delete",
    ),
    path("moten/<int:pk>/kallelse/", NoticeSendView.as_view(), name="notice_send"),
    path("moten/<int:pk>/kallelser/", NoticeListView.as_view(), name="notices"),
    path("moten/standardpunkter/", AgendaTemplateView.as_view(), name="agenda_template"),
    path(
        "moten/standardpunkter/<int:pk>/andra/",
        AgendaTemplateItemEditView.as_view(),
        name="agenda_template_edit",
    ),
    path(
        "moten/standardpunkter/<int:pk>/ta-bort/",
        AgendaTemplateItemDeleteView.as_view(),
        name="agenda_template_delete",
    ),
    path("delegationsbeslut/", DelegationsbeslutListView.as_view(), name="delegationsbeslut"),
    path("delegationsbeslut/ny/", DelegationsbeslutFormView.as_view(), name="delegationsbeslut_create"),
    path(
        "delegationsbeslut/<int:pk>/andra/",
        DelegationsbeslutFormView.as_view(),
        name="delegationsbeslut_edit",
    ),
]
