"""The one place that answers "may this user …?".

Every rule is a function `can_<name>(user, subject, *args)` registered with `@rule`; it returns a
`Verdict`, truthy when allowed and carrying a Swedish reason when not, so a page can say why a
button is missing. A rule checks the subject's *state* as well as the user's roles: a justerat
meeting, a decided budget, a paid invoice or a submitted report is locked for everyone, whatever
their role. The rest of the code reaches the rules in one way each:

- a view declares `rule = "<name>"` (`forbund.mixins.ForbundViewMixin`), or a function view is
  decorated with `@access.declare("<name>")` / `@access.public`;
- a service calls `access.require("<name>", by, subject, …)`;
- a template reads `may.<name>` (built by `Flags` from the same rules) or, for one row of a
  list, `{% may "<name>" subject as flag %}` (`finsam/templatetags/access.py`).

The subject a rule is about is named by its second parameter (`forbund`, `insats`, `report`,
`meeting`, `budget`, `invoice`, `record`), which is how views and `Flags` pick it.

Roles:
- A user sees a förbund only if they hold a role in it; otherwise it does not exist for them (404).
- Samordnare administer the förbund; ekonom, board members, ersättare and revisor read it (the
  `READERS`); the revisor never changes anything.
- A projektägare sees only the insatser owned by their own member organisation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from forbund.models import Forbund, MeetingStatus, Role, User

Kind = Role.Kind

# Everyone who reads the whole förbund: its kansli, its board and its revisor.
READERS = frozenset({Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR})
BOARD = frozenset({Kind.STYRELSELEDAMOT, Kind.ERSATTARE})
STAFF = frozenset({Kind.SAMORDNARE, Kind.EKONOM})
# Staff and the revisor: the people who see every record, exact counts and the person register.
KANSLI_AND_REVISOR = frozenset({Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR})
# The samordnare and the revisor read the audit log: one keeps the records, the other examines them.
AUDIT_READERS = frozenset({Kind.SAMORDNARE, Kind.REVISOR})


@dataclass(frozen=True)
class Verdict:
    """An answer. `locked` tells a refusal because of the record's state (a justerat meeting, a paid
    invoice) from a refusal because of who is asking: the first is shown as a message on the page,
    the second is a 403."""

    allowed: bool
    reason: str = ""
    locked: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        if self.allowed:
            return
        if self.locked:
            raise ValidationError(self.reason, code="locked")
        raise PermissionDenied(self.reason)


ALLOWED = Verdict(True)


def refused(reason: str) -> Verdict:
    return Verdict(False, reason)


def locked(reason: str) -> Verdict:
    return Verdict(False, reason, locked=True)


# The registry ---------------------------------------------------------------------------------

PUBLIC = "public"  # declared by the few pages anyone may open: the public archive, the health check


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[..., Verdict]
    subject: str  # the name of the rule's second parameter: what the rule is about


RULES: dict[str, Rule] = {}


def rule(func: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """Register `can_<name>` as the rule `<name>`."""
    name = func.__name__.removeprefix("can_")
    subject = list(inspect.signature(func).parameters)[1]
    RULES[name] = Rule(name=name, check=func, subject=subject)
    return func


class UnknownRule(LookupError):
    """A view, service or template named a rule that does not exist (a typo is a bug, not a 'no')."""


def get_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise UnknownRule(f"Ingen regel heter {name!r}.") from None


def check(name: str, user: User, subject, *args) -> Verdict:
    return get_rule(name).check(user, subject, *args)


def require(name: str, user: User, subject, *args) -> None:
    """Raise unless the rule allows: PermissionDenied for who is asking, ValidationError for state."""
    check(name, user, subject, *args).require()


def declare(name: str):
    """Declare the rule a function view needs; the view itself calls `require` with its subject."""
    get_rule(name) if name != PUBLIC else None

    def decorator(view):
        view.rule = name
        return view

    return decorator


def public(view):
    """Declare a function view open to anyone, logged in or not."""
    view.rule = PUBLIC
    return view


class Flags:
    """`may` in templates: `may.<rule>` answers the rule for the subject of that kind the page is
    about (`Flags(user, forbund=…, meeting=…)`), evaluated once and only when a template asks."""

    def __init__(self, user: User, **subjects) -> None:
        self._user = user
        self._subjects = subjects
        self._answers: dict[str, Verdict] = {}

    def __getitem__(self, name: str) -> Verdict:
        if name not in self._answers:
            found = get_rule(name)
            subject = self._subjects.get(found.subject)
            if subject is None:
                raise UnknownRule(f"Sidan har ingen {found.subject} att fråga regeln {name!r} om.")
            self._answers[name] = found.check(self._user, subject)
        return self._answers[name]

    def __getattr__(self, name: str) -> Verdict:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def with_subjects(self, **subjects) -> Flags:
        return Flags(self._user, **{**self._subjects, **subjects})


# Roles ----------------------------------------------------------------------------------------


def _role_cache(user: User) -> dict[int, frozenset[str]]:
    # Cached on the user object, which lives for one request.
    cache = getattr(user, "_finsam_roles", None)
    if cache is None:
        cache = {}
        for forbund_id, kind in Role.objects.filter(user=user).values_list("forbund_id", "kind"):
            cache.setdefault(forbund_id, set()).add(kind)
        cache = {key: frozenset(value) for key, value in cache.items()}
        user._finsam_roles = cache
    return cache


def roles(user: User, forbund: Forbund) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return _role_cache(user).get(forbund.pk, frozenset())


def _owned_medlem_ids(user: User, forbund_id: int) -> frozenset[int]:
    cache = getattr(user, "_finsam_owned", None)
    if cache is None:
        cache = {}
        user._finsam_owned = cache
    if forbund_id not in cache:
        cache[forbund_id] = frozenset(
            Role.objects.filter(user=user, forbund_id=forbund_id, kind=Kind.PROJEKTAGARE).values_list(
                "medlem_id", flat=True
            )
        )
    return cache[forbund_id]


def owns(user: User, insats) -> bool:
    """The projektägare's member organisation owns the insats."""
    if not user.is_authenticated or not user.is_active:
        return False
    return insats.owner_id in _owned_medlem_ids(user, insats.forbund_id)


