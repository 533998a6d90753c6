"""The inbox ("Att göra"): what waits for this person in this förbund, each item a link to the exact
place to act.

One selector per role gathers that role's items; `inbox(user, forbund)` takes the union of the
roles the user holds, drops duplicates (a samordnare who is also a ledamot sees a meeting once) and
sorts by urgency and date. Every selector runs a fixed number of queries, whatever the amount of
data: the dashboard and the inbox page are guarded by query-count tests.

What each role sees:
- projektägare: reports to submit (and late ones), reports returned with the samordnare's comment,
  applications to complete (drafts, komplettering begärd with the comment), confirmations asked of
  them;
- styrelseledamot and ersättare: the next meeting with its papers, förhinder (report or follow it),
  minutes to justera, and for an ersättare a request to serve and the meetings where they serve;
- ekonom: invoices to attest or pay, months of the year without ledger rows (up to last month);
- samordnare: applications to prepare, reports to review, late milestones, the year's verksamhetsplan
  and årsredovisning without an adopted version, förhinder without a serving ersättare, people on the
  board or in the kansli without an account;
- revisor: the year's adopted documents and justerade minutes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from finsam import access
from finsam.templatetags.sv import kr
from forbund.accounts.selectors import people_without_account
from forbund.models import (
    Faststallelse,
    Forbund,
    Forhinder,
    Inkallelse,
    MeetingStatus,
    Person,
    Role,
    Styrelsemote,
    User,
)

Kind = Role.Kind

DASHBOARD_ITEMS = 10  # the dashboard shows the first ones; the inbox page shows all
SOON_DAYS = 7  # a deadline this close is shown as "snart"
REPORT_WINDOW_DAYS = 45  # a report is asked for from this many days before its last day
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


class Urgency:
    LATE = "late"
    SOON = "soon"
    ACTION = "action"  # waits for this person, no date
    INFO = "info"  # to know, not to do

    LABELS = {LATE: "Försenad", SOON: "Snart", ACTION: "Att göra", INFO: "Att känna till"}
    RANK = {LATE: 0, SOON: 1, ACTION: 2, INFO: 3}


@dataclass(frozen=True)
class Action:
    """A button in the item itself (a POST or a link), e.g. "Anmäl förhinder"."""

    label: str
    url: str


@dataclass(frozen=True)
class Item:
    group: str  # what it is about: "Rapporter", "Styrelsemöten" …
    label: str
    url: str
    detail: str = ""
    date: datetime.date | None = None  # the deadline or the day it concerns
    date_label: str = ""  # "sista dag", "mötet" …
    urgency: str = Urgency.ACTION
    comment: str = ""  # a returned report's or application's comment, shown in full
    actions: tuple[Action, ...] = field(default=())

    @property
    def key(self) -> tuple[str, str]:
        return (self.url, self.label)

    @property
    def urgency_label(self) -> str:
        return Urgency.LABELS[self.urgency]

    @property
    def sort_key(self) -> tuple:
        return (Urgency.RANK[self.urgency], self.date or datetime.date.max, self.group, self.label)


def _deadline(day: datetime.date, today: datetime.date) -> str:
    if day < today:
        return Urgency.LATE
    if day <= today + datetime.timedelta(days=SOON_DAYS):
        return Urgency.SOON
    return Urgency.ACTION


def _url(name: str, forbund: Forbund, **kwargs) -> str:
    return reverse(name, kwargs={"forbund": forbund.slug, **kwargs})


def _meeting_when(meeting: Styrelsemote) -> str:
    time = f" kl. {meeting.start_time:%H:%M}" if meeting.start_time else ""
    place = f", {meeting.place}" if meeting.place else ", digitalt"
    return f"{meeting.date:%Y-%m-%d}{time}{place}"


# Projektägare ------------------------------------------------------------------------------------


def projektagare_items(user: User, forbund: Forbund, today: datetime.date) -> list[Item]:
    """Their own organisation's reports to submit or returned, applications to complete and the
    confirmations asked of them (4 queries)."""
    from insatser.models import Insats, StatusChange
    from insatser.selectors import confirmations_awaiting
    from uppfoljning.models import ReportStatusChange, Tertialrapport

    owned = access.projektagare_medlemmar(user, forbund).values("pk")
    items: list[Item] = []
    S = Tertialrapport.Status
    reports = (
        Tertialrapport.objects.filter(period__forbund=forbund, insats__owner__in=owned)
        .filter(
            Q(status=S.RETURNERAD)
            | Q(status=S.UTKAST, period__due_date__lte=today + datetime.timedelta(days=REPORT_WINDOW_DAYS))
        )
        .select_related("insats", "period")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ReportStatusChange.objects.filter(to_status=S.RETURNERAD).order_by("at", "id"),
                to_attr="returns",
            )
        )
        .order_by("period__due_date", "insats__name")
    )
    for report in reports:
        url = _url("uppfoljning:report_edit", forbund, pk=report.pk)
        if report.status == S.RETURNERAD:
            last = report.returns[-1] if report.returns else None
            items.append(
                Item(
                    group="Rapporter",
                    label=f"Rapport returnerad: {report.insats.name}, {report.period}",
                    url=url,
                    detail="Samordnaren har skickat tillbaka rapporten för komplettering.",
                    date=report.period.due_date,
                    date_label="sista dag",
                    urgency=_deadline(report.period.due_date, today),
                    comment=last.comment if last else "",
                )
            )
        else:
            items.append(
                Item(
                    group="Rapporter",
                    label=f"Rapport att lämna: {report.insats.name}, {report.period}",
                    url=url,
                    detail="Fyll i och skicka in rapporten.",
                    date=report.period.due_date,
                    date_label="sista dag",
                    urgency=_deadline(report.period.due_date, today),
                )
            )
    applications = (
        Insats.objects.filter(
            forbund=forbund,
            owner__in=owned,
            status__in=[Insats.Status.UTKAST, Insats.Status.KOMPLETTERING_BEGARD],
        )
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.filter(to_status=Insats.Status.KOMPLETTERING_BEGARD).order_by(
                    "at", "id"
                ),
                to_attr="requests",
            )
        )
        .order_by("name")
    )
    for insats in applications:
        url = _url("insatser:detail", forbund, pk=insats.pk)
        if insats.status == Insats.Status.KOMPLETTERING_BEGARD:
            last = insats.requests[-1] if insats.requests else None
            items.append(
                Item(
                    group="Ansökningar",
                    label=f"Komplettera ansökan: {insats.name}",
                    url=url,
                    detail="Samordnaren har begärt komplettering innan ansökan bereds.",
                    comment=last.comment if last else "",
                )
            )
        else:
            items.append(
                Item(
                    group="Ansökningar",
                    label=f"Ansökan att göra klar: {insats.name}",
                    url=url,
                    detail="Utkast som inte är inskickat.",
                )
            )
    for confirmation in confirmations_awaiting(user).filter(insats__forbund=forbund):
        items.append(
            Item(
                group="Ansökningar",
                label=f"Bekräfta ansökan: {confirmation.insats.name}",
                url=_url("insatser:confirmation", forbund, confirmation_pk=confirmation.pk),
                detail=f"Du är ombedd att bekräfta ansökan för {confirmation.medlem}.",
                date=timezone.localdate(confirmation.requested_at),
                date_label="begärd",
            )
        )
    return items


# Styrelsen ----------------------------------------------------------------------------------------


def board_items(user: User, forbund: Forbund, today: datetime.date) -> list[Item]:
    """The next meeting with its papers and förhinder, minutes to justera, and for an ersättare the
    requests to serve and the meetings where they serve (at most 6 queries)."""
    items: list[Item] = []
    person = access.person_of(user, forbund)
    upcoming = (
        Styrelsemote.objects.filter(
            forbund=forbund, date__gte=today, status__in=[MeetingStatus.PLANERAT, MeetingStatus.KALLAT]
        )
        .order_by("date", "start_time")
        .first()
    )
    if upcoming is not None:
        items.extend(_next_meeting_items(forbund, upcoming, person, today))
    if person is None:
        return items
    to_approve = (
        Styrelsemote.objects.filter(forbund=forbund, status=MeetingStatus.JUSTERING)
        .filter(Q(ordforande=person) | Q(justerare=person))
        .exclude(approvals__person=person)
        .distinct()
        .order_by("date")
    )
    for meeting in to_approve:
        items.append(
            Item(
                group="Styrelsemöten",
                label=f"Justera protokollet från {meeting.date:%Y-%m-%d}",
                url=_url("forbund:protokoll", forbund, pk=meeting.pk),
                detail="Du är ordförande vid sammanträdet eller vald justerare.",
                date=meeting.date,
                date_label="mötet",
            )
        )
    asked = (
        Inkallelse.objects.filter(
            person=person,
            voided_at__isnull=True,
            forhinder__withdrawn_at__isnull=True,
            forhinder__meeting__forbund=forbund,
            forhinder__meeting__date__gte=today,
        )
        .exclude(answer=Inkallelse.Answer.NEJ)
        .select_related("forhinder__person", "forhinder__meeting")
        .order_by("forhinder__meeting__date", "asked_at")
    )
    for ask in asked:
        meeting = ask.forhinder.meeting
        packet = _url("forbund:motespaket_html", forbund, pk=meeting.pk)
        if ask.is_waiting:
            items.append(
                Item(
                    group="Styrelsemöten",
                    label=f"Kan du tjänstgöra för {ask.forhinder.person} den {meeting.date:%Y-%m-%d}?",
                    url=ask.get_absolute_url(),
                    detail=f"Ledamoten har förhinder. Mötet: {_meeting_when(meeting)}.",
                    date=meeting.date,
                    date_label="mötet",
                    urgency=_deadline(meeting.date, today),
                    comment=ask.forhinder.note,
                    actions=(Action("Svara", ask.get_absolute_url()), Action("Handlingar", packet)),
                )
            )
        else:
            items.append(
                Item(
                    group="Styrelsemöten",
                    label=f"Du tjänstgör för {ask.forhinder.person} den {meeting.date:%Y-%m-%d}",
                    url=packet,
                    detail=f"Läs handlingarna inför mötet: {_meeting_when(meeting)}.",
                    date=meeting.date,
                    date_label="mötet",
                    urgency=Urgency.INFO,
                    actions=(Action("Handlingar", packet), Action("Mötet", meeting.get_absolute_url())),
                )
            )
    return items


def _next_meeting_items(
    forbund: Forbund, meeting: Styrelsemote, person: Person | None, today: datetime.date
) -> list[Item]:
    packet = _url("forbund:motespaket_html", forbund, pk=meeting.pk)
    called = meeting.status == MeetingStatus.KALLAT
    items = [
        Item(
            group="Styrelsemöten",
            label=f"Nästa styrelsemöte {meeting.date:%Y-%m-%d}",
            url=packet if called else meeting.get_absolute_url(),
            detail=_meeting_when(meeting)
            + (
                ". Kallelsen är skickad; läs handlingarna." if called else ". Kallelsen är inte skickad ännu."
            ),
            date=meeting.date,
            date_label="mötet",
            urgency=Urgency.INFO,
            actions=(Action("Handlingar", packet), Action("Mötet", meeting.get_absolute_url())),
        )
    ]
    if person is None or not access.is_ledamot_at(person, meeting):
        return items
    standing = Forhinder.objects.filter(meeting=meeting, person=person, withdrawn_at__isnull=True).first()
    anchor = f"{meeting.get_absolute_url()}#forhinder"
    if standing is None:
        items.append(
            Item(
                group="Styrelsemöten",
                label=f"Kan du inte komma den {meeting.date:%Y-%m-%d}?",
                url=_url("forbund:forhinder_report", forbund, pk=meeting.pk),
                detail="Anmäl förhinder så kallas din ersättare in i tur och ordning.",
                date=meeting.date,
                date_label="mötet",
                urgency=Urgency.INFO,
                actions=(
                    Action("Anmäl förhinder", _url("forbund:forhinder_report", forbund, pk=meeting.pk)),
                ),
            )
        )
    else:
        items.append(
            Item(
                group="Styrelsemöten",
                label=f"Du har anmält förhinder till mötet {meeting.date:%Y-%m-%d}",
                url=anchor,
                detail="Se vilken ersättare som tjänstgör, eller återkalla förhindret om du kan komma.",
                date=meeting.date,
                date_label="mötet",
                urgency=Urgency.INFO,
            )
        )
    return items


# Ekonom -------------------------------------------------------------------------------------------


def ekonom_items(user: User, forbund: Forbund, today: datetime.date) -> list[Item]:
    """Invoices to attest (not those the ekonom registered: someone else attests) or pay, and the
    months of the year up to last month without ledger rows (2 queries)."""
    from ekonomi.models import Invoice, LedgerEntry

    items: list[Item] = []
    invoices = (
        Invoice.objects.filter(
            forbund=forbund, status__in=[Invoice.Status.MOTTAGEN, Invoice.Status.ATTESTERAD]
        )
        .select_related("insats")
        .order_by("received_on", "pk")
    )
    for invoice in invoices:
        number = f" nr {invoice.number}" if invoice.number else ""
        url = f"{_url('ekonomi:invoice_list', forbund)}?insats={invoice.insats_id}"
        period = f"{invoice.period_start:%Y-%m-%d}–{invoice.period_end:%Y-%m-%d}"
        if invoice.status == Invoice.Status.MOTTAGEN:
            if invoice.registered_by_id == user.pk:
                continue
            label = f"Attestera faktura{number}: {invoice.insats.name}"
        else:
            label = f"Betala faktura{number}: {invoice.insats.name}"
        items.append(
            Item(
                group="Ekonomi",
                label=label,
                url=url,
                detail=f"{kr(invoice.amount)} för {period}.",
                date=invoice.received_on,
                date_label="mottagen",
            )
        )
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    year = last_month.year
    present = set(
        LedgerEntry.objects.filter(
            ledger_import__forbund=forbund, ledger_import__replaced_by__isnull=True, year=year
        )
        .values_list("month", flat=True)
        .distinct()
    )
    missing = [month for month in range(1, last_month.month + 1) if month not in present]
    if missing:
        items.append(
            Item(
                group="Ekonomi",
                label=f"Huvudbok saknas för {', '.join(MONTHS[m - 1] for m in missing)} {year}",
                url=f"{_url('ekonomi:ledger_import', forbund)}",
                detail="Läs in huvudboken från redovisningsbyrån så att utfallet stämmer.",
                date=last_month,
                date_label="till och med",
                urgency=Urgency.ACTION,
            )
        )
    return items


# Samordnare -----------------------------------------------------------------------------------------


def samordnare_items(user: User, forbund: Forbund, today: datetime.date) -> list[Item]:
    """Applications to prepare, reports to review, late milestones, documents of the year without an
    adopted version, förhinder without a serving ersättare and people without accounts (10 queries)."""
    from insatser.selectors import INCOMING_STATUSES, overdue_milestones
    from uppfoljning.selectors import reports_to_review

    items: list[Item] = []
    incoming = (
        access.insatser_visible_to(user, forbund)
        .filter(status__in=INCOMING_STATUSES)
        .select_related("owner")
        .order_by("name")
    )
    for insats in incoming:
        items.append(
            Item(
                group="Ansökningar",
                label=f"Bered ansökan: {insats.name}",
                url=_url("insatser:detail", forbund, pk=insats.pk),
                detail=f"{insats.get_status_display()} ({insats.owner}).",
            )
        )
    for report in reports_to_review(user, forbund):
        items.append(
            Item(
                group="Rapporter",
                label=f"Granska rapport: {report.insats.name}, {report.period}",
                url=_url("uppfoljning:report", forbund, pk=report.pk),
                detail="Inskickad; godkänn eller skicka tillbaka med en kommentar.",
                date=report.period.due_date,
                date_label="sista dag",
            )
        )
    for milestone in overdue_milestones(user, forbund):
        items.append(
            Item(
                group="Insatser",
                label=f"Försenat delmål: {milestone.insats.name} – {milestone.title}",
                url=f"{_url('insatser:detail', forbund, pk=milestone.insats_id)}#delmal",
                detail="Delmålet är inte markerat som klart.",
                date=milestone.due,
                date_label="skulle vara klart",
                urgency=Urgency.LATE,
            )
        )
    items.extend(_documents_to_adopt(forbund, today))
    items.extend(_forhinder_without_ersattare(forbund, today))
    items.extend(_people_without_accounts(forbund))
    return items


def _documents_to_adopt(forbund: Forbund, today: datetime.date) -> list[Item]:
    """The verksamhetsplan is adopted before its year starts (next year's is asked for from
    September); the årsredovisning of last year by the end of March."""
    wanted = [("verksamhetsplan", today.year, datetime.date(today.year - 1, 12, 31))]
    if today.month >= 9:
        wanted.append(("verksamhetsplan", today.year + 1, datetime.date(today.year, 12, 31)))
    wanted.append(("arsredovisning", today.year - 1, datetime.date(today.year, 3, 31)))
    adopted = set(
        Faststallelse.objects.filter(forbund=forbund, withdrawn_on__isnull=True).values_list("kind", "year")
    )
    items = []
    for kind, year, deadline in wanted:
        if (kind, year) in adopted:
            continue
        name = "Verksamhetsplan" if kind == "verksamhetsplan" else "Årsredovisning"
        items.append(
            Item(
                group="Dokument",
                label=f"{name} {year} är inte fastställd",
                url=_url(f"uppfoljning:{kind}", forbund, year=year),
                detail="Skriv och skapa dokumentet och för upp det för beslut på ett styrelsemöte.",
                date=deadline,
                date_label="fastställs senast",
                urgency=_deadline(deadline, today),
            )
        )
    return items


def _forhinder_without_ersattare(forbund: Forbund, today: datetime.date) -> list[Item]:
    standing = (
        Forhinder.objects.filter(
            meeting__forbund=forbund, meeting__date__gte=today, withdrawn_at__isnull=True
        )
        .exclude(
            Exists(
                Inkallelse.objects.filter(
                    forhinder=OuterRef("pk"), answer=Inkallelse.Answer.JA, voided_at__isnull=True
                )
            )
        )
        .select_related("person", "meeting")
        .order_by("meeting__date", "person__name")
    )
    return [
        Item(
            group="Styrelsemöten",
            label=f"Förhinder: {f.person} den {f.meeting.date:%Y-%m-%d}",
            url=f.get_absolute_url(),
            detail="Ingen ersättare har tackat ja ännu.",
            date=f.meeting.date,
            date_label="mötet",
            urgency=_deadline(f.meeting.date, today),
            comment=f.note,
        )
        for f in standing
    ]


def _people_without_accounts(forbund: Forbund) -> list[Item]:
    """Board members and kansli, in office or about to be, whose person has no login and no invitation
    waiting: they cannot read the papers, report förhinder or justera. Each links to the invitation
    prefilled with the person's name, e-mail and the roles their assignments suggest (3 queries)."""
    return [
        Item(
            group="Konton",
            label=f"{entry.person.name} har inget konto",
            url=f"{_url('forbund:invite', forbund)}?person={entry.person.pk}&tillbaka=inbox",
            detail=f"{', '.join(entry.assignments)}: bjud in personen, som behöver ett konto för att läsa "
            "handlingar, anmäla förhinder och justera.",
        )
        for entry in people_without_account(forbund)
        if entry.invitation is None
    ]


