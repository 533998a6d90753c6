"""Writes about the board's meetings, split by concept: the agenda and delegationsbeslut (agenda),
the notice (notice), attendance, decisions, the minutes' status, justering and rättelser (minutes)."""
