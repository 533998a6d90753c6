"""A national dataset for benchmarks: every samordningsförbund in Sweden, ten years each.

80 förbund × 10 years ≈ 24 000 insatser, 80 000 reports, 5 000 meetings, 130 000 invoices and
360 000 ledger rows, written with bulk inserts in a few minutes on PostgreSQL. The figures are
invented but shaped like a real förbund's year (members, board, grants over two years, tertial
reports, six meetings, invoices per insats, a monthly ledger). For `make bench` only: it refuses
to run on SQLite, and when the data is already there it is reused as it is.

Each förbund gets one account per role, `riks-<n>-<roll>` with the password `riks-bench`, so
the benchmark can read every page as every role.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ekonomi.models import (
    DEFAULT_COST_CATEGORIES,
    AccountMapping,
    Budget,
    BudgetIncome,
    CostCategory,
    Invoice,
    LedgerEntry,
    LedgerImport,
)
from forbund.models import (
    AgendaItem,
    Forbund,
    Medlem,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
    WorkingAgePopulation,
)
from insatser.models import Beslut, GrantedAmount, Insats, Milestone
from uppfoljning import statistics
from uppfoljning.models import ParticipantCount, ReportPeriod, Tertialrapport

PREFIX = "riks-"
PASSWORD = "riks-bench"  # noqa: S105 - a benchmark account on benchmark data, never production
ROLES = ("samordnare", "ekonom", "styrelseledamot", "ersattare", "projektagare", "revisor")
BATCH = 5_000
KOMMUN_NAMES = (
    "Norrby",
    "Söderås",
    "Västerhamn",
    "Österlund",
    "Mellanvik",
    "Bergsjö",
    "Dalby",
    "Forsa",
    "Hedemo",
    "Lillån",
)
REPORT_DUE = {"T1": (0, 5, 15), "T2": (0, 9, 15), "AR": (1, 2, 15)}


def bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


class Command(BaseCommand):
    help = "Skapar riksdata för prestandamätning: 80 förbund med tio års historik (endast PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--forbund", type=int, default=80, help="Antal förbund (80).")
        parser.add_argument("--years", type=int, default=10, help="Antal år per förbund (10).")
        parser.add_argument("--last-year", type=int, default=timezone.localdate().year)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Riksdata skapas bara i PostgreSQL (sätt DATABASE_URL).")
        if Forbund.objects.filter(slug__startswith=PREFIX).exists():
            # Reused as it is: to start over, drop the benchmark database (make bench-reset).
            self.stdout.write(self.summary_of_existing())
            return
        self.rng = random.Random(2026)  # noqa: S311 - reproducible benchmark data, not security
        self.years = list(range(options["last_year"] - options["years"] + 1, options["last_year"] + 1))
        self.password = make_password(PASSWORD)
        started = time.monotonic()
        with transaction.atomic():
            for number in range(1, options["forbund"] + 1):
                self.seed_forbund(number)
                if number % 10 == 0:
                    self.stdout.write(f"{number} förbund klara ({time.monotonic() - started:.0f} s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(self.summary(time.monotonic() - started)))

    # One förbund ---------------------------------------------------------------------------

    def seed_forbund(self, number: int) -> None:
        rng = self.rng
        slug = f"{PREFIX}{number}"
        forbund = Forbund.objects.create(
            name=f"Samordningsförbundet Riks {number}",
            slug=slug,
            organisationsnummer=f"22{number:04d}-{1000 + number:04d}",
            bildat=datetime.date(2008 + number % 8, 1, 1),
            andamal="Finansiell samordning av rehabiliteringsinsatser enligt lag (2003:1210).",
        )
        members = self.seed_members(forbund, rng.randint(2, 6))
        kommuner = [m for m in members if m.kind == Medlem.Kind.KOMMUN]
        users = self.seed_people(forbund, members, kommuner[0])
        insatser = self.seed_insatser(forbund, members, users["samordnare"])
        self.seed_reports(forbund, insatser)
        self.seed_meetings(forbund, insatser)
        self.seed_economy(forbund, members, insatser, users["ekonom"])

    def seed_members(self, forbund: Forbund, kommuner: int) -> list[Medlem]:
        joined = datetime.date(self.years[0] - 2, 1, 1)
        members = [
            Medlem(
                forbund=forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan", joined=joined
            ),
            Medlem(
                forbund=forbund, kind=Medlem.Kind.ARBETSFORMEDLINGEN, name="Arbetsförmedlingen", joined=joined
            ),
            Medlem(forbund=forbund, kind=Medlem.Kind.REGION, name=f"Region Riks {forbund.pk}", joined=joined),
        ]
        names = self.rng.sample(KOMMUN_NAMES, kommuner)
        members += [
            Medlem(forbund=forbund, kind=Medlem.Kind.KOMMUN, name=f"{name} kommun", joined=joined)
            for name in names
        ]
        members = bulk(Medlem, members)
        bulk(
            WorkingAgePopulation,
            [
                WorkingAgePopulation(
                    forbund=forbund, kommun=kommun, year=year, count=self.rng.randint(4_000, 60_000)
                )
                for kommun in members
                if kommun.kind == Medlem.Kind.KOMMUN
                for year in self.years
            ],
        )
        return members

    def seed_people(self, forbund: Forbund, members: list[Medlem], projekt_medlem: Medlem) -> dict[str, User]:
        slug = forbund.slug
        users = bulk(
            User,
            [
                User(username=f"{slug}-{kind}", password=self.password, first_name=kind.capitalize())
                for kind in ROLES
            ],
        )
        by_kind = dict(zip(ROLES, users, strict=True))
        bulk(
            Role,
            [
                Role(
                    user=user,
                    forbund=forbund,
                    kind=kind,
                    medlem=projekt_medlem if kind == Role.Kind.PROJEKTAGARE else None,
                )
                for kind, user in by_kind.items()
            ],
        )
        people = bulk(
            Person,
            [
                Person(forbund=forbund, name=f"{role} {member.name}", medlem=member)
                for member in members
                for role in ("Ledamot", "Ersättare")
            ],
        )
        start = datetime.date(self.years[0], 1, 1)
        bulk(
            Styrelseuppdrag,
            [
                Styrelseuppdrag(
                    forbund=forbund,
                    person=person,
                    medlem=person.medlem,
                    role="ledamot" if person.name.startswith("Ledamot") else "ersattare",
                    start=start,
                    call_order=1 if person.name.startswith("Ersättare") else None,
                )
                for person in people
            ],
        )
        return by_kind

    def seed_insatser(self, forbund: Forbund, members: list[Medlem], samordnare: User) -> list[Insats]:
        rng = self.rng
        owners = [m for m in members if m.kind in (Medlem.Kind.KOMMUN, Medlem.Kind.REGION)]
        last = self.years[-1]
        rows = []
        for index in range(300):
            year = self.years[index % len(self.years)]
            start = datetime.date(year, rng.choice((1, 3, 8)), 1)
            end = datetime.date(min(last, year + rng.choice((0, 1))), 12, 31)
            if end.year < last:
                status = Insats.Status.AVSLUTAD
            elif index % 25 == 0:
                status = Insats.Status.INSKICKAD
            else:
                status = Insats.Status.PAGAENDE
            rows.append(
                Insats(
                    forbund=forbund,
                    name=f"Insats {index + 1} – {('Steg', 'Vägen', 'Bron', 'Nav', 'Kraft')[index % 5]}",
                    description="Samverkan för personer långt från arbetsmarknaden.",
                    kind=Insats.Kind.INDIVIDINRIKTAD if index % 4 else Insats.Kind.STRUKTURINRIKTAD,
                    status=status,
                    owner=rng.choice(owners),
                    start=start,
                    end=end,
                    budgeted_participants=rng.randint(10, 60),
                )
            )
        insatser = bulk(Insats, rows)
        granted = [i for i in insatser if i.status != Insats.Status.INSKICKAD]
        decisions = bulk(
            Beslut,
            [
                Beslut(
                    insats=insats,
                    outcome=Beslut.Outcome.BEVILJAD,
                    decided_on=insats.start - datetime.timedelta(days=40),
                    recorded_by=samordnare,
                )
                for insats in granted
            ],
        )
        bulk(
            GrantedAmount,
            [
                GrantedAmount(beslut=beslut, year=year, amount=Decimal(rng.randint(3, 18) * 50_000))
                for beslut, insats in zip(decisions, granted, strict=True)
                for year in range(insats.start.year, insats.end.year + 1)
            ],
        )
        today = timezone.localdate()
        bulk(
            Milestone,
            [
                Milestone(
                    insats=insats,
                    title=title,
                    due=due,
                    status=Milestone.Status.KLAR if due < today and insats.end.year < last else "planerad",
                )
                for insats in insatser
                for title, due in (
                    ("Styrgrupp bildad", insats.start + datetime.timedelta(days=60)),
                    ("Halvtidsutvärdering", insats.start + datetime.timedelta(days=200)),
                )
            ],
        )
        return insatser

    def seed_reports(self, forbund: Forbund, insatser: list[Insats]) -> None:
        periods = {}
        for year in self.years:
            for kind, (offset, month, day) in REPORT_DUE.items():
                periods[(year, kind)] = ReportPeriod(
                    forbund=forbund, year=year, kind=kind, due_date=datetime.date(year + offset, month, day)
                )
        bulk(ReportPeriod, list(periods.values()))
        today = timezone.localdate()
        reports = []
        for insats in insatser:
            if insats.status == Insats.Status.INSKICKAD:
                continue
            for year in range(insats.start.year, insats.end.year + 1):
                for kind in ("T1", "T2", "AR"):
                    period = periods[(year, kind)]
                    if period.due_date > today + datetime.timedelta(days=120):
                        continue
                    reports.append(
                        Tertialrapport(
                            insats=insats,
                            period=period,
                            status="godkand" if period.due_date < today else "inskickad",
                            cooperation="Samverkan har fungerat väl med styrgruppen.",
                            activities="Individuella samtal, gruppaktiviteter och praktik.",
                            cost=Decimal(self.rng.randint(50, 400) * 1000),
                        )
                    )
        reports = bulk(Tertialrapport, reports)
        counts = []
        for report in reports:
            if report.insats.kind != Insats.Kind.INDIVIDINRIKTAD:
                continue
            women, men = self.rng.randint(0, 14), self.rng.randint(0, 14)
            counts += [
                ParticipantCount(
                    report=report, dimension=statistics.GENDER.code, category="kvinnor", count=women
                ),
                ParticipantCount(report=report, dimension=statistics.GENDER.code, category="man", count=men),
                ParticipantCount(
                    report=report, dimension=statistics.FLOW.code, category="nya", count=women + men
                ),
            ]
        bulk(ParticipantCount, counts)

    def seed_meetings(self, forbund: Forbund, insatser: list[Insats]) -> None:
        today = timezone.localdate()
        meetings = bulk(
            Styrelsemote,
            [
                Styrelsemote(
                    forbund=forbund,
                    date=date,
                    place="Kommunhuset",
                    planned_items="Beslut om insatser, uppföljning och ekonomi.",
                    status="justerat" if date < today else "planerat",
                )
                for year in self.years
                for month in (2, 4, 6, 9, 10, 12)
                for date in [datetime.date(year, month, 12 + self.rng.randint(0, 10))]
            ]
            + [Styrelsemote(forbund=forbund, date=datetime.date(self.years[-1], 3, 5), place="Digitalt")],
        )
        by_year = {}
        for insats in insatser:
            by_year.setdefault(insats.start.year, []).append(insats)
        items = []
        for meeting in meetings:
            items += [
                AgendaItem(meeting=meeting, order=order, kind="formalia", title=title)
                for order, title in enumerate(("Mötets öppnande", "Val av justerare", "Dagordning"), start=1)
            ]
            for order, insats in enumerate(by_year.get(meeting.date.year, [])[:3], start=4):
                items.append(
                    AgendaItem(
                        meeting=meeting,
                        order=order,
                        kind="beslut",
                        title=f"Ansökan: {insats.name}",
                        insats=insats,
                    )
                )
        bulk(AgendaItem, items)

    def seed_economy(
        self, forbund: Forbund, members: list[Medlem], insatser: list[Insats], ekonom: User
    ) -> None:
        rng = self.rng
        categories = bulk(
            CostCategory,
            [
                CostCategory(forbund=forbund, name=name, order=order)
                for order, name in enumerate(DEFAULT_COST_CATEGORIES)
            ],
        )
        shares = {
            Medlem.Kind.FORSAKRINGSKASSAN: Decimal("0.5"),
            Medlem.Kind.ARBETSFORMEDLINGEN: Decimal(0),
            Medlem.Kind.REGION: Decimal("0.25"),
        }
        kommuner = [m for m in members if m.kind == Medlem.Kind.KOMMUN]
        budgets = bulk(
            Budget,
            [
                Budget(forbund=forbund, year=year, status="beslutad", opening_equity=Decimal(2_000_000))
                for year in self.years
            ],
        )
        total = Decimal(8_000_000)
        bulk(
            BudgetIncome,
            [
                BudgetIncome(
                    budget=budget,
                    medlem=member,
                    amount=(total * shares[member.kind])
                    if member.kind in shares
                    else (total / 4 / len(kommuner)),
                )
                for budget in budgets
                for member in members
            ],
        )
        # Invoices: about 5 per insats, quarterly, within its period.
        invoices = []
        for insats in insatser:
            if insats.status == Insats.Status.INSKICKAD:
                continue
            start = insats.start
            for quarter in range(rng.randint(5, 8)):
                month = min(12, start.month + quarter * 3)
                year = start.year + (start.month + quarter * 3 - 1) // 12
                if year > insats.end.year:
                    break
                month = (start.month + quarter * 3 - 1) % 12 + 1
                period_start = datetime.date(year, month, 1)
                period_end = period_start + datetime.timedelta(days=88)
                invoices.append(
                    Invoice(
                        forbund=forbund,
                        insats=insats,
                        number=f"F{insats.pk}-{quarter + 1}",
                        period_start=period_start,
                        period_end=period_end,
                        amount=Decimal(rng.randint(20, 200) * 1000),
                        received_on=period_end + datetime.timedelta(days=10),
                        status="betald",
                        attachment="riks/faktura.pdf",
                        registered_by=ekonom,
                    )
                )
        bulk(Invoice, invoices)
        # The ledger: ~37 accounts a month for ten years.
        # Every account maps to exactly one target: a member's contribution, a cost category or an
        # insats (the förbund's largest cost).
        accounts = [(f"30{n:02d}", {"medlem": member}) for n, member in enumerate(members)]
        accounts += [(f"5{n:03d}", {"category": category}) for n, category in enumerate(categories)]
        accounts += [
            (f"45{n:02d}", {"insats": insats}) for n, insats in enumerate(insatser[: 37 - len(accounts)])
        ]
        bulk(
            AccountMapping,
            [
                AccountMapping(forbund=forbund, account=account, name=f"Konto {account}", **target)
                for account, target in accounts
            ],
        )
        imports = bulk(
            LedgerImport,
            [
                LedgerImport(
                    forbund=forbund,
                    year=year,
                    first_month=1,
                    last_month=12,
                    file="riks/huvudbok.xlsx",
                    filename=f"huvudbok-{year}.xlsx",
                    imported_by=ekonom,
                )
                for year in self.years
            ],
        )
        bulk(
            LedgerEntry,
            [
                LedgerEntry(
                    ledger_import=ledger_import,
                    account=account,
                    year=ledger_import.year,
                    month=month,
                    amount=Decimal(rng.randint(-90_000, 90_000)),
                )
                for ledger_import in imports
                for account, _ in accounts
                for month in range(1, 13)
            ],
        )

    def summary_of_existing(self) -> str:
        return "Riksdata finns redan och används som den är. " + self.figures()

    def summary(self, seconds: float) -> str:
        return f"Riksdata klar på {seconds:.0f} s: " + self.figures()

    def figures(self) -> str:
        scoped = Forbund.objects.filter(slug__startswith=PREFIX)
        counts = {
            "förbund": scoped.count(),
            "insatser": Insats.objects.filter(forbund__in=scoped).count(),
            "rapporter": Tertialrapport.objects.filter(insats__forbund__in=scoped).count(),
            "möten": Styrelsemote.objects.filter(forbund__in=scoped).count(),
            "fakturor": Invoice.objects.filter(forbund__in=scoped).count(),
            "huvudboksrader": LedgerEntry.objects.filter(ledger_import__forbund__in=scoped).count(),
        }
        return ", ".join(f"{count:,} {label}".replace(",", " ") for label, count in counts.items()) + "."