# Revisor ------------------------------------------------------------------------------------------


def revisor_items(user: User, forbund: Forbund, today: datetime.date) -> list[Item]:
    """The year's adopted documents (and last year's årsredovisning) and justerade minutes (2 queries)."""
    items: list[Item] = []
    documents = (
        Faststallelse.objects.filter(forbund=forbund, withdrawn_on__isnull=True, year__gte=today.year - 1)
        .select_related("dokumentjobb", "item")
        .order_by("-year", "kind")
    )
    for adoption in documents:
        items.append(
            Item(
                group="Dokument",
                label=f"{adoption.get_kind_display()} {adoption.year}",
                url=_url("uppfoljning:job", forbund, pk=adoption.dokumentjobb_id),
                detail=f"Fastställd {adoption.adopted_on:%Y-%m-%d}"
                + (f" § {adoption.item.paragraph}." if adoption.item.paragraph else "."),
                date=adoption.adopted_on,
                date_label="fastställd",
                urgency=Urgency.INFO,
            )
        )
    minutes = Styrelsemote.objects.filter(
        forbund=forbund, date__year=today.year, status=MeetingStatus.JUSTERAT
    ).order_by("date")
    for meeting in minutes:
        items.append(
            Item(
                group="Protokoll",
                label=f"Protokoll {meeting.date:%Y-%m-%d}",
                url=_url("forbund:protokoll", forbund, pk=meeting.pk),
                detail="Justerat protokoll.",
                date=meeting.date,
                date_label="mötet",
                urgency=Urgency.INFO,
            )
        )
    return items


