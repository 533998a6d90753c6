"""The parties' confirmations of an application: asking named representatives, their answers, and
asking again when the application changes. Writes, like `services`: each asks the access module,
validates, runs in a transaction, logs, and hands its e-mail to the worker inside the transaction
(if the broker is down nothing is saved, and the page says so in Swedish).

How a representative shows who they are is a `ConfirmationMethod`. Today there is one: they log in
to the account the request names (`LoginMethod`). A Swedish e-ID provider (BankID, Freja eID) can
replace that step later without touching the rest: its method would start a signing order with the
version's checksum as the text to sign, wait for the provider's answer instead of trusting the
session, and return the provider's reference as the evidence stored on the confirmation. The
request, the version, the voiding and the overview stay as they are."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from finsam import access, audit, broker
from forbund import notifications
from forbund.models import Medlem, User

from .models import Confirmation, Insats
from .selectors import application_version, parties_of

# Confirmation methods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmationMethod:
    """One way for a named representative to show that it is they who answer. `verify` refuses
    (ValidationError) or returns the evidence to keep with the answer."""

    code: str

    def verify(self, *, confirmation: Confirmation, user: User) -> str:
        raise NotImplementedError


class LoginMethod(ConfirmationMethod):
    """The representative is logged in to the account the request names (the access rule already
    checked that; the evidence says which account answered)."""

    def verify(self, *, confirmation: Confirmation, user: User) -> str:
        if user.pk != confirmation.representative_id:
            raise ValidationError("Bara den namngivna företrädaren kan svara.")
        return f"Inloggad som {user.username}"


METHODS: dict[str, ConfirmationMethod] = {
    Confirmation.Method.INLOGGNING: LoginMethod(Confirmation.Method.INLOGGNING),
}
DEFAULT_METHOD = Confirmation.Method.INLOGGNING


# E-mail ------------------------------------------------------------------------------------------


def confirmation_url(confirmation: Confirmation) -> str:
    path = reverse(
        "insatser:confirmation",
        kwargs={"forbund": confirmation.insats.forbund.slug, "confirmation_pk": confirmation.pk},
    )
    return f"{settings.FINSAM_BASE_URL}{path}"


def set_password_url(user: User) -> str:
    """A one-time link to choose a password: Django's password reset token, so it stops working once
    the password is set (or the account logs in)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.FINSAM_BASE_URL}{path}"


def _invitation_body(confirmation: Confirmation, *, again: bool) -> str:
    insats, user = confirmation.insats, confirmation.representative
    lines = [f"Hej {user.get_full_name() or user.username},", ""]
    if again:
        lines.append(
            f"Ansökan om medel för {insats.name} har ändrats sedan du ombads bekräfta den. Din tidigare "
            "bekräftelse gäller inte längre: läs den nya versionen och bekräfta den igen."
        )
    else:
        lines.append(
            f"{insats.forbund.name} ber dig som behörig företrädare för {confirmation.medlem} att bekräfta "
            f"ansökan om medel för {insats.name}."
        )
    lines += ["", f"Ansökans version: {confirmation.short_version}", ""]
    if not user.has_usable_password():
        lines += [
            "Du har fått ett konto i finsam. Välj först ett lösenord (länken fungerar en gång):",
            set_password_url(user),
            "",
            f"Logga sedan in med användarnamnet {user.username} och bekräfta ansökan här:",
        ]
    else:
        lines.append("Logga in och bekräfta ansökan här:")
    lines += [confirmation_url(confirmation), "", f"Hälsningar\n{insats.forbund.name}"]
    return "\n".join(lines)


def _send_invitation(confirmation: Confirmation, *, again: bool = False) -> None:
    subject = f"{'Ändrad ansökan' if again else 'Bekräfta ansökan'}: {confirmation.insats.name}"
    broker.send(
        "finsam.tasks.send_email",
        kwargs={
            "subject": subject,
            "body": _invitation_body(confirmation, again=again),
            "to": [confirmation.representative.email],
        },
    )
    # The request above is the e-mail; the notification only shows it in the app.
    notifications.notify(
        kind=notifications.Kind.CONFIRMATION,
        forbund=confirmation.insats.forbund,
        recipients=[confirmation.representative],
        title=f"{subject} ({confirmation.medlem})",
        url=reverse(
            "insatser:confirmation",
            kwargs={"forbund": confirmation.insats.forbund.slug, "confirmation_pk": confirmation.pk},
        ),
        actor=confirmation.requested_by,
        email=False,
    )


# Requests ------------------------------------------------------------------------------------------


