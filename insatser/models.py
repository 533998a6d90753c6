"""Insatser: the interventions a förbund funds, from idea and application to decision and closure."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from finsam.history import StatusHistory
from finsam.money import KronorField
from forbund.models import Forbund, ForbundScoped, Medlem, Person, Styrelsemote, validate_period


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

    class Malgrupp(models.TextChoices):
        UNGA_VUXNA = "unga_vuxna", "Unga vuxna (16–29 år)"
        SJUKSKRIVNA = "sjukskrivna", "Långtidssjukskrivna"
        ARBETSLOSA = "arbetslosa", "Långtidsarbetslösa"
        FORSORJNINGSSTOD = "forsorjningsstod", "Personer med försörjningsstöd"
        PSYKISK_OHALSA = "psykisk_ohalsa", "Personer med psykisk ohälsa"
        FUNKTIONSNEDSATTNING = "funktionsnedsattning", "Personer med funktionsnedsättning"
        NYANLANDA = "nyanlanda", "Nyanlända"
        PERSONAL = "personal", "Personal hos parterna"
        BLANDAD = "blandad", "Flera målgrupper"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="insatser", verbose_name="förbund"
    )
    name = models.CharField("namn", max_length=200)
    description = models.TextField("kort beskrivning", blank=True)
    kind = models.CharField("inriktning", max_length=20, choices=Kind.choices)
    status = models.CharField("status", max_length=30, choices=Status.choices, default=Status.UTKAST)
    malgrupp = models.CharField("målgrupp", max_length=30, choices=Malgrupp.choices, blank=True)
    malgrupp_description = models.TextField(
        "beskrivning av målgruppen", blank=True, help_text="Vilka deltagarna är och hur de nås."
    )
    problem = models.TextField("problembeskrivning", blank=True)
    activities = models.TextField("aktiviteter", blank=True)
    implementation_plan = models.TextField(
        "plan för implementering i ordinarie verksamhet",
        blank=True,
        help_text="Hur det som fungerar ska tas över av parternas ordinarie verksamhet.",
    )
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
    contact = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kontakt_for_insatser",
        verbose_name="kontaktperson",
    )
    start = models.DateField("startdatum", null=True, blank=True)
    end = models.DateField("slutdatum", null=True, blank=True)
    budgeted_participants = models.PositiveIntegerField(
        "budgeterat antal deltagare",
        null=True,
        blank=True,
        help_text="För individinriktade insatser: planerat antal deltagare under hela perioden.",
    )
    esf_cofunded = models.BooleanField("medfinansierad av ESF", default=False)
    external_evaluation = models.BooleanField("extern utvärdering", default=False)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

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

    def get_absolute_url(self) -> str:
        return reverse("insatser:detail", kwargs={"forbund": self.forbund.slug, "pk": self.pk})

    def clean(self) -> None:
        self.check_same_forbund(owner=self.owner if self.owner_id else None)
        self.check_same_forbund(contact=self.contact if self.contact_id else None)
        validate_period(self.start, self.end, "end", "Insatsen kan inte sluta innan den börjar.")

    @property
    def years(self) -> list[int]:
        """The calendar years the period touches: the budget's columns."""
        if not (self.start and self.end):
            return []
        return list(range(self.start.year, self.end.year + 1))

    def goals_of(self, kind: str) -> list[Goal]:
        return [goal for goal in self.goals.all() if goal.kind == kind]

    @property
    def resultatmal(self) -> list[Goal]:
        return self.goals_of(Goal.Kind.RESULTATMAL)

    @property
    def effektmal(self) -> list[Goal]:
        return self.goals_of(Goal.Kind.EFFEKTMAL)


class InsatsPart(models.Model):
    """A part of an insats shown in a section of its page, which is where the log links to."""

    anchor = ""

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return f"{self.insats.get_absolute_url()}#{self.anchor}"


