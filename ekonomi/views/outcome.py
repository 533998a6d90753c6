"""Outcome pages: invoices, account mappings and ledger import."""

urlpatterns: list = []
