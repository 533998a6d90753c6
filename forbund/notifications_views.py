"""The signed-in user's notifications: the unread count under the bell, the list, opening one (which
marks it read and goes to the place it is about) and the choice of e-mail per kind."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from finsam import access, pagination
from forbund import notifications
from forbund.models import Notification

from .notifications_forms import OWN_EMAIL, MarkReadForm, PreferencesForm


class OwnNotificationsView(View):
    """A page about the signed-in user's own notifications."""

    rule = "view_notifications"

    def dispatch(self, request, *args, **kwargs):
        access.require(self.rule, request.user, request.user)
        return super().dispatch(request, *args, **kwargs)


class UnreadCountView(OwnNotificationsView):
    """What the bell in the top bar asks for after the page has loaded (static/js/notifications.js),
    so no page spends a query on it."""

    http_method_names = ["get"]

    def get(self, request):
        response = JsonResponse({"unread": notifications.unread_count(request.user)})
        response["Cache-Control"] = "no-store"
        return response


class NotificationListView(OwnNotificationsView):
    template_name = "forbund/notifications/list.html"
    http_method_names = ["get", "post"]

    def get(self, request, form: MarkReadForm | None = None):
        return render(
            request,
            self.template_name,
            {
                **pagination.paginate(request, notifications.for_user(request.user)),
                "unread": notifications.unread_count(request.user),
                "form": form,
            },
        )

    def post(self, request):
        form = MarkReadForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        if form.cleaned_data["all"]:
            count = notifications.mark_read(user=request.user)
            messages.success(request, f"{count} {'notis' if count == 1 else 'notiser'} markerade som lästa.")
        else:
            notification = Notification.objects.filter(pk=form.cleaned_data["notification"]).first()
            if notification is None or not access.check("read_notification", request.user, notification):
                raise Http404("Notisen finns inte.")
            notifications.mark_read(user=request.user, ids=[notification.pk])
            messages.success(request, "Notisen är markerad som läst.")
        return redirect("notifications:list")


class OpenNotificationView(OwnNotificationsView):
    """Follow a notification's link: it is marked read and the user lands where it points."""

    rule = "read_notification"
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        notification = Notification.objects.filter(pk=kwargs["pk"]).first()
        if notification is None or not access.check(self.rule, request.user, notification):
            raise Http404("Notisen finns inte.")
        self.notification = notification
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request, pk: int):
        notifications.mark_read(user=request.user, ids=[self.notification.pk])
        target = self.notification.url
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return HttpResponseRedirect(target)


class PreferencesView(OwnNotificationsView):
    template_name = "forbund/notifications/preferences.html"
    http_method_names = ["get", "post"]

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "own_email": [label for kind, label in Notification.Kind.choices if kind in OWN_EMAIL],
            },
        )

    def get(self, request):
        return self._render(
            request, PreferencesForm(initial_deliveries=notifications.deliveries(request.user))
        )

    def post(self, request):
        form = PreferencesForm(request.POST, initial_deliveries=notifications.deliveries(request.user))
        if not form.is_valid():
            return self._render(request, form)
        notifications.set_deliveries(user=request.user, chosen=form.chosen())
        messages.success(request, "Dina val för notiser med e-post är sparade.")
        return redirect("notifications:preferences")
