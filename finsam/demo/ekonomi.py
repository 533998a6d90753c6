"""Demo budget: Samordningsförbundet Trelleborg 2021 exactly as its verksamhetsplan och budget
gives it (section 12): eget kapital 2 665 tkr balanced from 2019, −772 tkr forecast for 2020,
income 1 000 + 500 + 500 tkr, internal costs 603 tkr in eight lines, insatser 3 045 tkr from the
grants, a budgeted deficit of 1 648 tkr. The multi-year plan figures are invented."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ekonomi.models import Budget
from ekonomi.services.budget import (
    BudgetContent,
    OutlineData,
    budget_create,
    budget_decide,
    budget_save,
    cost_categories_ensure,
)
from finsam.demo.decisions import board_item
from forbund.models import Forbund, Medlem, User

INTERNAL_COSTS_2021 = [
    ("Samordnare", "Samordnare (inlånad 33 %)", 300_000),
    ("Styrelse", "Styrelse", 100_000),
    ("Information och IT", "Information, IT", 20_000),
    ("Ekonomiadministration", "Ekonomiadministration", 30_000),
    ("Revision", "Revision", 28_000),
    ("Kurser och konferenser", "Kurser och konferenser", 20_000),
    ("Utvärdering", "Utvärdering", 100_000),
    ("Övrigt", "Övrigt", 5_000),
]
INCOME_2021 = {"Försäkringskassan": 1_000_000, "Region Skåne": 500_000, "Trelleborgs kommun": 500_000}
OUTLINE = [(2022, 2_200_000, 620_000, 950_000), (2023, 2_400_000, 630_000, 1_200_000)]
COMMENT = (
    "Eget kapital är högre än rekommendationen, så förbundet budgeterar med ett underskott 2021. "
    "Beräknat resultat för 2020 kommer från prognosen per 2020-08-31."
)


def load_budget(forbund: Forbund, by: User) -> Budget:
    """Trelleborg's 2021 budget, written and decided through the budget services like any other (`by`
    must be samordnare or ekonom). Once decided it is left as it is."""
    budget = Budget.objects.filter(forbund=forbund, year=2021, version=1).first()
    if budget is not None and budget.is_decided:
        return budget
    categories = {category.name: category for category in cost_categories_ensure(forbund, by=by)}
    medlemmar = {medlem.name: medlem for medlem in Medlem.objects.filter(forbund=forbund)}
    budget = budget or budget_create(forbund=forbund, year=2021, by=by)
    content = BudgetContent(
        incomes={medlemmar[name]: Decimal(amount) for name, amount in INCOME_2021.items()},
        costs={categories[name]: (text, Decimal(amount)) for name, text, amount in INTERNAL_COSTS_2021},
        outline=[OutlineData(year, Decimal(i), Decimal(c), Decimal(s)) for year, i, c, s in OUTLINE],
        opening_equity=Decimal(2_665_000),
        opening_equity_note="Balanserat eget kapital 2019",
        forecast_result_previous_year=Decimal(-772_000),
        funding_deviation="",
        comment=COMMENT,
    )
    budget_save(budget=budget, by=by, content=content)
    item = board_item(forbund, datetime.date(2020, 11, 18), 31, f"Budget {budget.year}", budget=budget)
    return budget_decide(budget=budget, by=by, item=item)
