"""The meeting page, its agenda, the notice, the standard items and the delegationsbeslut. Thin:
the declared rule, one service call, a selector for what is shown."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from finsam import broker, concurrency, pagination
from finsam.files import file_response
from forbund.mixins import ForbundViewMixin, add_model_errors
from forbund.models import AgendaAttachment, AgendaItem, AgendaTemplateItem, Delegationsbeslut, Styrelsemote

from ..forms.agenda import AgendaItemForm, AgendaTemplateItemForm, DelegationsbeslutForm, NoticeForm
from ..selectors import agenda as agenda_selectors
from ..selectors import notice as notice_selectors
from ..services import agenda as agenda_services
from ..services import notice as notice_services
from .common import MeetingMixin, error_messages


class ItemMixin(MeetingMixin):
    rule = "edit_agenda"
    item: AgendaItem

    def load_objects(self) -> None:
        super().load_objects()
        self.item = get_object_or_404(AgendaItem, meeting=self.meeting, pk=self.kwargs["item_pk"])


class MeetingDetailView(MeetingMixin, TemplateView):
    rule = "view_meetings"
    template_name = "forbund/meetings/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            items=agenda_selectors.agenda_items(self.meeting),
            notices=list(self.meeting.notices.select_related("sent_by").order_by("version")),
            unreported=agenda_selectors.delegationsbeslut_unreported(
                self.forbund, before=self.meeting.date
            ).count(),
        )
        return context


class AgendaItemFormView(MeetingMixin, TemplateView):
    """A new item (once per form token) or a change to one (over the version it was opened on)."""

    rule = "edit_agenda"
    template_name = "forbund/meetings/agenda_item_form.html"
    item = None

    def load_objects(self) -> None:
        super().load_objects()
        if "item_pk" in self.kwargs:
            self.item = get_object_or_404(AgendaItem, meeting=self.meeting, pk=self.kwargs["item_pk"])

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=AgendaItemForm(meeting=self.meeting, instance=self.item))
        )

    def post(self, request, *args, **kwargs):
        form = AgendaItemForm(request.POST, request.FILES, meeting=self.meeting, instance=self.item)
        if form.is_valid():
            try:
                item, _ = concurrency.create_once(
                    token=form.token if self.item is None else None,
                    by=request.user,
                    create=lambda: self.save(form),
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "file" in error.error_dict:
                    error = ValidationError({"attachment_file": error.error_dict["file"]})
                add_model_errors(form, error)
            else:
                messages.success(request, f"Punkten {item.title} är sparad.")
                return HttpResponseRedirect(self.meeting_url(f"punkt-{item.pk}"))
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, form: AgendaItemForm) -> AgendaItem:
        return agenda_services.agenda_item_save(
            meeting=self.meeting,
            item=form.instance,
            by=self.request.user,
            opened_version=form.opened,
            attachment_title=form.cleaned_data["attachment_title"],
            attachment_file=form.cleaned_data["attachment_file"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["item"] = self.item
        context["title"] = f"Ändra punkten {self.item.title}" if self.item else "Ny punkt på dagordningen"
        context["cancel_url"] = self.meeting_url()
        return context


class MeetingPostView(MeetingMixin, View):
    """A POST-only change to the agenda: call `action`, report success or the Swedish refusal."""

    rule = "edit_agenda"
    http_method_names = ["post"]
    failure_intro = "Det gick inte"

    def action(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.action()
        except ValidationError as error:
            error_messages(request, error, self.failure_intro)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(self.success_url())

    def success_url(self) -> str:
        return self.meeting_url("dagordning")


class AgendaItemDeleteView(ItemMixin, MeetingPostView):
    failure_intro = "Punkten togs inte bort"

    def action(self) -> str:
        agenda_services.agenda_item_delete(item=self.item, by=self.request.user)
        return f"Punkten {self.item.title} är borttagen."


class AgendaItemMoveView(ItemMixin, MeetingPostView):
    failure_intro = "Punkten flyttades inte"

    def action(self) -> str:
        agenda_services.agenda_item_move(
            item=self.item, direction=self.kwargs["direction"], by=self.request.user
        )
        return f"Punkten {self.item.title} är flyttad."

    def success_url(self) -> str:
        return self.meeting_url(f"punkt-{self.item.pk}")


class AgendaStandardItemsView(MeetingPostView):
    failure_intro = "Standardpunkterna lades inte in"

    def action(self) -> str:
        added = agenda_services.agenda_standard_items_insert(meeting=self.meeting, by=self.request.user)
        return (
            f"{added} standardpunkter är inlagda."
            if added
            else "Standardpunkterna finns redan på dagordningen."
        )


class AgendaDelegationItemView(MeetingPostView):
    failure_intro = "Delegationsbesluten anmäldes inte"

    def action(self) -> str:
        item = agenda_services.agenda_delegation_item_add(meeting=self.meeting, by=self.request.user)
        return f"Delegationsbesluten är anmälda under punkt {item.order}, {item.title}."


class AgendaAttachmentDeleteView(MeetingPostView):
    failure_intro = "Handlingen togs inte bort"

    def load_objects(self) -> None:
        super().load_objects()
        self.attachment = get_object_or_404(
            AgendaAttachment, item__meeting=self.meeting, pk=self.kwargs["attachment_pk"]
        )

    def action(self) -> str:
        agenda_services.agenda_attachment_delete(attachment=self.attachment, by=self.request.user)
        return f"Handlingen {self.attachment.title} är borttagen."


class AgendaAttachmentDownloadView(MeetingMixin, View):
    rule = "view_meetings"

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            AgendaAttachment, item__meeting=self.meeting, pk=self.kwargs["attachment_pk"]
        )
        name = attachment.file.name.rsplit("/", 1)[-1]
        return file_response(attachment.file, filename=name)


class MeetingIcsView(MeetingMixin, View):
    rule = "view_meetings"

    def get(self, request, *args, **kwargs):
        version = self.meeting.notices.count()
        response = HttpResponse(
            notice_selectors.meeting_ics(self.meeting, sequence=max(version - 1, 0)),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{notice_selectors.ics_filename(self.meeting)}"'
        )
        return response


class NoticeSendView(MeetingMixin, TemplateView):
    rule = "send_notice"
    template_name = "forbund/meetings/notice_send.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", NoticeForm(instance=self.meeting))
        context["recipients"] = notice_selectors.notice_recipients(self.meeting)
        context["next_version"] = self.meeting.notices.count() + 1
        return context

    def post(self, request, *args, **kwargs):
        form = NoticeForm(request.POST, instance=Styrelsemote.objects.get(pk=self.meeting.pk))
        if form.is_valid():
            try:
                notice = notice_services.notice_send(
                    meeting=self.meeting,
                    by=request.user,
                    notice_text=form.cleaned_data["notice_text"],
                    opened_version=form.opened,
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                form.add_error(None, ValidationError(error.messages))
            except broker.BrokerUnavailable as error:
                form.add_error(None, error.message)
            else:
                count = len(notice_selectors.notice_recipient_list(notice))
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
    rule = "view_meetings"
    template_name = "forbund/meetings/notice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notices"], context["recipient_rows"] = notice_selectors.notice_recipient_table(self.meeting)
        return context


# The förbund's standard items -------------------------------------------------------------------


class AgendaTemplateView(ForbundViewMixin, TemplateView):
    rule = "manage_meetings"
    template_name = "forbund/meetings/agenda_template.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["template_items"] = agenda_services.agenda_template_ensure(
            forbund=self.forbund, by=self.request.user
        )
        context.setdefault("form", AgendaTemplateItemForm())
        return context

    def post(self, request, *args, **kwargs):
        form = AgendaTemplateItemForm(request.POST)
        if form.is_valid():
            try:
                agenda_services.agenda_template_item_save(
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
    rule = "manage_meetings"

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
                agenda_services.agenda_template_item_save(
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
        agenda_services.agenda_template_item_delete(instance=self.template_item, by=request.user)
        messages.success(request, f"Standardpunkten {self.template_item.title} är borttagen.")
        return HttpResponseRedirect(self.list_url())


# Delegationsbeslut ----------------------------------------------------------------------------


class DelegationsbeslutListView(ForbundViewMixin, TemplateView):
    """The register, newest first and a page at a time (`?sida=N`): a förbund records decisions on
    delegation every month for as long as it exists. The count of those not yet reported to the board
    covers every page."""

    rule = "view_meetings"
    template_name = "forbund/meetings/delegation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = pagination.paginate(self.request, agenda_selectors.delegationsbeslut_register(self.forbund))
        context.update(
            page,
            decisions=page["page_obj"].object_list,
            unreported_count=agenda_selectors.delegationsbeslut_unreported(self.forbund).count(),
        )
        return context


class DelegationsbeslutFormView(ForbundViewMixin, TemplateView):
    """A new delegationsbeslut (once per form token) or a change to one (over the version it was
    opened on; not once it is reported in minutes that are locked)."""

    rule = "manage_meetings"
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
                decision, _ = concurrency.create_once(
                    token=form.token if self.decision is None else None,
                    by=request.user,
                    create=lambda: agenda_services.delegationsbeslut_save(
                        forbund=self.forbund,
                        instance=form.instance,
                        by=request.user,
                        opened_version=form.opened,
                    ),
                )
            except concurrency.StaleEdit as error:
                form.show_stale(error)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"Delegationsbeslutet är sparat: {decision}.")
                return HttpResponseRedirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form))
