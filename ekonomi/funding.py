"""The Finsam funding rule as arithmetic: what each member pays, from a known total or state half.

Lag (2003:1210) om finansiell samordning: the state gives half, paid through Försäkringskassan
(Arbetsförmedlingen's part is included in it), the regions together give a quarter and the kommuner
together a quarter. Several regions (a förbund spanning county borders) are one party, as the
kommuner are. Each quarter is split among its members by working-age population, in equal parts or
by agreed shares, as the förbundsordning says; a member that is a member only part of the year
counts with the months it is a member (a kommun joining on 1 May counts 8/12), unless the
samordnare has set its amount for the year.

Pure: no database. The caller says who the members are (`Part`); `calculate` answers with every
share, the method it used and the warnings. It refuses (`FundingRefused`) when a party the law
requires is missing, and it never guesses: a missing population or agreed share leaves that
quarter unsplit with a warning naming the members, instead of falling back to equal parts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from finsam import money

ZERO = Decimal(0)
FULL_YEAR = 12

FORSAKRINGSKASSAN = "forsakringskassan"
ARBETSFORMEDLINGEN = "arbetsformedlingen"
REGION = "region"
KOMMUN = "kommun"

# Where the calculation starts.
START_TOTAL = "total"
START_STATE = "state"
START_REGIONS = "region"
START_KOMMUNER = "kommuner"
START_CHOICES = [
    (START_TOTAL, "Medlemmarnas sammanlagda bidrag"),
    (START_STATE, "Statens hälft (Försäkringskassan)"),
    (START_REGIONS, "Regionernas fjärdedel tillsammans"),
    (START_KOMMUNER, "Kommunernas fjärdedel tillsammans"),
]


class Method:
    """How one party's quarter is split among its members."""

    POPULATION = "invanare"
    EQUAL = "lika"
    AGREED = "andelar"
    choices = [
        (POPULATION, "Efter invånare i arbetsför ålder (16–64 år)"),
        (EQUAL, "Lika delar"),
        (AGREED, "Enligt överenskomna andelar"),
    ]
    labels = dict(choices)


class FundingRefused(ValueError):
    """The calculation cannot be made (a required party is missing); the message says why, in Swedish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Part:
    """A member as the calculator sees it for one year."""

    key: object  # what the caller knows the member by (the Medlem, or its id)
    name: str
    kind: str
    months: int = FULL_YEAR  # months of the year it is a member
    population: int | None = None  # invånare 16–64 år for the year
    agreed_share: Decimal | None = None  # in percent, as the förbundsordning gives it
    fixed_amount: Decimal | None = None  # the year's contribution as set by the samordnare


@dataclass
class Share:
    part: Part
    amount: Decimal | None  # None when the quarter could not be split
    basis: str = ""  # what the amount rests on, for the page: "invånare 12 345", "8/12 av året"


@dataclass
class QuarterSplit:
    """One party's quarter (the regions', the kommuner's) and how it was split."""

    label: str  # "Regionerna", "Kommunerna"
    amount: Decimal
    method: str
    shares: list[Share]
    warning: str = ""

    @property
    def method_label(self) -> str:
        return Method.labels[self.method]

    @property
    def split(self) -> bool:
        return not self.warning


@dataclass
class Funding:
    year: int
    total: Decimal  # state + regions + kommuner
    state: Decimal  # the state's half, paid by Försäkringskassan
    quarter: Decimal
    state_shares: list[Share]
    regions: QuarterSplit
    kommuner: QuarterSplit
    warnings: list[str] = field(default_factory=list)

    @property
    def shares(self) -> list[Share]:
        return [*self.state_shares, *self.regions.shares, *self.kommuner.shares]

    def amounts(self) -> dict[object, Decimal]:
        """Every member's amount that could be computed, by the caller's key."""
        return {share.part.key: share.amount for share in self.shares if share.amount is not None}


# Required parties ---------------------------------------------------------------------------------

