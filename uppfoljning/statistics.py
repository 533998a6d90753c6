"""The participant statistics a report holds: counts in categories, never anything about a person.

The categories follow what Försäkringskassan's national follow-up (Uppföljning Finsam) asks of an
insats. The checks say in words which numbers disagree."""

from __future__ import annotations

from dataclasses import dataclass

Counts = dict[tuple[str, str], int]


@dataclass(frozen=True)
class Dimension:
    code: str
    title: str
    categories: list[tuple[str, str]]


FLOW = Dimension(
    "flow",
    "Deltagare under perioden",
    [("nya", "Nya deltagare"), ("fortsatta", "Fortsätter från tidigare period"), ("avslutade", "Avslutade")],
)
GENDER = Dimension(
    "gender", "Kön", [("kvinnor", "Kvinnor"), ("man", "Män"), ("annat", "Annat eller vill inte uppge")]
)
AGE = Dimension(
    "age",
    "Ålder",
    [
        ("16_19", "16–19 år"),
        ("20_24", "20–24 år"),
        ("25_29", "25–29 år"),
        ("30_39", "30–39 år"),
        ("40_49", "40–49 år"),
        ("50_64", "50–64 år"),
    ],
)
SUPPORT = Dimension(
    "support",
    "Huvudsaklig försörjning vid start",
    [
        ("forsorjningsstod", "Försörjningsstöd"),
        ("sjukpenning", "Sjukpenning"),
        ("aktivitetsersattning", "Aktivitetsersättning"),
        ("a_kassa", "A-kassa eller aktivitetsstöd"),
        ("ingen", "Ingen ersättning"),
        ("annan", "Annan ersättning"),
    ],
)
OUTCOME = Dimension(
    "outcome",
    "Efter avslut",
    [
        ("arbete", "Arbete"),
        ("studier", "Studier"),
        ("arbetssokande", "Arbetssökande"),
        ("annan_insats", "Annan insats"),
        ("sjukskrivning", "Sjukskrivning"),
        ("avbrott", "Avbrott"),
        ("annat", "Annat"),
    ],
)
VOLUME = Dimension(
    "volume",
    "Volymer",
    [
        ("moten", "Möten och seminarier"),
        ("utbildade", "Personer som utbildats"),
        ("organisationer", "Organisationer som deltagit"),
    ],
)

INDIVIDUAL_DIMENSIONS = [FLOW, GENDER, AGE, SUPPORT, OUTCOME]
STRUCTURAL_DIMENSIONS = [VOLUME]
ALL_DIMENSIONS = [*INDIVIDUAL_DIMENSIONS, *STRUCTURAL_DIMENSIONS]
SMALL_COUNT = 5  # counts below this are hidden outside the förbund's staff


def dimensions_for(kind: str) -> list[Dimension]:
    return INDIVIDUAL_DIMENSIONS if kind == "individinriktad" else STRUCTURAL_DIMENSIONS


def total(counts: Counts, dimension: Dimension) -> int:
    return sum(counts.get((dimension.code, code), 0) for code, _ in dimension.categories)


def participants(counts: Counts) -> int:
    return counts.get(("flow", "nya"), 0) + counts.get(("flow", "fortsatta"), 0)


def ended(counts: Counts) -> int:
    return counts.get(("flow", "avslutade"), 0)


def problems(counts: Counts, kind: str) -> list[str]:
    """What disagrees in an individinriktad report's numbers, in words the project owner understands."""
    if kind != "individinriktad":
        return []
    found = []
    people, finished = participants(counts), ended(counts)
    if finished > people:
        found.append(
            f"Avslutade ({finished}) kan inte vara fler än deltagarna, nya och fortsatta ({people})."
        )
    for dimension in (GENDER, AGE, SUPPORT):
        summed = total(counts, dimension)
        if summed != people:
            found.append(
                f"{dimension.title}: summan ({summed}) ska vara lika med antalet deltagare ({people})."
            )
    outcomes = total(counts, OUTCOME)
    if outcomes != finished:
        found.append(f"Efter avslut: summan ({outcomes}) ska vara lika med antalet avslutade ({finished}).")
    return found


def masked(value: int | None) -> str:
    """A count as shown outside the förbund's staff: small numbers could point at a person."""
    if value is None:
        return "–"
    if 0 < value < SMALL_COUNT:
        return f"<{SMALL_COUNT}"
    return str(value)


def masked_breakdown(values: list[int]) -> list[str]:
    """A breakdown whose parts add up to a known total, as shown outside the förbund's staff.

    Hiding one small part is not enough, because the total minus the other parts gives it back.
    So when exactly one part is hidden, the smallest of the other non-zero parts is hidden too
    (secondary suppression)."""
    hidden = {index for index, value in enumerate(values) if 0 < value < SMALL_COUNT}
    if len(hidden) == 1:
        others = [(value, index) for index, value in enumerate(values) if index not in hidden and value > 0]
        if others:
            hidden.add(min(others)[1])
    return [_shown(value, index in hidden) for index, value in enumerate(values)]


def _shown(value: int, hidden: bool) -> str:
    if not hidden:
        return str(value)
    # A part hidden only to protect another is shown as "..", as official statistics do; "<5" would
    # be untrue for it.
    return f"<{SMALL_COUNT}" if value < SMALL_COUNT else ".."


def masked_dimension(dimension: Dimension, counts: Counts) -> list[str]:
    """One dimension of a report as shown outside the förbund's staff. The flow's new and continuing
    participants add up to the total the other breakdowns show, so they are protected together;
    the ended participants are what the outcome breakdown adds up to."""
    values = [counts.get((dimension.code, code), 0) for code, _ in dimension.categories]
    if dimension.code != FLOW.code:
        return masked_breakdown(values)
    new, continuing, finished = values
    return [*masked_breakdown([new, continuing]), masked(finished)]
