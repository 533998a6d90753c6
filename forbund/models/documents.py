"""Documents rendered to PDF by the Celery worker (see finsam/rendering.py)."""

from __future__ import annotations

from django.db import models

from .core import Forbund, ForbundScoped, User


def document_path(instance: Dokumentjobb, filename: str) -> str:
    return f"dokument/{instance.forbund_id}/{filename}"


class Dokumentjobb(ForbundScoped):
    """One request to render a document to PDF. The Celery worker picks it up; pages poll this row."""

    class Kind(models.TextChoices):
        VERKSAMHETSPLAN = "verksamhetsplan", "Verksamhetsplan och budget"
        ARSREDOVISNING = "arsredovisning", "Årsredovisning"
        MOTESPAKET = "motespaket", "Möteshandlingar"
        PROTOKOLL = "protokoll", "Protokoll"

    class Status(models.TextChoices):
        I_KO = "i_ko", "I kö"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"
        MISSLYCKAD = "misslyckad", "Misslyckad"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="dokumentjobb", verbose_name="förbund"
    )
    kind = models.CharField("dokument", max_length=30, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("år")
    meeting = models.ForeignKey(
        "forbund.Styrelsemote",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name="möte",
        help_text="För ett mötes handlingar och protokoll.",
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.I_KO)
    progress = models.CharField("förlopp", max_length=200, blank=True)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="beställd av"
    )
    requested_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("påbörjad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("försök", default=0)
    file = models.FileField("fil", upload_to=document_path, blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.TextField("fel", blank=True)

    class Meta:
        verbose_name = "dokumentjobb"
        verbose_name_plural = "dokumentjobb"
        ordering = ["forbund", "-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.get_status_display().lower()})"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.I_KO, self.Status.PAGAR}

    @property
    def filename(self) -> str:
        if self.meeting_id:
            return f"{self.kind}-{self.meeting.date:%Y-%m-%d}-{self.forbund.slug}-{self.pk}.pdf"
        return f"{self.kind}-{self.year}-{self.forbund.slug}-{self.pk}.pdf"
