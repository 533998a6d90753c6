"""Reads for insatser, always through what the access module lets the user see."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from finsam import access, money
from forbund.meetings.selectors.decisions import DECISION_RELATED
from forbund.models import Forbund, Medlem, User

from .models import (
    GRANTED_STATUSES,
    Beslut,
    BudgetAmount,
    BudgetLine,
    Confirmation,
    GrantedAmount,
    Insats,
    Milestone,
    StatusChange,
)

INCOMING_STATUSES = (Insats.Status.INSKICKAD, Insats.Status.UNDER_BEREDNING)


def insatser_for_user(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return (
        access.insatser_visible_to(user, forbund)
        .select_related("owner")
        .prefetch_related("partners")
        .order_by("start", "name")
    )


def parties_of(insats: Insats) -> set[int]:
    """The member organisations behind an application: its owner and its partners."""
    return {insats.owner_id, *insats.partners.values_list("pk", flat=True)}


def overlapping_year(year: int) -> Q:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(start__lte=last, end__gte=first)


def insatser_running_in_year(forbund: Forbund, year: int) -> QuerySet[Insats]:
    """Granted, running or finished insatser whose period touches the year, with their owners: all of
    the förbund's, whoever asks. The dashboard caches them for everyone in the förbund
    (`forbund.aggregates`) and shows each user those `access.insatser_visible_to` lets them see."""
    return (
        Insats.objects.filter(forbund=forbund, status__in=GRANTED_STATUSES)
        .filter(overlapping_year(year))
        .select_related("owner")
        .order_by("start", "name")
    )


def incoming_applications(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return insatser_for_user(user, forbund).filter(status__in=INCOMING_STATUSES)


def overdue_milestones(user: User, forbund: Forbund) -> QuerySet[Milestone]:
    visible = access.insatser_visible_to(user, forbund)
    return (
        # Scoped to the förbund through the join as well as the visible subquery, so the database
        # walks this förbund's insatser rather than every förbund's late milestones.
        Milestone.objects.filter(insats__forbund=forbund, insats__in=visible, due__lt=timezone.localdate())
        .exclude(status=Milestone.Status.KLAR)
        .select_related("insats")
        .order_by("due")
    )


def insats_detail(user: User, forbund: Forbund) -> QuerySet[Insats]:
    return (
        insatser_for_user(user, forbund)
        .select_related("contact", "owner")
        .prefetch_related(
            "goals",
            "delprocesser__owner",
            "signatures__medlem",
            Prefetch(
                "confirmations",
                queryset=Confirmation.objects.select_related("representative").order_by("requested_at", "id"),
            ),
            "attachments",
            "milestones",
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by")),
            Prefetch(
                "beslut",
                queryset=Beslut.objects.select_related(*DECISION_RELATED).prefetch_related("amounts"),
            ),
            "arbetsgrupper__medlemmar__person",
            "arbetsgrupper__meetings",
        )
    )


def last_return(insats: Insats) -> StatusChange | None:
    """Why the samordnare asked for komplettering, while the application waits for it (shown at the
    top of the insats's page and form, not only under Historik). Reads the prefetched history."""
    if insats.status != Insats.Status.KOMPLETTERING_BEGARD:
        return None
    returns = [c for c in insats.status_changes.all() if c.to_status == Insats.Status.KOMPLETTERING_BEGARD]
    return max(returns, key=lambda change: (change.at, change.pk), default=None)


# Budget tables ---------------------------------------------------------------------------------


@dataclass
class BudgetRow:
    line: BudgetLine
    amounts: list[Decimal | None]
    total: Decimal


@dataclass
class BudgetSection:
    name: str
    rows: list[BudgetRow] = field(default_factory=list)
    year_totals: list[Decimal] = field(default_factory=list)
    total: Decimal = money.ZERO


@dataclass
class BudgetTable:
    """The budget the way förbund write it: one column per year, Summa per år, Summa totalt."""

    years: list[int]
    sections: list[BudgetSection]
    year_totals: list[Decimal]
    total: Decimal

    @property
    def is_empty(self) -> bool:
        return not self.sections


def budget_lines_for_table() -> QuerySet[BudgetLine]:
    """The lines `budget_table` reads; prefetch `budget_lines` with this to table many insatser."""
    return (
        BudgetLine.objects.select_related("delprocess", "organisation")
        .prefetch_related("amounts")
        .order_by("order", "id")
    )


def budget_table(insats: Insats) -> BudgetTable:
    if "budget_lines" in getattr(insats, "_prefetched_objects_cache", {}):
        lines = list(insats.budget_lines.all())
    else:
        lines = list(budget_lines_for_table().filter(insats=insats))
    years = sorted(set(insats.years) | {a.year for line in lines for a in line.amounts.all()})
    sections: dict[str, BudgetSection] = {}
    for line in lines:
        by_year = {a.year: a.amount for a in line.amounts.all()}
        row = BudgetRow(
            line=line,
            amounts=[by_year.get(year) for year in years],
            total=money.total(by_year.values()),
        )
        sections.setdefault(line.section_name, BudgetSection(name=line.section_name)).rows.append(row)
    for section in sections.values():
        section.year_totals = [money.total(row.amounts[i] for row in section.rows) for i in range(len(years))]
        section.total = money.total(section.year_totals)
    year_totals = [money.total(s.year_totals[i] for s in sections.values()) for i in range(len(years))]
    return BudgetTable(
        years=years,
        sections=list(sections.values()),
        year_totals=year_totals,
        total=money.total(year_totals),
    )


def applied_per_year(insats: Insats) -> dict[int, Decimal]:
    rows = (
        BudgetAmount.objects.filter(line__insats=insats)
        .values("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def granted_per_year(insats: Insats) -> dict[int, Decimal]:
    rows = (
        GrantedAmount.objects.filter(beslut__insats=insats, beslut__outcome=Beslut.Outcome.BEVILJAD)
        .values("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return {row["year"]: row["total"] for row in rows}


def _amounts_per_insats(rows, key: str) -> dict[int, dict[int, Decimal]]:
    result: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        result.setdefault(row[key], {})[row["year"]] = row["total"]
    return result


def applied_per_insats(insatser: list[Insats]) -> dict[int, dict[int, Decimal]]:
    """Applied amounts per insats id and year, for many insatser in one query."""
    rows = (
        BudgetAmount.objects.filter(line__insats__in=insatser)
        .values("line__insats", "year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return _amounts_per_insats(rows, "line__insats")


def granted_per_insats(insatser: list[Insats]) -> dict[int, dict[int, Decimal]]:
    """Granted amounts per insats id and year, for many insatser in one query."""
    rows = (
        GrantedAmount.objects.filter(beslut__insats__in=insatser, beslut__outcome=Beslut.Outcome.BEVILJAD)
        .values("beslut__insats", "year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    )
    return _amounts_per_insats(rows, "beslut__insats")


def granted_in_year(forbund: Forbund, year: int) -> dict[int, Decimal]:
    """Granted amounts for `year` per insats id: what the förbund's budget takes for insatser."""
    rows = (
        GrantedAmount.objects.filter(
            beslut__insats__forbund=forbund, beslut__outcome=Beslut.Outcome.BEVILJAD, year=year
        )
        .values("beslut__insats")
        .annotate(total=Sum("amount"))
    )
    return {row["beslut__insats"]: row["total"] for row in rows}


# The application's version and the parties' confirmations ----------------------------------------


def application_content(insats: Insats) -> dict:
    """The application as a representative confirms it: its texts and facts, partners, goals,
    delprocesser, budget lines with their amounts, period and attachments, in a fixed order. Not its
    status, history or confirmations: those are about the application, not in it."""
    fields = [
        *("name", "description", "kind", "malgrupp", "malgrupp_description", "problem", "activities"),
        *("implementation_plan", "owner_id", "owner_unit", "contact_id", "budgeted_participants"),
        *("esf_cofunded", "external_evaluation"),
    ]
    content = {name: getattr(insats, name) for name in fields}
    content["period"] = [
        insats.start.isoformat() if insats.start else None,
        insats.end.isoformat() if insats.end else None,
    ]
    content["partners"] = sorted(partner.pk for partner in insats.partners.all())
    goals = sorted(insats.goals.all(), key=lambda goal: (goal.kind, goal.order, goal.pk))
    content["goals"] = [[goal.kind, goal.text] for goal in goals]
    content["delprocesser"] = sorted(
        [d.name, d.owner_id, d.owner_unit, d.problem, d.goals, d.activities]
        for d in insats.delprocesser.all()
    )
    lines = BudgetLine.objects.filter(insats=insats).select_related("delprocess").prefetch_related("amounts")
    content["budget"] = [
        [
            line.section,
            line.delprocess.name if line.delprocess_id else "",
            line.description,
            line.organisation_id,
            line.share,
            {str(amount.year): str(amount.amount) for amount in line.amounts.all()},
        ]
        for line in lines.order_by("order", "id")
    ]
    content["attachments"] = sorted([a.file.name, a.description] for a in insats.attachments.all())
    return content


def application_version(insats: Insats) -> str:
    """The version a representative confirms: a SHA-256 checksum over the application's content in a
    canonical form, so that the same content always gives the same version and any change another."""
    canonical = json.dumps(
        application_content(insats), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class PartyConfirmations:
    """One party behind the application: the representatives asked, their answers, and the older
    registrations typed by hand before confirmations had accounts."""

    medlem: Medlem
    current: list[Confirmation]
    earlier: list[Confirmation]
    legacy: list
    confirmed: bool


@dataclass
class ConfirmationOverview:
    version: str
    parties: list[PartyConfirmations]

    @property
    def short_version(self) -> str:
        return self.version[:8]

    @property
    def missing(self) -> list[Medlem]:
        """The parties without a valid confirmation of the current version."""
        return [party.medlem for party in self.parties if not party.confirmed]

    @property
    def complete(self) -> bool:
        return not self.missing


def _parties(insats: Insats) -> list[Medlem]:
    partners = sorted((p for p in insats.partners.all() if p.pk != insats.owner_id), key=lambda p: p.name)
    return [insats.owner, *partners]


def confirmation_overview(insats: Insats, version: str | None = None) -> ConfirmationOverview:
    """Per party: who is asked, in which state, and whether a valid confirmation of the current
    version exists. Reads prefetched confirmations and signatures when the insats has them."""
    version = version or application_version(insats)
    confirmations = list(insats.confirmations.all())
    signatures = list(insats.signatures.all())
    parties = []
    for medlem in _parties(insats):
        own = [c for c in confirmations if c.medlem_id == medlem.pk]
        parties.append(
            PartyConfirmations(
                medlem=medlem,
                current=[c for c in own if not c.voided_at],
                earlier=[c for c in own if c.voided_at],
                legacy=[s for s in signatures if s.medlem_id == medlem.pk],
                confirmed=any(c.is_valid_for(version) for c in own),
            )
        )
    return ConfirmationOverview(version=version, parties=parties)


def missing_confirmations(insats: Insats) -> list[Medlem]:
    """The parties without a valid confirmation of the application as it stands, read fresh."""
    fresh = Insats.objects.select_related("owner").prefetch_related("partners").get(pk=insats.pk)
    return confirmation_overview(fresh).missing


def representatives_for(forbund: Forbund) -> QuerySet[User]:
    """Accounts an applicant may name as a representative: everyone with a role in the förbund and
    everyone already named in one of its applications."""
    return (
        User.objects.filter(
            Q(roles__forbund=forbund) | Q(application_confirmations__insats__forbund=forbund), is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def confirmations_awaiting(user: User) -> QuerySet[Confirmation]:
    """The requests this person has been asked to answer and still can: not answered, not voided by
    a changed application, and the board has not decided."""
    from .models import CONFIRMABLE

    if not user.is_authenticated:
        return Confirmation.objects.none()
    return (
        Confirmation.objects.filter(
            representative=user, answer="", voided_at__isnull=True, insats__status__in=CONFIRMABLE
        )
        .select_related("insats__forbund", "medlem")
        .order_by("requested_at", "pk")
    )


def application_for_confirmation(confirmation: Confirmation) -> Insats:
    """The one application a representative reads on their confirmation page, with what it shows."""
    return (
        Insats.objects.select_related("forbund", "owner", "contact")
        .prefetch_related("partners", "goals", "delprocesser__owner", "attachments")
        .get(pk=confirmation.insats_id)
    )
