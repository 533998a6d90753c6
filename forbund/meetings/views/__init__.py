"""The pages about the board's meetings, split by concept: the meeting page, agenda, notice and
delegationsbeslut (agenda), attendance, minutes, justering and rättelser (minutes), the packet and
the minutes as PDF (packet), and the public archive (public). Their URLs are in ..urls."""
