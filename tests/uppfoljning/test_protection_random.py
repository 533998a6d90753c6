"""Small-number protection on random follow-up tables, checked by a reader who reasons on their own.

The reader below is the rule as it was first written (every line swept until nothing changes, one
cell hidden per round): given what a page shows, they narrow every hidden count to an interval.
Whatever `protect` hides, this reader must not be able to work out any hidden count exactly, every
count from 1 to 4 must stay hidden, and nothing shown may differ from the real count.
"""

from __future__ import annotations

import random

import pytest

from uppfoljning.selectors.followup import _layout
from uppfoljning.selectors.protection import PRIMARY, SHOWN, protect

UNKNOWN = 10**9
SMALL = 5


def reader_knows(values, lines, states) -> list:
    """The hidden cells this reader can work out exactly from the page."""
    low, high = {}, {}
    for key, state in states.items():
        if state == SHOWN:
            low[key] = high[key] = values[key]
        elif state == PRIMARY:  # shown as "<5"
            low[key], high[key] = 1, SMALL - 1
        else:  # "dolt": zero or more, at most the smallest count still shown in its line
            low[key], high[key] = 0, UNKNOWN
    for members, _total in lines:
        cap = min((values[m] for m in members if states[m] == SHOWN), default=UNKNOWN)
        for member in members:
            if states[member] != SHOWN and states[member] != PRIMARY and values[member] <= cap:
                high[member] = min(high[member], cap)
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            low_sum = sum(low[m] for m in members)
            high_sum = sum(high[m] for m in members)
            for key in (*members, total):
                if states[key] == SHOWN:
                    continue
                if key == total:
                    lowest, highest = low_sum, high_sum
                else:  # the total minus what the others can be
                    lowest = low[total] - (high_sum - high[key])
                    highest = high[total] - (low_sum - low[key])
                new_low, new_high = max(low[key], lowest), min(high[key], highest)
                if (new_low, new_high) != (low[key], high[key]):
                    low_sum += new_low - low[key] if key != total else 0
                    high_sum += new_high - high[key] if key != total else 0
                    low[key], high[key] = new_low, new_high
                    changed = True
    return [key for key, state in states.items() if state != SHOWN and low[key] >= high[key]]


def random_counts(rng: random.Random, insatser: int):
    per_insats = {}
    for number in range(insatser):
        new, continuing = rng.choice([0, 1, 2, 3, 4, 5, 8, 12, 20]), rng.choice([0, 1, 2, 3, 6, 9, 15])
        people = new + continuing
        women = rng.randint(0, people)
        men = rng.randint(0, people - women)
        per_insats[1000 + number] = {
            ("flow", "nya"): new,
            ("flow", "fortsatta"): continuing,
            ("flow", "avslutade"): rng.randint(0, people),
            ("gender", "kvinnor"): women,
            ("gender", "man"): men,
            ("gender", "annat"): people - women - men,
        }
    sums: dict = {}
    for counts in per_insats.values():
        for key, value in counts.items():
            sums[key] = sums.get(key, 0) + value
    return sums, per_insats


@pytest.mark.parametrize("seed", range(60))
def test_no_hidden_count_can_be_worked_out_on_a_random_table(seed):
    rng = random.Random(seed)  # noqa: S311 - seeded, so a failing table can be rebuilt
    sums, per_insats = random_counts(rng, rng.choice([1, 2, 3, 5, 8, 13, 30]))
    values, lines, *_ = _layout(sums, per_insats)

    states = protect(values, lines)

    assert reader_knows(values, lines, states) == []
    assert all(states[key] != SHOWN for key, value in values.items() if 0 < value < SMALL)
    assert set(states) == set(values)


def test_a_lone_small_count_in_a_line_is_worked_out_by_the_reader_when_left_alone():
    """The reader is not toothless: with only the small count hidden, they find it."""
    values = {"k": 10, "m": 3, "a": 0, "T": 13}
    lines = [(["k", "m", "a"], "T")]
    only_primary = {"k": SHOWN, "m": PRIMARY, "a": SHOWN, "T": SHOWN}

    assert reader_knows(values, lines, only_primary) == ["m"]
    assert reader_knows(values, lines, protect(values, lines)) == []


def test_a_table_of_40_insatser_is_protected():
    sums, per_insats = random_counts(random.Random(7), 40)  # noqa: S311 - seeded
    values, lines, *_ = _layout(sums, per_insats)

    states = protect(values, lines)

    assert reader_knows(values, lines, states) == []
    assert all(states[key] != SHOWN for key, value in values.items() if 0 < value < SMALL)


def test_a_table_of_200_insatser_is_protected():
    """The size issue #14 was about: the one-pass rule must hold up against this reader there too."""
    sums, per_insats = random_counts(random.Random(200), 200)  # noqa: S311 - seeded
    values, lines, *_ = _layout(sums, per_insats)

    states = protect(values, lines)

    assert reader_knows(values, lines, states) == []
    assert all(states[key] != SHOWN for key, value in values.items() if 0 < value < SMALL)
    assert sum(1 for state in states.values() if state != SHOWN) < len(values)  # not everything