def _username_for(email: str) -> str:
    base = email.strip().lower()[:140]
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def _representative(*, name: str, email: str) -> User:
    """The account with this e-mail address, or a new one without a usable password (its owner
    chooses one from the invitation)."""
    email = email.strip()
    existing = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
    if existing is not None:
        return existing
    first, _, last = name.strip().partition(" ")
    user = User(username=_username_for(email), email=email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def confirmation_request(
    *,
    insats: Insats,
    by: User,
    medlem: Medlem,
    representative: User | None = None,
    name: str = "",
    email: str = "",
    title: str = "",
) -> Confirmation:
    """Ask a named representative of a party to confirm the application as it stands: an existing
    account, or a new one made from a name and an e-mail address and invited to choose a password."""
    current = Insats.objects.select_for_update().get(pk=insats.pk)
    access.require("request_confirmation", by, current)
    if medlem.pk not in parties_of(current):
        raise ValidationError({"medlem": "Organisationen står inte bakom ansökan."})
    if representative is None:
        if not (name.strip() and email.strip()):
            raise ValidationError("Välj en användare eller ange namn och e-postadress.")
        representative = _representative(name=name, email=email)
    if not representative.email:
        raise ValidationError(
            {"representative": f"{representative} har ingen e-postadress att bjuda in till."}
        )
    already = Confirmation.objects.filter(
        insats=current, medlem=medlem, representative=representative, voided_at__isnull=True
    ).exists()
    if already:
        raise ValidationError(f"{representative} är redan ombedd att bekräfta ansökan för {medlem}.")
    confirmation = Confirmation(
        insats=current,
        medlem=medlem,
        representative=representative,
        title=title.strip(),
        version=application_version(current),
        requested_by=by,
    )
    confirmation.full_clean()
    confirmation.save()
    audit.created(
        forbund=current.forbund,
        actor=by,
        obj=confirmation,
        description=f"{representative} ({medlem}) ombedd att bekräfta ansökan för {current}, version "
        f"{confirmation.short_version}",
    )
    _send_invitation(confirmation)
    return confirmation


@transaction.atomic
def confirmation_answer(
    *,
    confirmation: Confirmation,
    by: User,
    confirmed: bool,
    seen_version: str,
    comment: str = "",
    method: str = DEFAULT_METHOD,
) -> Confirmation:
    """The representative's answer about the version they were shown (`seen_version`): refused if
    the application changed after the page was opened, so a confirmation never covers text its
    giver did not see. Declining says why."""
    current = (
        Confirmation.objects.select_for_update()
        .select_related("insats__forbund", "medlem")
        .get(pk=confirmation.pk)
    )
    access.require("confirm_application", by, current)
    version = application_version(current.insats)
    if seen_version != current.version or version != current.version:
        raise ValidationError(
            "Ansökan har ändrats sedan sidan öppnades. Läs den nya versionen innan du svarar."
        )
    if not confirmed and not comment.strip():
        raise ValidationError({"comment": "Skriv varför du avböjer."})
    before = audit.values(current)
    current.answer = Confirmation.Answer.BEKRAFTAD if confirmed else Confirmation.Answer.AVBOJD
    current.answered_at = timezone.now()
    current.comment = comment.strip()
    current.method = method
    current.evidence = METHODS[method].verify(confirmation=current, user=by)
    current.full_clean()
    current.save()
    verb = "bekräftade" if confirmed else "avböjde"
    audit.changed(
        forbund=current.insats.forbund,
        actor=by,
        obj=current,
        before=before,
        description=f"{by} ({current.medlem}) {verb} ansökan för {current.insats}, "
        f"version {current.short_version}",
    )
    return current


def confirmations_after_change(insats: Insats, *, by: User) -> list[Confirmation]:
    """After a write to the application's content (inside its transaction): if the content changed,
    void every open confirmation of an older version and ask the same representatives again about
    the new one. An edit that leaves the content as it was changes nothing. If the broker cannot take
    the e-mails, the whole write is refused with the Swedish message (nothing is saved)."""
    version = application_version(insats)
    stale = list(
        Confirmation.objects.filter(insats=insats, voided_at__isnull=True)
        .exclude(version=version)
        .select_related("representative", "medlem")
    )
    if not stale:
        return []
    now = timezone.now()
    Confirmation.objects.filter(pk__in=[c.pk for c in stale]).update(voided_at=now)
    renewed = Confirmation.objects.bulk_create(
        Confirmation(
            insats=insats,
            medlem=old.medlem,
            representative=old.representative,
            title=old.title,
            version=version,
            requested_by=by,
            requested_at=now,
        )
        for old in stale
    )
    audit.event(
        forbund=insats.forbund,
        actor=by,
        obj=insats,
        description=f"Ansökan för {insats} ändrad till version {version[:8]}: {len(stale)} tidigare "
        "bekräftelser eller förfrågningar gäller inte längre, företrädarna ombeds bekräfta igen",
    )
    try:
        for confirmation in renewed:
            confirmation.insats = insats
            _send_invitation(confirmation, again=True)
    except broker.BrokerUnavailable as error:
        raise ValidationError(error.message) from error
    return renewed
