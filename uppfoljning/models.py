"""Follow-up: the förbund's yearly goals (indicators), planned activities and the narrative of its
verksamhetsplan. Tertial reports build on this."""

from __future__ import annotations

from django.db import models

from forbund.models import Forbund, ForbundScoped


class Indikator(ForbundScoped):
    """One of the year's goals and how it is measured (verksamhetsplanens 'Indikatorer / Mått')."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="indikatorer", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    indicator = models.TextField("indikator")
    measure = models.TextField("mått")
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["forbund", "year", "order", "id"]

    def __str__(self) -> str:
        return self.indicator[:80]


class PlannedActivity(ForbundScoped):
    """A planned activity of the year (verksamhetsplanens aktivitetstabell)."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="planned_activities", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    activity = models.CharField("aktivitet", max_length=300)
    when = models.CharField("när", max_length=100)
    responsible = models.CharField("ansvarig", max_length=200)
    follow_up = models.CharField("uppföljning och information", max_length=200)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "planerad aktivitet"
        verbose_name_plural = "planerade aktiviteter"
        ordering = ["forbund", "year", "order", "id"]

    def __str__(self) -> str:
        return self.activity


class Verksamhetsplan(ForbundScoped):
    """The parts of the year's verksamhetsplan only a person can write. Tables and figures come from
    the database when the document is made."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="verksamhetsplaner", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    inledning = models.TextField("1. Inledning", blank=True)
    overgripande_mal = models.TextField(
        "3. Övergripande mål", blank=True, help_text="Förbundets övergripande mål, ett per rad."
    )
    arets_mal = models.TextField("3. Årets mål", blank=True, help_text="Inledningen till årets indikatorer.")
    organisation = models.TextField(
        "4. Organisation", blank=True, help_text="Styrelsens, samordnarens och gruppernas uppdrag."
    )
    uppfoljning = models.TextField("8. Uppföljning och utvärdering", blank=True)
    utmaningar = models.TextField("9. Utmaningar", blank=True)
    natverk = models.TextField(
        "10. Konferenser och nätverk",
        blank=True,
        help_text="Konferenser och nätverk förbundet deltar i, ett per rad.",
    )
    inriktning = models.TextField("11. Inriktning kommande år", blank=True)
    budget_comment = models.TextField("12. Kommentar till budgeten", blank=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        ordering = ["forbund", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "year"], name="verksamhetsplan_unique_year")
        ]

    def __str__(self) -> str:
        return f"Verksamhetsplan {self.year}"

    TEXT_FIELDS = (
        "inledning",
        "overgripande_mal",
        "arets_mal",
        "organisation",
        "uppfoljning",
        "utmaningar",
        "natverk",
        "inriktning",
        "budget_comment",
    )

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]
