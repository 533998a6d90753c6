"""Follow-up: the förbund's yearly goals (indicators), planned activities and the narrative of its
verksamhetsplan. Tertial reports build on this."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from finsam.history import StatusHistory
from forbund.models import Forbund, ForbundScoped


class Indikator(ForbundScoped):
    """One of the year's goals and how it is measured (verksamhetsplanens 'Indikatorer / Mått'),
    and, once the year is over, its outcome."""

    class Achieved(models.TextChoices):
        JA = "ja", "Ja"
        DELVIS = "delvis", "Delvis"
        NEJ = "nej", "Nej"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="indikatorer", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    indicator = models.TextField("indikator")
    measure = models.TextField("mått")
    outcome = models.TextField("utfall", blank=True)
    achieved = models.CharField("uppnått", max_length=10, choices=Achieved.choices, blank=True)
    order = models.PositiveSmallIntegerField("ordning", default=0)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["forbund", "year", "order", "id"]

    def __str__(self) -> str:
        return self.indicator[:80]

    def get_absolute_url(self) -> str:
        return reverse("uppfoljning:indicators", kwargs={"forbund": self.forbund.slug, "year": self.year})


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
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        ordering = ["forbund", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "year"], name="verksamhetsplan_unique_year")
        ]

    def __str__(self) -> str:
        return f"Verksamhetsplan {self.year}"

    def get_absolute_url(self) -> str:
        return reverse(
            "uppfoljning:verksamhetsplan_preview", kwargs={"forbund": self.forbund.slug, "year": self.year}
        )

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


# Tertial and annual reports ---------------------------------------------------------------------

PERIOD_END_MONTH = {"T1": 4, "T2": 8, "AR": 12}


class ReportPeriod(ForbundScoped):
    """A reporting period of a year: T1 (jan–apr), T2 (jan–aug) or the annual report (jan–dec)."""

    class Kind(models.TextChoices):
        T1 = "T1", "Tertial 1 (januari–april)"
        T2 = "T2", "Tertial 2 (januari–augusti)"
        AR = "AR", "Årsrapport (januari–december)"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="report_periods", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("period", max_length=2, choices=Kind.choices)
    due_date = models.DateField("sista dag att lämna rapporten")
    reminder_days = models.PositiveSmallIntegerField(
        "påminnelse antal dagar före",
        default=7,
        help_text="Projektägarna påminns så här många dagar före sista dagen.",
    )

    class Meta:
        verbose_name = "rapportperiod"
        verbose_name_plural = "rapportperioder"
        ordering = ["forbund", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "year", "kind"], name="report_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' (')[0]} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("uppfoljning:reports_year", kwargs={"forbund": self.forbund.slug, "year": self.year})

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        month = PERIOD_END_MONTH[self.kind]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def clean(self) -> None:
        if self.due_date and self.year and self.kind and self.due_date <= self.end:
            raise ValidationError(
                {"due_date": f"Sista dagen måste ligga efter periodens slut ({self.end:%Y-%m-%d})."}
            )


class Tertialrapport(models.Model):
    """An insats's report for one period: text, goal progress, participant counts and costs.
    Counts only: nothing about any single participant is ever stored."""

    class Status(models.TextChoices):
        UTKAST = "utkast", "Utkast"
        INSKICKAD = "inskickad", "Inskickad"
        RETURNERAD = "returnerad", "Returnerad för komplettering"
        GODKAND = "godkand", "Godkänd"

    insats = models.ForeignKey(
        "insatser.Insats", on_delete=models.PROTECT, related_name="tertialrapporter", verbose_name="insats"
    )
    period = models.ForeignKey(
        ReportPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name="period"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.UTKAST)
    started_at = models.DateTimeField("påbörjad", null=True, blank=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )
    cooperation = models.TextField("hur samverkan fungerar och har utvecklats", blank=True)
    activities = models.TextField("genomförda aktiviteter", blank=True)
    deviations = models.TextField("avvikelser och risker", blank=True)
    implementation = models.TextField("arbete med implementering", blank=True)
    cost = models.DecimalField(
        "kostnad under perioden (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    cost_comment = models.CharField(
        "kommentar till kostnaden",
        max_length=300,
        blank=True,
        help_text="Förklara om kostnaden avviker från fakturorna.",
    )

    class Meta:
        verbose_name = "tertialrapport"
        verbose_name_plural = "tertialrapporter"
        ordering = ["period", "insats__name"]
        constraints = [models.UniqueConstraint(fields=["insats", "period"], name="tertialrapport_unique")]
        # The samordnare's inbox asks for the reports of the förbund's periods waiting in a status;
        # without it every förbund's reports are read.
        indexes = [models.Index(fields=["period", "status"], name="tertialrapport_period_status")]

    def __str__(self) -> str:
        return f"{self.insats}, {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("uppfoljning:report", kwargs={"forbund": self.period.forbund.slug, "pk": self.pk})

    @property
    def forbund_id(self) -> int:
        return self.period.forbund_id

    @property
    def is_editable(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES

    def is_late(self, today: datetime.date) -> bool:
        return self.status in OPEN_REPORT_STATUSES and today > self.period.due_date


# Open: the project owner fills the report in (a draft, or returned for komplettering).
OPEN_REPORT_STATUSES = frozenset({Tertialrapport.Status.UTKAST, Tertialrapport.Status.RETURNERAD})


class GoalProgress(models.Model):
    class Status(models.TextChoices):
        ENLIGT_PLAN = "enligt_plan", "Enligt plan"
        DELVIS = "delvis", "Delvis"
        EJ_PABORJAT = "ej_paborjat", "Inte påbörjat"
        UPPNATT = "uppnatt", "Uppnått"
        AVVIKER = "avviker", "Avviker"

    report = models.ForeignKey(
        Tertialrapport, on_delete=models.CASCADE, related_name="goal_progress", verbose_name="rapport"
    )
    goal = models.ForeignKey(
        "insatser.Goal", on_delete=models.PROTECT, related_name="progress", verbose_name="mål"
    )
    status = models.CharField("läge", max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField("kommentar", blank=True)

    class Meta:
        verbose_name = "måluppfyllelse"
        verbose_name_plural = "måluppfyllelse"
        ordering = ["report", "goal__kind", "goal__order"]
        constraints = [models.UniqueConstraint(fields=["report", "goal"], name="goal_progress_unique")]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_status_display()}"


class ParticipantCount(models.Model):
    """One number in a report's participant statistics: a dimension (flow, gender, age, support at
    start, outcome, volume) and a category within it. Counts only, never a person."""

    report = models.ForeignKey(
        Tertialrapport, on_delete=models.CASCADE, related_name="counts", verbose_name="rapport"
    )
    dimension = models.CharField("dimension", max_length=20)
    category = models.CharField("kategori", max_length=30)
    count = models.PositiveIntegerField("antal")

    class Meta:
        verbose_name = "antal"
        verbose_name_plural = "antal"
        ordering = ["report", "dimension", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "dimension", "category"], name="participant_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}/{self.category}: {self.count}"


class ReportStatusChange(StatusHistory):
    """Every change of a report's status, who made it, and the report as it was when submitted."""

    report = models.ForeignKey(
        Tertialrapport, on_delete=models.CASCADE, related_name="status_changes", verbose_name="rapport"
    )
    from_status = models.CharField("från", max_length=20, choices=Tertialrapport.Status.choices, blank=True)
    to_status = models.CharField("till", max_length=20, choices=Tertialrapport.Status.choices)
    snapshot = models.JSONField("rapporten vid tillfället", null=True, blank=True)

    class Meta:
        verbose_name = "statusändring för rapport"
        verbose_name_plural = "statusändringar för rapporter"
        ordering = ["report", "at", "id"]


