"""The one place that answers "may this user …?".

Every check returns a `Verdict`, which is truthy when allowed and carries a Swedish reason when
not, so a page can say why a button is missing. Views never test roles themselves.

Rules:
- A user sees a förbund only if they hold a role in it; otherwise it does not exist for them (404).
- Samordnare administer the förbund's organisation; ekonom, board members, ersättare and
  revisor read it; the revisor never changes anything.
- A projektägare sees only the insatser owned by their own member organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from forbund.models import Forbund, Role, User

Kind = Role.Kind

ORGANISATION_EDITORS = frozenset({Kind.SAMORDNARE})
ALL_INSATSER_READERS = frozenset(
    {Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR}
)
BOARD_ROLES = frozenset({Kind.STYRELSELEDAMOT, Kind.ERSATTARE})


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


def _refused(reason: str) -> Verdict:
    return Verdict(False, reason)


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


def can_view_forbund(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund):
        return ALLOWED
    return _refused("Du har ingen roll i det här förbundet.")


def can_manage_organisation(user: User, forbund: Forbund) -> Verdict:
    """Edit the förbund's facts, members, board, staff, working groups, persons and meeting plan."""
    if roles(user, forbund) & ORGANISATION_EDITORS:
        return ALLOWED
    return _refused("Bara förbundets samordnare kan ändra förbundets organisation.")


CONTACT_REGISTER_READERS = frozenset({Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR})


def can_view_contact_register(user: User, forbund: Forbund) -> Verdict:
    """The register of persons with e-mail and telephone is for the kansli and the revisor."""
    if roles(user, forbund) & CONTACT_REGISTER_READERS:
        return ALLOWED
    return _refused("Personregistret är till för förbundets kansli.")


