"""Split by concept: budget (the yearly budget and its versions) and outcome (invoices, ledger)."""
