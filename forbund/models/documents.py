"""Documents rendered to PDF by the Celery worker (see finsam/rendering.py)."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from .core import Forbund, ForbundScoped, User


def document_path(instance: Dokumentjobb, filename: str) -> str:
    return f"dokument/{instance.forbund_id}/{filename}"


def master_path(instance: Dokumentjobb, filename: str) -> str:
    """The unwatermarked master is kept apart from the drafts; it is never served as it is."""
    return f"dokument/{instance.forbund_id}/original/{filename}"


def published_path(instance: Faststallelse, filename: str) -> str:
    return f"dokument/{instance.forbund_id}/faststallda/{filename}"


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
    # When the job was last queued (I kö) or last heard from by its worker (pågår): the sweep re-queues
    # a job whose worker vanished (see finsam/rendering.py).
    heartbeat_at = models.DateTimeField("senaste livstecken", null=True, blank=True)
    file = models.FileField("fil", upload_to=document_path, blank=True)
    checksum = models.CharField("SHA-256", max_length=64, blank=True)
    # An adoptable document (verksamhetsplan, årsredovisning) is rendered twice from one context: the
    # draft above (watermarked UTKAST, what staff and the board see) and this master without the
    # watermark, kept privately until an adoption is published and stamped onto it.
    master_file = models.FileField("original utan vattenmärke", upload_to=master_path, blank=True)
    master_checksum = models.CharField("SHA-256 för originalet", max_length=64, blank=True)
    error = models.TextField("fel", blank=True)

    class Meta:
        verbose_name = "dokumentjobb"
        verbose_name_plural = "dokumentjobb"
        ordering = ["forbund", "-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.get_status_display().lower()})"

    # A queued or running job not heard from for this long has lost its worker (the sweep re-queues
    # it after a minute); the page then offers "Försök igen".
    STALLED_AFTER = timedelta(minutes=2)

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.I_KO, self.Status.PAGAR}

    @property
    def is_stalled(self) -> bool:
        last_sign = self.heartbeat_at or self.requested_at
        return self.is_running and last_sign is not None and last_sign < timezone.now() - self.STALLED_AFTER

    @property
    def status_label(self) -> str:
        """The status as lists show it, so nobody is told a document is being made when it is not:
        a job whose worker went quiet is re-queued by beat's sweep within a minute ("Avbrutet – skapas
        om", also while it waits in the queue again); one nobody has heard from for `STALLED_AFTER`
        has stopped, and its page offers "Försök igen" (see finsam/rendering.py)."""
        if self.is_stalled:
            return "Stannat – försök igen"
        if self.status == self.Status.PAGAR:
            from finsam.rendering import HEARTBEAT_STALE

            if (self.heartbeat_at or self.requested_at) < timezone.now() - HEARTBEAT_STALE:
                return "Avbrutet – skapas om"
        if self.status == self.Status.I_KO and self.attempts:
            return "Avbrutet – skapas om"
        return self.get_status_display()

    ADOPTABLE = (Kind.VERKSAMHETSPLAN, Kind.ARSREDOVISNING)

    @property
    def is_adoptable(self) -> bool:
        return self.kind in self.ADOPTABLE

    @property
    def adoption_label(self) -> str:
        """What the board has done with an adoptable document: "Utkast" until an agenda item's
        decision adopts it, then "Fastställd <datum> § <n>" once the minutes are justerade (reads
        `faststallelser`; prefetch it with `item__meeting` for a list)."""
        if not self.is_adoptable or self.status != self.Status.KLAR:
            return ""
        adoptions = sorted(self.faststallelser.all(), key=lambda a: a.pk, reverse=True)
        if not adoptions:
            return "Utkast"
        adoption = adoptions[0]
        if adoption.withdrawn_on:
            return f"Fastställd {adoption.adopted_on:%Y-%m-%d}, {adoption.withdrawal_line.lower()}"
        if adoption.is_published:
            return f"Fastställd {adoption.adopted_on:%Y-%m-%d} § {adoption.item.paragraph}"
        return "Beslutad, publiceras när protokollet justerats"

    @property
    def filename(self) -> str:
        if self.meeting_id:
            return f"{self.kind}-{self.meeting.date:%Y-%m-%d}-{self.forbund.slug}-{self.pk}.pdf"
        return f"{self.kind}-{self.year}-{self.forbund.slug}-{self.pk}.pdf"


class Faststallelse(ForbundScoped):
    """The board's decision that adopts (fastställer) one exact version of a verksamhetsplan or an
    årsredovisning: the agenda item whose decision adopts the document job, with the checksum of the
    file the board saw. It is published once the meeting's minutes are justerade, as the fastställd
    edition (`published_file`). A later decision may withdraw it; the record stays."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="faststallelser", verbose_name="förbund"
    )
    dokumentjobb = models.ForeignKey(
        Dokumentjobb, on_delete=models.PROTECT, related_name="faststallelser", verbose_name="dokument"
    )
    kind = models.CharField("dokument", max_length=30, choices=Dokumentjobb.Kind.choices)
    year = models.PositiveSmallIntegerField("år")
    checksum = models.CharField("SHA-256 för den fastställda versionen", max_length=64)
    item = models.OneToOneField(
        "forbund.AgendaItem", on_delete=models.PROTECT, related_name="faststallelse", verbose_name="beslut"
    )
    adopted_on = models.DateField("fastställd")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )
    recorded_at = models.DateTimeField("registrerad", auto_now_add=True)
    published_file = models.FileField("fastställd utgåva", upload_to=published_path, blank=True)
    published_checksum = models.CharField("SHA-256 för den fastställda utgåvan", max_length=64, blank=True)
    published_at = models.DateTimeField("publicerad", null=True, blank=True)
    withdrawn_by_item = models.OneToOneField(
        "forbund.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aterkallelse",
        verbose_name="återkallad genom beslut",
    )
    withdrawn_on = models.DateField("återkallad", null=True, blank=True)
    withdrawal_reason = models.TextField("skäl för återkallelsen", blank=True)

    class Meta:
        verbose_name = "fastställelse"
        verbose_name_plural = "fastställelser"
        ordering = ["forbund", "-year", "kind", "-adopted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["forbund", "kind", "year"],
                condition=models.Q(withdrawn_on__isnull=True),
                name="one_standing_adoption_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} fastställd {self.adopted_on:%Y-%m-%d}"

    @property
    def paragraph(self) -> int | None:
        return self.item.paragraph

    @property
    def adoption_line(self) -> str:
        return f"Fastställd av styrelsen {self.adopted_on:%Y-%m-%d} § {self.item.paragraph}"

    @property
    def withdrawal_line(self) -> str:
        item = self.withdrawn_by_item
        paragraph = f" § {item.paragraph}" if item and item.paragraph else ""
        return f"Återkallad {self.withdrawn_on:%Y-%m-%d}{paragraph}" if self.withdrawn_on else ""

    @property
    def is_published(self) -> bool:
        return bool(self.published_file)

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.year}-{self.forbund.slug}-faststalld-{self.adopted_on:%Y-%m-%d}.pdf"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran its heartbeat task; `/halsa/` reads the newest."""

    hostname = models.CharField("worker", max_length=200, unique=True)
    beat_at = models.DateTimeField("senaste livstecken")

    class Meta:
        verbose_name = "livstecken från worker"
        verbose_name_plural = "livstecken från worker"

    def __str__(self) -> str:
        return f"{self.hostname} {self.beat_at:%Y-%m-%d %H:%M:%S}"
