"""The dashboard's figures for a förbund, cached until a service changes them.

What the dashboard shows of a year is the same for everyone in the förbund: the members' funding,
the working-age population, the board, the kansli, the working groups, the board meetings, the
granted insatser running that year, and the years that have meetings. Only which insatser and groups
a user may see differs, and that is asked of `finsam.access` on every request, over the cached rows.

The figures are cached under the förbund's `aggregates_generation`, which `invalidate` bumps in the
database inside the transaction of every service that changes one of them. The view has the förbund
row loaded already (the view mixin reads it to check access), so the key costs no query, and every
process (gunicorn runs several, each with its own memory, `_Memory` below) sees the new generation as soon
as the change commits: figures cached under an older one are never read again. Figures a request
computes while a change commits are cached under the generation it started with, which nobody reads
after the bump.

The key holds the förbund's `lock_version` too. An edit of the förbund's own facts saves its whole
row as the form loaded it, generation included, which could put back a generation whose cached
figures are out of date; that save always moves `lock_version` to a value it never had before, so
the pair never comes back.

Who calls `invalidate`: `forbund_record_save` (members, population, persons, board and kansli
assignments, groups, meetings), the group member and group meeting services, joining, leaving and
removing a seat (`forbund.membership`), the start's record removal and import, the insats edit, steps
and decisions, and the budget's new versions, saves and decisions. A meeting's steps (kallat,
justerat …) do not: its row on the dashboard shows the date, time, place and planned items, which
only `forbund_record_save` changes. A figure added here needs its services added there.

Entries expire after `TIMEOUT`, a backstop for writes that go around the services (the Django admin,
a shell), not the way a change shows."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.utils import timezone

from ekonomi.selectors.budget import FundingTable, funding_for_year
from finsam import access
from insatser.models import Insats
from insatser.selectors import insatser_running_in_year

from . import inbox, selectors
from .models import ActivityEvent, Arbetsgrupp, Forbund, Kansliuppdrag, Styrelsemote, User

TIMEOUT = 10 * 60  # seconds


def version(forbund: Forbund) -> str:
    """Part of every key of the förbund's cached figures (and of page fragments made from them). With
    the row's creation time, so that a förbund whose id is used again (a database restored, a test's
    rolled back) starts from nothing."""
    made = forbund.created_at.timestamp() if forbund.created_at else ""
    return f"{forbund.pk}:{made}:{forbund.lock_version}:{forbund.aggregates_generation}"


class _Memory:
    """This process's own store of computed figures: Django's local-memory cache pickles every value
    and unpickles it on every read, which for a year's figures (model rows, the funding table) cost
    more than half of a cached dashboard. Keys carry the versions above, so an entry is either right
    or never asked for again; the oldest go first beyond `size`, and none lives past `TIMEOUT`. The
    values are shared between requests: callers only read them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, compute):
        now = time.monotonic()
        with self.lock:
            found = self.entries.get(key)
            if found is not None and now - found[0] < TIMEOUT:
                self.entries.move_to_end(key)
                return found[1]
        value = compute()
        with self.lock:
            self.entries[key] = (now, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


# Room for every förbund's viewed years and every active user's inbox in one installation.
memory = _Memory(size=5000)


def _cached(forbund: Forbund, name: str, compute):
    return memory.get(f"forbund-aggregates:{version(forbund)}:{name}", compute)


def meeting_years(forbund: Forbund) -> list[int]:
    """The years with board meetings, latest first (what the year switcher and default year stand on)."""
    return _cached(forbund, "meeting-years", lambda: selectors.years_with_meetings(forbund))


@dataclass
class YearFigures:
    funding: FundingTable
    population: int | None
    board: list[selectors.BoardSeat]
    kansli: list[Kansliuppdrag]
    arbetsgrupper: list[Arbetsgrupp]  # with their members
    meetings: list[Styrelsemote]
    insatser: list[Insats]  # every granted insats running in the year, whoever may see it


def year_figures(forbund: Forbund, year: int) -> YearFigures:
    return _cached(forbund, f"year-{year}", lambda: _compute_year(forbund, year))


def _compute_year(forbund: Forbund, year: int) -> YearFigures:
    return YearFigures(
        funding=funding_for_year(forbund, year),
        population=selectors.population_in_year(forbund, year),
        board=selectors.board_by_medlem(forbund, year),
        kansli=list(selectors.kansli_in_year(forbund, year)),
        arbetsgrupper=list(selectors.arbetsgrupper_in_year(forbund, year)),
        meetings=list(selectors.meetings_in_year(forbund, year)),
        insatser=list(insatser_running_in_year(forbund, year)),
    )


def visible_insatser(figures: YearFigures, user: User, forbund: Forbund) -> list[Insats]:
    """The year's running insatser the user may see."""
    return _visible(figures.insatser, user, forbund, access.insatser_visible_to)


def visible_arbetsgrupper(figures: YearFigures, user: User, forbund: Forbund) -> list[Arbetsgrupp]:
    """The year's working groups the user may see (a projektägare: those of no insats or of their own)."""
    return _visible(figures.arbetsgrupper, user, forbund, access.arbetsgrupper_visible_to)


def _visible(rows: list, user: User, forbund: Forbund, visible_to) -> list:
    """The cached rows `visible_to` (an access function's queryset) lets the user see: all of them for
    those who see every insats (the access functions' own first answer, without a query), else the
    ones among them the query names."""
    if not rows or access.can_view_all_insatser(user, forbund):
        return rows
    among = visible_to(user, forbund).filter(pk__in=[row.pk for row in rows])
    allowed = set(among.values_list("pk", flat=True))
    return [row for row in rows if row.pk in allowed]


# What waits for one user ------------------------------------------------------------------------------
#
# The inbox differs per user and follows nearly every record of the förbund, far more than the
# services that call `invalidate`. But every service that writes a record the inbox reads writes an
# audit event too (`finsam.audit`: each create, change, deletion and workflow step), so the förbund's
# latest event id marks "nothing has changed since". A user's inbox is cached under that mark, the
# förbund's version, the user and the day (deadlines count in days). One indexed query a visit.


def activity_mark(forbund: Forbund) -> int:
    """The id of the förbund's latest audit event (0 before the first)."""
    latest = ActivityEvent.objects.filter(forbund=forbund).order_by("-id").values_list("id", flat=True)
    return latest.first() or 0


def user_inbox(user: User, forbund: Forbund, mark: int | None = None) -> list[inbox.Item]:
    """`inbox.inbox(user, forbund)`, computed once until the förbund's records change or the day does."""
    mark = activity_mark(forbund) if mark is None else mark
    today = timezone.localdate()
    key = f"forbund-inbox:{version(forbund)}:{mark}:{user.pk}:{today.isoformat()}"
    return memory.get(key, lambda: inbox.inbox(user, forbund, today))


def recent_activity(forbund: Forbund, mark: int | None = None) -> list[ActivityEvent]:
    """The dashboard's latest changes, read again only when there is a newer one."""
    mark = activity_mark(forbund) if mark is None else mark
    key = f"forbund-activity:{version(forbund)}:{mark}"
    return memory.get(key, lambda: list(selectors.recent_activity(forbund)))
