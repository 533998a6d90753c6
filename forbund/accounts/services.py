"""Writes for the account's security: two-step verification, recovery codes and lockouts.

Each writes an event in the audit log of every förbund the account has a role in (or in none, for
an account without roles), like the logins recorded in `forbund.services`.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from finsam import access, audit

from ..models import ActivityEvent, Forbund, Role, User

RECOVERY_CODE_COUNT = 10
ROLES_REQUIRING_TWO_FACTOR = (Role.Kind.SAMORDNARE, Role.Kind.EKONOM)
SESSION_STATE_KEY = "finsam_two_factor"
STATE_RECHECK_SECONDS = 60
DEVICE_NAME = "Autentiseringsapp"
RECOVERY_DEVICE_NAME = "Återställningskoder"
TOO_MANY = "för många misslyckade försök"


def _account_event(user: User, description: str, *, actor: User | None) -> list[ActivityEvent]:
    forbund_list = list(Forbund.objects.filter(roles__user=user).distinct().order_by("pk"))
    return [
        audit.event(forbund=forbund, actor=actor, obj=user, description=description)
        for forbund in forbund_list or [None]
    ]


# Who must use it ---------------------------------------------------------------------------------


def role_requires_two_factor(user: User) -> bool:
    """Samordnare, ekonomer and platform administrators handle money and personal data."""
    if user.is_superuser or user.is_staff:
        return True
    if access.is_platform_admin(user):  # creates förbund, invites samordnare
        return True
    return Role.objects.filter(user=user, kind__in=ROLES_REQUIRING_TWO_FACTOR).exists()


def must_use_two_factor(user: User) -> bool:
    return settings.FINSAM_REQUIRE_2FA and role_requires_two_factor(user)


def remember_state(session, user: User) -> dict:
    """What the middleware needs on every request, worked out once per login (two queries saved on
    every page), again whenever the account's devices change, and again after
    `STATE_RECHECK_SECONDS` (a samordnare may give the signed-in user a role that requires it)."""
    state = {
        "device": user_has_device(user),
        "required": role_requires_two_factor(user),
        "at": int(time.time()),
    }
    session[SESSION_STATE_KEY] = state
    return state


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Setting up, using and removing ------------------------------------------------------------------


@transaction.atomic
def totp_setup_device(user: User) -> TOTPDevice:
    """The device being set up: its key stays the same until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a code from the app; returns the new recovery codes, or None if the
    code was wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _account_event(user, f"{user} aktiverade tvåstegsverifiering", actor=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    if confirmed_totp_device(user) is None:
        raise PermissionDenied("Aktivera tvåstegsverifiering först.")
    codes = _new_recovery_codes(user)
    _account_event(user, f"{user} skapade nya återställningskoder", actor=user)
    return codes


@transaction.atomic
def code_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts the code (the app's, or a recovery code, which is then used up)."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in devices_for_user(user, for_verify=True):
        if device.verify_token(code):
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                _account_event(user, f"{user} loggade in med en återställningskod ({left} kvar)", actor=user)
            return device
    return None


def seconds_to_wait(devices) -> int:
    """After a wrong code each device refuses codes for 1, 2, 4, 8 … seconds (django-otp's
    throttling); how long until all of them take one again."""
    now = timezone.now()
    waits = [0]
    for device in devices:
        allowed, detail = device.verify_is_allowed()
        if not allowed and detail and detail.get("locked_until"):
            waits.append(math.ceil((detail["locked_until"] - now).total_seconds()))
    return max(waits)


def may_turn_off(user: User) -> bool:
    return not must_use_two_factor(user)


@transaction.atomic
def two_factor_remove(*, user: User) -> None:
    if not may_turn_off(user):
        raise PermissionDenied("Din roll kräver tvåstegsverifiering; den kan inte stängas av.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _account_event(user, f"{user} stängde av tvåstegsverifiering", actor=user)


# Lockouts ------------------------------------------------------------------------------------------


@transaction.atomic
def lockout_record(*, username: str, ip_address: str) -> list[ActivityEvent]:
    """A lockout names the account only if it exists (people type passwords in the username box)."""
    username = (username or "")[:150]
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is None:
        return [
            audit.event(
                forbund=None,
                actor=None,
                description=f"Inloggningen spärrades för adressen {ip_address} efter {TOO_MANY}",
            )
        ]
    return _account_event(
        user,
        f"Inloggningen spärrades för ”{username}” (adress {ip_address}) efter {TOO_MANY}",
        actor=None,
    )
