"""The one-pass small-number protection against the rule it replaced, on random follow-up tables.

The rule before (one hidden cell per full audit of the page, issue #14) is kept below, unchanged
but for its name, as the reference. On tables shaped like the follow-up page (every breakdown, the
insats rows and columns, built by `_layout`), the one-pass rule must always pass the audit, keep
every count from 1 to 4 hidden, and hide about as many cells as the reference or fewer.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Sequence

import pytest

from uppfoljning import statistics
from uppfoljning.selectors.followup import _layout
from uppfoljning.selectors.protection import (
    PRIMARY,
    SECONDARY,
    SHOWN,
    Key,
    Line,
    _lines_of,
    _revealed,
    protect,
)

SMALL = 5
INF = 10**9


# The reference: protection.protect as it was before the one-pass rule -----------------------------


def reference_protect(values: dict[Key, int], lines: Sequence[Line]) -> dict[Key, str]:
    """The rule before the one-pass rewrite: audit the whole page, hide one cell for the first
    revealed cell, audit again."""
    states = {key: PRIMARY if 0 < value < SMALL else SHOWN for key, value in values.items()}
    order = {key: index for index, key in enumerate(values)}
    lines_of = _ref_lines_of(lines)
    while True:
        revealed = _ref_revealed(values, lines, states, lines_of)
        if not revealed:
            return states
        own_lines = [lines[index] for index in lines_of.get(revealed[0], ())]
        if _ref_hide_more(revealed[0], values, own_lines, states, order) is None:
            # Cannot happen with the lines above; if it ever does, hide everything rather than leak.
            return {key: PRIMARY if state == PRIMARY else SECONDARY for key, state in states.items()}


def _ref_lines_of(lines: Sequence[Line]) -> dict[Key, list[int]]:
    """For each cell, the lines (by index) it is a member or the total of."""
    found: dict[Key, list[int]] = {}
    for index, (members, total) in enumerate(lines):
        for key in (*members, total):
            found.setdefault(key, []).append(index)
    return found


def _ref_bounds(values, lines, states) -> tuple[dict, dict]:
    """What a reader knows of each cell before adding anything up."""
    low, high = {}, {}
    for key, state in states.items():
        if state == SHOWN:
            low[key] = high[key] = values[key]
        elif state == PRIMARY:
            low[key], high[key] = 1, SMALL - 1
        else:
            low[key], high[key] = 0, INF
    for members, _total in lines:
        cap = min((values[m] for m in members if states[m] == SHOWN), default=INF)
        for member in members:
            if states[member] == SECONDARY and values[member] <= cap:
                high[member] = min(high[member], cap)
    return low, high


def _ref_revealed(values, lines, states, lines_of) -> list[Key]:
    """The hidden cells a reader can work out exactly from the lines.

    Each line narrows the intervals of its cells from the others'; a line is looked at again only
    when one of its cells was narrowed, until nothing changes (the same fixed point as sweeping every
    line until nothing changes, at a fraction of the work)."""
    low, high = _ref_bounds(values, lines, states)
    pending = deque(range(len(lines)))
    queued = set(pending)
    # Counts that do not add up (a breakdown summing to more than its total) have no fixed point:
    # their intervals would creep towards each other a unit at a time. As many line readings as a
    # hundred sweeps over every line is the limit, as it was when every line was swept.
    readings_left = 100 * len(lines)
    while pending and readings_left:
        readings_left -= 1
        index = pending.popleft()
        queued.discard(index)
        for key in _ref_narrow(lines[index], low, high, states):
            for other in lines_of[key]:
                if other not in queued:
                    queued.add(other)
                    pending.append(other)
    return [key for key, state in states.items() if state != SHOWN and low[key] >= high[key]]


def _ref_narrow(line: Line, low: dict, high: dict, states: dict) -> list[Key]:
    """Narrow the hidden cells of one line from what its other cells and total allow; the narrowed."""
    members, total = line
    low_sum = sum(low[m] for m in members)
    finite_high = sum(high[m] for m in members if high[m] < INF)
    unbounded = sum(1 for m in members if high[m] >= INF)
    implied = {total: (low_sum, INF if unbounded else finite_high)}
    for member in members:
        own_unbounded = high[member] >= INF
        if unbounded - own_unbounded:
            others_high = INF
        else:
            others_high = finite_high - (0 if own_unbounded else high[member])
        implied[member] = (
            low[total] - others_high,
            INF if high[total] >= INF else high[total] - (low_sum - low[member]),
        )
    narrowed = []
    for key, (new_low, new_high) in implied.items():
        if states[key] == SHOWN:
            continue
        new_low, new_high = max(low[key], new_low), min(high[key], new_high)
        if (new_low, new_high) != (low[key], high[key]):
            low[key], high[key] = new_low, new_high
            narrowed.append(key)
    return narrowed


def _ref_hide_more(key, values, lines, states, order) -> Key | None:
    """Hide the smallest shown cell of a line the revealed cell is in (`lines`: those it is in, in
    page order); else that line's total.
    Returns the cell hidden, or None when there was nothing left to hide."""
    for members, _total in lines:
        shown = [m for m in members if states[m] == SHOWN]
        if shown:
            chosen = min(shown, key=lambda m: (values[m], order[m]))
            states[chosen] = SECONDARY
            return chosen
    for _members, total in lines:
        if states[total] == SHOWN:
            states[total] = SECONDARY
            return total
    return None


# Random tables shaped like the follow-up page ------------------------------------------------------


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """total spread over parts, some of them left at zero."""
    weights = [0.0 if rng.random() < 0.3 else rng.random() ** 2 for _ in range(parts)]
    if not any(weights):
        weights[rng.randrange(parts)] = 1.0
    shares = [int(total * weight / sum(weights)) for weight in weights]
    for _ in range(total - sum(shares)):
        shares[rng.choices(range(parts), weights)[0]] += 1
    return shares


def random_counts(rng: random.Random, insatser: int):
    """Per insats every dimension of the page, from tiny insatser to large ones; now and then a
    breakdown that does not add up to the participants (a category left out in the report)."""
    per_insats = {}
    for number in range(insatser):
        size = rng.choice([(0, 6), (3, 15), (10, 40), (30, 120)])
        people = rng.randint(*size)
        new = rng.randint(0, people)
        ended = rng.randint(0, people)
        counts = {("flow", "nya"): new, ("flow", "fortsatta"): people - new, ("flow", "avslutade"): ended}
        for dimension, total, incomplete in [
            (statistics.GENDER, people, 0.1),
            (statistics.AGE, people, 0.2),
            (statistics.SUPPORT, people, 0.2),
            (statistics.OUTCOME, ended, 0.2),
        ]:
            if rng.random() < incomplete:
                total = max(0, total - rng.randint(1, 3))
            shares = _split(rng, total, len(dimension.categories))
            for (code, _label), share in zip(dimension.categories, shares, strict=True):
                counts[(dimension.code, code)] = share
        # A report stores a zero as a row, or not at all.
        per_insats[1000 + number] = {
            key: value for key, value in counts.items() if value or rng.random() < 0.5
        }
    sums: dict = {}
    for counts in per_insats.values():
        for key, value in counts.items():
            sums[key] = sums.get(key, 0) + value
    return sums, per_insats


def _table(seed: int, insatser: int):
    values, lines, *_ = _layout(*random_counts(random.Random(seed), insatser))  # noqa: S311 - seeded
    return values, lines


def _hidden(states: dict) -> int:
    return sum(1 for state in states.values() if state != SHOWN)


def _assert_protected(values, lines, states):
    everything_hidden = all(state != SHOWN for state in states.values())
    assert everything_hidden or _revealed(values, lines, states, _lines_of(lines)) == []
    assert everything_hidden or _ref_revealed(values, lines, states, _ref_lines_of(lines)) == []
    for key, value in values.items():
        if 0 < value < SMALL:
            assert states[key] == PRIMARY, key  # shown as "<5"
        else:
            assert states[key] in (SHOWN, SECONDARY), key  # zero and 5+ are shown or "dolt"


# The comparison ------------------------------------------------------------------------------------

# 200 tables: 20 from 1 to 60 insatser, 180 of 1–20 (the reference's time grows with the square of
# the size; this keeps the comparison to ten or twenty seconds).
SIZES = [*range(1, 61, 3), *(1 + seed % 20 for seed in range(180))]


def test_the_one_pass_rule_hides_about_as_much_as_the_reference_and_always_passes_the_audit():
    differences = []
    for seed, insatser in enumerate(SIZES):
        values, lines = _table(seed, insatser)

        states = protect(values, lines)
        reference = reference_protect(values, lines)

        _assert_protected(values, lines, states)
        _assert_protected(values, lines, reference)
        differences.append(_hidden(states) - _hidden(reference))
        # Both are greedy and take the cells in a different order, so either can end a few cells
        # worse on some table; 5 is less than one insats row (7 cells) of extra "dolt".
        assert differences[-1] <= 5, (seed, insatser, differences[-1])
    # Far more often the same or fewer: the reference goes on hiding in the lines of a pinned cell
    # even when the pin comes from another line, and on larger tables ends up hiding everything.
    assert sum(1 for difference in differences if difference <= 0) >= 0.95 * len(differences)
    assert sum(differences) < 0


def test_a_lone_small_count_gets_one_zero_of_its_breakdown_hidden_as_before():
    values = {"k": 10, "m": 3, "a": 0, "T": 13}
    lines = [(["k", "m", "a"], "T")]

    assert protect(values, lines) == reference_protect(values, lines)
    assert protect(values, lines) == {"k": SHOWN, "m": PRIMARY, "a": SECONDARY, "T": SHOWN}


def test_a_hidden_zero_takes_every_zero_of_its_column_with_it():
    """With one zero shown, the reader would know the "dolt" zero is 0 (it is at most the smallest
    shown cell): all the column's zeros are hidden, and then its smallest other cell, or the hidden
    zeros would add up to the total minus the shown cells, 0."""
    values = {"a1": 2, "z1": 0, "w1": 9, "P1": 11, "z2": 0, "z3": 0, "z4": 7, "z5": 9, "Z": 16}
    lines = [(["a1", "z1", "w1"], "P1"), (["z1", "z2", "z3", "z4", "z5"], "Z")]

    states = protect(values, lines)

    assert states["a1"] == PRIMARY
    assert states["z1"] == states["z2"] == states["z3"] == states["z4"] == SECONDARY
    assert states["w1"] == states["P1"] == states["z5"] == states["Z"] == SHOWN
    _assert_protected(values, lines, states)
    # The reference hid w1 as well: it repaired the pinned zero in its row, though the column pinned it.
    assert reference_protect(values, lines) == {**states, "w1": SECONDARY}


# Speed ---------------------------------------------------------------------------------------------


def test_a_page_of_200_insatser_is_protected_well_within_a_second():
    values, lines = _table(200, 200)

    started = time.perf_counter()
    states = protect(values, lines)
    elapsed = time.perf_counter() - started

    _assert_protected(values, lines, states)
    assert elapsed < 1.5, f"{elapsed:.2f} s"  # about 0.1 s on a free core; the reference took over 10 s


@pytest.mark.parametrize("insatser", [400, 800])
def test_larger_pages_stay_protected(insatser):
    values, lines = _table(insatser, insatser)

    states = protect(values, lines)

    _assert_protected(values, lines, states)
    assert _hidden(states) < len(values)  # not the hide-everything way out
