"""Invitations: how a person gets an account and roles in a förbund without the Django admin.

`invite` makes an invitation and queues its e-mail through the worker (`forbund.tasks.
send_invitation`); `resend` makes a new link (the old one stops working) and a new expiry;
`withdraw` ends it. The link carries a random token; only its SHA-256 is stored, so the e-mail is
the one place the token exists. Opening the link, the invitee sets a password for a new account
(`accept_new_account`) or, when an account with that e-mail already exists, logs in and takes the
roles onto it (`accept_existing`). Either way the roles are given, the person in the register is
linked to the account, and the invitation is used up.

Every write runs in a transaction and is recorded in the förbund's audit log. If the worker's
broker cannot be reached, `broker.BrokerUnavailable` rolls the transaction back: no invitation is
left that nobody was told about.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from finsam import access, audit, broker

from ..models import Forbund, Invitation, Medlem, Person, Role, User

VALID_FOR = datetime.timedelta(days=14)
TASK_NAME = "forbund.tasks.send_invitation"
# The fields of an invitation the audit log shows; the token's hash says nothing to a reader.
HIDDEN_FROM_LOG = frozenset({"token_hash"})
UNKNOWN_LINK = (
    "Länken är inte giltig. Den kan ha ersatts av en nyare inbjudan; använd länken i det senaste "
    "e-postmeddelandet eller be förbundets samordnare skicka inbjudan igen."
)


class InvitationUnusable(Exception):
    """The link cannot be used: why, in Swedish, for the page the invitee sees."""

    def __init__(self, message: str, invitation: Invitation | None = None):
        super().__init__(message)
        self.message = message
        self.invitation = invitation


# Tokens ----------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def find(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, or None for a token that was never issued (or was
    replaced by a new link)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("forbund", "medlem", "person")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def usable(invitation: Invitation | None) -> Invitation:
    """The invitation, if its link can still be used; otherwise `InvitationUnusable` saying why."""
    if invitation is None:
        raise InvitationUnusable(UNKNOWN_LINK)
    reason = invitation.why_unusable()
    if reason:
        raise InvitationUnusable(reason, invitation)
    return invitation


# Helpers -------------------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return BaseUserManager.normalize_email((email or "").strip()).lower()


def account_for(email: str) -> User | None:
    """The account an e-mail address belongs to (the address is the login's key for invitations)."""
    return User.objects.filter(email__iexact=normalize_email(email)).order_by("pk").first()


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    wanted = set(kinds)
    return [value for value in Role.Kind.values if value in wanted]


def kinds_text(kinds: Iterable[str]) -> str:
    labels = [label.lower() for value, label in Role.Kind.choices if value in set(kinds)]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " och " + labels[-1]


def _values(invitation: Invitation) -> dict[str, tuple[str, str]]:
    shown = audit.values(invitation)
    shown["kinds"] = ("roller", kinds_text(invitation.kinds))
    return {name: value for name, value in shown.items() if name not in HIDDEN_FROM_LOG}


def _log(invitation: Invitation, *, by: User | None, kind: str, description: str, before=None) -> None:
    after = _values(invitation)
    if before is None:
        changes = [audit.Change(name, label, "", shown) for name, (label, shown) in after.items() if shown]
    else:
        changes = audit.diff(before, after)
    audit.record(
        forbund=invitation.forbund,
        actor=by,
        kind=kind,
        obj=invitation,
        description=description,
        changes=changes,
    )


def _send(invitation: Invitation, token: str) -> None:
    """Queue the e-mail in the current transaction (a broker that is down rolls it all back)."""
    broker.send(TASK_NAME, kwargs={"invitation_id": invitation.pk, "token": token})


# Writes by the samordnare ----------------------------------------------------------------------------


@transaction.atomic
def invite(
    *,
    forbund: Forbund,
    email: str,
    name: str,
    kinds: list[str],
    by: User,
    medlem: Medlem | None = None,
    person: Person | None = None,
) -> Invitation:
    """Invite `email` to `forbund` with the roles `kinds` (`Role.Kind` values; a projektägare needs
    `medlem`). Raises `ValidationError` (per field: email, name, kinds, medlem, person) for what the
    form should show, `BrokerUnavailable` when the e-mail cannot be queued (nothing is saved).

    The returned invitation carries the link's token as `.token` (not stored)."""
    access.require("invite_to_forbund", by, forbund)
    email = normalize_email(email)
    name = (name or "").strip()
    kinds = ordered_kinds(kinds)
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Skriv en giltig e-postadress, t.ex. namn@kommun.se."
    if not name:
        errors["name"] = "Skriv personens namn."
    if set(kinds) != set(kinds) & set(Role.Kind.values) or not kinds:
        errors["kinds"] = "Välj minst en roll."
    if Role.Kind.PROJEKTAGARE in kinds and medlem is None:
        errors["medlem"] = "Välj den medlemsorganisation vars insatser projektägaren ska ansvara för."
    if medlem is not None and medlem.forbund_id != forbund.pk:
        errors["medlem"] = "Organisationen hör inte till förbundet."
    if person is not None:
        if person.forbund_id != forbund.pk:
            errors["person"] = "Personen hör inte till förbundet."
        elif person.user_id is not None:
            errors["person"] = f"{person} har redan ett konto."
    if errors:
        raise ValidationError(errors)

    waiting = Invitation.objects.filter(Invitation.pending_q(), forbund=forbund, email__iexact=email).first()
    if waiting is not None:
        raise ValidationError(
            {
                "email": (
                    f"{email} har redan en inbjudan som väntar på svar (skickad "
                    f"{timezone.localtime(waiting.sent_at):%Y-%m-%d}). Skicka den igen i stället."
                )
            }
        )
    account = account_for(email)
    if account is not None:
        held = set(Role.objects.filter(user=account, forbund=forbund).values_list("kind", flat=True))
        if set(kinds) <= held:
            raise ValidationError(
                {"kinds": f"{account} har redan {'rollen' if len(kinds) == 1 else 'rollerna'} i förbundet."}
            )

    token = _new_token()
    now = timezone.now()
    invitation = Invitation(
        forbund=forbund,
        email=email,
        name=name,
        kinds=kinds,
        medlem=medlem if Role.Kind.PROJEKTAGARE in kinds else None,
        person=person,
        token_hash=_token_hash(token),
        created_by=by,
        sent_at=now,
        expires_at=now + VALID_FOR,
    )
    invitation.full_clean()
    invitation.save()
    _log(
        invitation,
        by=by,
        kind=audit.Kind.CREATED,
        description=f"{by} bjöd in {name} ({email}) som {kinds_text(kinds)}",
    )
    _send(invitation, token)
    invitation.token = token
    return invitation


def _require_open(invitation: Invitation, verb: str) -> None:
    if invitation.accepted_at:
        raise ValidationError(f"Inbjudan till {invitation.email} är redan antagen och kan inte {verb}.")
    if invitation.withdrawn_at:
        raise ValidationError(f"Inbjudan till {invitation.email} är återkallad och kan inte {verb}.")


@transaction.atomic
def resend(*, invitation: Invitation, by: User) -> Invitation:
    """A new link, valid another 14 days, e-mailed again; the earlier link stops working. Also for
    an invitation that has expired."""
    invitation = Invitation.objects.select_for_update().select_related("forbund").get(pk=invitation.pk)
    access.require("manage_accounts", by, invitation.forbund)
    _require_open(invitation, "skickas igen")
    before = _values(invitation)
    token = _new_token()
    now = timezone.now()
    invitation.token_hash = _token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + VALID_FOR
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    _log(
        invitation,
        by=by,
        kind=audit.Kind.CHANGED,
        before=before,
        description=f"{by} skickade inbjudan till {invitation.name} ({invitation.email}) igen",
    )
    _send(invitation, token)
    invitation.token = token
    return invitation


@transaction.atomic
def withdraw(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("forbund").get(pk=invitation.pk)
    access.require("manage_accounts", by, invitation.forbund)
    _require_open(invitation, "återkallas")
    before = _values(invitation)
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = by
    invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _log(
        invitation,
        by=by,
        kind=audit.Kind.CHANGED,
        before=before,
        description=f"{by} återkallade inbjudan till {invitation.name} ({invitation.email})",
    )
    return invitation


# Accepting -----------------------------------------------------------------------------------------


def _lock_usable(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("forbund", "medlem", "person")
    return usable(locked.filter(pk=invitation.pk).first())


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


def _free_username(email: str) -> str:
    base = email[:150]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: 150 - len(suffix)] + suffix
    return candidate


@transaction.atomic
def accept_new_account(*, invitation: Invitation, password: str, name: str = "") -> User:
    """Make the account (its login name is the e-mail address), give the roles, use the invitation
    up. The password has been checked against Django's validators by the form."""
    invitation = _lock_usable(invitation)
    if account_for(invitation.email) is not None:
        raise InvitationUnusable(
            f"Det finns redan ett konto för {invitation.email}. Logga in med det för att ta emot inbjudan.",
            invitation,
        )
    first, last = _split_name(name or invitation.name)
    user = User(
        username=_free_username(invitation.email), email=invitation.email, first_name=first, last_name=last
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _complete(invitation, user)
    return user


@transaction.atomic
def accept_existing(*, invitation: Invitation, user: User) -> list[Role]:
    """Give the roles to the signed-in account the invitation's e-mail belongs to."""
    invitation = _lock_usable(invitation)
    if normalize_email(user.email) != invitation.email:
        raise InvitationUnusable(
            f"Inbjudan gäller {invitation.email}, men du är inloggad som {user} "
            f"({user.email or 'ingen e-post'}). "
            "Logga ut och logga in med rätt konto, eller be samordnaren bjuda in den adress du använder.",
            invitation,
        )
    return _complete(invitation, user)


def _complete(invitation: Invitation, user: User) -> list[Role]:
    forbund = invitation.forbund
    given = []
    for kind in ordered_kinds(invitation.kinds):
        medlem = invitation.medlem if kind == Role.Kind.PROJEKTAGARE else None
        role = Role.objects.filter(user=user, forbund=forbund, kind=kind).first()
        if role is None:
            role = Role(user=user, forbund=forbund, kind=kind, medlem=medlem)
            role.full_clean()
            role.save()
            audit.created(
                forbund=forbund,
                actor=user,
                obj=role,
                description=f"{user} fick rollen {role.get_kind_display().lower()} genom inbjudan",
            )
            given.append(role)
        elif medlem is not None and role.medlem_id != medlem.pk:
            before = audit.values(role)
            role.medlem = medlem
            role.save(update_fields=["medlem"])
            audit.changed(
                forbund=forbund,
                actor=user,
                obj=role,
                before=before,
                description=f"{user} blev projektägare för {medlem} genom inbjudan",
            )
            given.append(role)
    _link_person(invitation, user)
    before = _values(invitation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _log(
        invitation,
        by=user,
        kind=audit.Kind.CHANGED,
        before=before,
        description=f"{user} tog emot inbjudan till {forbund} ({kinds_text(invitation.kinds)})",
    )
    if hasattr(user, "_finsam_roles"):
        del user._finsam_roles
    return given


def _link_person(invitation: Invitation, user: User) -> None:
    """The person in the register the invitation was for, or else the one person in the förbund
    with the same e-mail and no account, gets this account."""
    person = invitation.person
    if person is None:
        candidates = list(
            Person.objects.filter(
                forbund=invitation.forbund, user__isnull=True, email__iexact=invitation.email
            )[:2]
        )
        person = candidates[0] if len(candidates) == 1 else None
    if person is None or Person.objects.filter(forbund=invitation.forbund, user=user).exists():
        return
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is not None:
        return
    before = audit.values(person)
    person.user = user
    if not person.email:
        person.email = invitation.email
    person.lock_version += 1
    person.save(update_fields=["user", "email", "lock_version"])
    audit.changed(
        forbund=invitation.forbund,
        actor=user,
        obj=person,
        before=before,
        description=f"{person} kopplades till kontot {user} genom inbjudan",
    )
