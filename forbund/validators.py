import re

from django.core.exceptions import ValidationError

ORGANISATIONSNUMMER_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def validate_organisationsnummer(value: str) -> None:
    match = ORGANISATIONSNUMMER_RE.match(value.strip())
    if not match:
        raise ValidationError("Ange organisationsnumret som NNNNNN-NNNN.", code="format")
    if not luhn_valid(match.group(1) + match.group(2)):
        raise ValidationError("Organisationsnumret har fel kontrollsiffra.", code="checksum")
