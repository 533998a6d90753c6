"""Small-number protection: which participant counts a reader outside the förbund's staff may see.

Counts below 5 are hidden, and so is anything a reader could use to work such a count out again
from the totals on the same page or export. How, is described at `protect`.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from .. import statistics

SMALL = statistics.SMALL_COUNT
HIDDEN_TEXT = "dolt"

SHOWN, PRIMARY, SECONDARY = "shown", "primary", "secondary"
INF = 10**9
Key = Hashable
Line = tuple[Sequence[Key], Key]  # cells that add up to a total shown on the same page


def protect(values: dict[Key, int], lines: Sequence[Line]) -> dict[Key, str]:
    """Which counts to hide from readers outside the förbund's staff.

    The rule chosen (primary and secondary cell suppression):
    1. Every count from 1 to 4 is hidden and shown as "<5" (statistics.masked). Zero is shown.
    2. A reader knows every *line*: cells that add up to a total on the same page or export. That is
       each breakdown (gender, age, … adding up to the participants), each insats's row (new +
       continuing = participants; women + men + other = participants) and each column of the
       per-insats table (adding up to the förbund's sum). From these sums a reader can narrow every
       hidden cell to an interval: "<5" is 1–4, a "dolt" cell is 0 or more (and, because rule 3
       takes the smallest, at most the smallest cell still shown in its line). The intervals are
       narrowed across all lines until nothing changes (`_revealed`, the audit).
    3. The lines are gone through once, in page order, each together with the other lines adding up
       to the same total (an insats's two rows share its participants; the breakdowns share the
       förbund's). Where a reader could narrow a hidden cell (or hidden total) there to a single
       number, the smallest cell still shown in a line holding such a cell is hidden too and shown
       as "dolt"; when those lines have no cell left to show, their total is hidden. Zero cells are
       included, so a "dolt" cell may be 0, and once a zero of a line is hidden every zero of it is
       (the shown ones would say the hidden one is 0). A line is looked at again when a cell of it
       was hidden, or when a line of one of its cells now shows a larger smallest cell.
    4. Then the audit of rule 2 is run over the whole page. Only if it still narrows a hidden cell to
       a single number (reasoning over several totals at once) is one more cell hidden: for each of
       the first pinned cells, the smallest shown cell of the first of its lines with one (else that
       line's total); of these, the one after which the audit pins the fewest cells. Rule 3 goes on
       from there and the audit is run again, until it finds nothing. So the result is always one
       the audit passes; should nothing be left to hide, every count is hidden.
    So a single "<5" in a breakdown never stands alone: total minus the shown cells is always the sum
    of at least two hidden cells, and never a sum that only one split can give (2 = 1 + 1, 8 = 4 + 4).
    Hiding only the total would not be enough: the same total (the number of participants) is shown
    in several breakdowns and can be added up from new and continuing participants.
    Rule 3 costs about the size of the page, and rule 4 is seldom needed: 200 insatser take a tenth of
    a second. The first rule (one cell per full audit) grew with the square of the page, seconds for
    200 insatser, and hid as many cells or more on most pages; tests/uppfoljning/
    test_protection_one_pass.py keeps it as the reference. The narrowing is interval reasoning, not
    a full linear-programming audit: the usual practical compromise, and enough for tables this size.
    """
    states = {key: PRIMARY if 0 < value < SMALL else SHOWN for key, value in values.items()}
    order = {key: index for index, key in enumerate(values)}
    lines_of = _lines_of(lines)
    line_pass = _LinePass(values, lines, states, order, lines_of)
    line_pass.run()
    while revealed := _revealed(values, lines, states, lines_of):
        chosen = _best_next(revealed, values, lines, states, order, lines_of)
        if chosen is None:
            # Cannot happen with the lines above; if it ever does, hide everything rather than leak.
            return {key: PRIMARY if state == PRIMARY else SECONDARY for key, state in states.items()}
        line_pass.hide(chosen)
        line_pass.run()
    return states


def _best_next(revealed, values, lines, states, order, lines_of, tries=6) -> Key | None:
    """Of the cells rule 3 would hide for the first few pinned cells, the one after which the audit
    finds the fewest pinned cells (ties: the first)."""
    candidates = []
    for key in revealed:
        own_lines = [lines[index] for index in lines_of[key]]
        chosen = _hide_more(key, values, own_lines, states, order)
        if chosen is None:
            continue
        states[chosen] = SHOWN  # only a candidate yet
        if chosen not in candidates:
            candidates.append(chosen)
            if len(candidates) == tries:
                break
    best, fewest = None, None
    for chosen in candidates:
        states[chosen] = SECONDARY
        count = len(_revealed(values, lines, states, lines_of))
        states[chosen] = SHOWN
        if fewest is None or count < fewest:
            best, fewest = chosen, count
    return best


class _LinePass:
    """Rule 3 of `protect`: the lines in page order, each with the lines sharing its total; a line
    is queued again when one of its cells was hidden or a cap on one of its cells rose."""

    def __init__(self, values, lines, states, order, lines_of):
        self.values, self.lines, self.states, self.lines_of = values, lines, states, lines_of
        self.member_of: dict[Key, list[int]] = {}  # the lines a cell is a member (not the total) of
        self.same_total: dict[Key, list[int]] = {}
        for index, (members, total) in enumerate(lines):
            for member in members:
                self.member_of.setdefault(member, []).append(index)
            self.same_total.setdefault(total, []).append(index)
        # Each line's members smallest first, and where its smallest still shown cell is: only moves on.
        self.ranked = [sorted(members, key=lambda m: (values[m], order[m])) for members, _total in lines]
        self.first_shown = [0] * len(lines)
        self.pending = list(range(len(lines)))  # a heap: the first line in page order first
        self.queued = set(self.pending)

    def run(self) -> None:
        while self.pending:
            index = heapq.heappop(self.pending)
            self.queued.discard(index)
            pinned = self._pinned(index)
            chosen = self._choose(index, pinned) if pinned else None
            if chosen is not None:
                self.hide(chosen)
                self._queue([index])

    def _smallest_shown(self, index: int) -> Key | None:
        ranked, at = self.ranked[index], self.first_shown[index]
        while at < len(ranked) and self.states[ranked[at]] != SHOWN:
            at += 1
        self.first_shown[index] = at
        return ranked[at] if at < len(ranked) else None

    def _bounds(self, key: Key, group: list[int]) -> tuple[int, int]:
        """As `_bounds`, except that a cap of 0 from a line outside the group is left out: that line
        will hide its other zeros (see `hide`), which lifts the cap."""
        state, value = self.states[key], self.values[key]
        if state == SHOWN:
            return value, value
        if state == PRIMARY:
            return 1, SMALL - 1
        high = INF
        for index in self.member_of.get(key, ()):
            smallest = self._smallest_shown(index)
            cap = INF if smallest is None else self.values[smallest]
            if value <= cap and (cap > 0 or index in group):
                high = min(high, cap)
        return 0, high

    def _pinned(self, index: int) -> list[Key]:
        """The hidden cells a reader narrows to one number from the lines with this line's total."""
        group = self.same_total[self.lines[index][1]]
        low, high = {}, {}
        for line in group:
            members, total = self.lines[line]
            for key in (*members, total):
                if key not in low:
                    low[key], high[key] = self._bounds(key, group)
        if all(self.states[key] == SHOWN for key in low):
            return []
        for _sweep in range(len(group) + 2):  # a few sweeps settle lines that share only a total
            narrowed = [_narrow(self.lines[line], low, high, self.states) for line in group]
            if not any(narrowed):
                break
        return [key for key in low if self.states[key] != SHOWN and low[key] >= high[key]]

    def _choose(self, index: int, pinned: list[Key]) -> Key | None:
        """The smallest shown cell of a line holding a pinned cell (this line first), else such a
        line's total; else what the audit loop would hide for the first pinned cell."""
        pinned_set = set(pinned)
        holding = [
            line
            for line in dict.fromkeys((index, *self.same_total[self.lines[index][1]]))
            if self.lines[line][1] in pinned_set or any(key in pinned_set for key in self.lines[line][0])
        ]
        for line in holding:
            smallest = self._smallest_shown(line)
            if smallest is not None:
                return smallest
        for line in holding:
            if self.states[self.lines[line][1]] == SHOWN:
                return self.lines[line][1]
        for key in pinned:
            for line in self.lines_of[key]:
                smallest = self._smallest_shown(line)
                if smallest is not None:
                    return smallest
        return None

    def hide(self, key: Key) -> None:
        """Hide a cell as "dolt" and queue the lines whose reading that can change."""
        values, states = self.values, self.states
        to_hide = [key]
        while to_hide:
            key = to_hide.pop()
            if states[key] != SHOWN:
                continue
            smallest_before = {
                index: (self._smallest_shown(index), self.first_shown[index])
                for index in self.member_of.get(key, ())
            }
            states[key] = SECONDARY
            self._queue(self.lines_of[key])
            for index, (smallest, at) in smallest_before.items():
                if smallest != key:
                    continue
                now = self._smallest_shown(index)
                if now is None:
                    continue  # no cap left: the hidden cells of the line only became wider
                old_cap, new_cap = values[smallest], values[now]
                if new_cap == 0:
                    # A zero is hidden while another is still shown: the reader would know it is 0.
                    to_hide.append(now)
                    continue
                # Hidden cells up to the new cap are now capped by it: their other lines read anew.
                for other in self.ranked[index][0 if old_cap == 0 else at :]:
                    if values[other] > new_cap:
                        break
                    if states[other] == SECONDARY and (values[other] > old_cap or old_cap == 0):
                        self._queue(self.lines_of[other])

    def _queue(self, indexes) -> None:
        for index in indexes:
            if index not in self.queued:
                self.queued.add(index)
                heapq.heappush(self.pending, index)


def _lines_of(lines: Sequence[Line]) -> dict[Key, list[int]]:
    """For each cell, the lines (by index) it is a member or the total of."""
    found: dict[Key, list[int]] = {}
    for index, (members, total) in enumerate(lines):
        for key in (*members, total):
            found.setdefault(key, []).append(index)
    return found


def _bounds(values, lines, states) -> tuple[dict, dict]:
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


def _revealed(values, lines, states, lines_of) -> list[Key]:
    """The hidden cells a reader can work out exactly from the lines.

    Each line narrows the intervals of its cells from the others'; a line is looked at again only
    when one of its cells was narrowed, until nothing changes (the same fixed point as sweeping every
    line until nothing changes, at a fraction of the work)."""
    low, high = _bounds(values, lines, states)
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
        for key in _narrow(lines[index], low, high, states):
            for other in lines_of[key]:
                if other not in queued:
                    queued.add(other)
                    pending.append(other)
    return [key for key, state in states.items() if state != SHOWN and low[key] >= high[key]]


def _narrow(line: Line, low: dict, high: dict, states: dict) -> list[Key]:
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


def _hide_more(key, values, lines, states, order) -> Key | None:
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


@dataclass
class Figure:
    """One count as a given reader may see it: exactly, as "<5", or as "dolt"."""

    value: int
    state: str = SHOWN
    exact: bool = True  # the reader is förbund staff

    @property
    def visible(self) -> bool:
        return self.exact or self.state == SHOWN

    @property
    def text(self) -> str:
        if self.visible:
            return str(self.value)
        if self.state == PRIMARY:
            return statistics.masked(self.value)
        return HIDDEN_TEXT

    @property
    def cell(self) -> int | str:
        """For Excel: a number when the reader may see it, else the same text as on the page."""
        return self.value if self.visible else self.text
