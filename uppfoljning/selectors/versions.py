"""The submitted versions of a report: each submission keeps a snapshot of the report as it was sent
(`report_snapshot`, taken by the workflow). Here they are numbered, shown as the report page shows a
report, and compared with the version before (changed texts marked word by word, changed figures as
old → new with the difference). Outside the kansli small counts stay masked in every version."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.text import capfirst

from finsam import money
from finsam.templatetags.sv import kr

from .. import statistics
from ..models import GoalProgress, ReportStatusChange, Tertialrapport
from .reports import TEXT_FIELDS

S = Tertialrapport.Status
MINUS = "−"


@dataclass
class ReportVersion:
    number: int
    change: ReportStatusChange  # the submission that keeps the snapshot
    outcome: str  # what became of it: returned, approved, or still waiting
    outcome_comment: str = ""

    @property
    def snapshot(self) -> dict:
        return self.change.snapshot or {}


def report_versions(report: Tertialrapport) -> list[ReportVersion]:
    """Every submitted version, first first, each with what the samordnare did with it; one query."""
    changes = list(ReportStatusChange.objects.filter(report=report).select_related("by").order_by("at", "id"))
    versions: list[ReportVersion] = []
    for index, change in enumerate(changes):
        if change.to_status != S.INSKICKAD or change.snapshot is None:
            continue
        following = next((later for later in changes[index + 1 :] if later.from_status == S.INSKICKAD), None)
        if following is None:
            outcome, comment = "Väntar på granskning", ""
        else:
            outcome, comment = following.get_to_status_display(), following.comment
        versions.append(ReportVersion(len(versions) + 1, change, outcome, comment))
    return versions


def version_of(versions: list[ReportVersion], number: int) -> ReportVersion | None:
    return versions[number - 1] if 1 <= number <= len(versions) else None


# One version, laid out as the report page -------------------------------------------------------


def text_label(name: str) -> str:
    return capfirst(Tertialrapport._meta.get_field(name).verbose_name)


def _counts(snapshot: dict) -> statistics.Counts:
    counts = {}
    for key, value in (snapshot.get("counts") or {}).items():
        dimension, _, category = key.partition("/")
        counts[(dimension, category)] = int(value)
    return counts


def _shown_counts(snapshot: dict, kind: str, *, exact: bool) -> list[tuple[statistics.Dimension, list]]:
    """Per dimension, (label, shown) pairs: exact, or masked so that no participant can be singled out."""
    counts = _counts(snapshot)
    groups = []
    for dimension in statistics.dimensions_for(kind):
        labels = [label for _, label in dimension.categories]
        if exact:
            shown = [_number(counts.get((dimension.code, code), 0)) for code, _ in dimension.categories]
        else:
            shown = statistics.masked_dimension(dimension, counts)
        groups.append((dimension, list(zip(labels, shown, strict=True))))
    return groups


def _goal_status(status: str) -> str:
    return dict(GoalProgress.Status.choices).get(status, "") if status else ""


@dataclass
class VersionBody:
    texts: list[tuple[str, str]]
    goals: list[tuple[str, str, str]]  # goal, status in words, comment
    groups: list[tuple[statistics.Dimension, list]]
    cost: Decimal | None
    cost_comment: str


def version_body(report: Tertialrapport, version: ReportVersion, *, exact: bool) -> VersionBody:
    snapshot = version.snapshot
    texts = snapshot.get("texts") or {}
    return VersionBody(
        texts=[(text_label(name), texts.get(name, "")) for name in TEXT_FIELDS],
        goals=[
            (goal.get("goal", ""), _goal_status(goal.get("status", "")), goal.get("comment", ""))
            for goal in snapshot.get("goals") or []
        ],
        groups=_shown_counts(snapshot, report.insats.kind, exact=exact),
        cost=money.to_decimal(snapshot.get("cost")),
        cost_comment=snapshot.get("cost_comment", ""),
    )


# Comparing a version with the one before ---------------------------------------------------------


@dataclass
class TextChange:
    label: str
    old: str
    new: str
    segments: list[tuple[str, str]] = field(default_factory=list)  # ("same"|"removed"|"added", words)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class FigureChange:
    label: str
    old: str
    new: str
    difference: str = ""  # "+10 000 kr", "−2"; empty when unchanged or not computable (masked)

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class Comparison:
    previous: ReportVersion
    current: ReportVersion
    texts: list[TextChange]
    cost: FigureChange
    goals: list[TextChange]
    groups: list[tuple[statistics.Dimension, list[FigureChange]]]

    @property
    def changed_count(self) -> int:
        figures = [self.cost, *(row for _, rows in self.groups for row in rows)]
        return sum(row.changed for row in [*self.texts, *self.goals, *figures])


_WORDS = re.compile(r"(\s+)")


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """The new text as runs of unchanged, removed and added words."""
    before, after = _WORDS.split(old), _WORDS.split(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", "".join(after[b1:b2])))
            continue
        if a2 > a1:
            segments.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            segments.append(("added", "".join(after[b1:b2])))
    return segments


def _text_change(label: str, old: str, new: str) -> TextChange:
    change = TextChange(label, old, new)
    if change.changed:
        change.segments = word_changes(old, new)
    return change


def _number(value: int | Decimal) -> str:
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True).replace("-", MINUS)


def _signed(difference: Decimal | int, text: str) -> str:
    return f"+{text}" if difference > 0 else text


def _cost_change(old: Decimal | None, new: Decimal | None) -> FigureChange:
    row = FigureChange("Kostnad under perioden", kr(old), kr(new))
    if row.changed and old is not None and new is not None:
        difference = money.kronor(new - old)
        row.difference = _signed(difference, kr(difference))
    return row


def _is_masked(shown: str) -> bool:
    return not shown.replace("\xa0", "").replace(" ", "").isdigit()


def _count_changes(report, previous: dict, current: dict, *, exact: bool):
    old_groups = _shown_counts(previous, report.insats.kind, exact=exact)
    new_groups = _shown_counts(current, report.insats.kind, exact=exact)
    old_counts, new_counts = _counts(previous), _counts(current)
    groups = []
    for (dimension, old_rows), (_, new_rows) in zip(old_groups, new_groups, strict=True):
        rows = []
        for (code, _), (label, old), (_, new) in zip(dimension.categories, old_rows, new_rows, strict=True):
            row = FigureChange(label, old, new)
            if row.changed and (exact or not (_is_masked(old) or _is_masked(new))):
                key = (dimension.code, code)
                difference = new_counts.get(key, 0) - old_counts.get(key, 0)
                row.difference = _signed(difference, _number(difference))
            rows.append(row)
        groups.append((dimension, rows))
    return groups


def _goal_changes(previous: dict, current: dict) -> list[TextChange]:
    def described(goal: dict) -> str:
        status = _goal_status(goal.get("status", "")) or "inget läge angivet"
        comment = goal.get("comment", "")
        return f"{status} – {comment}" if comment else status

    old = {goal.get("goal", ""): described(goal) for goal in previous.get("goals") or []}
    new = {goal.get("goal", ""): described(goal) for goal in current.get("goals") or []}
    names = [*new, *(name for name in old if name not in new)]
    return [_text_change(name, old.get(name, "–"), new.get(name, "–")) for name in names]


def compare_versions(
    report: Tertialrapport, previous: ReportVersion, current: ReportVersion, *, exact: bool
) -> Comparison:
    """Every field of two versions side by side. Without `exact`, counts are compared as shown (masked),
    and the difference is given only between counts shown as they are, so that it reveals no small count."""
    old, new = previous.snapshot, current.snapshot
    old_texts, new_texts = old.get("texts") or {}, new.get("texts") or {}
    texts = [
        _text_change(text_label(name), old_texts.get(name, ""), new_texts.get(name, ""))
        for name in TEXT_FIELDS
    ]
    texts.append(
        _text_change("Kommentar till kostnaden", old.get("cost_comment", ""), new.get("cost_comment", ""))
    )
    return Comparison(
        previous=previous,
        current=current,
        texts=texts,
        cost=_cost_change(money.to_decimal(old.get("cost")), money.to_decimal(new.get("cost"))),
        goals=_goal_changes(old, new),
        groups=_count_changes(report, old, new, exact=exact),
    )


def version_count(report: Tertialrapport) -> int:
    """How many versions the report page's link says there are."""
    return ReportStatusChange.objects.filter(
        report=report, to_status=S.INSKICKAD, snapshot__isnull=False
    ).count()
