"""Reads for "Användare och behörigheter": who has an account and which roles, invitations waiting
for an answer, and the people in the register (board and kansli) who have no account yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from ..models import Forbund, Invitation, Kansliuppdrag, Person, Role, Styrelseuppdrag, User

# The role an assignment in the register suggests for its person's invitation.
BOARD_KINDS = {
    Styrelseuppdrag.Role.LEDAMOT: Role.Kind.STYRELSELEDAMOT,
    Styrelseuppdrag.Role.ERSATTARE: Role.Kind.ERSATTARE,
}
KANSLI_KINDS = {
    Kansliuppdrag.Role.FORBUNDSCHEF: Role.Kind.SAMORDNARE,
    Kansliuppdrag.Role.SAMORDNARE: Role.Kind.SAMORDNARE,
    Kansliuppdrag.Role.EKONOM: Role.Kind.EKONOM,
}
SEAT_LABELS = dict(Styrelseuppdrag.Role.choices)
STAFF_LABELS = dict(Kansliuppdrag.Role.choices)


@dataclass
class Account:
    user: User
    roles: list[Role] = field(default_factory=list)

    @property
    def organisations(self) -> list[str]:
        return sorted({str(role.medlem) for role in self.roles if role.medlem_id})


@dataclass
class Unaccounted:
    """A person in the register with a current board seat or kansli entry and no account."""

    person: Person
    assignments: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    invitation: Invitation | None = None

    @property
    def kind_labels(self) -> list[str]:
        return [label for value, label in Role.Kind.choices if value in self.kinds]


def accounts_in(forbund: Forbund) -> list[Account]:
    """Everyone with a role in the förbund, by name, each with their roles (one query)."""
    accounts: dict[int, Account] = {}
    roles = (
        Role.objects.filter(forbund=forbund)
        .select_related("user", "medlem")
        .order_by("user__first_name", "user__last_name", "user__username", "user_id")
    )
    for role in roles:
        accounts.setdefault(role.user_id, Account(role.user)).roles.append(role)
    order = {value: index for index, value in enumerate(Role.Kind.values)}
    for account in accounts.values():
        account.roles.sort(key=lambda role: order[role.kind])
    return list(accounts.values())


def samordnare_count(accounts: list[Account]) -> int:
    return sum(1 for account in accounts for role in account.roles if role.kind == Role.Kind.SAMORDNARE)


def open_invitations(forbund: Forbund) -> list[Invitation]:
    """Invitations neither accepted nor withdrawn: waiting, or expired (which can be sent again)."""
    return list(
        Invitation.objects.filter(forbund=forbund, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("created_by", "medlem", "person")
        .order_by("-sent_at", "-pk")
    )


def current_assignment_q(day) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day)) | Q(start__gt=day)


def people_without_account(
    forbund: Forbund, invitations: list[Invitation] | None = None
) -> list[Unaccounted]:
    """Persons with a board seat or kansli entry that is current or coming, and no login; each with
    the roles their assignments suggest and any invitation already waiting for them (one query, and
    one more for the invitations unless they are given)."""
    people = _unaccounted(forbund, uninvited_only=False)
    if invitations is None:
        invitations = open_invitations(forbund)
    waiting = {}
    for invitation in invitations:
        if invitation.is_pending:
            if invitation.person_id:
                waiting.setdefault(("person", invitation.person_id), invitation)
            waiting.setdefault(("email", invitation.email), invitation)
    for entry in people:
        entry.invitation = waiting.get(("person", entry.person.pk)) or (
            waiting.get(("email", entry.person.email.lower())) if entry.person.email else None
        )
    return people


def people_to_invite(forbund: Forbund) -> list[Unaccounted]:
    """Those of `people_without_account` that no invitation waits for: the samordnare's to-do (one
    query)."""
    return _unaccounted(forbund, uninvited_only=True)


def _unaccounted(forbund: Forbund, *, uninvited_only: bool) -> list[Unaccounted]:
    """The board seats and kansli entries, current or coming, of persons without a login, read in one
    query (a union of the two registers, only the columns shown) and gathered per person by name."""
    day = timezone.localdate()
    # A pending invitation names the person or is sent to their address (stored in lower case).
    invited = Invitation.objects.filter(Invitation.pending_q(), forbund=forbund).filter(
        Q(person=OuterRef("person_id")) | Q(email=Lower(OuterRef("person__email")))
    )

    def rows(model, source: int, medlem_name):
        assignments = (
            model.objects.filter(forbund=forbund, person__user__isnull=True)
            .filter(current_assignment_q(day))
            .annotate(source=Value(source), medlem_name=medlem_name)
        )
        if uninvited_only:
            assignments = assignments.exclude(Exists(invited))
        return assignments.order_by().values_list(
            "person_id", "person__name", "person__email", "role", "start", "source", "medlem_name"
        )

    seats = rows(Styrelseuppdrag, 0, F("medlem__name"))
    staff = rows(Kansliuppdrag, 1, Value("", output_field=CharField()))
    # Seats before kansli entries, each by start (the order the assignments are listed in).
    union = seats.union(staff, all=True).order_by("source", "start", "person_id")
    people: dict[int, Unaccounted] = {}
    for person_id, name, email, role, _start, source, medlem_name in union:
        if person_id not in people:
            # Only the fields shown are read; the others load on access, as with `only()`.
            person = Person.from_db(
                union.db, ["id", "forbund_id", "name", "email"], [person_id, forbund.pk, name, email]
            )
            people[person_id] = Unaccounted(person)
        entry = people[person_id]
        if source == 0:
            entry.assignments.append(f"{SEAT_LABELS.get(role, role)} för {medlem_name}")
            _add_kind(entry, BOARD_KINDS.get(role))
        else:
            entry.assignments.append(f"{STAFF_LABELS.get(role, role)} i kansliet")
            _add_kind(entry, KANSLI_KINDS.get(role))
    return sorted(people.values(), key=lambda entry: entry.person.name.lower())


def _add_kind(entry: Unaccounted, kind: str | None) -> None:
    if kind and kind not in entry.kinds:
        entry.kinds.append(kind)
        order = {value: index for index, value in enumerate(Role.Kind.values)}
        entry.kinds.sort(key=order.__getitem__)


def suggested_kinds(person: Person) -> list[str]:
    """The roles a person's current or coming assignments suggest (for a prefilled invitation)."""
    day = timezone.localdate()
    kinds = []
    for seat in person.styrelseuppdrag.filter(current_assignment_q(day)):
        kinds.append(BOARD_KINDS.get(seat.role))
    for entry in person.kansliuppdrag.filter(current_assignment_q(day)):
        kinds.append(KANSLI_KINDS.get(entry.role))
    return [value for value in Role.Kind.values if value in kinds]