class ReminderLog(models.Model):
    """An e-mail reminder sent about a report; one of each kind per report, never twice."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "fore", "Påminnelse före sista dagen"
        LATE = "sen", "Rapporten är sen"

    report = models.ForeignKey(
        Tertialrapport, on_delete=models.CASCADE, related_name="reminders", verbose_name="rapport"
    )
    kind = models.CharField("påminnelse", max_length=10, choices=Kind.choices)
    sent_to = models.TextField("skickad till")
    sent_at = models.DateTimeField("skickad", auto_now_add=True)

    class Meta:
        verbose_name = "skickad påminnelse"
        verbose_name_plural = "skickade påminnelser"
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="reminder_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.report}"

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()


# The annual report -------------------------------------------------------------------------------


class Arsredovisning(ForbundScoped):
    """What only people can write in the year's årsredovisning, and the balance figures from the
    accounting firm's balance report. Results, tables and the board come from the database."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="arsredovisningar", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    arets_handelser = models.TextField("året i korthet", blank=True)
    revisorer = models.TextField("revisorer", blank=True, help_text="Förbundets revisorer, en per rad.")
    god_hushallning = models.TextField("utvärdering av god ekonomisk hushållning", blank=True)
    balanskrav = models.TextField(
        "balanskravet", blank=True, help_text="Kommentar till balanskravsutredningen; resultatet räknas fram."
    )
    handelser_efter = models.TextField("händelser efter årets slut", blank=True)
    noter = models.TextField(
        "noter", blank=True, help_text="Redovisningsprinciper och noter, en not per stycke."
    )
    kassa_bank = models.DecimalField(
        "kassa och bank vid årets slut (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    fordringar = models.DecimalField(
        "kortfristiga fordringar vid årets slut (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    skulder = models.DecimalField(
        "kortfristiga skulder vid årets slut (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    kassa_bank_fg = models.DecimalField(
        "kassa och bank vid årets början (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    fordringar_fg = models.DecimalField(
        "kortfristiga fordringar vid årets början (kr)",
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
    )
    skulder_fg = models.DecimalField(
        "kortfristiga skulder vid årets början (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    eget_kapital_ingaende = models.DecimalField(
        "eget kapital vid årets början (kr)", max_digits=14, decimal_places=0, null=True, blank=True
    )
    balance_comment = models.TextField(
        "kommentar till handinmatade balansposter",
        blank=True,
        help_text=(
            "Balansposterna hämtas ur huvudboken. En post som skrivs in här ersätter huvudbokens siffra; "
            "skriv då varför och varifrån siffran kommer."
        ),
    )
    updated_at = models.DateTimeField("ändrad", auto_now=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "årsredovisning"
        verbose_name_plural = "årsredovisningar"
        ordering = ["forbund", "-year"]
        constraints = [models.UniqueConstraint(fields=["forbund", "year"], name="arsredovisning_unique_year")]

    def __str__(self) -> str:
        return f"Årsredovisning {self.year}"

    def get_absolute_url(self) -> str:
        return reverse(
            "uppfoljning:arsredovisning_preview", kwargs={"forbund": self.forbund.slug, "year": self.year}
        )

    TEXT_FIELDS = (
        "arets_handelser",
        "revisorer",
        "god_hushallning",
        "balanskrav",
        "handelser_efter",
        "noter",
    )
    BALANCE_FIELDS = (
        "eget_kapital_ingaende",
        "kassa_bank_fg",
        "fordringar_fg",
        "skulder_fg",
        "kassa_bank",
        "fordringar",
        "skulder",
    )


class Ansvarsfrihet(models.Model):
    """A member's decision on discharging the board (ansvarsfrihet) for a year; each member decides
    separately, and the decisions are recorded as they come in."""

    arsredovisning = models.ForeignKey(
        Arsredovisning, on_delete=models.PROTECT, related_name="ansvarsfrihet", verbose_name="årsredovisning"
    )
    medlem = models.ForeignKey(
        "forbund.Medlem", on_delete=models.PROTECT, related_name="+", verbose_name="medlem"
    )
    decided_on = models.DateField("beslutsdatum")
    granted = models.BooleanField("ansvarsfrihet beviljad", default=True)
    comment = models.CharField("kommentar", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )
    recorded_at = models.DateTimeField("registrerad", auto_now_add=True)

    class Meta:
        verbose_name = "beslut om ansvarsfrihet"
        verbose_name_plural = "beslut om ansvarsfrihet"
        ordering = ["arsredovisning", "medlem__name"]
        constraints = [
            models.UniqueConstraint(fields=["arsredovisning", "medlem"], name="ansvarsfrihet_once")
        ]

    def __str__(self) -> str:
        return f"{self.medlem}: {'beviljad' if self.granted else 'ej beviljad'}"

    def get_absolute_url(self) -> str:
        return self.arsredovisning.get_absolute_url()
