"""The economy's two workflows, taken only through the workflow engine (`finsam.workflow.transition`)
and read by the access module (`can_transition`). Registered at startup from `EkonomiConfig.ready()`.

- An invoice is received (mottagen), attested by the kansli and then paid. The step's date and
  who took it are recorded with it (`attested_on`/`attested_by`, `paid_on`/`paid_by`); the service
  checks the dates. Who may attest and pay is the förbund's attest rules.
- A budget version is a proposal (förslag) until the board decides it (beslutad). The decision is
  recorded by `budget_decide` with its date, meeting and paragraph, never by a plain button; a
  decided version is changed only by making a new version.
"""

from __future__ import annotations

from finsam import workflow
from finsam.workflow import Step
from forbund.models import Role

from .models import Budget, BudgetStatusChange, Invoice, InvoiceStatusChange

IS = Invoice.Status
BS = Budget.Status
KANSLI = frozenset({Role.Kind.SAMORDNARE, Role.Kind.EKONOM})
BY_DECISION = "En budget blir beslutad när styrelsens beslut registreras, med datum, möte och paragraf."


def budget_snapshot(budget: Budget, target: str) -> dict | None:
    """The decided version as the board decided it: its lines, with the insats costs just frozen."""
    if target != BS.BESLUTAD:
        return None
    return {
        "incomes": {str(row.medlem): str(row.amount) for row in budget.intakter.select_related("medlem")},
        "costs": {str(row): str(row.amount) for row in budget.costs.select_related("category")},
        "insats_costs": {
            str(row.insats): str(row.amount) for row in budget.insats_costs.select_related("insats")
        },
        "outline": [
            [row.year, str(row.income), str(row.internal_costs), str(row.insats_costs)]
            for row in budget.outline.all()
        ],
    }


def invoice_snapshot(invoice: Invoice, target: str) -> dict:
    """The dates of the steps as they stood after this one: the history keeps when it was attested
    and paid, not only who clicked when."""
    return {
        "amount": str(invoice.amount),
        "attested_on": invoice.attested_on.isoformat() if invoice.attested_on else None,
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else None,
        "over_grant_reason": invoice.over_grant_reason,
    }


INVOICE_WORKFLOW = workflow.register(
    workflow.Workflow(
        noun="en faktura",
        model=Invoice,
        history=InvoiceStatusChange,
        history_fk="invoice",
        steps=[
            # The förbund's attest rules (`finsam.access.can_attest_invoice`, `can_pay_invoice`) say
            # which of the kansli attest, and keep registrar, attester and payer apart by default.
            Step(IS.MOTTAGEN, IS.ATTESTERAD, "Attestera", KANSLI, rule="attest_invoice"),
            Step(IS.ATTESTERAD, IS.BETALD, "Markera som betald", KANSLI, rule="pay_invoice"),
        ],
        snapshot=invoice_snapshot,
        lock_related=("insats", "forbund"),
    )
)

BUDGET_WORKFLOW = workflow.register(
    workflow.Workflow(
        noun="en budget",
        model=Budget,
        history=BudgetStatusChange,
        history_fk="budget",
        steps=[Step(BS.FORSLAG, BS.BESLUTAD, "Besluta budgeten", KANSLI, automatic=True, how=BY_DECISION)],
        snapshot=budget_snapshot,
        lock_related=("forbund",),
    )
)
