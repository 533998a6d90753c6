"""The installation above the förbund: who administers it, the guided start of a new förbund and
the Excel imports made during it."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from .core import Forbund, User


class PlatformAdministrator(models.Model):
    """A platform administrator: sees the list of förbund in the installation and their set-up pages,
    creates förbund and invites the first samordnare. A role, not a Django superuser: it gives no
    access to any förbund's insatser, reports, meetings or economy (a role in the förbund does)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="platform_administrator", verbose_name="användare"
    )
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="utsedd av",
    )
    granted_at = models.DateTimeField("utsedd", auto_now_add=True)

    class Meta:
        verbose_name = "plattformsadministratör"
        verbose_name_plural = "plattformsadministratörer"
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class Uppstart(models.Model):
    """The guided start of one förbund: which steps are done, who started it and when it was handed
    over to the förbund's own samordnare (after which the platform administrator no longer edits it).
    Every step saves the förbund's real records at once, so nothing typed is lost and the start can
    be resumed where it was left."""

    class Step(models.TextChoices):
        UPPGIFTER = "uppgifter", "Namn och organisationsnummer"
        MEDLEMMAR = "medlemmar", "Medlemmar"
        INVANARE = "invanare", "Invånare 16–64 år"
        STYRELSE = "styrelse", "Styrelse"
        KANSLI = "kansli", "Kansli"
        SAMORDNARE = "samordnare", "Första samordnaren"
        IMPORT = "import", "Insatser och styrelse från Excel"

    forbund = models.OneToOneField(
        Forbund, on_delete=models.CASCADE, related_name="uppstart", verbose_name="förbund"
    )
    started_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="påbörjad av"
    )
    started_at = models.DateTimeField("påbörjad", auto_now_add=True)
    steps_done = models.JSONField("klara steg", default=list, blank=True)
    completed_at = models.DateTimeField("avslutad", null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="avslutad av"
    )

    class Meta:
        verbose_name = "uppstart"
        verbose_name_plural = "uppstarter"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Uppstart av {self.forbund}"

    def get_absolute_url(self) -> str:
        return reverse("platform:setup", kwargs={"forbund": self.forbund.slug})

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def is_done(self, step: str) -> bool:
        return step in self.steps_done


class Uppstartsimport(models.Model):
    """One Excel file of existing insatser and board members, read and previewed; imported whole on
    confirmation or discarded. The rows read are kept as read so the confirmation imports exactly what
    the preview showed (checked again against the database)."""

    class Status(models.TextChoices):
        GRANSKAS = "granskas", "Granskas"
        INLAST = "inlast", "Inläst"
        AVBRUTEN = "avbruten", "Avbruten"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="uppstartsimporter", verbose_name="förbund"
    )
    filename = models.CharField("filnamn", max_length=200)
    rows = models.JSONField("inlästa rader", default=dict, blank=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.GRANSKAS)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="uppladdad av"
    )
    uploaded_at = models.DateTimeField("uppladdad", auto_now_add=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    summary = models.CharField("resultat", max_length=300, blank=True)

    class Meta:
        verbose_name = "import vid uppstart"
        verbose_name_plural = "importer vid uppstart"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("platform:import_preview", kwargs={"forbund": self.forbund.slug, "pk": self.pk})