class Goal(models.Model):
    class Kind(models.TextChoices):
        RESULTATMAL = "resultatmal", "Resultatmål"
        EFFEKTMAL = "effektmal", "Effektmål"

    insats = models.ForeignKey(Insats, on_delete=models.CASCADE, related_name="goals", verbose_name="insats")
    kind = models.CharField("typ av mål", max_length=20, choices=Kind.choices)
    text = models.TextField("mål")
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "mål"
        verbose_name_plural = "mål"
        ordering = ["insats", "kind", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Delprocess(InsatsPart):
    """A local part of an insats, e.g. one per kommun, with its own owner and budget lines."""

    anchor = "delprocesser"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="delprocesser", verbose_name="insats"
    )
    name = models.CharField("namn", max_length=200)
    owner = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="delprocesser", verbose_name="ägare"
    )
    owner_unit = models.CharField("enhet", max_length=200, blank=True)
    problem = models.TextField("lokal problembeskrivning", blank=True)
    goals = models.TextField("mål", blank=True, help_text="Ett mål per rad.")
    activities = models.TextField("aktiviteter", blank=True)

    class Meta:
        verbose_name = "delprocess"
        verbose_name_plural = "delprocesser"
        ordering = ["insats", "name"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "name"], name="delprocess_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.insats_id and self.owner_id and self.owner.forbund_id != self.insats.forbund_id:
            raise ValidationError({"owner": "Måste höra till samma förbund."})

    @property
    def goals_list(self) -> list[str]:
        return [line.strip() for line in self.goals.splitlines() if line.strip()]


