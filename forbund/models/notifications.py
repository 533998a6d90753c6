"""Notifications: what happened that concerns a user (an application submitted, a report returned
with a comment, a meeting notice sent …), shown in the app under the bell and sent by e-mail as the
user chooses per kind. Written only by `forbund.notifications.notify`."""

from __future__ import annotations

from django.db import models

from .core import Forbund, User


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Inskickat för granskning"
    RETURNED = "returned", "Återskickat med kommentar"
    APPROVED = "approved", "Godkänt"
    DECIDED = "decided", "Beslutat"
    MEETING_NOTICE = "meeting_notice", "Kallelse till styrelsemöte"
    MEETING_CHANGED = "meeting_changed", "Ändrad kallelse"
    JUSTERING = "justering", "Protokoll att justera"
    INVOICE_ATTEST = "invoice_attest", "Faktura att attestera"
    CONFIRMATION = "confirmation", "Bekräftelse av ansökan begärd"
    INVITATION = "invitation", "Inbjudan"
    FORHINDER = "forhinder", "Förhinder"
    SUBSTITUTE = "substitute", "Ersättare kallas in"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Direkt"
    DIGEST = "digest", "Daglig sammanfattning"
    OFF = "off", "Av"


class Notification(models.Model):
    """One thing that happened, for one recipient."""

    Kind = NotificationKind

    class Email(models.TextChoices):
        PENDING = "pending", "Ska skickas"
        DIGEST = "digest", "Väntar på daglig sammanfattning"
        SENT = "sent", "Skickad"
        NONE = "none", "Skickas inte"

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name="mottagare"
    )
    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="notifications", verbose_name="förbund"
    )
    kind = models.CharField("typ", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("rubrik", max_length=300)
    body = models.TextField("text", blank=True)
    url = models.CharField("länk", max_length=500, help_text="Sökvägen i finsam, utan adress.")
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="av",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    read_at = models.DateTimeField("läst", null=True, blank=True)
    email = models.CharField("e-post", max_length=10, choices=Email.choices, default=Email.PENDING)
    emailed_at = models.DateTimeField("e-post skickad", null=True, blank=True)

    class Meta:
        verbose_name = "notis"
        verbose_name_plural = "notiser"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(fields=["email", "created_at"], name="notification_email_state"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (till {self.recipient})"

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one user wants e-mail about one kind of notification. No row means `Direkt`."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences", verbose_name="användare"
    )
    kind = models.CharField("typ", max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(
        "e-post", max_length=12, choices=Delivery.choices, default=Delivery.IMMEDIATELY
    )

    class Meta:
        verbose_name = "notisinställning"
        verbose_name_plural = "notisinställningar"
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} – {self.get_delivery_display()}"