def acting_roles(user: User, forbund: Forbund, insats=None) -> frozenset[str]:
    """The roles a user acts in on a record: a projektägare acts only on their own insats."""
    held = roles(user, forbund)
    if Kind.PROJEKTAGARE in held and (insats is None or not owns(user, insats)):
        held = held - {Kind.PROJEKTAGARE}
    return held


def forbund_for(user: User) -> QuerySet[Forbund]:
    """The förbund a user holds any role in."""
    if not user.is_authenticated:
        return Forbund.objects.none()
    return Forbund.objects.filter(roles__user=user).distinct().order_by("name")


def get_forbund_or_404(user: User, slug: str) -> Forbund:
    """The förbund by slug, or 404 for anyone who holds no role in it."""
    forbund = Forbund.objects.filter(slug=slug).first()
    if forbund is None or not roles(user, forbund):
        raise Http404("Förbundet finns inte.")
    return forbund


def role_labels(user: User, forbund: Forbund) -> list[str]:
    held = roles(user, forbund)
    return [label for value, label in Kind.choices if value in held]


def person_of(user: User, forbund: Forbund):
    """The förbund's person record linked to this login, if any."""
    from forbund.models import Person

    if not user.is_authenticated:
        return None
    return Person.objects.filter(forbund=forbund, user=user).first()


def _has(user: User, forbund: Forbund, wanted: frozenset[str], reason: str) -> Verdict:
    return ALLOWED if roles(user, forbund) & wanted else refused(reason)


# Signed in -------------------------------------------------------------------------------------


@rule
def can_use_finsam(user: User, account: User) -> Verdict:
    """The start page: any active account (it lists only the förbund where the account has a role)."""
    if user.is_authenticated and user.is_active and user.pk == account.pk:
        return ALLOWED
    return refused("Logga in för att använda finsam.")


# The förbund and its organisation ---------------------------------------------------------------


@rule
def can_view_forbund(user: User, forbund: Forbund) -> Verdict:
    return _has(user, forbund, frozenset(Kind.values), "Du har ingen roll i det här förbundet.")


@rule
def can_manage_organisation(user: User, forbund: Forbund) -> Verdict:
    """Edit the förbund's facts, members, board, staff, working groups, persons and meeting plan."""
    return _has(
        user,
        forbund,
        frozenset({Kind.SAMORDNARE}),
        "Bara förbundets samordnare kan ändra förbundets organisation.",
    )


@rule
def can_view_contact_register(user: User, forbund: Forbund) -> Verdict:
    """The register of persons with e-mail and telephone is for the kansli and the revisor."""
    return _has(user, forbund, KANSLI_AND_REVISOR, "Personregistret är till för förbundets kansli.")


@rule
def can_view_audit_log(user: User, forbund: Forbund) -> Verdict:
    """The log of who changed what: for the samordnare who keeps the records and the revisor."""
    return _has(user, forbund, AUDIT_READERS, "Loggen är till för samordnaren och revisorn.")


# Insatser -------------------------------------------------------------------------------------


@rule
def can_view_all_insatser(user: User, forbund: Forbund) -> Verdict:
    return _has(user, forbund, READERS, "Du ser bara de insatser som din organisation äger.")