class BudgetLine(InsatsPart):
    """One line of an insats's budget as applied for, with an amount per year."""

    anchor = "budget"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="budget_lines", verbose_name="insats"
    )
    section = models.CharField(
        "avsnitt",
        max_length=200,
        blank=True,
        help_text="T.ex. Övergripande eller Gemensamt konsultationsteam. Lämna tomt för en delprocess.",
    )
    delprocess = models.ForeignKey(
        Delprocess,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name="delprocess",
    )
    description = models.CharField("kostnad", max_length=300)
    organisation = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name="organisation som bär kostnaden",
    )
    share = models.CharField(
        "andel av heltid",
        max_length=40,
        blank=True,
        help_text="Valfritt, t.ex. 20 % eller 75/50 %.",
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "budgetrad"
        verbose_name_plural = "budgetrader"
        ordering = ["insats", "order", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def section_name(self) -> str:
        return self.delprocess.name if self.delprocess_id else (self.section or "Övergripande")


class BudgetAmount(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="amounts", verbose_name="rad")
    year = models.PositiveSmallIntegerField("år")
    amount = KronorField("belopp (kr)", validators=[MinValueValidator(Decimal(0))])

    class Meta:
        verbose_name = "budgetbelopp"
        verbose_name_plural = "budgetbelopp"
        ordering = ["line", "year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="budget_amount_unique_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} kr"


class Signature(InsatsPart):
    """An older registration of a party's confirmation: a name and a title the applicant typed, with no
    account behind it and no version of the application. Kept, read-only, as the application's
    history ("Bekräftat (äldre registrering, utan konto)"); confirmations are now `Confirmation`s."""

    anchor = "underskrifter"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="signatures", verbose_name="insats"
    )
    medlem = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="signatures", verbose_name="part"
    )
    name = models.CharField("behörig företrädare", max_length=200)
    title = models.CharField("befattning", max_length=200)
    confirmed_at = models.DateTimeField("bekräftad", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )

    class Meta:
        verbose_name = "underskrift"
        verbose_name_plural = "underskrifter"
        ordering = ["insats", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["insats", "medlem"], name="signature_one_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.medlem}"


class Confirmation(InsatsPart):
    """A request to one named representative (behörig företrädare) of a party behind the application
    to confirm one exact version of it, and their answer.

    The version is the checksum of the application's content (`selectors.application_version`) when
    the request was made; a confirmation covers that version only. When the content changes, open
    requests of an older version are voided (kept, struck through) and the same representatives are
    asked again (`confirmations.confirmations_after_change`). A party may name several
    representatives: each is its own row, and a second never replaces the first.

    The row holds no workflow status: its answer is given once (`answer`, `answered_at`) and a change of
    the application voids it (`voided_at`); `state` reads the two. `method` names how the
    representative showed who they are (`confirmations.METHODS`)."""

    anchor = "underskrifter"

    class Answer(models.TextChoices):
        BEKRAFTAD = "bekraftad", "Bekräftad"
        AVBOJD = "avbojd", "Avböjd"

    class Method(models.TextChoices):
        INLOGGNING = "inloggning", "Inloggning med konto"

    class State(models.TextChoices):
        VANTAR = "vantar", "Väntar"
        BEKRAFTAD = "bekraftad", "Bekräftad"
        AVBOJD = "avbojd", "Avböjd"
        OGILTIG = "ogiltig", "Ogiltig – ändrad ansökan"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="confirmations", verbose_name="insats"
    )
    medlem = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="confirmations", verbose_name="part"
    )
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="application_confirmations",
        verbose_name="behörig företrädare",
    )
    title = models.CharField("befattning", max_length=200, blank=True)
    version = models.CharField("ansökans version", max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="begärd av"
    )
    requested_at = models.DateTimeField("begärd", auto_now_add=True)
    answer = models.CharField("svar", max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField("besvarad", null=True, blank=True)
    comment = models.TextField("kommentar", blank=True)
    method = models.CharField("bekräftad genom", max_length=20, choices=Method.choices, blank=True)
    evidence = models.CharField(
        "styrkt genom", max_length=300, blank=True, help_text="Vad bekräftelsesättet registrerade."
    )
    voided_at = models.DateTimeField("ogiltig sedan", null=True, blank=True)

    class Meta:
        verbose_name = "bekräftelse"
        verbose_name_plural = "bekräftelser"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["insats", "medlem", "representative"],
                condition=models.Q(voided_at__isnull=True),
                name="confirmation_one_open_per_representative",
            ),
            models.CheckConstraint(
                condition=(models.Q(answer="") & models.Q(answered_at__isnull=True))
                | (~models.Q(answer="") & models.Q(answered_at__isnull=False)),
                name="confirmation_answered_with_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.representative} ({self.medlem}), version {self.short_version}"

    @property
    def short_version(self) -> str:
        return self.version[:8]

    @property
    def state(self) -> str:
        if self.voided_at:
            return self.State.OGILTIG
        return self.answer or self.State.VANTAR

    def get_state_display(self) -> str:
        return self.State(self.state).label

    def is_valid_for(self, version: str) -> bool:
        """A confirmation of exactly this version of the application, not voided."""
        return self.state == self.State.BEKRAFTAD and self.version == version


# The application's content can change only in these states (the access rule `edit_application`);
# afterwards it is kept as submitted and the insats changes only through its workflow.
APPLICATION_EDITABLE = frozenset(
    {Insats.Status.IDE, Insats.Status.UTKAST, Insats.Status.KOMPLETTERING_BEGARD}
)


# Parties confirm the application until the board has decided on it.
CONFIRMABLE = APPLICATION_EDITABLE | {Insats.Status.INSKICKAD, Insats.Status.UNDER_BEREDNING}


# Granted and not yet ended: the insats runs, invoices are expected and the dashboard lists it.
RUNNING_STATUSES = frozenset({Insats.Status.BEVILJAD, Insats.Status.PAGAENDE})
# Granted at some point: it reports for the time it ran and counts in the year's follow-up.
GRANTED_STATUSES = RUNNING_STATUSES | {
    Insats.Status.AVSLUTAD,
    Insats.Status.IMPLEMENTERAD,
    Insats.Status.AVVECKLAD,
}


class StatusChange(StatusHistory):
    """The history of an insats: every transition, who made it, when and why."""

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="status_changes", verbose_name="insats"
    )
    from_status = models.CharField("från", max_length=30, choices=Insats.Status.choices, blank=True)
    to_status = models.CharField("till", max_length=30, choices=Insats.Status.choices)
    snapshot = models.JSONField(
        "ansökan vid tillfället",
        null=True,
        blank=True,
        help_text="Ansökan som den såg ut när den skickades in.",
    )

    class Meta:
        verbose_name = "statusändring"
        verbose_name_plural = "statusändringar"
        ordering = ["insats", "at", "id"]


