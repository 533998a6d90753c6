"""Demo outcome for Samordningsförbundet Trelleborg 2021, January–August: cost categories, account
mappings, the insatser's invoices and the huvudbok in `trelleborg-huvudbok-2021-jan-aug.xlsx`
(imported through the real import service).

Idempotent: categories, mappings and invoices are looked up by natural keys; the ledger import is
run again and replaces the earlier one for the same months, so totals never double.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from ekonomi.models import DEFAULT_COST_CATEGORIES, AccountMapping, CostCategory, Invoice, LedgerImport
from ekonomi.services.outcome import invoice_transition, ledger_import
from forbund.models import Forbund, Medlem, Role, User
from insatser.models import Insats

D = datetime.date
DEMO_LEDGER = Path(__file__).resolve().parent / "trelleborg-huvudbok-2021-jan-aug.xlsx"

# account → (name, kind, target name)
DEMO_ACCOUNTS = {
    "3010": ("Bidrag Försäkringskassan", "medlem", "Försäkringskassan"),
    "3020": ("Bidrag Region Skåne", "medlem", "Region Skåne"),
    "3030": ("Bidrag Trelleborgs kommun", "medlem", "Trelleborgs kommun"),
    "4010": ("Samordnare", "category", "Samordnare"),
    "4020": ("Styrelse", "category", "Styrelse"),
    "4030": ("Information och IT", "category", "Information och IT"),
    "4040": ("Ekonomiadministration", "category", "Ekonomiadministration"),
    "4050": ("Revision", "category", "Revision"),
    "4060": ("Kurser och konferenser", "category", "Kurser och konferenser"),
    "4070": ("Utvärdering", "category", "Utvärdering"),
    "4090": ("Övrigt", "category", "Övrigt"),
    "4510": ("Yrkeskedjor", "insats", "Yrkeskedjor"),
    "4520": ("Unga Vuxna", "insats", "Unga Vuxna"),
}

PAID, RECEIVED = Invoice.Status.BETALD, Invoice.Status.MOTTAGEN
# insats → [(number, period_start, period_end, amount, received, attested, paid, status, note)]
DEMO_INVOICES = {
    "Yrkeskedjor": [
        (
            "TK-2021-0112",
            D(2021, 1, 1),
            D(2021, 2, 28),
            382_500,
            D(2021, 2, 26),
            D(2021, 3, 3),
            D(2021, 3, 15),
            PAID,
            "",
        ),
        (
            "TK-2021-0347",
            D(2021, 3, 1),
            D(2021, 4, 30),
            382_500,
            D(2021, 4, 30),
            D(2021, 5, 5),
            D(2021, 5, 17),
            PAID,
            "",
        ),
        (
            "TK-2021-0589",
            D(2021, 5, 1),
            D(2021, 6, 30),
            382_500,
            D(2021, 6, 30),
            D(2021, 7, 6),
            D(2021, 7, 19),
            PAID,
            "",
        ),
        ("TK-2021-0811", D(2021, 7, 1), D(2021, 8, 31), 382_500, D(2021, 8, 31), None, None, RECEIVED, ""),
    ],
    "Unga Vuxna": [
        (
            "RS-21-10233",
            D(2021, 1, 1),
            D(2021, 2, 28),
            98_400,
            D(2021, 2, 26),
            D(2021, 3, 3),
            D(2021, 3, 15),
            PAID,
            "",
        ),
        (
            "RS-21-10871",
            D(2021, 3, 1),
            D(2021, 4, 30),
            104_250,
            D(2021, 4, 30),
            D(2021, 5, 5),
            D(2021, 5, 17),
            PAID,
            "",
        ),
        (
            "RS-21-11402",
            D(2021, 5, 1),
            D(2021, 6, 30),
            96_300,
            D(2021, 6, 30),
            D(2021, 7, 6),
            D(2021, 7, 19),
            PAID,
            "",
        ),
        (
            "RS-21-11957",
            D(2021, 7, 1),
            D(2021, 7, 31),
            41_050,
            D(2021, 8, 20),
            None,
            None,
            RECEIVED,
            "Slutfaktura: insatsen avslutades 2021-07-31. Lägre kostnader än budgeterat "
            "på grund av pandemin.",
        ),
    ],
}


@transaction.atomic
def load_demo_outcome(forbund: Forbund, by: User) -> LedgerImport:
    """Load the demo outcome into `forbund` (Trelleborg: its members and the insatser Yrkeskedjor and
    Unga Vuxna must exist). `by` must be allowed to manage the förbund's economy (samordnare or
    ekonom). Returns the ledger import."""
    categories = {}
    for index, name in enumerate(DEFAULT_COST_CATEGORIES):
        categories[name], _ = CostCategory.objects.get_or_create(
            forbund=forbund, name=name, defaults={"order": index}
        )
    targets = {
        "category": categories,
        "medlem": {medlem.name: medlem for medlem in Medlem.objects.filter(forbund=forbund)},
        "insats": {insats.name: insats for insats in Insats.objects.filter(forbund=forbund)},
    }
    for account, (name, kind, target) in DEMO_ACCOUNTS.items():
        links = {"category": None, "insats": None, "medlem": None, kind: targets[kind][target]}
        mapping, _ = AccountMapping.objects.update_or_create(
            forbund=forbund, account=account, defaults={"name": name, **links}
        )
        mapping.full_clean()

    # The ekonom registers and pays; someone else, the samordnare, attests.
    attester = (
        Role.objects.filter(forbund=forbund, kind=Role.Kind.SAMORDNARE).select_related("user").first().user
    )
    for insats_name, rows in DEMO_INVOICES.items():
        insats = targets["insats"][insats_name]
        for number, start, end, amount, received, attested, paid, status, note in rows:
            invoice, _ = Invoice.objects.update_or_create(
                forbund=forbund,
                insats=insats,
                period_start=start,
                period_end=end,
                defaults={
                    "number": number,
                    "amount": Decimal(amount),
                    "is_credit_note": False,
                    "received_on": received,
                    "note": note,
                    "registered_by": by,
                },
            )
            invoice.full_clean()
            _walk_invoice(invoice, status, by=by, attester=attester, attested=attested, paid=paid)

    with DEMO_LEDGER.open("rb") as file:
        return ledger_import(forbund=forbund, by=by, file=file, filename=DEMO_LEDGER.name)


def _walk_invoice(invoice: Invoice, status: str, *, by: User, attester: User, attested, paid) -> None:
    """Take a demo invoice through its workflow to `status`: the samordnare attests, the ekonom pays
    (a loaded invoice already there is left alone)."""
    steps = [(Invoice.Status.ATTESTERAD, attested), (Invoice.Status.BETALD, paid)]
    order = [Invoice.Status.MOTTAGEN, *(target for target, _ in steps)]
    for target, day in steps:
        if order.index(invoice.status) < order.index(target) <= order.index(status):
            step_by = attester if target == Invoice.Status.ATTESTERAD else by
            invoice_transition(invoice=invoice, to=target, by=step_by, on=day)
            invoice.refresh_from_db()
