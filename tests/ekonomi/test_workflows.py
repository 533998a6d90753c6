"""The economy's workflows, pinned from the domain: an invoice is received, then attested, then paid,
by the kansli (samordnare or ekonom); a budget version is a proposal until the board's decision is
registered, which is never a plain button. Every (from, to, role) is tried, so a step added, removed
or opened to another role fails here."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ekonomi.models import Budget, BudgetStatusChange, Invoice, InvoiceStatusChange
from ekonomi.services.budget import BudgetContent, budget_create, budget_decide, budget_save
from finsam import access, workflow
from forbund.models import Role
from tests.factories import (
    AgendaItemFactory,
    BeslutFactory,
    InsatsFactory,
    InvoiceFactory,
    StyrelsemoteFactory,
    finsam_parties,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Kind = Role.Kind
ALL_ROLES = [kind for kind, _ in Kind.choices]
INVOICE_STATUSES = ["mottagen", "attesterad", "betald"]
BUDGET_STATUSES = ["forslag", "beslutad"]

# The invoice workflow, as the domain has it: (from, to, who may take the step, the button's label).
INVOICE_STEPS = [
    ("mottagen", "attesterad", {"samordnare", "ekonom"}, "Attestera"),
    ("attesterad", "betald", {"samordnare", "ekonom"}, "Markera som betald"),
]
# The budget workflow: one step, taken only when the board's decision is registered.
BUDGET_STEPS = [("forslag", "beslutad", {"samordnare", "ekonom"})]


@pytest.fixture
def parties(forbund):
    return finsam_parties(forbund, kommuner=1)


@pytest.fixture
def users(forbund, parties):
    def make(kind):
        extra = {"medlem": parties["kommun1"]} if kind == Kind.PROJEKTAGARE else {}
        return user_with_role(forbund, kind, **extra)

    return {kind: make(kind) for kind in ALL_ROLES}


def invoice_in(status: str, insats) -> Invoice:
    make = {
        "mottagen": InvoiceFactory,
        "attesterad": InvoiceFactory.create_attested,
        "betald": InvoiceFactory.create_paid,
    }[status]
    return make(insats=insats)


# Invoices ---------------------------------------------------------------------------------------


def test_the_invoice_workflow_allows_exactly_the_domains_steps_to_the_kansli(forbund, parties, users):
    # The projektägare's own organisation owns the insats: owning it still gives no right to attest.
    insats = InsatsFactory(forbund=forbund, owner=parties["kommun1"])
    allowed = {(source, target, role) for source, target, roles, _ in INVOICE_STEPS for role in roles}
    invoices = {status: invoice_in(status, insats) for status in INVOICE_STATUSES}

    for source, target, role in itertools.product(INVOICE_STATUSES, INVOICE_STATUSES, ALL_ROLES):
        verdict = access.check("transition", users[role], invoices[source], target)
        assert bool(verdict) == ((source, target, role) in allowed), (source, target, role)


def test_the_invoice_list_offers_the_next_step_as_its_only_button(forbund, users):
    insats = InsatsFactory(forbund=forbund)
    for status, expected in [
        ("mottagen", ["Attestera"]),
        ("attesterad", ["Markera som betald"]),
        ("betald", []),
    ]:
        invoice = invoice_in(status, insats)
        for role in ALL_ROLES:
            labels = [step.label for step in workflow.steps_for(users[role], invoice)]
            assert labels == (expected if role in {"samordnare", "ekonom"} else []), (status, role)


def test_a_refused_invoice_step_says_why(forbund, users):
    insats = InsatsFactory(forbund=forbund)
    paid = invoice_in("betald", insats)
    received = invoice_in("mottagen", insats)

    backwards = access.check("transition", users[Kind.EKONOM], paid, "attesterad")
    by_role = access.check("transition", users[Kind.REVISOR], received, "attesterad")

    assert backwards.locked and backwards.reason == "En faktura som är betald kan inte bli attesterad."
    assert not by_role.locked and by_role.reason == "Din roll får inte göra detta: attestera."


def test_each_invoice_step_writes_one_history_row_with_who_and_the_dates(forbund, users):
    from ekonomi.services.outcome import invoice_transition

    ekonom, samordnare = users[Kind.EKONOM], users[Kind.SAMORDNARE]
    invoice = InvoiceFactory(insats=InsatsFactory(forbund=forbund), received_on=datetime.date(2021, 3, 1))

    invoice_transition(invoice=invoice, to="attesterad", by=ekonom, on=datetime.date(2021, 3, 4))
    invoice_transition(invoice=invoice, to="betald", by=samordnare, on=datetime.date(2021, 3, 20))

    rows = InvoiceStatusChange.objects.filter(invoice=invoice).order_by("id")
    assert [(r.from_status, r.to_status, r.by) for r in rows] == [
        ("mottagen", "attesterad", ekonom),
        ("attesterad", "betald", samordnare),
    ]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attested_on, invoice.paid_on, invoice.lock_version) == (
        "betald",
        datetime.date(2021, 3, 4),
        datetime.date(2021, 3, 20),
        2,
    )


# Budgets ----------------------------------------------------------------------------------------


def budget_item(budget, date):
    """The item about this budget version on the agenda of a board meeting on `date`."""
    meeting = StyrelsemoteFactory(forbund=budget.forbund, date=date)
    return AgendaItemFactory(meeting=meeting, budget=budget, title=f"Beslut om {budget}")


@pytest.fixture
def proposal(forbund, parties, users):
    insats = InsatsFactory(forbund=forbund, owner=parties["kommun1"])
    BeslutFactory(insats=insats, amounts={2021: 300_000})
    by = users[Kind.EKONOM]
    budget = budget_create(forbund=forbund, year=2021, by=by)
    content = BudgetContent(
        incomes={
            parties["fk"]: Decimal(1_000_000),
            parties["region"]: Decimal(500_000),
            parties["kommun1"]: Decimal(500_000),
        },
        costs={},
        outline=[],
        opening_equity=None,
        opening_equity_note="",
        forecast_result_previous_year=None,
        funding_deviation="",
        comment="",
    )
    return budget_save(budget=budget, by=by, content=content)


def test_the_budget_workflow_has_one_step_for_the_kansli(forbund, users, proposal):
    allowed = {(source, target, role) for source, target, roles in BUDGET_STEPS for role in roles}
    decided = Budget.objects.create(forbund=forbund, year=2020, status="beslutad")
    budgets = {"forslag": proposal, "beslutad": decided}

    for source, target, role in itertools.product(BUDGET_STATUSES, BUDGET_STATUSES, ALL_ROLES):
        verdict = access.check("transition", users[role], budgets[source], target)
        assert bool(verdict) == ((source, target, role) in allowed), (source, target, role)


def test_the_budget_decision_is_no_button(users, proposal):
    assert all(workflow.steps_for(users[role], proposal) == [] for role in ALL_ROLES)

    with pytest.raises(PermissionDenied, match="styrelsens beslut"):
        workflow.transition(proposal, to="beslutad", by=users[Kind.SAMORDNARE])

    proposal.refresh_from_db()
    assert proposal.status == "forslag"
    assert not BudgetStatusChange.objects.filter(budget=proposal).exists()


def test_registering_the_decision_takes_the_step_and_keeps_the_version_as_decided(users, proposal):
    samordnare = users[Kind.SAMORDNARE]

    item = budget_item(proposal, datetime.date(2020, 11, 18))
    budget_decide(budget=proposal, by=samordnare, item=item)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decided_item, proposal.decided_on) == (
        "beslutad",
        samordnare,
        item,
        datetime.date(2020, 11, 18),
    )
    (step,) = BudgetStatusChange.objects.filter(budget=proposal)
    assert (step.from_status, step.to_status, step.by) == ("forslag", "beslutad", samordnare)
    assert sorted(step.snapshot["incomes"].values()) == ["1000000", "500000", "500000"]
    assert list(step.snapshot["insats_costs"].values()) == ["300000"]


@pytest.mark.parametrize("kind", [Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR, Kind.PROJEKTAGARE])
def test_only_the_kansli_registers_the_decision(users, proposal, kind):
    with pytest.raises(PermissionDenied):
        budget_decide(
            budget=proposal, by=users[kind], item=budget_item(proposal, datetime.date(2020, 11, 18))
        )

    proposal.refresh_from_db()
    assert proposal.status == "forslag"


def test_a_decided_budget_cannot_be_decided_twice_through_the_engine(users, proposal):
    budget_decide(
        budget=proposal, by=users[Kind.EKONOM], item=budget_item(proposal, datetime.date(2020, 11, 18))
    )

    with pytest.raises(ValidationError, match="revidering"):
        budget_decide(
            budget=proposal, by=users[Kind.EKONOM], item=budget_item(proposal, datetime.date(2020, 11, 19))
        )

    assert BudgetStatusChange.objects.filter(budget=proposal).count() == 1


def test_the_one_who_registered_an_invoice_does_not_attest_it(forbund, users):
    from ekonomi.services.outcome import invoice_save, invoice_transition

    ekonom, samordnare = users[Kind.EKONOM], users[Kind.SAMORDNARE]
    insats = InsatsFactory(forbund=forbund)
    BeslutFactory(insats=insats, amounts={2021: 500_000})
    received = InvoiceFactory.build(insats=insats, received_on=datetime.date(2021, 3, 1))
    invoice = invoice_save(forbund=forbund, by=ekonom, invoice=received)

    assert not access.check("transition", ekonom, invoice, "attesterad")
    with pytest.raises(PermissionDenied, match="registrerade fakturan attesterar den inte"):
        invoice_transition(invoice=invoice, to="attesterad", by=ekonom, on=datetime.date(2021, 3, 4))
    assert Invoice.objects.get(pk=invoice.pk).status == "mottagen"

    invoice_transition(invoice=invoice, to="attesterad", by=samordnare, on=datetime.date(2021, 3, 4))
    # Paying is not attesting: the registrar may mark an attested invoice as paid.
    invoice_transition(invoice=invoice, to="betald", by=ekonom, on=datetime.date(2021, 3, 20))
    assert Invoice.objects.get(pk=invoice.pk).status == "betald"
