"""The inbox ("Att göra"): what waits for this person in this förbund, each item a link to the exact
place to act.

One selector per role gathers that role's items; `inbox(user, forbund)` takes the union of the
roles the user holds, drops duplicates (a samordnare who is also a ledamot sees a meeting once) and
sorts by urgency and date. The selectors share one `Reads`, so a table two roles look at is read
once, and every query has a fixed cost whatever the amount of data: the dashboard and the inbox page
are guarded by query-count tests (`tests/forbund/test_inbox.py` has each role's budget).

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
import functools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from finsam import access
from finsam.templatetags.sv import kr
from forbund.accounts.selectors import people_to_invite
from forbund.models import (
    Faststallelse,
    Forbund,
    Forhinder,
    Inkallelse,
    MeetingStatus,
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
    """`reverse()`, resolved once per page and förbund: the inbox links hundreds of items to a handful
    of pages that differ only in their ids (a fifth of a samordnare's inbox went to `reverse()`)."""
    keys = tuple(kwargs)
    ids = all(type(value) is int for value in kwargs.values())
    pattern = _pattern(name, forbund.slug, keys, get_script_prefix(), get_urlconf()) if ids else None
    if pattern is None:
        return reverse(name, kwargs={"forbund": forbund.slug, **kwargs})
    for index, key in enumerate(keys):
        pattern = pattern.replace(f"/{_MARK + index}/", f"/{kwargs[key]}/", 1)
    return pattern


_MARK = 987_650  # an id no page has in its own address; replaced by the real ids


@functools.lru_cache(maxsize=256)
def _pattern(name: str, slug: str, keys: tuple[str, ...], prefix: str, urlconf) -> str | None:
    """The page's address with a mark for each id, or None unless each id is a whole path segment
    (a year, say, is not an id)."""
    try:
        url = reverse(name, kwargs={"forbund": slug, **{key: _MARK + i for i, key in enumerate(keys)}})
    except NoReverseMatch:
        return None
    whole = all(url.count(f"/{_MARK + i}/") == 1 and url.count(str(_MARK + i)) == 1 for i in range(len(keys)))
    return url if whole else None


def _meeting_when(meeting: Styrelsemote) -> str:
    time = f" kl. {meeting.start_time:%H:%M}" if meeting.start_time else ""
    place = f", {meeting.place}" if meeting.place else ", digitalt"
    return f"{meeting.date:%Y-%m-%d}{time}{place}"


# What the inbox reads ------------------------------------------------------------------------------


class Reads:
    """What the inbox reads for the roles asked for, each table once and each with a fixed number of
    queries however much waits: a table two roles look at is read in one query with each role's
    condition (the applications and reports of a samordnare who is also projektägare, the meetings of a
    ledamot who is also revisor, the adopted documents of a samordnare who is also revisor). Only the
    columns the items show are read, and every query is bounded by the förbund."""

    def __init__(self, user: User, forbund: Forbund, today: datetime.date, kinds: Iterable[str]):
        self.user, self.forbund, self.today = user, forbund, today
        self.kinds = frozenset(kinds)

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    @property
    def on_board(self) -> bool:
        return bool(self.kinds & {Kind.STYRELSELEDAMOT, Kind.ERSATTARE})

    @functools.cached_property
    def owned(self):
        """The member organisations the projektägare acts for (as a subquery)."""
        return access.projektagare_medlemmar(self.user, self.forbund).values("pk")

    @functools.cached_property
    def insatser(self) -> list:
        """Applications to prepare (samordnare) and the projektägare's own to complete, by name."""
        from insatser.models import Insats, StatusChange
        from insatser.selectors import INCOMING_STATUSES

        S = Insats.Status
        wanted = []
        if self.has(Kind.SAMORDNARE):
            wanted.append(Q(status__in=INCOMING_STATUSES))
        if self.has(Kind.PROJEKTAGARE):
            wanted.append(Q(owner__in=self.owned, status__in=[S.UTKAST, S.KOMPLETTERING_BEGARD]))
        if not wanted:
            return []
        # The comment of the latest request for komplettering, read with the projektägare's application.
        requested = StatusChange.objects.filter(insats=OuterRef("pk"), to_status=S.KOMPLETTERING_BEGARD)
        comment = requested.order_by("-at", "-id").values("comment")[:1]
        comments = {"request_comment": Subquery(comment)} if self.has(Kind.PROJEKTAGARE) else {}
        return list(
            Insats.objects.filter(functools.reduce(operator.or_, wanted), forbund=self.forbund)
            .select_related("owner")
            .only("name", "status", "owner__name")
            .annotate(**comments)
            .order_by("name")
        )

    @functools.cached_property
    def reports(self) -> list:
        """Reports to review (samordnare) and the projektägare's own to write or complete."""
        from uppfoljning.models import ReportStatusChange, Tertialrapport

        S = Tertialrapport.Status
        wanted = []
        if self.has(Kind.SAMORDNARE):
            wanted.append(Q(status=S.INSKICKAD))
        if self.has(Kind.PROJEKTAGARE):
            window = self.today + datetime.timedelta(days=REPORT_WINDOW_DAYS)
            wanted.append(
                Q(insats__owner__in=self.owned)
                & (Q(status=S.RETURNERAD) | Q(status=S.UTKAST, period__due_date__lte=window))
            )
        if not wanted:
            return []
        # The comment of the latest return, read with the projektägare's report.
        returned = ReportStatusChange.objects.filter(report=OuterRef("pk"), to_status=S.RETURNERAD)
        comment = returned.order_by("-at", "-id").values("comment")[:1]
        comments = {"return_comment": Subquery(comment)} if self.has(Kind.PROJEKTAGARE) else {}
        return list(
            # Scoped through the insats as well as the period, so the database can walk this
            # förbund's insatser rather than every förbund's reports.
            Tertialrapport.objects.filter(
                functools.reduce(operator.or_, wanted),
                insats__forbund=self.forbund,
                period__forbund=self.forbund,
            )
            .select_related("insats", "period")
            .only("status", "insats__name", "period__year", "period__kind", "period__due_date")
            .annotate(**comments)
            .order_by("period__due_date", "insats__name")
        )

    @functools.cached_property
    def person(self):
        """The board member's person record (the board's items are theirs), if the login has one."""
        return access.person_of(self.user, self.forbund) if self.on_board else None

    @functools.cached_property
    def meetings(self) -> list[Styrelsemote]:
        """For the board the meetings planned from today (a year's plan at most; the next one is shown)
        with whether the person is ledamot on the day and has förhinder, and the minutes they are to
        justera; for the revisor the year's justerade minutes."""
        from forbund.models import MinutesApproval, Styrelseuppdrag

        forbund, person = self.forbund, self.person
        wanted, flags = [], {}
        if self.on_board:
            wanted.append(Q(date__gte=self.today, status__in=[MeetingStatus.PLANERAT, MeetingStatus.KALLAT]))
        if person is not None:
            justerare = Styrelsemote.justerare.through.objects.filter(
                styrelsemote=OuterRef("pk"), person=person
            )
            approved = MinutesApproval.objects.filter(meeting=OuterRef("pk"), person=person)
            wanted.append(
                Q(status=MeetingStatus.JUSTERING)
                & (Q(ordforande=person) | Exists(justerare))
                & ~Exists(approved)
            )
            seat = Styrelseuppdrag.objects.filter(
                Q(end__isnull=True) | Q(end__gte=OuterRef("date")),
                forbund=forbund,
                person=person,
                role=Styrelseuppdrag.Role.LEDAMOT,
                start__lte=OuterRef("date"),
            )
            standing = Forhinder.objects.filter(
                meeting=OuterRef("pk"), person=person, withdrawn_at__isnull=True
            )
            flags = {"is_ledamot": Exists(seat), "has_forhinder": Exists(standing)}
        if self.has(Kind.REVISOR):
            wanted.append(Q(status=MeetingStatus.JUSTERAT, date__year=self.today.year))
        if not wanted:
            return []
        return list(
            Styrelsemote.objects.filter(functools.reduce(operator.or_, wanted), forbund=forbund)
            .only("date", "start_time", "place", "status")
            .annotate(**flags)
            .order_by("date", "start_time")
        )

    @functools.cached_property
    def adoptions(self) -> list[Faststallelse]:
        """Adopted documents from last year on: what the samordnare no longer needs to ask for and what
        the revisor reads."""
        if not (self.has(Kind.SAMORDNARE) or self.has(Kind.REVISOR)):
            return []
        return list(
            Faststallelse.objects.filter(
                forbund=self.forbund, withdrawn_on__isnull=True, year__gte=self.today.year - 1
            )
            .select_related("item")
            .only("kind", "year", "adopted_on", "dokumentjobb", "item__paragraph")
            .order_by("-year", "kind")
        )


def _reads(reads: Reads | None, kind: str, user: User, forbund: Forbund, today: datetime.date) -> Reads:
    return reads if reads is not None else Reads(user, forbund, today, {kind})


# Projektägare ------------------------------------------------------------------------------------


def projektagare_items(
    user: User, forbund: Forbund, today: datetime.date, reads: Reads | None = None
) -> list[Item]:
    """Their own organisation's reports to submit or returned, applications to complete and the
    confirmations asked of them (3 queries, and one for their organisations unless already read)."""
    from insatser.models import Insats
    from insatser.selectors import confirmations_awaiting
    from uppfoljning.models import Tertialrapport

    reads = _reads(reads, Kind.PROJEKTAGARE, user, forbund, today)
    items: list[Item] = []
    S = Tertialrapport.Status
    for report in reads.reports:
        if report.status not in (S.RETURNERAD, S.UTKAST):
            continue  # a samordnare's, to review (the conditions of the two roles differ in status)
        url = _url("uppfoljning:report_edit", forbund, pk=report.pk)
        due = report.period.due_date
        if report.status == S.RETURNERAD:
            items.append(
                Item(
                    group="Rapporter",
                    label=f"Rapport returnerad: {report.insats.name}, {report.period}",
                    url=url,
                    detail="Samordnaren har skickat tillbaka rapporten för komplettering.",
                    date=due,
                    date_label="sista dag",
                    urgency=_deadline(due, today),
                    comment=report.return_comment or "",
                )
            )
        else:
            items.append(
                Item(
                    group="Rapporter",
                    label=f"Rapport att lämna: {report.insats.name}, {report.period}",
                    url=url,
                    detail="Fyll i och skicka in rapporten.",
                    date=due,
                    date_label="sista dag",
                    urgency=_deadline(due, today),
                )
            )
    for insats in reads.insatser:
        url = _url("insatser:detail", forbund, pk=insats.pk)
        if insats.status == Insats.Status.KOMPLETTERING_BEGARD:
            items.append(
                Item(
                    group="Ansökningar",
                    label=f"Komplettera ansökan: {insats.name}",
                    url=url,
                    detail="Samordnaren har begärt komplettering innan ansökan bereds.",
                    comment=insats.request_comment or "",
                )
            )
        elif insats.status == Insats.Status.UTKAST:
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


def board_items(user: User, forbund: Forbund, today: datetime.date, reads: Reads | None = None) -> list[Item]:
    """The next meeting with its papers and förhinder, minutes to justera, and for an ersättare the
    requests to serve and the meetings where they serve (3 queries: the person, the meetings, the
    requests; 2 for a login without a person record)."""
    reads = _reads(reads, Kind.STYRELSELEDAMOT, user, forbund, today)
    items: list[Item] = []
    planned = [m for m in reads.meetings if m.status in (MeetingStatus.PLANERAT, MeetingStatus.KALLAT)]
    if planned:
        items.extend(_next_meeting_items(forbund, planned[0], today))  # by date and time
    # The revisor's justerade minutes, read in the same query, are not the board's.
    to_approve = [m for m in reads.meetings if m.status == MeetingStatus.JUSTERING]
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
    if reads.person is None:
        return items  # no person, no seat: nobody asks them or lists them as justerare
    asked = (
        Inkallelse.objects.filter(
            person=reads.person,
            voided_at__isnull=True,
            forhinder__withdrawn_at__isnull=True,
            forhinder__meeting__forbund=forbund,
            forhinder__meeting__date__gte=today,
        )
        .exclude(answer=Inkallelse.Answer.NEJ)
        .select_related("forhinder__person", "forhinder__meeting")
        .only(
            "answer",
            "voided_at",
            "forhinder__note",
            "forhinder__person__name",
            "forhinder__meeting__date",
            "forhinder__meeting__start_time",
            "forhinder__meeting__place",
        )
        .order_by("forhinder__meeting__date", "asked_at")
    )
    for ask in asked:
        meeting = ask.forhinder.meeting
        packet = _url("forbund:motespaket_html", forbund, pk=meeting.pk)
        if ask.is_waiting:
            answer = _url("forbund:inkallelse", forbund, pk=meeting.pk, ask_pk=ask.pk)
            items.append(
                Item(
                    group="Styrelsemöten",
                    label=f"Kan du tjänstgöra för {ask.forhinder.person} den {meeting.date:%Y-%m-%d}?",
                    url=answer,
                    detail=f"Ledamoten har förhinder. Mötet: {_meeting_when(meeting)}.",
                    date=meeting.date,
                    date_label="mötet",
                    urgency=_deadline(meeting.date, today),
                    comment=ask.forhinder.note,
                    actions=(Action("Svara", answer), Action("Handlingar", packet)),
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
                    actions=(
                        Action("Handlingar", packet),
                        Action("Mötet", _url("forbund:mote", forbund, pk=meeting.pk)),
                    ),
                )
            )
    return items


def _next_meeting_items(forbund: Forbund, meeting: Styrelsemote, today: datetime.date) -> list[Item]:
    """The next meeting, and for a ledamot on its day (`meeting.is_ledamot`) förhinder to report or
    the one reported (`meeting.has_forhinder`)."""
    packet = _url("forbund:motespaket_html", forbund, pk=meeting.pk)
    page = _url("forbund:mote", forbund, pk=meeting.pk)
    called = meeting.status == MeetingStatus.KALLAT
    items = [
        Item(
            group="Styrelsemöten",
            label=f"Nästa styrelsemöte {meeting.date:%Y-%m-%d}",
            url=packet if called else page,
            detail=_meeting_when(meeting)
            + (
                ". Kallelsen är skickad; läs handlingarna." if called else ". Kallelsen är inte skickad ännu."
            ),
            date=meeting.date,
            date_label="mötet",
            urgency=Urgency.INFO,
            actions=(Action("Handlingar", packet), Action("Mötet", page)),
        )
    ]
    if not getattr(meeting, "is_ledamot", False):  # read only for a login with a person record
        return items
    if not meeting.has_forhinder:
        report = _url("forbund:forhinder_report", forbund, pk=meeting.pk)
        items.append(
            Item(
                group="Styrelsemöten",
                label=f"Kan du inte komma den {meeting.date:%Y-%m-%d}?",
                url=report,
                detail="Anmäl förhinder så kallas din ersättare in i tur och ordning.",
                date=meeting.date,
                date_label="mötet",
                urgency=Urgency.INFO,
                actions=(Action("Anmäl förhinder", report),),
            )
        )
    else:
        items.append(
            Item(
                group="Styrelsemöten",
                label=f"Du har anmält förhinder till mötet {meeting.date:%Y-%m-%d}",
                url=f"{page}#forhinder",
                detail="Se vilken ersättare som tjänstgör, eller återkalla förhindret om du kan komma.",
                date=meeting.date,
                date_label="mötet",
                urgency=Urgency.INFO,
            )
        )
    return items


# Ekonom -------------------------------------------------------------------------------------------


def ekonom_items(
    user: User, forbund: Forbund, today: datetime.date, reads: Reads | None = None
) -> list[Item]:
    """Invoices to attest (not those the ekonom registered: someone else attests) or pay, and the
    months of the year up to last month without ledger rows (2 queries; paid invoices and other years'
    ledger rows are not read)."""
    from ekonomi.models import Invoice, LedgerEntry

    items: list[Item] = []
    S = Invoice.Status
    invoices = (
        Invoice.objects.filter(forbund=forbund, status__in=[S.MOTTAGEN, S.ATTESTERAD])
        .exclude(status=S.MOTTAGEN, registered_by=user)
        .select_related("insats")
        .only("number", "period_start", "period_end", "amount", "received_on", "status", "insats__name")
        .order_by("received_on", "pk")
    )
    invoice_list = _url("ekonomi:invoice_list", forbund)
    for invoice in invoices:
        number = f" nr {invoice.number}" if invoice.number else ""
        period = f"{invoice.period_start:%Y-%m-%d}–{invoice.period_end:%Y-%m-%d}"
        verb = "Attestera" if invoice.status == S.MOTTAGEN else "Betala"
        items.append(
            Item(
                group="Ekonomi",
                label=f"{verb} faktura{number}: {invoice.insats.name}",
                url=f"{invoice_list}?insats={invoice.insats_id}",
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
        .order_by()  # the default ordering would make every row distinct
        .values_list("month", flat=True)
        .distinct()
    )
    missing = [month for month in range(1, last_month.month + 1) if month not in present]
    if missing:
        items.append(
            Item(
                group="Ekonomi",
                label=f"Huvudbok saknas för {', '.join(MONTHS[m - 1] for m in missing)} {year}",
                url=_url("ekonomi:ledger_import", forbund),
                detail="Läs in huvudboken från redovisningsbyrån så att utfallet stämmer.",
                date=last_month,
                date_label="till och med",
                urgency=Urgency.ACTION,
            )
        )
    return items


# Samordnare -----------------------------------------------------------------------------------------


def samordnare_items(
    user: User, forbund: Forbund, today: datetime.date, reads: Reads | None = None
) -> list[Item]:
    """Applications to prepare, reports to review, late milestones, documents of the year without an
    adopted version, förhinder without a serving ersättare and people without accounts (6 queries)."""
    from insatser.models import Insats
    from insatser.selectors import INCOMING_STATUSES, overdue_milestones
    from uppfoljning.models import Tertialrapport

    reads = _reads(reads, Kind.SAMORDNARE, user, forbund, today)
    items: list[Item] = []
    for insats in reads.insatser:
        if insats.status not in INCOMING_STATUSES:
            continue  # a projektägare's own draft
        items.append(
            Item(
                group="Ansökningar",
                label=f"Bered ansökan: {insats.name}",
                url=_url("insatser:detail", forbund, pk=insats.pk),
                detail=f"{Insats.Status(insats.status).label} ({insats.owner}).",
            )
        )
    for report in reads.reports:
        if report.status != Tertialrapport.Status.INSKICKAD:
            continue
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
    late = overdue_milestones(user, forbund).values_list("insats_id", "insats__name", "title", "due")
    for insats_id, insats_name, title, due in late:
        items.append(
            Item(
                group="Insatser",
                label=f"Försenat delmål: {insats_name} – {title}",
                url=f"{_url('insatser:detail', forbund, pk=insats_id)}#delmal",
                detail="Delmålet är inte markerat som klart.",
                date=due,
                date_label="skulle vara klart",
                urgency=Urgency.LATE,
            )
        )
    items.extend(_documents_to_adopt(forbund, today, reads.adoptions))
    items.extend(_forhinder_without_ersattare(forbund, today))
    items.extend(_people_without_accounts(forbund))
    return items


def _documents_to_adopt(forbund: Forbund, today: datetime.date, adoptions: list[Faststallelse]) -> list[Item]:
    """The verksamhetsplan is adopted before its year starts (next year's is asked for from
    September); the årsredovisning of last year by the end of March."""
    wanted = [("verksamhetsplan", today.year, datetime.date(today.year - 1, 12, 31))]
    if today.month >= 9:
        wanted.append(("verksamhetsplan", today.year + 1, datetime.date(today.year, 12, 31)))
    wanted.append(("arsredovisning", today.year - 1, datetime.date(today.year, 3, 31)))
    adopted = {(adoption.kind, adoption.year) for adoption in adoptions}
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
    serving = Inkallelse.objects.filter(
        forhinder=OuterRef("pk"), answer=Inkallelse.Answer.JA, voided_at__isnull=True
    )
    standing = (
        Forhinder.objects.filter(
            meeting__forbund=forbund, meeting__date__gte=today, withdrawn_at__isnull=True
        )
        .exclude(Exists(serving))
        .select_related("person", "meeting")
        .only("note", "person__name", "meeting__date")
        .order_by("meeting__date", "person__name")
    )
    return [
        Item(
            group="Styrelsemöten",
            label=f"Förhinder: {f.person} den {f.meeting.date:%Y-%m-%d}",
            url=f"{_url('forbund:mote', forbund, pk=f.meeting_id)}#forhinder",
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
    prefilled with the person's name, e-mail and the roles their assignments suggest (1 query)."""
    invite = _url("forbund:invite", forbund)
    return [
        Item(
            group="Konton",
            label=f"{entry.person.name} har inget konto",
            url=f"{invite}?person={entry.person.pk}&tillbaka=inbox",
            detail=f"{', '.join(entry.assignments)}: bjud in personen, som behöver ett konto för att läsa "
            "handlingar, anmäla förhinder och justera.",
        )
        for entry in people_to_invite(forbund)
    ]


# Revisor ------------------------------------------------------------------------------------------


def revisor_items(
    user: User, forbund: Forbund, today: datetime.date, reads: Reads | None = None
) -> list[Item]:
    """The year's adopted documents (and last year's årsredovisning) and justerade minutes (2 queries,
    shared with a samordnare's documents and a ledamot's meetings)."""
    reads = _reads(reads, Kind.REVISOR, user, forbund, today)
    items: list[Item] = []
    for adoption in reads.adoptions:
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
    for meeting in reads.meetings:
        if meeting.status != MeetingStatus.JUSTERAT or meeting.date.year != today.year:
            continue
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

SELECTORS: dict[str, Callable[..., list[Item]]] = {
    Kind.PROJEKTAGARE: projektagare_items,
    Kind.STYRELSELEDAMOT: board_items,
    Kind.ERSATTARE: board_items,
    Kind.EKONOM: ekonom_items,
    Kind.SAMORDNARE: samordnare_items,
    Kind.REVISOR: revisor_items,
}


def inbox(user: User, forbund: Forbund, today: datetime.date | None = None) -> list[Item]:
    """Everything waiting for the user in the förbund, for all the roles they hold, each item once,
    the late first, then by date. The roles share one `Reads`, so a table is read once."""
    today = today or timezone.localdate()
    held = access.roles(user, forbund)
    reads = Reads(user, forbund, today, held)
    chosen: list[Callable] = []
    for kind, selector in SELECTORS.items():
        if kind in held and selector not in chosen:
            chosen.append(selector)
    return dedupe(item for selector in chosen for item in selector(user, forbund, today, reads))


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
