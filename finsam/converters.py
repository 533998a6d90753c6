"""URL converters. A year in an address is a förbund's year: four digits from 2004 (the first year
under the Finsam law) to 2100; anything else is a 404, never a date error deep in a view."""

from __future__ import annotations

FIRST_YEAR, LAST_YEAR = 2004, 2100


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{year} är inget år i finsam.")
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"
