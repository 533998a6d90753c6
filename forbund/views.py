"""Pages for the förbund core. Thin: resolve access, call a service, render a selector."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView, UpdateView

from ekonomi.funding import missing_parties, missing_parties_message
from ekonomi.selectors import budget as budget_selectors
from finsam import access, concurrency, money, pagination
from insatser import selectors as insats_selectors

from . import aggregates, forms, inbox, membership, selectors, services
from .mixins import (
    ForbundObjectMixin,
    ForbundViewMixin,
    RecordCreateView,
    RecordUpdateView,
    add_model_errors,
)
from .models import (
    Arbetsgrupp,
    GroupMeeting,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Styrelsemote,
    Styrelseuppdrag,
    WorkingAgePopulation,
    medlem_kind_order,
)


@access.declare("use_finsam")
def home(request):
    """After login: straight to the only förbund, or a chooser when the user has several."""
    access.require("use_finsam", request.user, request.user)
    forbund_list = list(access.forbund_for(request.user))
    # A representative asked to confirm an application often has no role anywhere: the start page
    # is where they find what they were asked.
    to_confirm = list(insats_selectors.confirmations_awaiting(request.user))
    # A platform administrator without a role in any förbund has the installation's list as start page;
    # one who also has roles chooses between the list and their förbund.
    platform_admin = access.is_platform_admin(request.user)
    if not forbund_list and not to_confirm and platform_admin:
        return redirect("platform:home")
    if len(forbund_list) == 1 and not to_confirm and not platform_admin:
        return redirect("forbund:dashboard", forbund=forbund_list[0].slug)
    return render(
        request,
        "forbund/chooser.html",
        {"forbund_list": forbund_list, "to_confirm": to_confirm, "platform_admin": platform_admin},
    )


class DashboardView(ForbundViewMixin, TemplateView):
    """The förbund's overview. Its figures are the same for everyone in the förbund and cached until a
    service changes them (`forbund.aggregates`); the inbox, what the user may see and the latest
    changes are read on every visit."""

    rule = "view_forbund"
    template_name = "forbund/dashboard.html"

    def get_year(self) -> int:
        if self.request.GET.get("ar"):
            return super().get_year()
        return selectors.default_year(self.forbund, years=aggregates.meeting_years(self.forbund))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        user = self.request.user
        figures = aggregates.year_figures(self.forbund, year)
        insatser = aggregates.visible_insatser(figures, user, self.forbund)
        mark = aggregates.activity_mark(self.forbund)
        todo = aggregates.user_inbox(user, self.forbund, mark)
        context.update(
            year=year,
            years=sorted({year, selectors.current_year(), *aggregates.meeting_years(self.forbund)}),
            funding=figures.funding,
            board=figures.board,
            kansli=figures.kansli,
            arbetsgrupper=aggregates.visible_arbetsgrupper(figures, user, self.forbund),
            meetings=figures.meetings,
            insatser=insatser,
            # The template caches its larger tables under these (`{% cache %}`).
            aggregates_version=aggregates.version(self.forbund),
            cache_seconds=aggregates.TIMEOUT,
            insatser_shown=",".join(str(insats.pk) for insats in insatser),
            inbox=todo[: inbox.DASHBOARD_ITEMS],
            inbox_more=max(len(todo) - inbox.DASHBOARD_ITEMS, 0),
            population=figures.population,
            per_invanare=money.per_inhabitant(figures.funding.total, figures.population),
            activity=aggregates.recent_activity(self.forbund, mark)
            if context["may"].manage_organisation
            else [],
            role_labels=access.role_labels(user, self.forbund),
        )
        return context


class InboxView(ForbundViewMixin, TemplateView):
    """Att göra: everything waiting for the user in the förbund, for every role they hold."""

    rule = "view_forbund"
    template_name = "forbund/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = aggregates.user_inbox(self.request.user, self.forbund)
        context.update(
            inbox=items,
            counts=inbox.counts(items),
            role_labels=access.role_labels(self.request.user, self.forbund),
        )
        return context


class ForbundDetailView(ForbundViewMixin, TemplateView):
    rule = "view_forbund"
    template_name = "forbund/forbund_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # One year's figures at a time (`?ar=`), the latest counted year first: a förbund gathers a
        # row per kommun every year.
        years = selectors.population_years(self.forbund)
        chosen = self.request.GET.get("ar", "").isdigit()
        year = self.get_year() if chosen else selectors.population_default_year(years)
        context.update(
            population=selectors.population_rows(self.forbund, year),
            population_year=year,
            population_total=selectors.population_in_year(self.forbund, year),
            year=year,
            years=sorted({year, *years}),
        )
        context["kommuner"] = selectors.medlemmar_in_year(self.forbund, selectors.current_year()).filter(
            kind=Medlem.Kind.KOMMUN
        )
        return context


class ForbundUpdateView(ForbundViewMixin, UpdateView):
    rule = "manage_organisation"
    form_class = forms.ForbundForm
    template_name = "forbund/record_form.html"

    def get_object(self, queryset=None):
        return self.forbund

    def form_valid(self, form):
        try:
            services.forbund_update(forbund=form.instance, by=self.request.user, opened_version=form.opened)
        except concurrency.StaleEdit as error:
            form.show_stale(error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_model_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Förbundets uppgifter är sparade.")
        return redirect("forbund:detail", forbund=self.forbund.slug)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Ändra förbundets uppgifter"
        context["cancel_url"] = reverse("forbund:detail", kwargs={"forbund": self.forbund.slug})
        return context


class MedlemListView(ForbundViewMixin, TemplateView):
    rule = "view_forbund"
    template_name = "forbund/medlem_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        funding_table = budget_selectors.funding_for_year(self.forbund, year)
        kinds = [row.medlem.kind for row in funding_table.rows]
        context.update(
            year=year,
            medlemmar=Medlem.objects.filter(forbund=self.forbund),
            funding=funding_table,
            funding_years=sorted(
                {year, selectors.current_year(), *selectors.years_with_budget(self.forbund)}
            ),
            events=self.forbund.membership_events.select_related("medlem"),
            funding_rule=membership.funding_rule(self.forbund),
            missing_parties=missing_parties_message(missing_parties(kinds), year),
        )
        return context


class MedlemCreateView(RecordCreateView):
    model, form_class, list_url_name = Medlem, forms.MedlemForm, "forbund:medlemmar"
    create_title = "Ny medlem"


class MedlemUpdateView(RecordUpdateView):
    model, form_class, list_url_name = Medlem, forms.MedlemForm, "forbund:medlemmar"


class PopulationCreateView(RecordCreateView):
    model, form_class, list_url_name = WorkingAgePopulation, forms.WorkingAgePopulationForm, "forbund:detail"
    create_title = "Nytt invånarantal"


class PopulationUpdateView(RecordUpdateView):
    model, form_class, list_url_name = WorkingAgePopulation, forms.WorkingAgePopulationForm, "forbund:detail"


class StyrelseView(ForbundViewMixin, TemplateView):
    rule = "view_forbund"
    template_name = "forbund/styrelse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        day = selectors.board_day(year)
        board = selectors.board_on(self.forbund, day)
        today = timezone.localdate()
        all_uppdrag = list(
            Styrelseuppdrag.objects.filter(forbund=self.forbund)
            .select_related("person", "medlem")
            .order_by("-start", medlem_kind_order("medlem__"), "medlem__name", "role")
        )
        for uppdrag in all_uppdrag:
            uppdrag.removable = membership.seat_removable(uppdrag, today)
        context.update(
            year=year,
            years=sorted({year, *selectors.years_with_board(self.forbund)}),
            board=board,
            board_day=day,
            ledamoter_in_force=len({u.person_id for seat in board for u in seat.ledamoter}),
            all_uppdrag=all_uppdrag,
        )
        return context


class StyrelseuppdragRemoveView(ForbundObjectMixin, View):
    """Remove a seat that has not started (or would start after its member left); a seat that has
    started is history and gets an end date instead."""

    rule = "manage_organisation"
    model = Styrelseuppdrag
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        uppdrag = self.get_object()
        try:
            membership.styrelseuppdrag_remove(uppdrag=uppdrag, by=request.user, today=timezone.localdate())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Styrelseuppdraget är borttaget: {uppdrag}.")
        return redirect("forbund:styrelse", forbund=self.forbund.slug)


class StyrelseuppdragCreateView(RecordCreateView):
    model, form_class, list_url_name = Styrelseuppdrag, forms.StyrelseuppdragForm, "forbund:styrelse"
    create_title = "Nytt styrelseuppdrag"


class StyrelseuppdragUpdateView(RecordUpdateView):
    model, form_class, list_url_name = Styrelseuppdrag, forms.StyrelseuppdragForm, "forbund:styrelse"


class KansliView(ForbundViewMixin, TemplateView):
    """The kansli in force and upcoming; with `?avslutade=1` the ended assignments, a page at a time."""

    rule = "view_forbund"
    template_name = "forbund/kansli.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ended = selectors.kansliuppdrag_ended(self.forbund, today)
        if self.request.GET.get("avslutade"):
            page = pagination.paginate(self.request, ended)
            context.update(page, uppdrag_list=page["page_obj"].object_list, show_ended=True)
        else:
            context.update(
                uppdrag_list=selectors.kansliuppdrag_current(self.forbund, today),
                ended_count=ended.count(),
                show_ended=False,
            )
        return context


class KansliuppdragCreateView(RecordCreateView):
    model, form_class, list_url_name = Kansliuppdrag, forms.KansliuppdragForm, "forbund:kansli"
    create_title = "Nytt kansliuppdrag"


class KansliuppdragUpdateView(RecordUpdateView):
    model, form_class, list_url_name = Kansliuppdrag, forms.KansliuppdragForm, "forbund:kansli"


class PersonListView(ForbundViewMixin, ListView):
    rule = "view_contact_register"
    template_name = "forbund/person_list.html"
    context_object_name = "personer"

    def get_queryset(self):
        return Person.objects.filter(forbund=self.forbund).select_related("medlem").order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = pagination.paginate(self.request, context["personer"])
        context.update(page, personer=page["page_obj"].object_list, unit="personer")
        return context


class PersonCreateView(RecordCreateView):
    model, form_class, list_url_name = Person, forms.PersonForm, "forbund:personer"
    create_title = "Ny person"


class PersonUpdateView(RecordUpdateView):
    model, form_class, list_url_name = Person, forms.PersonForm, "forbund:personer"


class ArbetsgruppListView(ForbundViewMixin, ListView):
    rule = "view_forbund"
    template_name = "forbund/arbetsgrupp_list.html"
    context_object_name = "arbetsgrupper"

    def get_queryset(self):
        # A styrgrupp follows the rules of its insats: another organisation's is not listed (404).
        return selectors.arbetsgrupper_in_year(self.forbund).filter(
            pk__in=access.arbetsgrupper_visible_to(self.request.user, self.forbund)
        )


class ArbetsgruppDetailView(ForbundObjectMixin, DetailView):
    rule = "view_forbund"
    model = Arbetsgrupp
    template_name = "forbund/arbetsgrupp_detail.html"

    def get_queryset(self):
        # A styrgrupp follows the rules of its insats: another organisation's is not listed (404).
        # Its meetings are listed below from this year on (earlier ones a page at a time), so they are
        # not all prefetched: only the members are.
        members = GroupMembership.objects.select_related("person", "person__medlem")
        return (
            selectors.arbetsgrupper_in_year(self.forbund)
            .filter(pk__in=access.arbetsgrupper_visible_to(self.request.user, self.forbund))
            .prefetch_related(None)
            .prefetch_related(Prefetch("medlemmar", queryset=members))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first_of_year = datetime.date(timezone.localdate().year, 1, 1)
        earlier = selectors.group_meetings(self.object, since=first_of_year, earlier=True)
        if self.request.GET.get("tidigare"):
            page = pagination.paginate(self.request, earlier)
            context.update(page, meetings=page["page_obj"].object_list, show_earlier=True)
        else:
            context.update(
                meetings=selectors.group_meetings(self.object, since=first_of_year),
                earlier_count=earlier.count(),
                show_earlier=False,
            )
        context["first_of_year"] = first_of_year
        if context["may"].manage_organisation:
            context["member_form"] = forms.GroupMemberForm(arbetsgrupp=self.object)
            context["meeting_form"] = forms.GroupMeetingForm()
        return context


class ArbetsgruppCreateView(RecordCreateView):
    model, form_class, list_url_name = Arbetsgrupp, forms.ArbetsgruppForm, "forbund:arbetsgrupper"
    create_title = "Ny arbetsgrupp"


class ArbetsgruppUpdateView(RecordUpdateView):
    model, form_class, list_url_name = Arbetsgrupp, forms.ArbetsgruppForm, "forbund:arbetsgrupper"

    def get_success_url(self):
        return reverse("forbund:arbetsgrupp", kwargs={"forbund": self.forbund.slug, "pk": self.object.pk})


class GroupMemberAddView(ForbundViewMixin, View):
    rule = "manage_organisation"
    http_method_names = ["post"]

    def post(self, request, forbund, pk):
        arbetsgrupp = get_object_or_404(Arbetsgrupp, forbund=self.forbund, pk=pk)
        form = forms.GroupMemberForm(request.POST, arbetsgrupp=arbetsgrupp)
        if form.is_valid():
            membership, _ = concurrency.create_once(
                token=form.token,
                by=request.user,
                create=lambda: services.group_member_add(
                    arbetsgrupp=arbetsgrupp,
                    person=form.cleaned_data["person"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                ),
            )
            messages.success(request, f"{membership.person} är tillagd i gruppen.")
        else:
            for error in form.errors.get("person", []) + form.errors.get("role", []):
                messages.error(request, f"Kunde inte lägga till personen: {error}")
        return redirect("forbund:arbetsgrupp", forbund=self.forbund.slug, pk=arbetsgrupp.pk)


class GroupMeetingAddView(ForbundViewMixin, View):
    rule = "manage_organisation"
    http_method_names = ["post"]

    def post(self, request, forbund, pk):
        arbetsgrupp = get_object_or_404(Arbetsgrupp, forbund=self.forbund, pk=pk)
        form = forms.GroupMeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting, _ = concurrency.create_once(
                    token=form.token,
                    by=request.user,
                    create=lambda: services.group_meeting_add(
                        arbetsgrupp=arbetsgrupp, meeting=form.save(commit=False), by=request.user
                    ),
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, f"Mötet sparades inte: {message}")
            else:
                messages.success(request, f"Mötet {meeting.date:%Y-%m-%d} är tillagt.")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, f"Mötet sparades inte: {error}")
        return redirect("forbund:arbetsgrupp", forbund=self.forbund.slug, pk=arbetsgrupp.pk)


class GroupMeetingRemoveView(ForbundViewMixin, View):
    rule = "manage_organisation"
    http_method_names = ["post"]

    def post(self, request, forbund, pk, meeting_pk):
        meeting = get_object_or_404(
            GroupMeeting, arbetsgrupp__forbund=self.forbund, arbetsgrupp_id=pk, pk=meeting_pk
        )
        services.group_meeting_remove(meeting=meeting, by=request.user)
        messages.success(request, f"Mötet {meeting.date:%Y-%m-%d} är borttaget.")
        return redirect("forbund:arbetsgrupp", forbund=self.forbund.slug, pk=pk)


class GroupMemberRemoveView(ForbundViewMixin, View):
    rule = "manage_organisation"
    http_method_names = ["post"]

    def post(self, request, forbund, pk, membership_pk):
        membership = get_object_or_404(
            GroupMembership, arbetsgrupp__forbund=self.forbund, arbetsgrupp_id=pk, pk=membership_pk
        )
        services.group_member_remove(membership=membership, by=request.user)
        messages.success(request, f"{membership.person} är borttagen ur gruppen.")
        return redirect("forbund:arbetsgrupp", forbund=self.forbund.slug, pk=pk)


class MotesplanView(ForbundViewMixin, TemplateView):
    rule = "view_forbund"
    template_name = "forbund/motesplan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.get_year()
        context.update(
            year=year,
            years=sorted({year, selectors.current_year(), *selectors.years_with_meetings(self.forbund)}),
            meetings=selectors.meetings_in_year(self.forbund, year),
        )
        return context


class MeetingYearRedirectMixin:
    """Back to the meeting plan of the meeting's own year."""

    model, form_class, list_url_name = Styrelsemote, forms.StyrelsemoteForm, "forbund:moten"

    def get_success_url(self):
        url = reverse(self.list_url_name, kwargs={"forbund": self.forbund.slug})
        return f"{url}?ar={self.object.date.year}" if self.object else url


class StyrelsemoteCreateView(MeetingYearRedirectMixin, RecordCreateView):
    create_title = "Planera styrelsemöte"


class StyrelsemoteUpdateView(MeetingYearRedirectMixin, RecordUpdateView):
    """The meeting plan's edit of a meeting's date, time and place: refused once the minutes are
    locked for justering (the rule is asked about the meeting, here and again in the service)."""

    rule = "edit_meeting"

    def load_objects(self) -> None:
        self.meeting = get_object_or_404(Styrelsemote, forbund=self.forbund, pk=self.kwargs["pk"])

    def get_object(self, queryset=None):
        return self.meeting
