"""Runs inside a separate installation (its own DATABASE_URL and MEDIA_ROOT) for the backup
round-trip tests in test_backup.py, so pytest's own test database is never touched.

    python -m tests.kernel.backup_site prepare [--no-migrate]   migrate, load the demo, print figures
    python -m tests.kernel.backup_site figures                  print figures (JSON)
    python -m tests.kernel.backup_site damage                   change rows the figures depend on
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
    import django

    django.setup()


def all_models():
    from django.apps import apps

    return apps.get_models()


def figures() -> dict:
    """What a user would compare: budget totals per year through the real selectors, invoice and
    ledger sums per förbund, and the number of rows of every model."""
    from django.db import connection

    from ekonomi.selectors.budget import budget_overview, budgets_for
    from ekonomi.selectors.outcome import invoice_total, invoices_for, ledger_amounts, ledger_years
    from forbund.models import Forbund

    result: dict = {}
    for forbund in Forbund.objects.order_by("slug"):
        budgets = {}
        for budget in budgets_for(forbund):
            overview = budget_overview(budget)
            budgets[f"{budget.year} v{budget.version}"] = [
                str(overview.income_total),
                str(overview.cost_total),
                str(overview.result),
            ]
        result[forbund.slug] = {
            "budgets": budgets,
            "invoices": str(invoice_total(invoices_for(forbund))),
            "ledger": {
                str(year): str(sum(ledger_amounts(forbund, year).values(), Decimal(0)))
                for year in ledger_years(forbund)
            },
        }
    # Counted last: reading a budget creates the förbund's EconomySettings row on first use.
    result["rows"] = {model._meta.label: model._base_manager.count() for model in all_models()}
    result["tables"] = sorted(connection.introspection.table_names())
    return result


def damage() -> None:
    from django.db import connection

    from ekonomi.models import BudgetIncome, LedgerEntry

    LedgerEntry.objects.all().delete()
    BudgetIncome.objects.update(amount=1)
    # As a later migration would: a restore must not leave it behind for the next `migrate` to trip on.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE tillkommen_efter_backup (id integer)")


def main(argv: list[str]) -> None:
    setup()
    action = argv[0]
    if action == "prepare":
        from django.core.management import call_command

        if "--no-migrate" not in argv:
            call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    elif action == "damage":
        damage()
    print(json.dumps(figures(), sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
