"""Money in one module (`finsam.money`): one rounding rule, half away from zero, and tables in tkr whose
shown rows add up to their shown total. The expected figures are worked out by hand here, as a
reader of the printed budget would check them, not computed with the functions under test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finsam import money, xlsx
from finsam.templatetags.sv import kr, procent, tkr

D = Decimal
NBSP = "\xa0"
MINUS = "\u2212"


# One rule: half away from zero ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.5", 1),
        ("1.5", 2),
        ("2.5", 3),  # banker's rounding would give 2
        ("-0.5", -1),
        ("-2.5", -3),
        ("2.49", 2),
        ("-2.49", -2),
        ("-0.4", 0),
    ],
)
def test_kronor_rounds_half_away_from_zero(amount, expected):
    assert money.kronor(D(amount)) == D(expected)


def test_a_negative_amount_that_rounds_to_nothing_is_zero_not_minus_zero():
    assert str(money.kronor(D("-0.4"))) == "0"
    assert str(money.tkr(D("-400"))) == "0"
    assert tkr(D("-400")) == f"0{NBSP}tkr"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1893000", 1893), ("2665499", 2665), ("2665500", 2666), ("-772500", -773), ("1500", 2), ("2500", 3)],
)
def test_tkr_of_a_single_figure(amount, expected):
    assert money.tkr(D(amount)) == D(expected)


def test_ore_rounds_half_away_from_zero_and_reads_floats_as_written():
    assert money.ore(D("0.125")) == D("0.13")
    assert money.ore(D("-0.125")) == D("-0.13")
    assert money.ore(0.1 + 0.2) == D("0.30")
    assert money.ore(1.005) == D("1.01")  # as written, not as the binary float 1.00499…


def test_percent_has_one_decimal_and_none_without_a_whole():
    assert money.percent(D(1), D(3)) == D("33.3")
    assert money.percent(D(1), D(8)) == D("12.5")
    assert money.percent(D(1), D(16)) == D("6.3")  # 6.25 → 6.3
    assert money.percent(D(5), D(0)) is None
    assert money.percent(None, D(10)) is None


def test_per_inhabitant_is_whole_kronor_and_none_without_population():
    assert money.per_inhabitant(D(2_000_000), 26_940) == D(74)  # 74.24…
    assert money.per_inhabitant(D(1_000), 400) == D(3)  # 2.5 → 3
    assert money.per_inhabitant(D(2_000_000), None) is None
    assert money.per_inhabitant(D(2_000_000), 0) is None
    assert money.per_inhabitant(None, 100) is None


def test_kronor_down_drops_ore_towards_zero():
    assert money.kronor_down(D("10.99")) == D(10)
    assert money.kronor_down(D("-10.99")) == D(-10)


# The filters and the Excel cells use the same rule ---------------------------------------------------


def test_kr_and_tkr_filters_round_by_the_one_rule():
    assert kr(D("2.5")) == f"3{NBSP}kr"
    assert kr(D("-2.5")) == f"{MINUS}3{NBSP}kr"
    assert tkr(D("1500")) == f"2{NBSP}tkr"
    assert tkr(D("-1500")) == f"{MINUS}2{NBSP}tkr"
    assert kr("inget belopp") == "–"
    assert procent(D("12.5")) == f"12,5{NBSP}%"


def test_excel_amounts_round_half_away_from_zero_not_to_even():
    assert xlsx.amount(D("2.5")) == 3
    assert xlsx.amount(D("-2.5")) == -3
    assert xlsx.amount(D("382500")) == 382500
    assert xlsx.amount(None) is None


# Tables in tkr add up -----------------------------------------------------------------------------


def test_the_issues_example_two_lines_raised_by_1500_kr_add_up_to_606_not_607():
    """Trelleborg's eight internal cost lines with Styrelse and Revision raised by 1 500 kr each:
    rounded one by one they print 102 and 30 and add up to 607 tkr, while the total 606 000 kr
    prints as 606 tkr. Largest remainder gives the one krona-thousand to the first of the two."""
    lines = [300_000, 101_500, 20_000, 30_000, 29_500, 20_000, 100_000, 5_000]

    rows, total = money.tkr_table([D(line) for line in lines])

    assert sum(money.tkr(D(line)) for line in lines) == 607  # each rounded on its own
    assert total == 606
    assert rows == [300, 102, 20, 30, 29, 20, 100, 5]
    assert sum(rows) == total


def test_largest_remainders_get_the_missing_thousands():
    # 1.4 + 1.4 + 1.3 = 4.1 → 4: floors 1 + 1 + 1 = 3, one missing, to the first 0.4
    assert money.tkr_table([D(1_400), D(1_400), D(1_300)]) == ([2, 1, 1], 4)
    # 0.6 + 0.6 + 0.6 = 1.8 → 2: the two largest (the first two of equal ones) get one each
    assert money.tkr_table([D(600), D(600), D(600)]) == ([1, 1, 0], 2)
    # 2.2 + 3.7 + 4.1 = 10.0 → 10: floors 9, the largest remainder (0.7) gets it
    assert money.tkr_table([D(2_200), D(3_700), D(4_100)]) == ([2, 4, 4], 10)


def test_ties_go_to_the_first_of_equal_remainders():
    assert money.tkr_table([D(1_500), D(1_500)]) == ([2, 1], 3)
    assert money.tkr_table([D(2_500), D(2_500), D(2_500), D(2_500)]) == ([3, 3, 2, 2], 10)


def test_negative_rows_round_and_add_up():
    # −1.5 − 1.5 = −3.0: floors −2, −2 = −4, one to give back, to the first
    assert money.tkr_table([D(-1_500), D(-1_500)]) == ([-1, -2], -3)
    # A result row: income 2 000.4, costs 1 000.6 → result 999.8 → 1 000. Rounded on their own the
    # rows would print 2 000 − 1 001 = 999; floors 2 000 and −1 001 both leave 0.4, so the first
    # (the income) takes the missing thousand: 2 001 − 1 001 = 1 000.
    rows, result = money.tkr_table([D(2_000_400), D(-1_000_600)])
    assert (rows, result) == ([2001, -1001], 1000)


def test_whole_thousands_are_left_as_they_are():
    assert money.tkr_table([D(1_000_000), D(500_000), D(500_000)]) == ([1000, 500, 500], 2000)


def test_a_fixed_total_from_the_table_above_is_kept():
    """A subtotal is itself a row of a larger table: its rows are rounded to the subtotal shown."""
    rows, total = money.tkr_table([D(100_400), D(100_400)], total=D(201))
    assert (rows, total) == ([101, 100], 201)
    rows, total = money.tkr_table([D(100_600), D(100_600)], total=D(201))
    assert (rows, total) == ([101, 100], 201)


def test_an_empty_table_is_zero():
    assert money.tkr_table([]) == ([], 0)


def test_apportion_reaches_any_target():
    assert money.apportion([D("0.2"), D("0.2")], 3) == [2, 1]
    assert money.apportion([D("0.9"), D("0.1")], -1) == [0, -1]
