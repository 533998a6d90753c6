"""The account's security pages: two-step verification (set up, verify, recovery codes, turn off) and
the lockout page that django-axes shows."""

from __future__ import annotations

import math

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.contrib import messages
from django.db.models import Max, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django_otp import devices_for_user
from django_otp import login as otp_login

from finsam import access

from . import services
from .forms import SetupForm, VerifyForm

WRONG_CODE = (
    "Koden stämmer inte. Skriv den kod som appen visar just nu, eller en oanvänd återställningskod. "
    "Efter flera fel får du vänta en stund innan nästa försök."
)
CODES_SESSION_KEY = "finsam_new_recovery_codes"


def _wait_message(seconds: int) -> str:
    unit = "sekund" if seconds == 1 else "sekunder"
    return f"För många felaktiga koder i rad. Vänta {seconds} {unit} och försök sedan igen."


class AccountView(View):
    """A page about the signed-in user's own account."""

    rule = "use_finsam"

    def dispatch(self, request, *args, **kwargs):
        access.require(self.rule, request.user, request.user)
        return super().dispatch(request, *args, **kwargs)


def _next_url(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    return mark_safe(  # noqa: S308 - made here by qrcode from a URL it escapes itself
        svg.replace(
            "<svg ", '<svg role="img" aria-label="QR-kod för autentiseringsappen" class="qr-code" ', 1
        )
    )


def _show_codes(request, codes: list[str]):
    request.session[CODES_SESSION_KEY] = codes
    return redirect("two_factor_codes")


class TwoFactorView(AccountView):
    """Tvåstegsverifiering: whether it is on, how many recovery codes are left, and what can be done."""

    def get(self, request):
        user = request.user
        return render(
            request,
            "forbund/accounts/two_factor.html",
            {
                "device": services.confirmed_totp_device(user),
                "codes_left": services.remaining_recovery_codes(user),
                "required": services.must_use_two_factor(user),
                "may_turn_off": services.may_turn_off(user),
            },
        )


class TwoFactorSetupView(AccountView):
    """The QR code and the key of a new device; a code from the app confirms it."""

    template_name = "forbund/accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        # Replacing a device takes a verified session: a password alone must not let anyone put
        # their own app in place of the owner's.
        if request.user.is_authenticated and not request.user.is_verified():
            if services.confirmed_totp_device(request.user) is not None:
                return redirect("two_factor_verify")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self._page(request, SetupForm())

    def post(self, request):
        form = SetupForm(request.POST)
        device = services.totp_setup_device(request.user)
        wait = services.seconds_to_wait([device])
        if wait:
            form.add_error(None, _wait_message(wait))
        elif form.is_valid():
            codes = services.totp_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, device)
                services.remember_state(request.session, request.user)
                request.session["finsam_after_setup"] = _next_url(request)
                messages.success(request, "Tvåstegsverifiering är aktiverad.")
                return _show_codes(request, codes)
            form.add_error(
                "code", "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen."
            )
        return self._page(request, form, status=200)

    def _page(self, request, form, status: int = 200):
        device = services.totp_setup_device(request.user)
        key = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_svg": _qr_svg(device.config_url),
                "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
                "key": key,
                "required": services.must_use_two_factor(request.user),
                "next": _next_url(request) if (request.GET.get("next") or request.POST.get("next")) else "",
            },
            status=status,
        )


class RecoveryCodesView(AccountView):
    """New recovery codes are shown once, right after they are made; POST makes a new set."""

    def get(self, request):
        codes = request.session.pop(CODES_SESSION_KEY, None)
        if codes is None:
            return redirect("two_factor")
        return render(
            request,
            "forbund/accounts/two_factor_codes.html",
            {
                "codes": codes,
                "continue_url": request.session.pop("finsam_after_setup", reverse("two_factor")),
            },
        )

    def post(self, request):
        if not request.user.is_verified():
            return redirect("two_factor_verify")
        codes = services.recovery_codes_regenerate(user=request.user)
        messages.success(request, "Nya återställningskoder är skapade; de gamla gäller inte längre.")
        return _show_codes(request, codes)


class TwoFactorOffView(AccountView):
    http_method_names = ["post"]

    def post(self, request):
        if not services.may_turn_off(request.user):
            messages.error(request, "Din roll kräver tvåstegsverifiering, så den kan inte stängas av.")
            return redirect("two_factor")
        services.two_factor_remove(user=request.user)
        services.remember_state(request.session, request.user)
        messages.success(request, "Tvåstegsverifiering är avstängd.")
        return redirect("two_factor")


class TwoFactorVerifyView(AccountView):
    """The second step of the login: a code from the app, or a recovery code."""

    template_name = "forbund/accounts/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        return render(request, self.template_name, {"form": VerifyForm(), "next": _next_url(request)})

    def post(self, request):
        if request.user.is_verified():
            return redirect(_next_url(request))
        form = VerifyForm(request.POST)
        wait = services.seconds_to_wait(devices_for_user(request.user))
        if wait:
            form.add_error(None, _wait_message(wait))
        elif form.is_valid():
            device = services.code_verify(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(_next_url(request))
            form.add_error("code", WRONG_CODE)
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: when the lock lifts, in Swedish (429)."""
    return render(
        request, "registration/lockout.html", {"minutes": _minutes_left(request, credentials)}, status=429
    )


def _minutes_left(request, credentials) -> int:
    cool_off = get_cool_off(request)
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    last = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=address)).aggregate(
        last=Max("attempt_time")
    )["last"]
    if cool_off is None or last is None:
        return math.ceil(cool_off.total_seconds() / 60) if cool_off else 15
    seconds = (last + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))