def insatser_visible_to(user: User, forbund: Forbund) -> QuerySet:
    from insatser.models import Insats

    insatser = Insats.objects.filter(forbund=forbund)
    if can_view_all_insatser(user, forbund):
        return insatser
    return insatser.filter(owner_id__in=_owned_medlem_ids(user, forbund.pk))


def arbetsgrupper_visible_to(user: User, forbund: Forbund) -> QuerySet:
    """The förbund's working groups a user may see: a styrgrupp belongs to its insats, so a
    projektägare sees only those of the insatser their organisation owns (and the groups of no insats)."""
    from forbund.models import Arbetsgrupp

    groups = Arbetsgrupp.objects.filter(forbund=forbund)
    if can_view_all_insatser(user, forbund):
        return groups
    return groups.filter(Q(insats__isnull=True) | Q(insats__owner_id__in=_owned_medlem_ids(user, forbund.pk)))


def projektagare_medlemmar(user: User, forbund: Forbund) -> QuerySet:
    """The member organisations a projektägare may apply on behalf of."""
    from forbund.models import Medlem

    return Medlem.objects.filter(pk__in=_owned_medlem_ids(user, forbund.pk))


@rule
def can_create_application(user: User, forbund: Forbund, owner=None) -> Verdict:
    """Write an application: the samordnare for any member, a projektägare for their own organisation
    (`owner`, when the application names one)."""
    held = roles(user, forbund)
    if not held & {Kind.SAMORDNARE, Kind.PROJEKTAGARE}:
        return refused("Bara samordnare och projektägare kan skriva ansökningar.")
    own = Kind.SAMORDNARE in held or owner is None or owner.pk in _owned_medlem_ids(user, forbund.pk)
    if not own:
        return refused("Du kan bara söka medel för din egen organisation.")
    return ALLOWED


@rule
def can_register_idea(user: User, forbund: Forbund) -> Verdict:
    return _has(
        user, forbund, frozenset({Kind.SAMORDNARE}), "Bara samordnaren registrerar idéer och förstudier."
    )


@rule
def can_edit_application(user: User, insats) -> Verdict:
    """Change the application's content: text, goals, budget, delprocesser, attachments.
    After submission the application is kept as submitted; after the decision the insats changes
    only through its workflow."""
    from insatser.models import APPLICATION_EDITABLE

    if not acting_roles(user, insats.forbund, insats) & {Kind.SAMORDNARE, Kind.PROJEKTAGARE}:
        return refused("Bara samordnaren och projektägarens organisation kan ändra ansökan.")
    if insats.status not in APPLICATION_EDITABLE:
        return locked(
            f"Ansökan kan inte ändras när insatsen är {insats.get_status_display().lower()}; "
            "den är sparad som den skickades in."
        )
    return ALLOWED


@rule
def can_decide(user: User, insats) -> Verdict:
    """Record the board's decision on an application."""
    from insatser.models import Insats

    if Kind.SAMORDNARE not in roles(user, insats.forbund):
        return refused("Bara samordnaren registrerar styrelsens beslut.")
    if insats.status != Insats.Status.UNDER_BEREDNING:
        return locked("Beslut kan bara registreras för en ansökan som är under beredning.")
    return ALLOWED


@rule
def can_follow_up_insats(user: User, insats) -> Verdict:
    """Keep milestones and the styrgrupp's meetings."""
    return _has(
        user,
        insats.forbund,
        frozenset({Kind.SAMORDNARE}),
        "Bara samordnaren för in delmål och styrgruppsmöten.",
    )


# The parties' confirmations of an application ---------------------------------------------------


@rule
def can_request_confirmation(user: User, insats) -> Verdict:
    """Name a party's representative who is to confirm the application: the applicant's side (the
    samordnare, the projektägare of the owning member) until the board has decided."""
    from insatser.models import CONFIRMABLE

    if not acting_roles(user, insats.forbund, insats) & {Kind.SAMORDNARE, Kind.PROJEKTAGARE}:
        return refused("Bara samordnaren och projektägarens organisation ber parterna bekräfta ansökan.")
    if insats.status not in CONFIRMABLE:
        return locked(
            f"Insatsen är {insats.get_status_display().lower()}; parternas bekräftelser tas inte längre emot."
        )
    return ALLOWED


@rule
def can_view_confirmation_request(user: User, confirmation) -> Verdict:
    """Only the representative the request names opens it. They need no role in the förbund: being
    named is what lets them read that application's content, and nothing else of the förbund."""
    if user.is_authenticated and user.is_active and user.pk == confirmation.representative_id:
        return ALLOWED
    return refused("Bara den namngivna företrädaren kan öppna den här begäran om bekräftelse.")


