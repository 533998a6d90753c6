"""Forms for the board's meetings, split by concept: the agenda, notice and delegationsbeslut
(agenda), attendance, decisions, justerare and rättelser (minutes)."""
