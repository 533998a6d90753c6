"""Accounts managed in the app: an invitation to a förbund by e-mail, with the roles it gives.

Only a hash of the invitation's token is stored: the link in the e-mail is the one place the token
exists, so a copy of the database lets no one accept an invitation. The state (waiting, accepted,
withdrawn, expired) follows from the time stamps; each is set once by `forbund.accounts.invitations`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .core import Forbund, ForbundScoped, Medlem, Person, Role, User


class Invitation(ForbundScoped):
    class State(models.TextChoices):
        PENDING = "pending", "Väntar på svar"
        ACCEPTED = "accepted", "Antagen"
        WITHDRAWN = "withdrawn", "Återkallad"
        EXPIRED = "expired", "Har gått ut"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="invitations", verbose_name="förbund"
    )
    email = models.EmailField("e-post")
    name = models.CharField("namn", max_length=200)
    # The role codes (`Role.Kind`) the invitation gives; a list, as one person may get several.
    kinds = models.JSONField("roller", default=list)
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="organisation",
        help_text="För projektägare: den medlemsorganisation vars insatser personen ska ansvara för.",
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="person i registret",
    )
    token_hash = models.CharField("kontrollsumma för länken", max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="invitations_sent", verbose_name="inbjuden av"
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    sent_at = models.DateTimeField("skickad", default=timezone.now)
    send_count = models.PositiveSmallIntegerField("antal utskick", default=1)
    expires_at = models.DateTimeField("giltig till")
    accepted_at = models.DateTimeField("antagen", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name="antagen av konto",
    )
    withdrawn_at = models.DateTimeField("återkallad", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="återkallad av",
    )

    class Meta:
        verbose_name = "inbjudan"
        verbose_name_plural = "inbjudningar"
        ordering = ["forbund", "-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="invitation_not_accepted_and_withdrawn",
            ),
        ]
        indexes = [models.Index(fields=["forbund", "email"], name="invitation_forbund_email")]

    def __str__(self) -> str:
        return f"Inbjudan till {self.name} <{self.email}>"

    def get_absolute_url(self) -> str:
        return reverse("forbund:accounts", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        unknown = [kind for kind in self.kinds or [] if kind not in Role.Kind.values]
        if not self.kinds or unknown:
            raise ValidationError({"kinds": "Välj minst en roll."})
        if Role.Kind.PROJEKTAGARE in self.kinds and not self.medlem_id:
            raise ValidationError({"medlem": "En projektägare måste höra till en medlemsorganisation."})
        self.check_same_forbund(
            medlem=self.medlem if self.medlem_id else None, person=self.person if self.person_id else None
        )

    def state_at(self, now=None) -> str:
        now = now or timezone.now()
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.withdrawn_at:
            return self.State.WITHDRAWN
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.PENDING

    def why_unusable(self, now=None) -> str:
        """Why the link can no longer be used, for the invitee (in Swedish); "" while it can."""
        state = self.state_at(now)
        if state == self.State.ACCEPTED:
            return (
                "Inbjudan är redan använd. Logga in med ditt konto; har du glömt lösenordet kan du "
                "återställa det."
            )
        if state == self.State.WITHDRAWN:
            return (
                f"Inbjudan har återkallats av {self.forbund}. Kontakta förbundets samordnare om du ändå "
                "ska ha tillgång."
            )
        if state == self.State.EXPIRED:
            return (
                f"Inbjudan gick ut {timezone.localtime(self.expires_at):%Y-%m-%d}. Be förbundets samordnare "
                "skicka en ny inbjudan."
            )
        return ""

    @property
    def state(self) -> str:
        return self.state_at()

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def kind_labels(self) -> list[str]:
        return [label for value, label in Role.Kind.choices if value in self.kinds]

    @classmethod
    def pending_q(cls, now=None) -> Q:
        now = now or timezone.now()
        return Q(accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now)