@rule
def can_confirm_application(user: User, confirmation) -> Verdict:
    """Answer a request once, while it is about the application as it stands and the board has not
    decided."""
    from insatser.models import CONFIRMABLE

    verdict = can_view_confirmation_request(user, confirmation)
    if not verdict:
        return verdict
    if confirmation.voided_at:
        return locked("Gäller en tidigare version: ansökan har ändrats sedan du ombads bekräfta den.")
    if confirmation.answer:
        from django.utils import timezone

        answered = timezone.localtime(confirmation.answered_at)
        return locked(
            f"Du har redan svarat ({confirmation.get_answer_display().lower()} {answered:%Y-%m-%d})."
        )
    if confirmation.insats.status not in CONFIRMABLE:
        return locked(
            f"Insatsen är {confirmation.insats.get_status_display().lower()}; svar tas inte längre emot."
        )
    return ALLOWED


# Workflows ------------------------------------------------------------------------------------


@rule
def can_transition(user: User, record, target: str) -> Verdict:
    """Move a record (insats, report, meeting, invoice, budget) one step in its workflow, as its
    table in `finsam.workflow` allows: from this state, to that one, by these roles."""
    flow = type(record).workflow  # set by finsam.workflow.register
    step = flow.step(record.status, target)
    if step is None:
        current = record.get_status_display().lower()
        wanted = flow.label_of(target).lower()
        return locked(f"{flow.noun.capitalize()} som är {current} kan inte bli {wanted}.")
    if not acting_roles(user, flow.forbund_of(record), flow.insats_of(record)) & step.roles:
        return refused(f"Din roll får inte göra detta: {step.label.lower()}.")
    if step.not_by and getattr(record, f"{step.not_by}_id", None) == user.pk:
        return refused(step.not_by_reason)
    if step.rule:
        return check(step.rule, user, record)
    return ALLOWED


# Economy --------------------------------------------------------------------------------------


@rule
def can_view_economy(user: User, forbund: Forbund) -> Verdict:
    """Budgets, invoices, ledger and outcome: the kansli, the board and the revisor."""
    return _has(user, forbund, READERS, "Förbundets ekonomi är till för kansliet, styrelsen och revisorn.")