REQUIRED = [
    (FORSAKRINGSKASSAN, "Försäkringskassan"),
    (ARBETSFORMEDLINGEN, "Arbetsförmedlingen"),
    (REGION, "någon region"),
    (KOMMUN, "någon kommun"),
]


def missing_parties(kinds: Iterable[str]) -> list[str]:
    """The parties the law requires that are not among `kinds`, as Swedish words."""
    present = set(kinds)
    return [label for kind, label in REQUIRED if kind not in present]


def missing_parties_message(missing: Sequence[str], when: int | str) -> str:
    """`when` is a year (2027) or words ("från 2026-07-01")."""
    if not missing:
        return ""
    return (
        f"Förbundet saknar {_swedish_list(missing)} som medlem {when}. Lagen om finansiell samordning "
        "kräver Försäkringskassan, Arbetsförmedlingen, minst en region och minst en kommun; utan dem "
        "kan medlemsbidragen inte fördelas enligt 50/25/25."
    )


def _swedish_list(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " och " + words[-1]


# Months of membership ------------------------------------------------------------------------------


def months_in_year(joined: datetime.date, left: datetime.date | None, year: int) -> int:
    """The calendar months of `year` with at least one day of membership: joining on 1 or 20 May
    counts May to December (8), leaving on 30 June counts January to June (6)."""
    first = max(joined, datetime.date(year, 1, 1))
    last = min(left or datetime.date(year, 12, 31), datetime.date(year, 12, 31))
    if last < first:
        return 0
    return last.month - first.month + 1


# The calculation ----------------------------------------------------------------------------------


def calculate(
    *,
    year: int,
    parts: Sequence[Part],
    start: str,
    amount: Decimal,
    kommun_method: str = Method.POPULATION,
    region_method: str = Method.POPULATION,
) -> Funding:
    """Every member's contribution for `year` from the known `amount` (the total of all members,
    the state's half, or one quarter). Whole kronor: the quarter is rounded down to whole kronor so
    that the state pays exactly twice it and each quarter's shares sum exactly to it."""
    kinds = {part.kind for part in parts}
    missing = [label for kind, label in REQUIRED if kind != ARBETSFORMEDLINGEN and kind not in kinds]
    if missing:
        raise FundingRefused(
            f"Beräkningen går inte att göra: förbundet saknar {_swedish_list(missing)} som medlem {year}. "
            "Staten, regionerna och kommunerna måste alla vara med för att fördelningen 50/25/25 ska gå "
            "att räkna ut; inga andelar har fyllts i."
        )
    if amount is None or amount < 0:
        raise FundingRefused("Ange ett belopp som inte är negativt.")
    divisor = {START_TOTAL: 4, START_STATE: 2, START_REGIONS: 1, START_KOMMUNER: 1}[start]
    quarter = (Decimal(amount) / divisor).quantize(money.KRONA, ROUND_FLOOR)
    warnings = []
    if quarter * divisor != amount:
        warnings.append(
            f"{_kr(amount)} går inte att dela i fjärdedelar i hela kronor; beräkningen utgår från "
            f"{_kr(quarter * divisor)}."
        )

    state_shares = []
    for part in parts:
        if part.kind == FORSAKRINGSKASSAN:
            state_shares.append(Share(part, 2 * quarter, "statens hälft"))
        elif part.kind == ARBETSFORMEDLINGEN:
            state_shares.append(Share(part, ZERO, "ingår i statens hälft"))
    fk = [share for share in state_shares if share.part.kind == FORSAKRINGSKASSAN]
    for extra in fk[1:]:
        extra.amount, extra.basis = ZERO, "staten betalar genom en Försäkringskassan"
    regions = split_quarter(
        "Regionerna", quarter, [p for p in parts if p.kind == REGION], region_method, year
    )
    kommuner = split_quarter(
        "Kommunerna", quarter, [p for p in parts if p.kind == KOMMUN], kommun_method, year
    )
    warnings += [split.warning for split in (regions, kommuner) if split.warning]
    return Funding(
        year=year,
        total=4 * quarter,
        state=2 * quarter,
        quarter=quarter,
        state_shares=state_shares,
        regions=regions,
        kommuner=kommuner,
        warnings=warnings,
    )


def split_quarter(
    label: str, quarter: Decimal, parts: Sequence[Part], method: str, year: int
) -> QuarterSplit:
    """Split one quarter among its members: a member with an amount set by the samordnare pays that,
    the rest is shared by the method's weights times the months of membership, to whole kronor by
    largest remainder so the shares sum exactly to the quarter."""
    split = QuarterSplit(label=label, amount=quarter, method=method, shares=[])
    fixed = [p for p in parts if p.fixed_amount is not None]
    shared = [p for p in parts if p.fixed_amount is None]
    fixed_total = money.total(p.fixed_amount for p in fixed)
    rest = quarter - fixed_total
    who = label.lower()

    def unsplit(warning: str) -> QuarterSplit:
        split.warning = warning
        split.shares = [
            Share(p, p.fixed_amount, "fast belopp" if p.fixed_amount is not None else "") for p in parts
        ]
        return split

    if rest < 0:
        return unsplit(
            f"De fastställda beloppen för {who} ({_kr(fixed_total)}) är större än deras fjärdedel "
            f"({_kr(quarter)}). {label}s fjärdedel är inte fördelad."
        )
    if not shared:
        if rest:
            return unsplit(
                f"De fastställda beloppen för {who} ({_kr(fixed_total)}) motsvarar inte deras fjärdedel "
                f"({_kr(quarter)}). {label}s fjärdedel är inte fördelad."
            )
        split.shares = [Share(p, p.fixed_amount, "fast belopp") for p in parts]
        return split

    if len(shared) == 1:
        # One member alone needs no weights: it gives the whole quarter (less any fixed amounts).
        split.shares = [
            Share(p, p.fixed_amount, "fast belopp")
            if p.fixed_amount is not None
            else Share(p, rest, "hela fjärdedelen")
            for p in parts
        ]
        return split
    if method == Method.POPULATION:
        lacking = [p.name for p in shared if not p.population]
        if lacking:
            return unsplit(
                f"Invånare i arbetsför ålder {year} saknas för {_swedish_list(lacking)}. "
                f"{label}s fjärdedel ({_kr(quarter)}) är inte fördelad: lägg in invånarantalen eller "
                "välj en annan fördelning."
            )
        base = {p.key: Decimal(p.population) for p in shared}
    elif method == Method.AGREED:
        lacking = [p.name for p in shared if not p.agreed_share]
        if lacking:
            return unsplit(
                f"Överenskommen andel saknas för {_swedish_list(lacking)}. {label}s fjärdedel "
                f"({_kr(quarter)}) är inte fördelad: ange andelarna eller välj en annan fördelning."
            )
        base = {p.key: Decimal(p.agreed_share) for p in shared}
    else:
        base = {p.key: Decimal(1) for p in shared}

    weights = [base[p.key] * p.months / FULL_YEAR for p in shared]
    weight_total = sum(weights, ZERO)
    if weight_total <= 0:
        return unsplit(f"{label}s fjärdedel går inte att fördela: ingen medlem är med under {year}.")
    amounts = money.apportion([rest * weight / weight_total for weight in weights], rest)
    by_key = {p.key: (amount, _basis(p, method)) for p, amount in zip(shared, amounts, strict=True)}
    split.shares = [
        Share(p, p.fixed_amount, "fast belopp") if p.fixed_amount is not None else Share(p, *by_key[p.key])
        for p in parts
    ]
    return split


def _basis(part: Part, method: str) -> str:
    if method == Method.POPULATION:
        basis = f"{_number(part.population)} invånare"
    elif method == Method.AGREED:
        basis = f"andel {_number(part.agreed_share)} %"
    else:
        basis = "lika del"
    if part.months != FULL_YEAR:
        basis += f", {part.months}/12 av året"
    return basis


def _number(value) -> str:
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value.normalize():f}".replace(".", ",")


def _kr(value) -> str:
    return f"{_number(money.kronor(value))} kr"
