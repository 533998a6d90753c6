"""What each member gets for its money, per year: the member's contribution (in the budget in force
and as paid according to the ledger) beside the insatser it takes part in, as owner (projektägare)
or partner (samverkanspart), with each insats's grant for the year and its participants in the
latest approved report of the year.

An insats run by several members appears under each of them with its whole grant: the grants are
not split between members, so the members' columns are not added up. Participant counts are
protected for readers outside the förbund's staff (`uppfoljning.selectors.protection`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from forbund.models import Forbund, Medlem
from forbund.selectors import medlemmar_in_year
from insatser.models import GRANTED_STATUSES, Insats
from insatser.selectors import granted_in_year
from uppfoljning import statistics
from uppfoljning.models import ParticipantCount, ReportPeriod, Tertialrapport
from uppfoljning.selectors.protection import Figure, protect

from .budget import budget_in_force
from .outcome import outcome_by_target

ZERO = Decimal(0)
# The reports are cumulative: the year's latest approved one says the most.
PERIOD_ORDER = [ReportPeriod.Kind.AR, ReportPeriod.Kind.T2, ReportPeriod.Kind.T1]
OWNER, PARTNER = "Projektägare", "Samverkanspart"


@dataclass
class MemberInsats:
    insats: Insats
    role: str
    granted: Decimal
    participants: Figure | None  # None: no approved report of the year
    period: str = ""  # the report the participants come from


@dataclass
class MemberRow:
    medlem: Medlem
    contribution: Decimal | None  # in the budget in force; None without one
    paid: Decimal | None  # according to the ledger; None without a ledger for the year
    insatser: list[MemberInsats] = field(default_factory=list)

    @property
    def granted(self) -> Decimal:
        """The year's grants of the insatser the member takes part in (each whole)."""
        return sum((row.granted for row in self.insatser), ZERO)


@dataclass
class MemberBenefits:
    year: int
    rows: list[MemberRow]
    has_budget: bool
    has_ledger: bool
    exact: bool


def _participants(insatser: list[Insats], year: int) -> tuple[dict[int, int], dict[int, str]]:
    """Participants per insats in its latest approved report of the year (two queries)."""
    reports = (
        Tertialrapport.objects.filter(
            insats__in=insatser, period__year=year, status=Tertialrapport.Status.GODKAND
        )
        .select_related("period")
        .only("pk", "insats_id", "period__kind")
    )
    latest: dict[int, Tertialrapport] = {}
    for report in reports:
        current = latest.get(report.insats_id)
        if current is None or PERIOD_ORDER.index(report.period.kind) < PERIOD_ORDER.index(
            current.period.kind
        ):
            latest[report.insats_id] = report
    counts: dict[int, statistics.Counts] = {}
    by_report = {report.pk: insats_id for insats_id, report in latest.items()}
    for row in (
        ParticipantCount.objects.filter(report_id__in=by_report)
        .values("report_id", "dimension", "category")
        .annotate(total=Sum("count"))
        .order_by()
    ):
        counts.setdefault(by_report[row["report_id"]], {})[(row["dimension"], row["category"])] = row["total"]
    participants = {insats_id: statistics.participants(counts.get(insats_id, {})) for insats_id in latest}
    periods = {insats_id: report.period.get_kind_display() for insats_id, report in latest.items()}
    return participants, periods


def member_benefits(forbund: Forbund, year: int, *, exact: bool) -> MemberBenefits:
    """Every member of the year with its contribution and the insatser it takes part in. `exact` is
    whether the reader sees participant counts below 5 (the förbund's staff)."""
    members = list(medlemmar_in_year(forbund, year).order_by("kind", "name"))
    budget = budget_in_force(forbund, year)
    contributions = {row.medlem_id: row.amount for row in budget.intakter.all()} if budget is not None else {}
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    insatser = list(
        Insats.objects.filter(forbund=forbund, status__in=GRANTED_STATUSES)
        .filter(Q(start__lte=last) | Q(start__isnull=True), Q(end__gte=first) | Q(end__isnull=True))
        .prefetch_related("partners")
        .order_by("name")
    )
    granted = granted_in_year(forbund, year)
    insatser = [insats for insats in insatser if granted.get(insats.pk)]
    participants, periods = _participants(insatser, year)
    states = protect(participants, [])
    outcome = outcome_by_target(forbund, year)
    has_ledger = bool(outcome.medlem or outcome.category or outcome.insats)

    rows = []
    for medlem in members:
        row = MemberRow(
            medlem=medlem,
            contribution=contributions.get(medlem.pk) if budget is not None else None,
            paid=outcome.medlem.get(medlem.pk, ZERO) if has_ledger else None,
        )
        for insats in insatser:
            partner_ids = {partner.pk for partner in insats.partners.all()}
            if insats.owner_id == medlem.pk:
                role = OWNER
            elif medlem.pk in partner_ids:
                role = PARTNER
            else:
                continue
            count = participants.get(insats.pk)
            row.insatser.append(
                MemberInsats(
                    insats=insats,
                    role=role,
                    granted=granted.get(insats.pk, ZERO),
                    participants=None if count is None else Figure(count, states[insats.pk], exact),
                    period=periods.get(insats.pk, ""),
                )
            )
        rows.append(row)
    return MemberBenefits(
        year=year, rows=rows, has_budget=budget is not None, has_ledger=has_ledger, exact=exact
    )
