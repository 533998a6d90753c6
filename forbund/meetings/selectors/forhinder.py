"""Reads about förhinder and serving ersättare: who is asked next in the call-in order, and where each
förhinder of a meeting stands (for the meeting page, the inbox and the services)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet

from forbund.models import Forhinder, Inkallelse, Person, Styrelsemote, Styrelseuppdrag

from .minutes import board_in_office


def call_key(seat: Styrelseuppdrag) -> tuple:
    """Ersättare are called in by their recorded order (1 first); those without one come last, by name."""
    return (seat.call_order is None, seat.call_order or 0, seat.person.name, seat.pk)


def ersattare_in_call_order(meeting: Styrelsemote, ledamot: Person) -> list[Styrelseuppdrag]:
    """The ersättare who may serve for `ledamot` at the meeting, in the order they are called in: any
    ersättare in office when the förbund's ersättare are shared (`Forbund.ersattare_shared`), otherwise
    those appointed by the same member as the ledamot. Each person once, at their first place."""
    seats = list(board_in_office(meeting))
    ledamot_members = {
        seat.medlem_id
        for seat in seats
        if seat.person_id == ledamot.pk and seat.role == Styrelseuppdrag.Role.LEDAMOT
    }
    shared = meeting.forbund.ersattare_shared
    candidates = sorted(
        (
            seat
            for seat in seats
            if seat.role == Styrelseuppdrag.Role.ERSATTARE
            and seat.person_id != ledamot.pk
            and (shared or seat.medlem_id in ledamot_members)
        ),
        key=call_key,
    )
    seen: set[int] = set()
    ordered = []
    for seat in candidates:
        if seat.person_id not in seen:
            seen.add(seat.person_id)
            ordered.append(seat)
    return ordered


@dataclass
class ForhinderState:
    """One förhinder as the meeting page shows it: who is asked now, who serves, who said no."""

    forhinder: Forhinder
    asked: list[Inkallelse]  # every request, in the order they were made

    @property
    def serving(self) -> Inkallelse | None:
        return next((ask for ask in self.asked if ask.is_serving), None)

    @property
    def waiting(self) -> Inkallelse | None:
        return next((ask for ask in self.asked if ask.is_waiting), None)

    @property
    def declined(self) -> list[Inkallelse]:
        return [ask for ask in self.asked if ask.answer == Inkallelse.Answer.NEJ]

    @property
    def summary(self) -> str:
        if self.forhinder.is_withdrawn:
            return "Återkallat"
        if self.serving:
            return f"{self.serving.person.name} tjänstgör"
        if self.waiting:
            return f"{self.waiting.person.name} är tillfrågad och har inte svarat"
        return "Ingen ersättare kan kallas in"


def inkallelser_prefetch() -> Prefetch:
    return Prefetch(
        "inkallelser", queryset=Inkallelse.objects.select_related("person").order_by("asked_at", "id")
    )


def meeting_forhinder(meeting: Styrelsemote, *, include_withdrawn: bool = True) -> list[ForhinderState]:
    """The meeting's förhinder, standing first, each with its requests (two queries)."""
    found: QuerySet[Forhinder] = (
        Forhinder.objects.filter(meeting=meeting)
        .select_related("person", "reported_by", "withdrawn_by")
        .prefetch_related(inkallelser_prefetch())
        .order_by(F("withdrawn_at").asc(nulls_first=True), "person__name", "id")
    )
    if not include_withdrawn:
        found = found.filter(withdrawn_at__isnull=True)
    return [ForhinderState(forhinder=f, asked=list(f.inkallelser.all())) for f in found]


def standing_forhinder(meeting: Styrelsemote, person: Person) -> Forhinder | None:
    return Forhinder.objects.filter(meeting=meeting, person=person, withdrawn_at__isnull=True).first()


def ledamoter_without_forhinder(meeting: Styrelsemote) -> QuerySet[Person]:
    """The ledamöter in office on the meeting's date who have not reported förhinder for it: whom the
    samordnare may record förhinder for."""
    seats = board_in_office(meeting).filter(role=Styrelseuppdrag.Role.LEDAMOT).values("person_id")
    standing = Forhinder.objects.filter(meeting=meeting, withdrawn_at__isnull=True).values("person_id")
    return Person.objects.filter(pk__in=seats).exclude(pk__in=standing).order_by("name")