@rule
def can_manage_economy(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & STAFF:
        return ALLOWED
    if not can_view_economy(user, forbund):
        # Someone who may not even read the economy is told that, not that they may not change it.
        return can_view_economy(user, forbund)
    return refused("Bara samordnaren och ekonomen kan ändra förbundets ekonomi.")


@rule
def can_edit_budget(user: User, budget) -> Verdict:
    """A budget version changes while it is a proposal; a decided one only through a new version."""
    verdict = can_manage_economy(user, budget.forbund)
    if not verdict:
        return verdict
    if budget.status != budget.Status.FORSLAG:
        return locked("En beslutad budget ändras inte. Skapa en revidering i stället.")
    return ALLOWED


@rule
def can_edit_invoice(user: User, invoice) -> Verdict:
    """An invoice is corrected until it is attested: the attest approves its amount and period, so an
    attested or paid invoice is locked and a correction is a credit note."""
    verdict = can_manage_economy(user, invoice.forbund)
    if not verdict:
        return verdict
    if invoice.status != invoice.Status.MOTTAGEN:
        return locked(
            f"Fakturan är {invoice.get_status_display().lower()} och kan inte ändras; "
            "registrera en kreditfaktura om något behöver rättas."
        )
    return ALLOWED


# Documents ------------------------------------------------------------------------------------


@rule
def can_view_documents(user: User, forbund: Forbund) -> Verdict:
    return _has(user, forbund, READERS, "Förbundets dokument är till för kansliet, styrelsen och revisorn.")


@rule
def can_manage_documents(user: User, forbund: Forbund) -> Verdict:
    """Write the verksamhetsplan's text and make the förbund's documents."""
    return _has(
        user,
        forbund,
        frozenset({Kind.SAMORDNARE}),
        "Bara samordnaren skriver och skapar förbundets dokument.",
    )


# Each kind of document → the rule (about the förbund) that may order it; filled by
# `finsam.rendering.register`.
DOCUMENT_RULES: dict[str, str] = {}


@rule
def can_retry_document(user: User, job) -> Verdict:
    """Whoever may order the document may order it again when it failed, or when its worker has been
    silent for `Dokumentjobb.STALLED_AFTER` (it died mid-render); a job that is running or done is
    left alone."""
    verdict = check(DOCUMENT_RULES[job.kind], user, job.forbund)
    if not verdict:
        return verdict
    if job.status == job.Status.MISSLYCKAD or job.is_stalled:
        return ALLOWED
    if job.status == job.Status.KLAR:
        return locked("Dokumentet är redan klart.")
    return locked("Dokumentet skapas just nu. Försök igen erbjuds om arbetet stannar av.")


# Reports --------------------------------------------------------------------------------------


def reports_visible_to(user: User, forbund: Forbund) -> QuerySet:
    """Kansli and revisor see every report; the board the approved ones; a projektägare their own."""
    from uppfoljning.models import Tertialrapport

    reports = Tertialrapport.objects.filter(period__forbund=forbund)
    held = roles(user, forbund)
    if held & KANSLI_AND_REVISOR:
        return reports
    visible = reports.none()
    if held & BOARD:
        visible = reports.filter(status=Tertialrapport.Status.GODKAND)
    if Kind.PROJEKTAGARE in held:
        # Only their own organisation's, also for a projektägare who sits on the board.
        visible = visible | reports.filter(insats__owner_id__in=_owned_medlem_ids(user, forbund.pk))
    return visible


@rule
def can_view_reports(user: User, forbund: Forbund) -> Verdict:
    return _has(
        user,
        forbund,
        KANSLI_AND_REVISOR | BOARD | {Kind.PROJEKTAGARE},
        "Du har ingen roll som ger tillgång till rapporterna.",
    )


@rule
def can_see_report_board(user: User, forbund: Forbund) -> Verdict:
    """The status board of every insats's reports, and the förbund's follow-up."""
    return _has(
        user,
        forbund,
        KANSLI_AND_REVISOR | BOARD,
        "Översikten över rapporterna är till för kansliet, styrelsen och revisorn.",
    )


@rule
def can_see_exact_counts(user: User, forbund: Forbund, insats=None) -> Verdict:
    """Participant counts below 5 are shown exactly only to the förbund's staff and, for their own
    insats, to the project owner who reported them; everyone else sees '<5', so that no
    participant can be singled out."""
    held = roles(user, forbund)
    if held & STAFF:
        return ALLOWED
    if insats is not None and Kind.PROJEKTAGARE in held and owns(user, insats):
        return ALLOWED
    return refused("Små antal visas bara för förbundets kansli.")


@rule
def can_manage_report_periods(user: User, forbund: Forbund) -> Verdict:
    return _has(user, forbund, frozenset({Kind.SAMORDNARE}), "Bara samordnaren bestämmer rapportperioderna.")


@rule
def can_follow_up_indicators(user: User, forbund: Forbund) -> Verdict:
    """Record the outcome of the year's indicators (the goals are written in the verksamhetsplan)."""
    return _has(user, forbund, frozenset({Kind.SAMORDNARE}), "Bara samordnaren för in indikatorernas utfall.")


@rule
def can_edit_report(user: User, report) -> Verdict:
    """A report is filled in while it is a draft or returned; once submitted it is locked for its
    owner until the samordnare returns it, and an approved report never changes."""
    if not acting_roles(user, report.period.forbund, report.insats) & {Kind.SAMORDNARE, Kind.PROJEKTAGARE}:
        return refused("Bara projektägarens organisation och samordnaren kan fylla i rapporten.")
    if not report.is_editable:
        return locked(f"Rapporten är {report.get_status_display().lower()} och kan inte ändras.")
    return ALLOWED


# The board's meetings -----------------------------------------------------------------------------


@rule
def can_view_meetings(user: User, forbund: Forbund) -> Verdict:
    """Agendas, papers, packets and minutes: the board, the kansli and the revisor."""
    return _has(
        user,
        forbund,
        READERS,
        "Styrelsens möten och handlingar är till för styrelsen, kansliet och revisorn.",
    )


@rule
def can_manage_meetings(user: User, forbund: Forbund) -> Verdict:
    """Plan meetings, build agendas, send notices, record attendance, decisions and minutes."""
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    if not can_view_meetings(user, forbund):
        return can_view_meetings(user, forbund)
    return refused("Bara samordnaren förbereder och protokollför styrelsens möten.")


def _minutes_lock(meeting) -> Verdict:
    """Once the minutes are locked for justering nothing recorded at the meeting changes (unlock
    first); once justerat, never again: a correction is a recorded rättelse."""
    if meeting.status == MeetingStatus.JUSTERAT:
        return locked("Protokollet är justerat och kan inte längre ändras. Gör en rättelse i stället.")
    if meeting.status == MeetingStatus.JUSTERING:
        return locked("Protokollet är låst för justering. Lås upp det för att rätta något.")
    return ALLOWED


@rule
def can_edit_meeting(user: User, meeting) -> Verdict:
    """The meeting's date, time and place: fixed once its minutes are locked for justering."""
    return can_manage_meetings(user, meeting.forbund) and _minutes_lock(meeting)


@rule
def can_edit_agenda(user: User, meeting) -> Verdict:
    """Items, their papers and linked records, their order and the delegationsbeslut reported in
    them, until the minutes are locked."""
    verdict = can_manage_meetings(user, meeting.forbund)
    if not verdict:
        return verdict
    if meeting.status == MeetingStatus.JUSTERING:
        return locked("Protokollet är låst för justering; dagordningen kan inte ändras.")
    if meeting.status == MeetingStatus.JUSTERAT:
        return locked("Protokollet är justerat; dagordningen kan inte längre ändras.")
    return ALLOWED


@rule
def can_send_notice(user: User, meeting) -> Verdict:
    """The notice, or a new version of it, goes out before the meeting while it is planned or called."""
    verdict = can_manage_meetings(user, meeting.forbund)
    if not verdict:
        return verdict
    if meeting.status not in (MeetingStatus.PLANERAT, MeetingStatus.KALLAT):
        return locked(
            f"Mötet är {meeting.get_status_display().lower()}; en kallelse kan inte längre skickas."
        )
    if meeting.is_past():
        return locked(
            f"Mötet den {meeting.date:%Y-%m-%d} har redan varit; en kallelse kan bara skickas före mötet."
        )
    return ALLOWED


@rule
def can_edit_minutes(user: User, meeting) -> Verdict:
    """Attendance, jäv, decisions and justerare, until the minutes are locked for justering."""
    return can_manage_meetings(user, meeting.forbund) and _minutes_lock(meeting)


@rule
def can_correct_minutes(user: User, meeting) -> Verdict:
    """A justerat protokoll is corrected only by a recorded rättelse (who, when, what, why)."""
    verdict = can_manage_meetings(user, meeting.forbund)
    if not verdict:
        return verdict
    if meeting.status != MeetingStatus.JUSTERAT:
        return locked("Rättelser görs bara i ett justerat protokoll; ändra protokollet direkt.")
    return ALLOWED


@rule
def can_approve_minutes(user: User, meeting) -> Verdict:
    """Only the meeting's ordförande (who presided, which need not be the board's ordförande) and
    the justerare chosen at the meeting justera, each logged in with their own account; anyone else
    is refused, the board's absent ordförande and the samordnare included."""
    person = person_of(user, meeting.forbund)
    if person is None:
        return refused("Ditt konto är inte kopplat till någon person i förbundet.")
    if meeting.status != MeetingStatus.JUSTERING:
        return locked("Protokollet är inte klart för justering.")
    if meeting.approvals.filter(person=person).exists():
        return locked("Du har redan justerat protokollet.")
    if person.pk == meeting.ordforande_id or meeting.justerare.filter(pk=person.pk).exists():
        return ALLOWED
    return refused(
        "Bara ordföranden vid sammanträdet och de valda justerarna justerar protokollet, "
        "var och en med sitt eget konto."
    )


# Platform administration and the guided start of a förbund ---------------------------------
# A platform administrator is a role above the förbund (`PlatformAdministrator`), not a Django
# superuser: they see the installation's list of förbund and the set-up pages, create förbund and
# invite the first samordnare. They read no förbund's insatser, reports, meetings or economy: the
# rules above ask for a role in the förbund, which a platform administrator has only if given one.


def is_platform_admin(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_finsam_platform_admin", None)
    if cached is None:
        from forbund.models import PlatformAdministrator

        cached = PlatformAdministrator.objects.filter(user=user).exists()
        user._finsam_platform_admin = cached
    return cached


@rule
def can_administer_platform(user: User, account: User) -> Verdict:
    """The list of förbund in the installation, and starting a new one."""
    if user.is_authenticated and user.pk == account.pk and is_platform_admin(user):
        return ALLOWED
    return refused("Sidan är till för plattformens administratörer.")


@rule
def can_set_up_forbund(user: User, forbund: Forbund) -> Verdict:
    """The guided start's pages (facts, members, populations, board, staff, first samordnare and the
    Excel import) while the start is open; once handed over to the förbund's samordnare, the
    organisation is theirs to keep and the platform administrator only sees the list."""
    if not is_platform_admin(user):
        return refused("Uppstarten av ett förbund sköts av plattformens administratörer.")
    setup = getattr(forbund, "uppstart", None)
    if setup is None or setup.completed_at is not None:
        return locked(f"{forbund} är i drift; förbundets samordnare sköter dess organisation.")
    return ALLOWED


# Accounts managed in the app ------------------------------------------------------------------


@rule
def can_view_accounts(user: User, forbund: Forbund) -> Verdict:
    """Who has an account and which roles: the samordnare who manages them, and the revisor, who
    examines who may do what (read only). Board members and projektägare do not see the list."""
    reason = "Bara samordnare och revisorer ser förbundets användare och behörigheter."
    return _has(user, forbund, AUDIT_READERS, reason)


@rule
def can_manage_accounts(user: User, forbund: Forbund) -> Verdict:
    """Only the samordnare invites people and gives or ends roles in their own förbund."""
    return _has(
        user, forbund, frozenset({Kind.SAMORDNARE}), "Bara samordnare bjuder in och ändrar behörigheter."
    )


@rule
def can_invite_to_forbund(user: User, forbund: Forbund) -> Verdict:
    """Inviting: the förbund's samordnare, or a platform administrator while the förbund's guided
    start is open (they invite its first samordnare, where no samordnare exists yet)."""
    if roles(user, forbund) & {Kind.SAMORDNARE} or can_set_up_forbund(user, forbund):
        return ALLOWED
    return refused("Bara samordnare bjuder in till förbundet.")


@rule
def can_accept_invitation(user: User, invitation) -> Verdict:
    """The link is the credential: whoever holds it may open the invitation while it waits for an
    answer (it is e-mailed to one address, expires and is used once). Used, withdrawn or expired
    invitations are refused by state, with the reason shown to the invitee."""
    reason = invitation.why_unusable()
    return locked(reason) if reason else ALLOWED


# Invoices tied to grants: attest rules, rekvisitioner, what each member gets ---


def _economy_settings(user: User, forbund_id: int):
    """The förbund's attest rules, read once per request (cached on the user object, as the roles
    are); a förbund that has never saved them has the defaults."""
    from ekonomi.models import EconomySettings

    cache = getattr(user, "_finsam_economy_settings", None)
    if cache is None:
        cache = user._finsam_economy_settings = {}
    if forbund_id not in cache:
        cache[forbund_id] = EconomySettings.objects.filter(forbund_id=forbund_id).first() or EconomySettings(
            forbund_id=forbund_id
        )
    return cache[forbund_id]


@rule
def can_attest_invoice(user: User, invoice) -> Verdict:
    """The förbund's attest rules: only the roles it names attest, and by default not the person who
    registered the invoice (a projektägare's rekvisition is registered by the projektägare)."""
    rules = _economy_settings(user, invoice.forbund_id)
    allowed = rules.attest_roles
    if not acting_roles(user, invoice.forbund) & allowed:
        if not allowed:
            return refused("Förbundets attestregler låter ingen attestera; samordnaren behöver ändra dem.")
        names = " och ".join(label.lower() for value, label in Kind.choices if value in allowed)
        return refused(f"Enligt förbundets attestregler attesterar bara {names}.")
    if not rules.registrar_may_attest and invoice.registered_by_id == user.pk:
        return refused("Den som registrerade fakturan attesterar den inte; en annan i kansliet gör det.")
    return ALLOWED


@rule
def can_pay_invoice(user: User, invoice) -> Verdict:
    """Attest and payment are separate people unless the förbund's attest rules say otherwise."""
    rules = _economy_settings(user, invoice.forbund_id)
    if not rules.attester_may_pay and invoice.attested_by_id == user.pk:
        return refused(
            "Den som attesterade fakturan markerar den inte som betald; en annan i kansliet gör det."
        )
    return ALLOWED


@rule
def can_manage_attest_rules(user: User, forbund: Forbund) -> Verdict:
    """Who may attest what is the förbund's internal control: the samordnare sets it."""
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    if not can_view_economy(user, forbund):
        return can_view_economy(user, forbund)
    return refused("Bara samordnaren ändrar förbundets attestregler.")


@rule
def can_submit_rekvisition(user: User, forbund: Forbund, insats=None) -> Verdict:
    """A projektägare requests payment (rekvisition) for their own organisation's insats, once it is
    granted and for as long as it runs or has money to settle; the kansli registers invoices instead."""
    from insatser.models import GRANTED_STATUSES

    if Kind.PROJEKTAGARE not in roles(user, forbund):
        return refused("Rekvisitioner skickas av projektägare; kansliet registrerar fakturor.")
    if insats is None:
        return ALLOWED
    if insats.forbund_id != forbund.pk or not owns(user, insats):
        return refused("Du kan bara rekvirera medel för din egen organisations insatser.")
    if insats.status not in GRANTED_STATUSES:
        return locked(
            f"Insatsen är {insats.get_status_display().lower()}; medel rekvireras först när den är beviljad."
        )
    return ALLOWED


@rule
def can_view_member_benefits(user: User, forbund: Forbund) -> Verdict:
    """What each member gets for its money: the kansli, the board and the revisor (not projektägare,
    who see only their own insatser)."""
    return _has(
        user,
        forbund,
        READERS,
        "Sidan om vad medlemmarna får för sina bidrag är till för kansliet, styrelsen och revisorn.",
    )


# Förhinder and serving ersättare ---------------------------------------------------------------

FORHINDER_OPEN = frozenset({MeetingStatus.PLANERAT, MeetingStatus.KALLAT})


def _before_meeting(meeting) -> Verdict:
    """Förhinder are reported, withdrawn and answered before the meeting, while it is planned or called;
    afterwards the attendance recorded at the meeting is what counts."""
    if meeting.status not in FORHINDER_OPEN or meeting.is_past():
        return locked(
            f"Mötet den {meeting.date:%Y-%m-%d} har redan börjat eller hållits; "
            "närvaron registreras nu i närvarolistan."
        )
    return ALLOWED


def is_ledamot_at(person, meeting) -> bool:
    """Does the person hold an ordinary seat (ledamot) on the meeting's date?"""
    from forbund.models import Styrelseuppdrag

    day = meeting.date
    return Styrelseuppdrag.objects.filter(
        Q(end__isnull=True) | Q(end__gte=day),
        forbund_id=meeting.forbund_id,
        person=person,
        role=Styrelseuppdrag.Role.LEDAMOT,
        start__lte=day,
    ).exists()


@rule
def can_report_forhinder(user: User, meeting, person=None) -> Verdict:
    """A ledamot reports their own förhinder for a coming meeting; the samordnare may record it on a
    ledamot's behalf (who called or e-mailed). Nobody reports förhinder for someone else."""
    if Kind.SAMORDNARE in roles(user, meeting.forbund):
        if person is not None and not is_ledamot_at(person, meeting):
            return refused(f"{person} är inte ledamot i styrelsen på mötets datum.")
        return _before_meeting(meeting)
    own = person_of(user, meeting.forbund)
    if own is None or (person is not None and person.pk != own.pk):
        return refused("Bara ledamoten själv anmäler förhinder, eller samordnaren på ledamotens uppdrag.")
    if not is_ledamot_at(own, meeting):
        return refused("Förhinder anmäls av ordinarie ledamöter; du är inte ledamot på mötets datum.")
    return _before_meeting(meeting)


@rule
def can_withdraw_forhinder(user: User, forhinder) -> Verdict:
    """The ledamot (or the samordnare) withdraws a förhinder before the meeting: the ersättare asked or
    serving are told they are no longer needed."""
    meeting = forhinder.meeting
    if Kind.SAMORDNARE not in roles(user, meeting.forbund):
        own = person_of(user, meeting.forbund)
        if own is None or own.pk != forhinder.person_id:
            return refused("Bara ledamoten själv, eller samordnaren, kan återkalla förhindret.")
    if forhinder.withdrawn_at is not None:
        return locked("Förhindret är redan återkallat.")
    return _before_meeting(meeting)


@rule
def can_view_inkallelse(user: User, inkallelse) -> Verdict:
    """The request to serve: the ersättare asked reads it, and the samordnare who follows the call-in."""
    meeting = inkallelse.forhinder.meeting
    if user.is_authenticated and user.is_active and inkallelse.person.user_id == user.pk:
        return ALLOWED
    return _has(
        user,
        meeting.forbund,
        frozenset({Kind.SAMORDNARE}),
        "Förfrågan är till den ersättare som har tillfrågats.",
    )


@rule
def can_answer_inkallelse(user: User, inkallelse) -> Verdict:
    """Only the ersättare asked answers, once, before the meeting, while the förhinder stands."""
    if not (user.is_authenticated and user.is_active and inkallelse.person.user_id == user.pk):
        return refused("Bara den tillfrågade ersättaren svarar, med sitt eget konto.")
    if inkallelse.voided_at is not None:
        return locked("Förfrågan gäller inte längre: ledamoten har återkallat sitt förhinder.")
    if inkallelse.answer:
        return locked(f"Du har redan svarat: {inkallelse.get_answer_display().lower()}.")
    return _before_meeting(inkallelse.forhinder.meeting)


# Notifications ---------------------------------------------------------------------------------


@rule
def can_view_notifications(user: User, account: User) -> Verdict:
    """The bell, the list and the e-mail choices: a signed-in user's own, and only their own."""
    if user.is_authenticated and user.is_active and user.pk == account.pk:
        return ALLOWED
    return refused("Logga in för att se dina notiser.")


@rule
def can_read_notification(user: User, notification) -> Verdict:
    """A notification is its recipient's alone; anyone else is told it does not exist (the view 404s)."""
    if user.is_authenticated and user.is_active and notification.recipient_id == user.pk:
        return ALLOWED
    return refused("Notisen är inte din.")


# Carry-over and forecast ---------------------------------------------------------------------


@rule
def can_override_forecast(
    user: User, forbund: Forbund, year: int, year_locked: bool | None = None
) -> Verdict:
    """The ekonom or samordnare sets their own forecast for a line, with a reason, while the year is
    open; a locked year's forecast is its outcome. `year_locked`: whether the year's ledger is locked,
    when the caller has just read it (the budget comparison has)."""
    verdict = can_manage_economy(user, forbund)
    if not verdict:
        return verdict
    from ekonomi.models import LockedPeriod

    if year_locked is None:
        year_locked = LockedPeriod.objects.filter(forbund=forbund, year=year).exists()
    if year_locked:
        return locked(f"Huvudboken för {year} är låst: prognosen är årets utfall.")
    return ALLOWED
