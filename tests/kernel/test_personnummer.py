"""Recognising personnummer and samordningsnummer in free text, from the rules: a real date (a
samordningsnummer adds 60 to the day) and a right Luhn check digit over YYMMDDNNNC, written in one of
the usual ways and standing on its own. The check digits below are computed by hand:

  850312-123?  digits 8 5 0 3 1 2 1 2 3, weights 2 1 2 1 2 1 2 1 2 → 16 5 0 3 2 2 2 2 6,
               digit sums 7+5+0+3+2+2+2+2+6 = 29 → check digit 1 (850312-1231).
  850372-123?  the day's 7 doubled is 14 → 5: 7+5+0+3+5+2+2+2+6 = 32 → check digit 8 (850372-1238).
  121212-121?  1 2 1 2 1 2 1 2 1 doubled alternately: 2+2+2+2+2+2+2+2+2 = 18 → 2 (Skatteverket's
               test number 19121212-1212; "191212-1212" is another number: 2+9+2+2+2+2+2+2+2 = 25,
               so its check digit would be 5).
  850332-123?  7+5+0+3+6+2+2+2+6 = 33 → 7 (day 32: Luhn right, date wrong).
  222000-123?  4+2+4+0+0+0+2+2+6 = 20 → 0 (an organisationsnummer's shape: "month" 20).
  000229-123?  0+0+0+2+4+9+2+2+6 = 25 → 5 (29 February 2000).
  010229-123?  0+1+0+2+4+9+2+2+6 = 26 → 4 (29 February 2001 and 1901 do not exist).
  850392-123?  9 doubled is 18 → 9: 7+5+0+3+9+2+2+2+6 = 36 → 4 (day 92 − 60 = 32: no such date).
  070123-456?  0+7+0+1+4+3+8+5+3 = 31 → 9 (a mobile number 070-123 45 69 is all of it).
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from finsam.personnummer import ScreenedTextMixin, find_identity_numbers, luhn_valid, no_identity_numbers

FLAGGED = [
    ("19121212-1212", datetime.date(1912, 12, 12), False),
    # Ten digits: the latest such date not in the future, a hundred years earlier after a plus.
    ("121212-1212", datetime.date(2012, 12, 12), False),
    ("121212+1212", datetime.date(1912, 12, 12), False),
    ("1212121212", datetime.date(2012, 12, 12), False),
    ("191212121212", datetime.date(1912, 12, 12), False),
    ("19121212 1212", datetime.date(1912, 12, 12), False),
    ("121212 1212", datetime.date(2012, 12, 12), False),
    ("850312-1231", datetime.date(1985, 3, 12), False),
    ("19850312-1231", datetime.date(1985, 3, 12), False),
    ("198503121231", datetime.date(1985, 3, 12), False),
    ("8503121231", datetime.date(1985, 3, 12), False),
    ("850312–1231", datetime.date(1985, 3, 12), False),  # the dash a word processor makes
    ("850372-1238", datetime.date(1985, 3, 12), True),  # samordningsnummer: day 12 + 60
    ("19850372-1238", datetime.date(1985, 3, 12), True),
    ("000229-1235", datetime.date(2000, 2, 29), False),
    ("20000229-1235", datetime.date(2000, 2, 29), False),
]


@pytest.mark.parametrize(("number", "born", "samordning"), FLAGGED)
def test_an_identity_number_in_running_text_is_found(number, born, samordning):
    text = f"Deltagaren {number} har börjat arbetsträna."
    (found,) = find_identity_numbers(text)
    assert found.text == number
    assert text[found.start : found.end] == number
    assert found.birth_date == born
    assert found.samordningsnummer is samordning


NOT_FLAGGED = [
    ("850312-1232", "wrong check digit (1 is right)"),
    ("850312-1230", "wrong check digit (1 is right)"),
    ("19121212-1213", "wrong check digit of the test number"),
    ("191212-1212", "the test number without its century is another number, failing Luhn"),
    ("850332-1237", "day 32: Luhn right, no such date"),
    ("850392-1234", "samordningsnummer day 92 (32): no such date"),
    ("851312-1239", "month 13"),
    ("010229-1234", "29 February in a year without one"),
    ("222000-1230", "organisationsnummer: 'month' 20, Luhn right"),
    ("556677-8899", "organisationsnummer of an aktiebolag"),
    ("212000-0142", "organisationsnummer of a kommun"),
    ("1 893 000", "an amount"),
    ("1 893 000 kr", "an amount"),
    ("2021-03-17", "a date alone"),
    ("20210317", "a date alone without dashes"),
    ("0701234567", "a mobile number failing Luhn"),
    ("08-123 456 78", "a phone number"),
    ("5050-1055", "a bankgironummer"),
    ("123-4567", "a bankgironummer"),
    ("4 12 34-5", "a plusgironummer"),
    ("41912121212", "inside an eleven-digit run"),
    ("1912121212123", "inside a thirteen-digit run"),
    ("4198503121231", "inside a thirteen-digit run"),
    ("12-8503121231", "part of a longer reference"),
    ("19850312+1231", "a plus belongs only to the ten-digit form"),
    ("850312-123", "three digits after the date"),
]


@pytest.mark.parametrize(("text", "why"), NOT_FLAGGED)
def test_what_is_not_an_identity_number_is_not_flagged(text, why):
    assert find_identity_numbers(f"Se {text} i bilagan.") == [], why


def test_the_mobile_number_that_is_a_valid_personnummer_shape_is_flagged():
    # 070123-4569 has a real date (23 January 2007) and a right check digit: it is flagged, which is
    # why a phone number is best written with its usual spaces.
    assert [m.text for m in find_identity_numbers("Ring 0701234569")] == ["0701234569"]
    assert find_identity_numbers("Ring 070-123 45 69") == []


def test_luhn_check_over_ten_digits():
    assert luhn_valid("1212121212")
    assert luhn_valid("8503121231")
    assert not luhn_valid("8503121232")


def test_every_number_in_a_text_is_found_with_its_line():
    text = "Första raden.\nAnna 850312-1231 och\nBo 19121212-1212."
    found = find_identity_numbers(text)
    assert [(m.text, m.line) for m in found] == [("850312-1231", 2), ("19121212-1212", 3)]


def test_empty_text_has_none():
    assert find_identity_numbers("") == []


def test_the_validator_names_the_field_and_masks_the_number():
    with pytest.raises(ValidationError) as raised:
        no_identity_numbers("Rad ett.\nRad två.\nDeltagare 850312-1231 började.", label="Beskrivning")
    (message,) = raised.value.messages
    assert message == (
        "Fältet ”Beskrivning” innehåller något som ser ut som ett personnummer (19850312-****, rad 3). "
        "Skriv inte personuppgifter om deltagare här – beskriv utan att peka ut någon."
    )
    assert "1231" not in message


def test_the_validator_calls_a_samordningsnummer_by_its_name():
    with pytest.raises(ValidationError) as raised:
        no_identity_numbers("Deltagare 850372-1238.", label="Avvikelser")
    assert "ser ut som ett samordningsnummer (19850312-****)." in raised.value.messages[0]


def test_the_validator_lets_ordinary_text_through():
    no_identity_numbers("Kostnaden blev 1 893 000 kr, beslut 2021-03-17, orgnr 222000-1230.", label="X")


class ExampleForm(ScreenedTextMixin, forms.Form):
    title = forms.CharField(label="Rubrik")
    text = forms.CharField(label="Beskrivning", widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(label="Antal", required=False)


def test_the_form_mixin_puts_the_refusal_on_the_field_and_keeps_what_was_typed():
    typed = "Deltagaren 19121212-1212 har fått arbete."
    form = ExampleForm(data={"title": "Rapport", "text": typed, "count": "1212121212"})
    assert not form.is_valid()
    assert list(form.errors) == ["text"]
    assert "Fältet ”Beskrivning”" in form.errors["text"][0]
    assert form["text"].value() == typed


def test_the_form_mixin_accepts_a_form_without_identity_numbers():
    form = ExampleForm(data={"title": "Rapport", "text": "Tre deltagare har fått arbete.", "count": "3"})
    assert form.is_valid(), form.errors
