"""Split by concept: reports (periods, the status board, one report), followup (the förbund's sums,
the export and the indicators) and documents (verksamhetsplan, årsredovisning, PDF jobs)."""
