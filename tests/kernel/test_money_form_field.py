"""Amounts in forms: shown grouped as Swedes write them (1 893 000) and read back with the spaces,
no-break spaces, `kr` or `,00` people type or paste; anything else is refused in Swedish."""

from decimal import Decimal

import pytest
from django import forms

from finsam.money import KronorFormField, SignedKronorFormField, format_kronor_input, parse_kronor_input


class AmountForm(forms.Form):
    amount = KronorFormField(label="Belopp (kr)", required=False)
    equity = SignedKronorFormField(label="Eget kapital (kr)", required=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1893000", "1893000"),
        ("1 893 000", "1893000"),
        ("1\xa0893\xa0000", "1893000"),  # as Swedish number formatting and spreadsheets write it
        ("1\u202f893\u202f000", "1893000"),  # narrow no-break space
        ("  1 893 000 kr ", "1893000"),
        ("1 893 000,00", "1893000"),
        ("999", "999"),
        ("0", "0"),
    ],
)
def test_typed_amounts_are_read_as_whole_kronor(typed, expected):
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tolv", "Skriv beloppet i hela kronor, till exempel 1 893 000."),
        ("18 93 000", "Skriv beloppet i hela kronor, till exempel 1 893 000."),  # a space in the wrong place
        ("1 893 0000", "Skriv beloppet i hela kronor, till exempel 1 893 000."),
        ("1.893.000", "Skriv beloppet i hela kronor, till exempel 1 893 000."),
        ("1e6", "Skriv beloppet i hela kronor, till exempel 1 893 000."),
        ("12,50", "Ange hela kronor, utan ören."),
        ("-5 000", "Beloppet får inte vara negativt."),
        ("123 456 789 012 345", "Beloppet är för stort."),
    ],
)
def test_anything_else_is_refused_in_swedish_and_shown_as_typed(typed, message):
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert form.errors["amount"] == [message]
    assert f'value="{typed}"' in str(form["amount"])  # nothing typed is lost


def test_a_negative_equity_is_allowed_with_the_minus_sign_people_type_or_paste():
    for typed in ("-250 000", "\u2212250 000", "- 250 000"):
        form = AmountForm({"equity": typed})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["equity"] == Decimal(-250000)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal(1893000), "1 893 000"),
        (Decimal(-250000), "-250 000"),
        (Decimal(999), "999"),
        (Decimal(0), "0"),
        (Decimal("1000.00"), "1 000"),
        (1893000, "1 893 000"),
        ("1893000", "1 893 000"),  # typed without spaces, shown again grouped after an error elsewhere
        ("1 893 000", "1 893 000"),
        ("tolv", "tolv"),
        ("12.5", "12.5"),  # öre the field refuses: shown as typed, not rounded
    ],
)
def test_amounts_are_shown_grouped_in_threes(value, shown):
    assert format_kronor_input(value) == shown


def test_the_field_round_trips_what_it_shows():
    form = AmountForm(initial={"amount": Decimal(1893000), "equity": Decimal(-1648000)})
    html = str(form)
    assert 'value="1 893 000"' in html
    assert 'value="-1 648 000"' in html
    again = AmountForm({"amount": "1 893 000", "equity": "-1 648 000"})
    assert again.is_valid()
    assert again.cleaned_data == {"amount": Decimal(1893000), "equity": Decimal(-1648000)}


def test_the_input_is_text_with_a_numeric_keyboard_so_the_spaces_survive():
    html = str(AmountForm()["amount"])
    assert 'type="text"' in html  # a browser drops a number field's spaces
    assert 'inputmode="numeric"' in html
    assert "text-end" in html
    assert 'inputmode="numeric"' not in str(AmountForm()["equity"])  # phones' numeric pads lack a minus


def test_parse_refuses_an_empty_amount_and_a_lone_sign():
    for text in ("", "kr", "-", " "):
        with pytest.raises(ValueError):
            parse_kronor_input(text)


def test_a_blank_optional_amount_is_none():
    form = AmountForm({"amount": "", "equity": "  "})
    assert form.is_valid()
    assert form.cleaned_data == {"amount": None, "equity": None}
