"""URL converters.

A year in an address is a förbund's year: four digits from 2004 (the first year under the Finsam law)
to 2100; anything else is a 404, never a date error deep in a view.

An id in an address is a record's primary key: at most 18 digits, so it always fits PostgreSQL's
bigint (19 digits, up to 9 223 372 036 854 775 807). A longer number is a 404 at the URL resolver
instead of a DataError (a 500) when the view looks the record up. Use `<id:pk>`, never `<int:pk>`.
"""

from __future__ import annotations

FIRST_YEAR, LAST_YEAR = 2004, 2100
ID_DIGITS = 18


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"{year} är inget år i finsam.")
        return year

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class IdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
