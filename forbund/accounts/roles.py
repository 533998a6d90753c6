"""Giving and ending a user's roles in a förbund (the samordnare's "Användare och behörigheter").

A role is what `finsam.access` reads; ending one removes it (the audit log keeps who held it, from
when and who ended it). The förbund always keeps at least one samordnare: without one nobody could
invite, give roles or run the förbund's work, so the last samordnare's role cannot be ended.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from finsam import access, audit

from ..models import Forbund, Medlem, Role, User

LAST_SAMORDNARE = (
    "{user} är förbundets enda samordnare. Ge någon annan rollen samordnare först, så att någon kan "
    "fortsätta administrera förbundet."
)


@transaction.atomic
def role_give(*, forbund: Forbund, user: User, kind: str, by: User, medlem: Medlem | None = None) -> Role:
    """Give `user`, who already has an account in the förbund, one more role (a projektägare for
    `medlem`). A person without an account is invited instead (`invitations.invite`)."""
    access.require("manage_accounts", by, forbund)
    if not Role.objects.filter(user=user, forbund=forbund).exists():
        raise ValidationError("Användaren har inget konto i förbundet; bjud in personen i stället.")
    if kind not in Role.Kind.values:
        raise ValidationError({"kind": "Välj en roll."})
    if Role.objects.filter(user=user, forbund=forbund, kind=kind).exists():
        raise ValidationError({"kind": f"{user} har redan rollen {Role.Kind(kind).label.lower()}."})
    if kind == Role.Kind.PROJEKTAGARE:
        if medlem is None:
            raise ValidationError(
                {"medlem": "Välj den organisation vars insatser projektägaren ansvarar för."}
            )
    else:
        medlem = None
    role = Role(user=user, forbund=forbund, kind=kind, medlem=medlem)
    role.full_clean()
    role.save()
    audit.created(
        forbund=forbund,
        actor=by,
        obj=role,
        description=f"{by} gav {user} rollen {role.get_kind_display().lower()}"
        + (f" för {medlem}" if medlem else ""),
    )
    _forget_cached_roles(user)
    _forget_cached_roles(by)
    return role


@transaction.atomic
def role_end(*, role: Role, by: User) -> None:
    """End a role. The förbund's last samordnare stays: refused with the reason."""
    forbund = role.forbund
    access.require("manage_accounts", by, forbund)
    # Lock the förbund's samordnare roles, so two samordnare ending each other's role at the same
    # moment cannot leave none.
    samordnare = list(
        Role.objects.select_for_update()
        .filter(forbund=forbund, kind=Role.Kind.SAMORDNARE)
        .values_list("pk", flat=True)
    )
    role = Role.objects.select_related("user", "medlem").filter(pk=role.pk, forbund=forbund).first()
    if role is None:
        raise ValidationError("Rollen är redan avslutad.")
    if role.kind == Role.Kind.SAMORDNARE and samordnare == [role.pk]:
        raise ValidationError(LAST_SAMORDNARE.format(user=role.user))
    user = role.user
    audit.deleted(
        forbund=forbund,
        actor=by,
        obj=role,
        description=f"{by} avslutade rollen {role.get_kind_display().lower()} för {user}"
        + (f" ({role.medlem})" if role.medlem_id else ""),
    )
    role.delete()
    _forget_cached_roles(user)
    _forget_cached_roles(by)


def may_end(role: Role, samordnare_count: int) -> bool:
    """For the page: whether the role's end button is offered (the service decides)."""
    return not (role.kind == Role.Kind.SAMORDNARE and samordnare_count <= 1)


def _forget_cached_roles(user: User) -> None:
    for name in ("_finsam_roles", "_finsam_owned"):
        if hasattr(user, name):
            delattr(user, name)