class Beslut(InsatsPart):
    """The board's decision on an application: granted with an amount per year, or refused."""

    anchor = "beslut"

    class Outcome(models.TextChoices):
        BEVILJAD = "beviljad", "Beviljad"
        AVSLAGEN = "avslagen", "Avslagen"

    insats = models.ForeignKey(Insats, on_delete=models.PROTECT, related_name="beslut", verbose_name="insats")
    outcome = models.CharField("beslut", max_length=20, choices=Outcome.choices)
    decided_on = models.DateField("beslutsdatum")
    meeting = models.ForeignKey(
        Styrelsemote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beslut",
        verbose_name="styrelsemöte",
    )
    paragraph = models.CharField(
        "paragraf (äldre registrering)",
        max_length=20,
        blank=True,
        help_text="Fritext från före dagordningskopplingen; nya beslut får sin § från protokollet.",
    )
    agenda_item = models.ForeignKey(
        "forbund.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="insats_beslut",
        verbose_name="dagordningspunkt",
    )
    delegationsbeslut = models.ForeignKey(
        "forbund.Delegationsbeslut",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="insats_beslut",
        verbose_name="delegationsbeslut",
    )
    motivation = models.TextField("motivering", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="registrerat av"
    )
    recorded_at = models.DateTimeField("registrerat", auto_now_add=True)

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["insats", "decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.decided_on:%Y-%m-%d}"

    @property
    def board_decision(self):
        """Where the decision was taken, as `templates/includes/board_decision.html` shows it."""
        from forbund.meetings.selectors.decisions import decision_reference

        return decision_reference(
            item=self.agenda_item if self.agenda_item_id else None,
            delegation=self.delegationsbeslut if self.delegationsbeslut_id else None,
            legacy_meeting=self.meeting if self.meeting_id else None,
            legacy_paragraph=self.paragraph,
            legacy_date=self.decided_on,
        )

    @property
    def reference(self) -> str:
        if self.agenda_item_id or self.delegationsbeslut_id:
            return self.board_decision.text
        parts = []
        if self.meeting_id:
            parts.append(f"styrelsemöte {self.meeting.date:%Y-%m-%d}")
        if self.paragraph:
            parts.append(self.paragraph)
        return " ".join(parts)


class GrantedAmount(models.Model):
    beslut = models.ForeignKey(
        Beslut, on_delete=models.CASCADE, related_name="amounts", verbose_name="beslut"
    )
    year = models.PositiveSmallIntegerField("år")
    amount = KronorField("beviljat belopp (kr)", validators=[MinValueValidator(Decimal(0))])

    class Meta:
        verbose_name = "beviljat belopp"
        verbose_name_plural = "beviljade belopp"
        ordering = ["beslut", "year"]
        constraints = [
            models.UniqueConstraint(fields=["beslut", "year"], name="granted_amount_unique_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="granted_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} kr"


class Milestone(InsatsPart):
    anchor = "delmal"

    class Status(models.TextChoices):
        PLANERAD = "planerad", "Planerad"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="milestones", verbose_name="insats"
    )
    title = models.CharField("delmål eller leverans", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    due = models.DateField("klart senast")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.PLANERAD)
    completed_on = models.DateField("klart den", null=True, blank=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "delmål"
        verbose_name_plural = "delmål"
        ordering = ["insats", "due", "id"]
        indexes = [
            # The late milestones of a förbund's insatser (`overdue_milestones`): those not done
            # (Status.KLAR, which the class body of Meta cannot name).
            models.Index(
                fields=["insats", "due"],
                name="milestone_open_due_idx",
                condition=~models.Q(status="klar"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == self.Status.KLAR and not self.completed_on:
            self.completed_on = timezone.localdate()
        if self.status != self.Status.KLAR:
            self.completed_on = None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != self.Status.KLAR and self.due < today


ALLOWED_ATTACHMENT_EXTENSIONS = [
    *("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "png", "jpg", "jpeg"),
]
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def validate_attachment_size(file) -> None:
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError("Filen är för stor: högst 10 MB.")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"insatser/{instance.insats.forbund_id}/{instance.insats_id}/{filename}"


class Attachment(InsatsPart):
    anchor = "bilagor"

    insats = models.ForeignKey(
        Insats, on_delete=models.CASCADE, related_name="attachments", verbose_name="insats"
    )
    file = models.FileField(
        "fil",
        upload_to=attachment_path,
        validators=[FileExtensionValidator(ALLOWED_ATTACHMENT_EXTENSIONS), validate_attachment_size],
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument eller bild, högst 10 MB.",
    )
    description = models.CharField("beskrivning", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="uppladdad av"
    )
    uploaded_at = models.DateTimeField("uppladdad", auto_now_add=True)

    class Meta:
        verbose_name = "bilaga"
        verbose_name_plural = "bilagor"
        ordering = ["insats", "uploaded_at"]

    def __str__(self) -> str:
        return self.description or self.filename

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
