"""No personal data about participants: recognising Swedish personnummer and samordningsnummer in
free text, so that a form can refuse them and a command can find those already stored.

The Finsam law gives a förbund no legal basis to process personal data about individuals in an
insats (see DOMAIN.md). A projektägare writing about "the participant 850312-…" in a report would
put that person in the board's meeting packet, which is an allmän handling.

A number counts only if it is written as one (`YYYYMMDD-NNNC`, `YYMMDD-NNNC`, `YYMMDD+NNNC`, with a
space for the dash, or without a separator), stands on its own (not inside a longer run of digits),
has a real date (a samordningsnummer adds 60 to the day) and a correct Luhn check digit over the ten
digits `YYMMDDNNN C`. So an organisationsnummer (its "month" is 20 or more), an amount (1 893 000), a
date (2021-03-17) or a phone number is not flagged unless it happens to be all of these at once."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

SAMORDNING_OFFSET = 60

# A century (19/20/18), then YYMMDD, an optional separator, and four digits; no digit on either side.
# A separator of one space, a hyphen, a plus, or the dashes a word processor puts in (– and −).
_CANDIDATE = re.compile(
    r"(?<![\d])"
    r"(?P<century>1[89]|20)?"
    r"(?P<date>\d{6})"
    r"(?P<sep>[-+\u2010\u2011\u2012\u2013\u2212 ]?)"
    r"(?P<tail>\d{4})"
    r"(?![\d])"
)
# Digits joined to it by a dash or plus ("12-850312-1234-5") make it part of a longer reference.
_GLUED_BEFORE = re.compile(r"\d[-+]$")
_GLUED_AFTER = re.compile(r"^[-+]\d")


@dataclass(frozen=True)
class Match:
    """One identity number found in a text: where it is and how it may be shown."""

    text: str  # as written
    start: int
    end: int
    line: int  # 1-based line of the text it stands on
    birth_date: datetime.date
    samordningsnummer: bool

    @property
    def masked(self) -> str:
        """The date part with the last four digits hidden: 19850312-****, never the whole number."""
        return f"{self.birth_date:%Y%m%d}-****"


def luhn_valid(digits: str) -> bool:
    """The Luhn check over the ten digits YYMMDDNNNC: weights 2,1,2,1… from the left."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _years(century: str | None, yy: int, sep: str) -> list[int]:
    """The years a number may stand for, likeliest first. Without a century: the latest year not in
    the future ("+" adds a hundred years of age), then the century before (29 February exists in one
    and not the other)."""
    if century:
        return [int(century) * 100 + yy]
    this_year = timezone.localdate().year
    year = this_year - (this_year - yy) % 100
    if sep == "+":
        year -= 100
    return [year, year - 100]


def _birth_date(century: str | None, yymmdd: str, sep: str) -> tuple[datetime.date, bool] | None:
    """The date the number stands for, and whether it is a samordningsnummer; None if no real date."""
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    samordning = day > SAMORDNING_OFFSET
    if samordning:
        day -= SAMORDNING_OFFSET
    for year in _years(century, yy, sep):
        try:
            return datetime.date(year, month, day), samordning
        except ValueError:
            continue
    return None


def find_identity_numbers(text: str) -> list[Match]:
    """Every personnummer and samordningsnummer in `text`, in order."""
    if not text:
        return []
    found = []
    for candidate in _CANDIDATE.finditer(text):
        century, yymmdd, sep, tail = candidate.group("century", "date", "sep", "tail")
        if century and sep == "+":
            continue  # the plus belongs only to the ten-digit form
        start, end = candidate.span()
        if _GLUED_BEFORE.search(text[max(0, start - 2) : start]) or _GLUED_AFTER.match(text[end:]):
            continue
        if not luhn_valid(yymmdd + tail):
            continue
        date = _birth_date(century, yymmdd, sep)
        if date is None:
            continue
        born, samordning = date
        found.append(
            Match(
                text=candidate.group(),
                start=start,
                end=end,
                line=text.count("\n", 0, start) + 1,
                birth_date=born,
                samordningsnummer=samordning,
            )
        )
    return found


def _where(match: Match, text: str) -> str:
    line = f", rad {match.line}" if "\n" in text.strip() else ""
    return f" ({match.masked}{line})"


def refusal_message(label: str, match: Match, text: str) -> str:
    """The Swedish message for a field holding an identity number; shows only the masked number."""
    kind = "ett samordningsnummer" if match.samordningsnummer else "ett personnummer"
    return (
        f"Fältet ”{label}” innehåller något som ser ut som {kind}{_where(match, text)}. "
        "Skriv inte personuppgifter om deltagare här – beskriv utan att peka ut någon."
    )


def no_identity_numbers(value: str, *, label: str = "") -> None:
    """A validator: refuses a text holding a personnummer or samordningsnummer. Use it directly, or
    bound to a field's label (`functools.partial(no_identity_numbers, label=…)`); forms get it through
    `ScreenedTextMixin`, which names the field."""
    if not isinstance(value, str):
        return
    found = find_identity_numbers(value)
    if found:
        raise ValidationError(refusal_message(label or "texten", found[0], value), code="personnummer")


class ScreenedTextMixin:
    """Screens every visible text field (CharField and its kin) of a form for identity numbers and
    puts the refusal on the field itself. What was typed stays: the form re-renders with its data."""

    def _screened_fields(self):
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and not field.widget.is_hidden:
                yield name, field

    def clean(self):
        # Before the form's own checks, which may raise and would otherwise skip the screening.
        for name, field in list(self._screened_fields()):
            value = self.cleaned_data.get(name)
            if not isinstance(value, str) or name in self.errors:
                continue
            try:
                no_identity_numbers(value, label=str(field.label or name))
            except ValidationError as error:
                self.add_error(name, error)
        return super().clean()
