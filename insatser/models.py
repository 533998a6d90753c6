"""Insatser: the interventions a förbund funds. The application and decision workflow builds on this."""

from django.core.exceptions import ValidationError
from django.db import models

from forbund.models import Forbund, ForbundScoped, Medlem, validate_period


class Insats(ForbundScoped):
    class Kind(models.TextChoices):
        INDIVIDINRIKTAD = "individinriktad", "Individinriktad"
        STRUKTURINRIKTAD = "strukturinriktad", "Strukturinriktad"

    class Status(models.TextChoices):
        IDE = "ide", "Idé / förstudie"
        UTKAST = "utkast", "Utkast"
        INSKICKAD = "inskickad", "Inskickad"
        UNDER_BEREDNING = "under_beredning", "Under beredning"
        KOMPLETTERING_BEGARD = "komplettering_begard", "Komplettering begärd"
        BEVILJAD = "beviljad", "Beviljad"
        AVSLAGEN = "avslagen", "Avslagen"
        PAGAENDE = "pagaende", "Pågående"
        AVSLUTAD = "avslutad", "Avslutad"
        IMPLEMENTERAD = "implementerad", "Implementerad i ordinarie verksamhet"
        AVVECKLAD = "avvecklad", "Avvecklad"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="insatser", verbose_name="förbund"
    )
    name = models.CharField("namn", max_length=200)
    description = models.TextField("kort beskrivning", blank=True)
    kind = models.CharField("inriktning", max_length=20, choices=Kind.choices)
    status = models.CharField("status", max_length=30, choices=Status.choices, default=Status.UTKAST)
    owner = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        related_name="agda_insatser",
        verbose_name="projektägare",
        help_text="Den medlemsorganisation som äger insatsen.",
    )
    owner_unit = models.CharField("enhet hos projektägaren", max_length=200, blank=True)
    partners = models.ManyToManyField(
        Medlem, related_name="samverkansinsatser", blank=True, verbose_name="samverkansparter"
    )
    start = models.DateField("startdatum", null=True, blank=True)
    end = models.DateField("slutdatum", null=True, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    class Meta:
        verbose_name = "insats"
        verbose_name_plural = "insatser"
        ordering = ["forbund", "start", "name"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "name"], name="insats_unique_name_per_forbund"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="insats_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.check_same_forbund(owner=self.owner if self.owner_id else None)
        validate_period(self.start, self.end, "end", "Insatsen kan inte sluta innan den börjar.")
        if self.status != self.Status.IDE and not (self.start and self.end):
            raise ValidationError("En insats som inte längre är en idé måste ha start- och slutdatum.")
