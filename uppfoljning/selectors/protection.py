"""Small-number protection: which participant counts a reader outside the förbund's staff may see.

Counts below 5 are hidden, and so is anything a reader could use to work such a count out again
from the totals on the same page or export. How, is described at `protect`.
"""

from __future__ import annotations

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
       narrowed across all lines until nothing changes.
    3. While some hidden cell (or hidden total) is narrowed to a single number, the smallest cell still
       shown in a line it belongs to is hidden too and shown as "dolt" (zero cells included, so a
       "dolt" cell may be 0); when such a line has no cell left to hide, its total is hidden. One
       cell at a time: hiding for several at once was faster but hid a third more on small pages.
    So a single "<5" in a breakdown never stands alone: total minus the shown cells is always the sum
    of at least two hidden cells, and never a sum that only one split can give (2 = 1 + 1, 8 = 4 + 4).
    Hiding only the total would not be enough: the same total (the number of participants) is shown
    in several breakdowns and can be added up from new and continuing participants.
    The narrowing is interval reasoning, not a full linear-programming audit: the usual practical
    compromise, and enough for tables this size.
    """
    states = {key: PRIMARY if 0 < value < SMALL else SHOWN for key, value in values.items()}
    order = {key: index for index, key in enumerate(values)}
    lines_of = _lines_of(lines)
    while True:
        revealed = _revealed(values, lines, states, lines_of)
        if not revealed:
            return states
        own_lines = [lines[index] for index in lines_of.get(revealed[0], ())]
        if _hide_more(revealed[0], values, own_lines, states, order) is None:
            # Cannot happen with the lines above; if it ever does, hide everything rather than leak.
            return {key: PRIMARY if state == PRIMARY else SECONDARY for key, state in states.items()}


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