# The union ------------------------------------------------------------------------------------------

SELECTORS: dict[str, Callable[[User, Forbund, datetime.date], list[Item]]] = {
    Kind.PROJEKTAGARE: projektagare_items,
    Kind.STYRELSELEDAMOT: board_items,
    Kind.ERSATTARE: board_items,
    Kind.EKONOM: ekonom_items,
    Kind.SAMORDNARE: samordnare_items,
    Kind.REVISOR: revisor_items,
}


def inbox(user: User, forbund: Forbund, today: datetime.date | None = None) -> list[Item]:
    """Everything waiting for the user in the förbund, for all the roles they hold, each item once,
    the late first, then by date."""
    today = today or timezone.localdate()
    held = access.roles(user, forbund)
    chosen: list[Callable] = []
    for kind, selector in SELECTORS.items():
        if kind in held and selector not in chosen:
            chosen.append(selector)
    return dedupe(item for selector in chosen for item in selector(user, forbund, today))


def dedupe(items: Iterable[Item]) -> list[Item]:
    seen: dict[tuple[str, str], Item] = {}
    for item in items:
        seen.setdefault(item.key, item)
    return sorted(seen.values(), key=lambda item: item.sort_key)


def counts(items: list[Item]) -> dict[str, int]:
    """How many are late and how many wait for action, for the headline."""
    return {
        "late": sum(1 for item in items if item.urgency == Urgency.LATE),
        "todo": sum(1 for item in items if item.urgency != Urgency.INFO),
    }