def can_view_all_insatser(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & ALL_INSATSER_READERS:
        return ALLOWED
    return _refused("Du ser bara de insatser som din organisation äger.")


def insatser_visible_to(user: User, forbund: Forbund) -> QuerySet:
    from insatser.models import Insats

    insatser = Insats.objects.filter(forbund=forbund)
    if can_view_all_insatser(user, forbund):
        return insatser
    own_medlemmar = Role.objects.filter(user=user, forbund=forbund, kind=Kind.PROJEKTAGARE).values("medlem")
    return insatser.filter(owner__in=own_medlemmar)


def can_view_insats(user: User, insats) -> Verdict:
    forbund = insats.forbund
    if not roles(user, forbund):
        return _refused("Du har ingen roll i det här förbundet.")
    if insatser_visible_to(user, forbund).filter(pk=insats.pk).exists():
        return ALLOWED
    return _refused("Insatsen ägs av en annan organisation.")


def _owns(user: User, insats) -> bool:
    return Role.objects.filter(
        user=user, forbund_id=insats.forbund_id, kind=Kind.PROJEKTAGARE, medlem_id=insats.owner_id
    ).exists()


def projektagare_medlemmar(user: User, forbund: Forbund) -> QuerySet:
    """The member organisations a projektägare may apply on behalf of."""
    from forbund.models import Medlem

    own = Role.objects.filter(user=user, forbund=forbund, kind=Kind.PROJEKTAGARE).values("medlem")
    return Medlem.objects.filter(pk__in=own)


def can_create_application(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & {Kind.SAMORDNARE, Kind.PROJEKTAGARE}:
        return ALLOWED
    return _refused("Bara samordnare och projektägare kan skriva ansökningar.")


def can_register_idea(user: User, forbund: Forbund) -> Verdict:
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    return _refused("Bara samordnaren registrerar idéer och förstudier.")


def can_edit_application(user: User, insats) -> Verdict:
    """Change the application's content: text, goals, budget, delprocesser, signatures, attachments."""
    from insatser.workflow import APPLICATION_EDITABLE

    held = roles(user, insats.forbund)
    if Kind.SAMORDNARE not in held and not (Kind.PROJEKTAGARE in held and _owns(user, insats)):
        return _refused("Bara samordnaren och projektägarens organisation kan ändra ansökan.")
    if insats.status not in APPLICATION_EDITABLE:
        return _refused(
            f"Ansökan kan inte ändras när insatsen är {insats.get_status_display().lower()}; "
            "den är sparad som den skickades in."
        )
    return ALLOWED


def can_transition(user: User, insats, target: str) -> Verdict:
    from insatser.workflow import TRANSITIONS

    transition = TRANSITIONS.get((insats.status, target))
    if transition is None:
        # The target comes from the URL, so it may be no status at all.
        target_label = insats.Status(target).label if target in insats.Status.values else target
        return _refused(
            f"En insats som är {insats.get_status_display().lower()} kan inte bli {target_label.lower()}."
        )
    held = roles(user, insats.forbund)
    if Kind.SAMORDNARE in held and Kind.SAMORDNARE in transition.roles:
        return ALLOWED
    if Kind.PROJEKTAGARE in held and Kind.PROJEKTAGARE in transition.roles and _owns(user, insats):
        return ALLOWED
    return _refused(f"Din roll får inte göra detta: {transition.label.lower()}.")


def can_decide(user: User, insats) -> Verdict:
    """Record the board's decision on an application."""
    from insatser.models import Insats

    if Kind.SAMORDNARE not in roles(user, insats.forbund):
        return _refused("Bara samordnaren registrerar styrelsens beslut.")
    if insats.status != Insats.Status.UNDER_BEREDNING:
        return _refused("Beslut kan bara registreras för en ansökan som är under beredning.")
    return ALLOWED


def can_follow_up_insats(user: User, insats) -> Verdict:
    """Keep milestones and the styrgrupp's meetings."""
    if Kind.SAMORDNARE in roles(user, insats.forbund):
        return ALLOWED
    return _refused("Bara samordnaren för in delmål och styrgruppsmöten.")


ECONOMY_EDITORS = frozenset({Kind.SAMORDNARE, Kind.EKONOM})
ECONOMY_READERS = frozenset(
    {Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR}
)


def can_view_economy(user: User, forbund: Forbund) -> Verdict:
    """Budgets, invoices, ledger and outcome: the kansli, the board and the revisor."""
    if roles(user, forbund) & ECONOMY_READERS:
        return ALLOWED
    return _refused("Förbundets ekonomi är till för kansliet, styrelsen och revisorn.")


def can_manage_economy(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & ECONOMY_EDITORS:
        return ALLOWED
    if not can_view_economy(user, forbund):
        # Someone who may not even read the economy is told that, not that they may not change it.
        return can_view_economy(user, forbund)
    return _refused("Bara samordnaren och ekonomen kan ändra förbundets ekonomi.")


DOCUMENT_READERS = frozenset(
    {Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR}
)


def can_view_documents(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & DOCUMENT_READERS:
        return ALLOWED
    return _refused("Förbundets dokument är till för kansliet, styrelsen och revisorn.")


def can_manage_documents(user: User, forbund: Forbund) -> Verdict:
    """Write the verksamhetsplan's text and make the förbund's documents."""
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    return _refused("Bara samordnaren skriver och skapar förbundets dokument.")


REPORT_READERS = frozenset({Kind.SAMORDNARE, Kind.EKONOM, Kind.REVISOR})


def reports_visible_to(user: User, forbund: Forbund) -> QuerySet:
    """Kansli and revisor see every report; the board the approved ones; a projektägare their own."""
    from uppfoljning.models import Tertialrapport

    reports = Tertialrapport.objects.filter(period__forbund=forbund)
    held = roles(user, forbund)
    if held & REPORT_READERS:
        return reports
    visible = reports.none()
    if held & BOARD_ROLES:
        visible = reports.filter(status=Tertialrapport.Status.GODKAND)
    if Kind.PROJEKTAGARE in held:
        visible = visible | reports.filter(insats__in=insatser_visible_to(user, forbund))
    return visible


STAFF = frozenset({Kind.SAMORDNARE, Kind.EKONOM})


def can_see_exact_counts(user: User, forbund: Forbund, insats=None) -> Verdict:
    """Participant counts below 5 are shown exactly only to the förbund's staff and, for their own
    insats, to the project owner who reported them; everyone else sees '<5', so that no
    participant can be singled out."""
    held = roles(user, forbund)
    if held & STAFF:
        return ALLOWED
    if insats is not None and Kind.PROJEKTAGARE in held and _owns(user, insats):
        return ALLOWED
    return _refused("Små antal visas bara för förbundets kansli.")


def can_see_report_board(user: User, forbund: Forbund) -> Verdict:
    """The status board of every insats's reports, and the förbund's follow-up."""
    if roles(user, forbund) & (REPORT_READERS | BOARD_ROLES):
        return ALLOWED
    return _refused("Översikten över rapporterna är till för kansliet, styrelsen och revisorn.")


def can_view_reports(user: User, forbund: Forbund) -> Verdict:
    if roles(user, forbund) & (REPORT_READERS | BOARD_ROLES | {Kind.PROJEKTAGARE}):
        return ALLOWED
    return _refused("Du har ingen roll som ger tillgång till rapporterna.")


def can_edit_report(user: User, report) -> Verdict:
    forbund = report.period.forbund
    held = roles(user, forbund)
    if Kind.SAMORDNARE not in held and not (Kind.PROJEKTAGARE in held and _owns(user, report.insats)):
        return _refused("Bara projektägarens organisation och samordnaren kan fylla i rapporten.")
    if not report.is_editable:
        return _refused(f"Rapporten är {report.get_status_display().lower()} och kan inte ändras.")
    return ALLOWED


def can_manage_report_periods(user: User, forbund: Forbund) -> Verdict:
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    return _refused("Bara samordnaren bestämmer rapportperioderna.")


def can_transition_report(user: User, report, target: str) -> Verdict:
    from uppfoljning.workflow import REPORT_TRANSITIONS

    transition = REPORT_TRANSITIONS.get((report.status, target))
    if transition is None:
        return _refused(f"En rapport som är {report.get_status_display().lower()} kan inte få den statusen.")
    held = roles(user, report.period.forbund)
    if Kind.SAMORDNARE in held and Kind.SAMORDNARE in transition.roles:
        return ALLOWED
    if Kind.PROJEKTAGARE in held and Kind.PROJEKTAGARE in transition.roles and _owns(user, report.insats):
        return ALLOWED
    return _refused(f"Din roll får inte göra detta: {transition.label.lower()}.")


MEETING_READERS = frozenset(
    {Kind.SAMORDNARE, Kind.EKONOM, Kind.STYRELSELEDAMOT, Kind.ERSATTARE, Kind.REVISOR}
)


def can_view_meetings(user: User, forbund: Forbund) -> Verdict:
    """Agendas, papers, packets and minutes: the board, the kansli and the revisor."""
    if roles(user, forbund) & MEETING_READERS:
        return ALLOWED
    return _refused("Styrelsens möten och handlingar är till för styrelsen, kansliet och revisorn.")


def can_manage_meetings(user: User, forbund: Forbund) -> Verdict:
    """Plan meetings, build agendas, send notices, record attendance, decisions and minutes."""
    if Kind.SAMORDNARE in roles(user, forbund):
        return ALLOWED
    if not can_view_meetings(user, forbund):
        return can_view_meetings(user, forbund)
    return _refused("Bara samordnaren förbereder och protokollför styrelsens möten.")


def person_of(user: User, forbund: Forbund):
    """The förbund's person record linked to this login, if any."""
    from forbund.models import Person

    if not user.is_authenticated:
        return None
    return Person.objects.filter(forbund=forbund, user=user).first()


def can_approve_minutes(user: User, meeting) -> Verdict:
    """The ordförande and the chosen justerare approve the minutes once they are locked for it."""
    from forbund.models import MeetingStatus, Styrelseuppdrag

    person = person_of(user, meeting.forbund)
    if person is None:
        return _refused("Ditt konto är inte kopplat till någon person i förbundet.")
    if meeting.status != MeetingStatus.JUSTERING:
        return _refused("Protokollet är inte klart för justering.")
    if meeting.approvals.filter(person=person).exists():
        return _refused("Du har redan justerat protokollet.")
    chair = Styrelseuppdrag.objects.filter(
        forbund_id=meeting.forbund_id,
        person=person,
        presidium=Styrelseuppdrag.Presidium.ORDFORANDE,
        start__lte=meeting.date,
    ).exclude(end__lt=meeting.date)
    if chair.exists() or meeting.justerare.filter(pk=person.pk).exists():
        return ALLOWED
    return _refused("Bara ordföranden och de valda justerarna justerar protokollet.")


def role_labels(user: User, forbund: Forbund) -> list[str]:
    held = roles(user, forbund)
    return [label for value, label in Kind.choices if value in held]
