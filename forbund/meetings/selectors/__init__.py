"""Reads about the board's meetings, split by concept: the agenda (agenda), the notice and its
calendar file (notice), attendance, quorum and the minutes (minutes), the packet (packet)."""
