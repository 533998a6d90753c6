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


def role_labels(user: User, forbund: Forbund) -> list[str]:
    held = roles(user, forbund)
    return [label for value, label in Kind.choices if value in held]
