"""Factories for tests: one per model, with Swedish-looking data and state constructors."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ekonomi.models import Budget, BudgetIncome
from forbund.models import (
    Arbetsgrupp,
    Forbund,
    GroupMembership,
    Kansliuppdrag,
    Medlem,
    Person,
    Role,
    Styrelsemote,
    Styrelseuppdrag,
    User,
    WorkingAgePopulation,
)
from insatser.models import Insats

PASSWORD = "test-losenord-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"anvandare{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.se")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class ForbundFactory(DjangoModelFactory):
    class Meta:
        model = Forbund

    name = factory.Sequence(lambda n: f"Samordningsförbundet Testbygd {n}")
    slug = factory.Sequence(lambda n: f"testbygd-{n}")
    bildat = datetime.date(2010, 1, 1)
    andamal = "Finansiell samordning av rehabiliteringsinsatser."
    uppgifter = "Stödja samverkan\nFinansiera insatser"


class MedlemFactory(DjangoModelFactory):
    class Meta:
        model = Medlem

    forbund = factory.SubFactory(ForbundFactory)
    kind = Medlem.Kind.KOMMUN
    name = factory.Sequence(lambda n: f"Testby {n} kommun")
    joined = datetime.date(2010, 1, 1)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    forbund = factory.SubFactory(ForbundFactory)
    name = factory.Faker("name", locale="sv_SE")
    title = "Handläggare"
    email = factory.Sequence(lambda n: f"person{n}@example.se")


class StyrelseuppdragFactory(DjangoModelFactory):
    class Meta:
        model = Styrelseuppdrag

    forbund = factory.SubFactory(ForbundFactory)
    person = factory.SubFactory(PersonFactory, forbund=factory.SelfAttribute("..forbund"))
    medlem = factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..forbund"))
    role = Styrelseuppdrag.Role.LEDAMOT
    start = datetime.date(2021, 1, 1)
    end = datetime.date(2022, 12, 31)


class KansliuppdragFactory(DjangoModelFactory):
    class Meta:
        model = Kansliuppdrag

    forbund = factory.SubFactory(ForbundFactory)
    person = factory.SubFactory(PersonFactory, forbund=factory.SelfAttribute("..forbund"))
    role = Kansliuppdrag.Role.SAMORDNARE
    employer_name = "Förbundet"
    share_percent = Decimal("50")
    start = datetime.date(2021, 1, 1)


class ArbetsgruppFactory(DjangoModelFactory):
    class Meta:
        model = Arbetsgrupp

    forbund = factory.SubFactory(ForbundFactory)
    kind = Arbetsgrupp.Kind.ARBETSGRUPP
    name = factory.Sequence(lambda n: f"Arbetsgrupp {n}")


class GroupMembershipFactory(DjangoModelFactory):
    class Meta:
        model = GroupMembership

    arbetsgrupp = factory.SubFactory(ArbetsgruppFactory)
    person = factory.SubFactory(PersonFactory, forbund=factory.SelfAttribute("..arbetsgrupp.forbund"))


class StyrelsemoteFactory(DjangoModelFactory):
    class Meta:
        model = Styrelsemote

    forbund = factory.SubFactory(ForbundFactory)
    date = factory.Sequence(lambda n: datetime.date(2021, 1, 1) + datetime.timedelta(days=30 * n))
    start_time = datetime.time(13, 0)
    place = "Kommunhuset"
    planned_items = "Tertialrapport"


class WorkingAgePopulationFactory(DjangoModelFactory):
    class Meta:
        model = WorkingAgePopulation

    forbund = factory.SubFactory(ForbundFactory)
    kommun = factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..forbund"))
    year = 2021
    count = 25000


class InsatsFactory(DjangoModelFactory):
    class Meta:
        model = Insats

    forbund = factory.SubFactory(ForbundFactory)
    name = factory.Sequence(lambda n: f"Insats {n}")
    kind = Insats.Kind.INDIVIDINRIKTAD
    status = Insats.Status.PAGAENDE
    owner = factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..forbund"))
    start = datetime.date(2021, 1, 1)
    end = datetime.date(2022, 12, 31)


class BudgetFactory(DjangoModelFactory):
    class Meta:
        model = Budget

    forbund = factory.SubFactory(ForbundFactory)
    year = 2021
    status = Budget.Status.BESLUTAD


class BudgetIncomeFactory(DjangoModelFactory):
    class Meta:
        model = BudgetIncome

    budget = factory.SubFactory(BudgetFactory)
    medlem = factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..budget.forbund"))
    amount = Decimal("500000")


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    forbund = factory.SubFactory(ForbundFactory)
    kind = Role.Kind.SAMORDNARE
    medlem = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == Role.Kind.PROJEKTAGARE),
        yes_declaration=factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..forbund")),
        no_declaration=None,
    )


def user_with_role(forbund: Forbund, kind: str, **kwargs) -> User:
    """A user holding one role in `forbund`."""
    return RoleFactory(forbund=forbund, kind=kind, **kwargs).user


# Insats budgets and decisions. Models are named as strings so these factories need no imports above.


class DelprocessFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.Delprocess"

    insats = factory.SubFactory(InsatsFactory)
    name = factory.Sequence(lambda n: f"Delprocess {n}")
    owner = factory.SubFactory(MedlemFactory, forbund=factory.SelfAttribute("..insats.forbund"))


class BudgetLineFactory(DjangoModelFactory):
    """BudgetLineFactory(insats=..., amounts={2021: 100_000, 2022: 120_000}) also makes the amounts."""

    class Meta:
        model = "insatser.BudgetLine"
        skip_postgeneration_save = True

    insats = factory.SubFactory(InsatsFactory)
    description = factory.Sequence(lambda n: f"Kostnad {n}")

    @factory.post_generation
    def amounts(self, create, extracted, **kwargs):
        for year, amount in (extracted or {}).items():
            BudgetAmountFactory(line=self, year=year, amount=Decimal(amount))


class BudgetAmountFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.BudgetAmount"

    line = factory.SubFactory(BudgetLineFactory)
    year = 2021
    amount = Decimal("100000")


class BeslutFactory(DjangoModelFactory):
    """A granted decision; BeslutFactory(insats=..., amounts={2021: 500_000}) also makes the amounts."""

    class Meta:
        model = "insatser.Beslut"
        skip_postgeneration_save = True

    insats = factory.SubFactory(InsatsFactory)
    outcome = "beviljad"
    decided_on = datetime.date(2020, 12, 1)
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def amounts(self, create, extracted, **kwargs):
        for year, amount in (extracted or {}).items():
            GrantedAmountFactory(beslut=self, year=year, amount=Decimal(amount))


class GrantedAmountFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.GrantedAmount"

    beslut = factory.SubFactory(BeslutFactory)
    year = 2021
    amount = Decimal("100000")


# Applications: goals, signatures, history, milestones, attachments, and a complete application.


class GoalFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.Goal"

    insats = factory.SubFactory(InsatsFactory)
    kind = "resultatmal"
    text = factory.Sequence(lambda n: f"Minst {n + 10} deltagare går vidare till arbete eller studier")


class SignatureFactory(DjangoModelFactory):
    """A party's confirmation; by default the owner's."""

    class Meta:
        model = "insatser.Signature"

    insats = factory.SubFactory(InsatsFactory)
    medlem = factory.SelfAttribute("insats.owner")
    name = factory.Faker("name", locale="sv_SE")
    title = "Förvaltningschef"
    recorded_by = factory.SubFactory(UserFactory)


class ConfirmationFactory(DjangoModelFactory):
    """A representative's confirmation of the application as it stands; by default the owner's, confirmed.
    `ConfirmationFactory(answer="", answered_at=None)` is a request still waiting for an answer."""

    class Meta:
        model = "insatser.Confirmation"

    insats = factory.SubFactory(InsatsFactory)
    medlem = factory.SelfAttribute("insats.owner")
    representative = factory.SubFactory(UserFactory)
    title = "Förvaltningschef"
    version = factory.LazyAttribute(lambda o: _application_version(o.insats))
    requested_by = factory.SubFactory(UserFactory)
    answer = "bekraftad"
    answered_at = factory.LazyFunction(timezone.now)
    method = "inloggning"


def _application_version(insats) -> str:
    from insatser.selectors import application_version

    return application_version(insats)


class StatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.StatusChange"

    insats = factory.SubFactory(InsatsFactory)
    from_status = ""
    to_status = factory.SelfAttribute("insats.status")
    by = factory.SubFactory(UserFactory)


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = "insatser.Milestone"

    insats = factory.SubFactory(InsatsFactory)
    title = factory.Sequence(lambda n: f"Delmål {n}")
    due = datetime.date(2021, 6, 30)


class AttachmentFactory(DjangoModelFactory):
    """Writes its file to MEDIA_ROOT: point that at a temporary directory in the test."""

    class Meta:
        model = "insatser.Attachment"

    insats = factory.SubFactory(InsatsFactory)
    file = factory.django.FileField(filename="projektplan.pdf", data=b"%PDF-1.4 projektplan")
    description = "Projektplan"
    uploaded_by = factory.SubFactory(UserFactory)


def complete_application(*, partner: Medlem | None = None, status: str = "utkast", **kwargs) -> Insats:
    """An application that can be submitted: 2021–2022, a partner besides the owner, a målgrupp, a
    goal, a budget and both parties' confirmations by named representatives. Extra keyword arguments
    go to InsatsFactory."""
    kwargs.setdefault("malgrupp", Insats.Malgrupp.UNGA_VUXNA)
    insats = InsatsFactory(status=status, **kwargs)
    partner = partner or MedlemFactory(forbund=insats.forbund)
    insats.partners.add(partner)
    GoalFactory(insats=insats)
    BudgetLineFactory(
        insats=insats,
        section="Övergripande",
        description="Processledare",
        amounts={2021: 400_000, 2022: 350_000},
    )
    ConfirmationFactory(insats=insats, medlem=insats.owner)
    ConfirmationFactory(insats=insats, medlem=partner)
    return insats


# Ekonomi, budget half: cost categories, internal cost lines and a förbund's four kinds of member.
# (Used by tests/ekonomi/test_budget*.py and test_funding_calculator.py.)


class CostCategoryFactory(DjangoModelFactory):
    class Meta:
        model = "ekonomi.CostCategory"

    forbund = factory.SubFactory(ForbundFactory)
    name = factory.Sequence(lambda n: f"Kostnadsslag {n}")
    order = factory.Sequence(lambda n: n)


class BudgetCostFactory(DjangoModelFactory):
    class Meta:
        model = "ekonomi.BudgetCost"

    budget = factory.SubFactory(BudgetFactory)
    category = factory.SubFactory(CostCategoryFactory, forbund=factory.SelfAttribute("..budget.forbund"))
    amount = Decimal("10000")


def finsam_parties(forbund: Forbund, kommuner: int = 1) -> dict[str, Medlem]:
    """Försäkringskassan, Arbetsförmedlingen, a region and `kommuner` kommuner, keyed "fk", "af",
    "region", "kommun1", "kommun2" …"""
    parties = {
        "fk": MedlemFactory(forbund=forbund, kind=Medlem.Kind.FORSAKRINGSKASSAN, name="Försäkringskassan"),
        "af": MedlemFactory(forbund=forbund, kind=Medlem.Kind.ARBETSFORMEDLINGEN, name="Arbetsförmedlingen"),
        "region": MedlemFactory(forbund=forbund, kind=Medlem.Kind.REGION, name="Region Söder"),
    }
    for number in range(1, kommuner + 1):
        parties[f"kommun{number}"] = MedlemFactory(forbund=forbund, name=f"Kommun {number}")
    return parties


# Ekonomi, outcome half: invoices, account mappings, ledger imports and locked years.
# (Used by tests/ekonomi/test_invoices.py, test_ledger_import.py and test_outcome_views.py.)


class InvoiceFactory(DjangoModelFactory):
    """A received invoice for two months of an insats; InvoiceFactory.create_paid() is attested and paid."""

    class Meta:
        model = "ekonomi.Invoice"

    insats = factory.SubFactory(InsatsFactory)
    forbund = factory.SelfAttribute("insats.forbund")
    number = factory.Sequence(lambda n: f"F-2021-{n:04d}")
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 2, 28)
    amount = Decimal("100000")
    received_on = factory.LazyAttribute(lambda o: o.period_end)
    status = "mottagen"

    @classmethod
    def create_attested(cls, **kwargs):
        kwargs.setdefault("attested_on", datetime.date(2021, 3, 5))
        return cls(status="attesterad", **kwargs)

    @classmethod
    def create_paid(cls, **kwargs):
        kwargs.setdefault("attested_on", datetime.date(2021, 3, 5))
        kwargs.setdefault("paid_on", datetime.date(2021, 3, 15))
        return cls(status="betald", **kwargs)

    @classmethod
    def create_credit_note(cls, **kwargs):
        kwargs.setdefault("amount", Decimal("-20000"))
        return cls(is_credit_note=True, **kwargs)


class AccountMappingFactory(DjangoModelFactory):
    """By default an internal cost account; pass insats= or medlem= (and category=None) for the others."""

    class Meta:
        model = "ekonomi.AccountMapping"

    forbund = factory.SubFactory(ForbundFactory)
    account = factory.Sequence(lambda n: str(4100 + n))
    name = factory.Sequence(lambda n: f"Konto {n}")
    category = factory.SubFactory(CostCategoryFactory, forbund=factory.SelfAttribute("..forbund"))


class LedgerImportFactory(DjangoModelFactory):
    """An import record without entries; writes a small file to MEDIA_ROOT."""

    class Meta:
        model = "ekonomi.LedgerImport"

    forbund = factory.SubFactory(ForbundFactory)
    year = 2021
    first_month = 1
    last_month = 4
    file = factory.django.FileField(filename="huvudbok.xlsx", data=b"PK")
    filename = "huvudbok.xlsx"
    imported_by = factory.SubFactory(UserFactory)


class LedgerEntryFactory(DjangoModelFactory):
    class Meta:
        model = "ekonomi.LedgerEntry"

    ledger_import = factory.SubFactory(LedgerImportFactory)
    account = "4010"
    year = factory.SelfAttribute("ledger_import.year")
    month = 1
    amount = Decimal("25000")


class LockedPeriodFactory(DjangoModelFactory):
    class Meta:
        model = "ekonomi.LockedPeriod"

    forbund = factory.SubFactory(ForbundFactory)
    year = 2020
    locked_by = factory.SubFactory(UserFactory)


# Uppföljning: report periods and tertial reports.


REPORT_DUE = {"T1": (0, 5, 15), "T2": (0, 9, 15), "AR": (1, 2, 15)}


class ReportPeriodFactory(DjangoModelFactory):
    """T1 2021, due 15 May (T2: 15 September, AR: 15 February the year after), reminders a week before."""

    class Meta:
        model = "uppfoljning.ReportPeriod"

    forbund = factory.SubFactory(ForbundFactory)
    year = 2021
    kind = "T1"
    due_date = factory.LazyAttribute(
        lambda o: datetime.date(o.year + REPORT_DUE[o.kind][0], *REPORT_DUE[o.kind][1:])
    )
    reminder_days = 7


class TertialrapportFactory(DjangoModelFactory):
    """A draft report of an insats in the period's förbund; create_submitted(), create_returned() and
    create_approved() give the other states (without their history rows)."""

    class Meta:
        model = "uppfoljning.Tertialrapport"

    period = factory.SubFactory(ReportPeriodFactory)
    insats = factory.SubFactory(InsatsFactory, forbund=factory.SelfAttribute("..period.forbund"))
    status = "utkast"

    @classmethod
    def create_submitted(cls, **kwargs):
        return cls(status="inskickad", **kwargs)

    @classmethod
    def create_returned(cls, **kwargs):
        return cls(status="returnerad", **kwargs)

    @classmethod
    def create_approved(cls, **kwargs):
        return cls(status="godkand", **kwargs)


class ParticipantCountFactory(DjangoModelFactory):
    """One count in a report's statistics: ParticipantCountFactory(report=r, dimension="gender",
    category="kvinnor", count=7)."""

    class Meta:
        model = "uppfoljning.ParticipantCount"

    report = factory.SubFactory(TertialrapportFactory)
    dimension = "flow"
    category = "nya"
    count = 10


# Styrelsen: agenda items and delegationsbeslut.


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = "forbund.AgendaItem"

    meeting = factory.SubFactory(StyrelsemoteFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = "beslut"
    title = factory.Sequence(lambda n: f"Ärende {n}")
    proposal = "Styrelsen beslutar enligt förslaget."


class DelegationsbeslutFactory(DjangoModelFactory):
    class Meta:
        model = "forbund.Delegationsbeslut"

    forbund = factory.SubFactory(ForbundFactory)
    decided_on = datetime.date(2021, 2, 1)
    title = factory.Sequence(lambda n: f"Delegationsärende {n}")
    description = "Beviljat enligt delegationsordningen."
    decided_by = factory.SubFactory(PersonFactory, forbund=factory.SelfAttribute("..forbund"))
    recorded_by = factory.SubFactory(UserFactory)
