"""View plumbing shared by every page inside a förbund (/f/<slug>/…)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import CreateView, UpdateView

from finsam import access, concurrency, workflow
from finsam.converters import FIRST_YEAR, LAST_YEAR

from . import services
from .selectors import default_year


def add_model_errors(form, error: ValidationError) -> None:
    """Show a model's validation errors on the form: on the field when the form has it."""
    for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


class ForbundViewMixin:
    """Resolves the förbund from the URL (404 to anyone without a role in it) and enforces the
    view's one declared `rule`, a rule name from `finsam.access` (403 with the rule's reason, which
    the 403 page shows; services refuse the same edits by state with a message on the page).

    The rule is asked about the subject its second parameter names: `forbund` is checked before
    anything else is loaded; `insats`, `meeting`, `report` … are the attributes `load_objects`
    sets. Templates get `may`, the same rules as flags for the page's subjects."""

    rule: str | None = None  # every view names its rule; a view without one is refused
    # What a POST needs beyond the page's own rule, on a page that readers may open but only some may
    # save (the minutes: `view_meetings` to read, `edit_minutes` to save).
    post_rule: str | None = None
    forbund = None

    def dispatch(self, request, *args, **kwargs):
        if self.rule is None:
            raise ImproperlyConfigured(f"{type(self).__name__} har ingen regel (rule).")
        self.forbund = access.get_forbund_or_404(request.user, kwargs["forbund"])
        subject = access.get_rule(self.rule).subject
        if subject == "forbund":
            self.enforce_rule()
            self.load_objects()
        else:
            self.load_objects()
            self.enforce_rule()
        if self.post_rule and request.method == "POST":
            self.obey(self.post_rule)
        return super().dispatch(request, *args, **kwargs)

    def rule_args(self) -> tuple:
        """Extra arguments the rule takes (a transition's target)."""
        return ()

    def enforce_rule(self) -> None:
        self.obey(self.rule, *self.rule_args())

    def obey(self, rule: str, *args) -> None:
        """Ask `rule` about its subject on this page; a refusal by role is a 403 with the reason."""
        subject = getattr(self, access.get_rule(rule).subject)
        verdict = access.check(rule, self.request.user, subject, *args)
        if verdict:
            return
        if verdict.locked:
            self.refused_by_state(verdict)
            return
        raise PermissionDenied(verdict.reason)

    def refused_by_state(self, verdict: access.Verdict) -> None:
        """Hook for a refusal because of the record's state (justerat, decided, paid): a 403 with the
        reason unless the page answers it otherwise."""
        raise PermissionDenied(verdict.reason)

    def load_objects(self) -> None:
        """Hook: load (and check access to) what the URL names beyond the förbund."""

    def rule_subjects(self) -> dict:
        """The records on this page that `may.<rule>` answers about."""
        subjects = {"forbund": self.forbund}
        for name in ("insats", "report", "meeting", "budget", "invoice"):
            value = getattr(self, name, None)
            if value is not None:
                subjects[name] = value
        return subjects

    def get_year(self) -> int:
        value = self.request.GET.get("ar", "")
        if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
            return int(value)
        return default_year(self.forbund)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forbund"] = self.forbund
        context["may"] = access.Flags(self.request.user, **self.rule_subjects())
        return context


class ForbundObjectMixin(ForbundViewMixin):
    """Looks objects up only within the förbund, so another förbund's id is a 404."""

    def get_queryset(self):
        return self.model.objects.filter(forbund=self.forbund)

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class RecordFormMixin(ForbundObjectMixin):
    """Create/update a förbund record through `services.forbund_record_save`: a create runs once per
    form token (a double submit leads to the record the first one made), an edit only over the
    version the form was opened on (a stale save says what the other person changed and keeps what
    was typed). The service asks the view's rule again, about the record as it is stored."""

    rule = "manage_organisation"
    template_name = "forbund/record_form.html"
    list_url_name: str = ""
    create_title: str = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["forbund"] = self.forbund
        return kwargs

    def form_valid(self, form):
        user = self.request.user
        instance = form.save(commit=False)
        try:
            if instance.pk is None:
                self.object, created = concurrency.create_once(
                    token=form.token,
                    by=user,
                    create=lambda: services.forbund_record_save(
                        forbund=self.forbund, instance=instance, by=user, rule=self.rule
                    ),
                )
                if not created:
                    messages.info(self.request, f"{self.object} var redan sparad.")
                    return HttpResponseRedirect(self.get_success_url())
            else:
                self.object = services.forbund_record_save(
                    forbund=self.forbund,
                    instance=instance,
                    by=user,
                    opened_version=form.opened,
                    rule=self.rule,
                )
        except concurrency.StaleEdit as error:
            form.show_stale(error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_model_errors(form, error)
            return self.form_invalid(form)
        form.save_m2m()
        messages.success(
            self.request, f"{self.object._meta.verbose_name.capitalize()} sparad: {self.object}."
        )
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        from django.urls import reverse

        return reverse(self.list_url_name, kwargs={"forbund": self.forbund.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.create_title if self.object is None else f"Ändra {self.object}"
        context["cancel_url"] = self.get_success_url()
        return context


class RecordCreateView(RecordFormMixin, CreateView):
    def get_object(self, queryset=None):
        return None


class RecordUpdateView(RecordFormMixin, UpdateView):
    pass


class TransitionPostMixin:
    """A POST-only view that moves a record one step in its workflow, with an optional comment.
    Declares the `transition` rule for the record the view loaded (`record_attribute`); the step
    itself is taken by `finsam.workflow.transition` unless a subclass's `transition` calls the
    app's service around it. Subclasses say what happened and where to go afterwards."""

    http_method_names = ["post"]
    rule = "transition"
    record_attribute: str = ""

    @property
    def record(self):
        return getattr(self, self.record_attribute)

    def rule_args(self) -> tuple:
        return (self.kwargs["target"],)

    def transition(self, target: str, comment: str):
        return workflow.transition(self.record, to=target, by=self.request.user, comment=comment)

    def transition_label(self, target: str) -> str | None:
        step = workflow.of(self.record).step(self.record.status, target)
        return step.label if step else None

    def success_message(self, change) -> str:
        return f"{self.record} är nu {change.get_to_status_display().lower()}."

    def success_url(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        from .forms import CommentForm

        target = self.kwargs["target"]
        form = CommentForm(request.POST, prefix=target)
        form.is_valid()
        try:
            change = self.transition(target, form.cleaned_data.get("comment", ""))
        except ValidationError as error:
            label = self.transition_label(target)
            intro = f"{label} gick inte" if label else "Ändringen gick inte"
            for message in error.messages:
                messages.error(request, f"{intro}: {message}")
        else:
            messages.success(request, self.success_message(change))
        return HttpResponseRedirect(self.success_url())
