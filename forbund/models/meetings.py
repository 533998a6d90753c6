"""The board's meetings: the meeting plan, agendas, attendance, decisions and minutes."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from finsam.history import StatusHistory

from .core import Forbund, ForbundScoped, Person


class MeetingStatus(models.TextChoices):
    PLANERAT = "planerat", "Planerat"
    KALLAT = "kallat", "Kallat"
    GENOMFORT = "genomfort", "Genomfört"
    JUSTERING = "justering", "Protokoll för justering"
    JUSTERAT = "justerat", "Protokoll justerat"


class Styrelsemote(ForbundScoped):
    """A board meeting: in the meeting plan, then called, held, and its minutes approved."""

    Status = MeetingStatus

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="styrelsemoten", verbose_name="förbund"
    )
    date = models.DateField("datum")
    start_time = models.TimeField("starttid", null=True, blank=True)
    place = models.CharField("plats", max_length=200, blank=True)
    video_link = models.URLField("videolänk", blank=True)
    planned_items = models.TextField(
        "innehåll och särskilda beslutspunkter",
        blank=True,
        help_text="Det som planeras att behandlas, en punkt per rad.",
    )
    status = models.CharField(
        "status", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANERAT
    )
    notice_text = models.TextField(
        "kallelsens text",
        blank=True,
        help_text="Hälsningen i kallelsen; dagordningen och handlingarna följer med.",
    )
    ordforande = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presided_moten",
        verbose_name="ordförande vid sammanträdet",
        help_text=(
            "Den som leder sammanträdet: styrelsens ordförande om hen är närvarande, annars vice "
            "ordföranden, annars en ledamot som väljs för mötet."
        ),
    )
    justerare = models.ManyToManyField(
        Person, blank=True, related_name="justerar_moten", verbose_name="justerare"
    )
    announced_on = models.DateField("anslaget", null=True, blank=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "styrelsemöte"
        verbose_name_plural = "styrelsemöten"
        ordering = ["forbund", "date", "start_time"]

    def __str__(self) -> str:
        return f"Styrelsemöte {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:mote", kwargs={"forbund": self.forbund.slug, "pk": self.pk})

    def clean(self) -> None:
        if not self.place and not self.video_link:
            raise ValidationError({"place": "Ange en plats eller en videolänk."})

    @property
    def starts_at(self) -> datetime.datetime:
        """The meeting's start as an aware datetime (midnight when no time is set)."""
        naive = datetime.datetime.combine(self.date, self.start_time or datetime.time(0, 0))
        return timezone.make_aware(naive, timezone.get_default_timezone())

    def is_past(self, now: datetime.datetime | None = None) -> bool:
        """Has the meeting begun? A meeting without a time has begun once its day is over."""
        now = now or timezone.now()
        if self.start_time is None:
            return self.date < timezone.localdate(now)
        return self.starts_at <= now

    @property
    def planned_items_list(self) -> list[str]:
        return [line.strip() for line in self.planned_items.splitlines() if line.strip()]


class MeetingStatusChange(StatusHistory):
    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="status_changes", verbose_name="möte"
    )
    from_status = models.CharField("från", max_length=20, choices=MeetingStatus.choices, blank=True)
    to_status = models.CharField("till", max_length=20, choices=MeetingStatus.choices)

    class Meta:
        verbose_name = "statusändring för möte"
        verbose_name_plural = "statusändringar för möten"
        ordering = ["meeting", "at", "id"]


class AgendaKind(models.TextChoices):
    FORMALIA = "formalia", "Formalia"
    BESLUT = "beslut", "Beslutsärende"
    INFORMATION = "information", "Informationsärende"
    DELEGATION = "delegation", "Anmälan av delegationsbeslut"
    OVRIGT = "ovrigt", "Övrigt"


class AgendaTemplateItem(ForbundScoped):
    """A standard item every agenda of the förbund starts with (opening, justerare, agenda, closing)."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="agenda_template", verbose_name="förbund"
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    kind = models.CharField("typ", max_length=20, choices=AgendaKind.choices, default=AgendaKind.FORMALIA)
    title = models.CharField("rubrik", max_length=200)
    proposal = models.TextField("förslag till beslut", blank=True)
    at_end = models.BooleanField("sist på dagordningen", default=False)

    class Meta:
        verbose_name = "standardpunkt"
        verbose_name_plural = "standardpunkter"
        ordering = ["forbund", "at_end", "order"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """One item of a meeting's agenda, with its proposal, its papers and, once decided, its §."""

    Kind = AgendaKind

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="items", verbose_name="möte"
    )
    order = models.PositiveSmallIntegerField("ordning", default=0)
    kind = models.CharField("typ", max_length=20, choices=AgendaKind.choices, default=AgendaKind.BESLUT)
    title = models.CharField("rubrik", max_length=200)
    proposal = models.TextField("förslag till beslut", blank=True)
    presenter = models.CharField("föredragande", max_length=200, blank=True)
    added_late = models.BooleanField("tillkommen efter kallelsen", default=False)
    insats = models.ForeignKey(
        "insatser.Insats",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="insats",
    )
    tertialrapport = models.ForeignKey(
        "uppfoljning.Tertialrapport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="rapport",
    )
    budget = models.ForeignKey(
        "ekonomi.Budget",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="budget",
    )
    dokumentjobb = models.ForeignKey(
        "forbund.Dokumentjobb",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="dokument",
    )
    decision = models.TextField("beslut", blank=True)
    paragraph = models.PositiveIntegerField("§", null=True, blank=True)
    votes_yes = models.PositiveSmallIntegerField("röster ja", null=True, blank=True)
    votes_no = models.PositiveSmallIntegerField("röster nej", null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField("avstår", null=True, blank=True)
    chair_casting_vote = models.CharField(
        "ordförandens utslagsröst", max_length=3, choices=[("ja", "Ja"), ("nej", "Nej")], blank=True
    )
    reservations = models.TextField("reservationer", blank=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "dagordningspunkt"
        verbose_name_plural = "dagordningspunkter"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(insats__isnull=True, tertialrapport__isnull=True, budget__isnull=True)
                    | Q(insats__isnull=True, tertialrapport__isnull=True, dokumentjobb__isnull=True)
                    | Q(insats__isnull=True, budget__isnull=True, dokumentjobb__isnull=True)
                    | Q(tertialrapport__isnull=True, budget__isnull=True, dokumentjobb__isnull=True)
                ),
                name="agenda_item_at_most_one_link",
            ),
            models.UniqueConstraint(
                fields=["meeting", "paragraph"],
                condition=Q(paragraph__isnull=False),
                name="agenda_item_unique_paragraph",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#punkt-{self.pk}"

    @property
    def linked(self):
        return self.insats or self.tertialrapport or self.budget or self.dokumentjobb

    def clean(self) -> None:
        links = [
            link
            for link in (self.insats_id, self.tertialrapport_id, self.budget_id, self.dokumentjobb_id)
            if link
        ]
        if len(links) > 1:
            raise ValidationError(
                "En punkt kan länka till högst ett underlag; ladda upp övriga som handlingar."
            )
        forbund_id = self.meeting.forbund_id if self.meeting_id else None
        for link in (self.insats, self.budget, self.dokumentjobb):
            if link is not None and link.forbund_id != forbund_id:
                raise ValidationError("Underlaget hör till ett annat förbund.")
        if self.tertialrapport is not None and self.tertialrapport.period.forbund_id != forbund_id:
            raise ValidationError("Underlaget hör till ett annat förbund.")


PAPER_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods"]
MAX_PAPER_BYTES = 20 * 1024 * 1024


def validate_paper_size(file) -> None:
    if file.size > MAX_PAPER_BYTES:
        raise ValidationError("Filen är för stor: högst 20 MB.")


class AgendaAttachment(models.Model):
    """A paper uploaded to an agenda item (PDF, Word, Excel)."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="attachments", verbose_name="punkt"
    )
    title = models.CharField("rubrik", max_length=200)
    file = models.FileField(
        "fil",
        upload_to="handlingar/",
        validators=[FileExtensionValidator(PAPER_EXTENSIONS), validate_paper_size],
        help_text="PDF, Word eller Excel, högst 20 MB.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="uppladdad av"
    )
    uploaded_at = models.DateTimeField("uppladdad", auto_now_add=True)

    class Meta:
        verbose_name = "handling"
        verbose_name_plural = "handlingar"
        ordering = ["item", "uploaded_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.item.get_absolute_url()

    @property
    def is_pdf(self) -> bool:
        return self.file.name.lower().endswith(".pdf")


class NoticeVersion(models.Model):
    """A notice (kallelse) as sent: the agenda and papers are frozen in it; later changes make a new
    version, and each member can see which version they received."""

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="notices", verbose_name="möte"
    )
    version = models.PositiveSmallIntegerField("version")
    sent_at = models.DateTimeField("skickad", auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="skickad av"
    )
    recipients = models.TextField("mottagare")
    snapshot = models.JSONField("dagordning och handlingar")

    class Meta:
        verbose_name = "kallelse"
        verbose_name_plural = "kallelser"
        ordering = ["meeting", "version"]
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="notice_version_unique")]

    def __str__(self) -> str:
        return f"Kallelse {self.version} till {self.meeting}"

    def get_absolute_url(self) -> str:
        meeting = self.meeting
        url = reverse("forbund:notices", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})
        return f"{url}#rubrik-version-{self.version}"


class Attendance(models.Model):
    class Role(models.TextChoices):
        LEDAMOT = "ledamot", "Ledamot"
        TJANSTGORANDE = "tjanstgorande", "Tjänstgörande ersättare"
        ERSATTARE = "ersattare", "Ersättare (utan rösträtt)"
        PERSONAL = "personal", "Tjänsteperson"
        GAST = "gast", "Gäst"

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="attendance", verbose_name="möte"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendance", verbose_name="person"
    )
    role = models.CharField("deltar som", max_length=20, choices=Role.choices)
    present = models.BooleanField("närvarande", default=True)
    replaces = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_at",
        verbose_name="tjänstgör för",
    )

    class Meta:
        verbose_name = "närvaro"
        verbose_name_plural = "närvaro"
        ordering = ["meeting", "role", "person__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display().lower()})"

    def get_absolute_url(self) -> str:
        meeting = self.meeting
        return reverse("forbund:narvaro", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})


class ConflictOfInterest(models.Model):
    """Jäv: a person who took no part in an item."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="conflicts", verbose_name="punkt"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="conflicts", verbose_name="person"
    )

    class Meta:
        verbose_name = "jäv"
        verbose_name_plural = "jäv"
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="conflict_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} jävig i {self.item}"


class MinutesApproval(models.Model):
    """The ordförande's or a justerare's approval of the minutes, logged with the time."""

    class Role(models.TextChoices):
        ORDFORANDE = "ordforande", "Ordförande"
        JUSTERARE = "justerare", "Justerare"

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="approvals", verbose_name="möte"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="approvals", verbose_name="person"
    )
    role = models.CharField("som", max_length=20, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="konto"
    )
    approved_at = models.DateTimeField("justerat", auto_now_add=True)

    class Meta:
        verbose_name = "justering"
        verbose_name_plural = "justeringar"
        ordering = ["meeting", "approved_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="minutes_approval_once")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display().lower()})"

    def get_absolute_url(self) -> str:
        meeting = self.meeting
        return reverse("forbund:protokoll", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})


class Delegationsbeslut(ForbundScoped):
    """A decision the förbundschef took under delegation, reported to the next meeting."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="delegationsbeslut", verbose_name="förbund"
    )
    decided_on = models.DateField("beslutsdatum")
    title = models.CharField("ärende", max_length=200)
    description = models.TextField("beslut")
    delegation_point = models.CharField("punkt i delegationsordningen", max_length=100, blank=True)
    decided_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="delegationsbeslut", verbose_name="beslutad av"
    )
    reported_in = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegationsbeslut",
        verbose_name="anmäld i",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )
    recorded_at = models.DateTimeField("registrerad", auto_now_add=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "delegationsbeslut"
        verbose_name_plural = "delegationsbeslut"
        ordering = ["forbund", "-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.decided_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:delegationsbeslut", kwargs={"forbund": self.forbund.slug})


class Rattelse(models.Model):
    """A rättelse: a correction of justerade minutes. The minutes themselves never change after
    justering; what was wrong, how it should read, who corrected it, when and why is recorded
    beside them and shown wherever the minutes are shown."""

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.PROTECT, related_name="rattelser", verbose_name="möte"
    )
    item = models.ForeignKey(
        AgendaItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rattelser",
        verbose_name="paragraf",
        help_text="Den paragraf som rättas; lämna tomt när rättelsen gäller något annat i protokollet.",
    )
    concerns = models.CharField(
        "gäller",
        max_length=200,
        blank=True,
        help_text="Vad som rättas när det inte är en paragraf, till exempel närvarolistan.",
    )
    correction = models.TextField("rättelse", help_text="Hur det ska stå.")
    reason = models.TextField("skäl", help_text="Varför protokollet rättas.")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="gjord av"
    )
    made_at = models.DateTimeField("gjord", auto_now_add=True)

    class Meta:
        verbose_name = "rättelse"
        verbose_name_plural = "rättelser"
        ordering = ["meeting", "made_at", "id"]

    def __str__(self) -> str:
        return f"Rättelse av {self.where} i protokollet {self.meeting.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        meeting = self.meeting
        url = reverse("forbund:protokoll", kwargs={"forbund": meeting.forbund.slug, "pk": meeting.pk})
        return f"{url}#rattelse-{self.pk}"

    @property
    def where(self) -> str:
        """What the correction is about, as the minutes name it."""
        if self.item_id is not None:
            item = self.item
            return f"§ {item.paragraph} {item.title}" if item.paragraph else item.title
        return self.concerns

    def clean(self) -> None:
        if self.item_id is None and not self.concerns.strip():
            raise ValidationError({"concerns": "Ange vilken paragraf eller vad i protokollet som rättas."})
        if self.item_id is not None and self.item.meeting_id != self.meeting_id:
            raise ValidationError({"item": "Paragrafen hör till ett annat protokoll."})


class Forhinder(models.Model):
    """A ledamot's förhinder (they cannot attend) for a coming meeting, reported by the ledamot or
    recorded by the samordnare on their behalf. The förbund's ersättare are then asked one at a time,
    in their call-in order (`Inkallelse`). Withdrawn before the meeting, the record stays."""

    meeting = models.ForeignKey(
        Styrelsemote, on_delete=models.CASCADE, related_name="forhinder", verbose_name="möte"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="forhinder", verbose_name="ledamot"
    )
    note = models.CharField(
        "meddelande",
        max_length=300,
        blank=True,
        help_text=("Till exempel när du vet att du kan komma tillbaka; syns för samordnaren och ersättaren."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="anmält av"
    )
    reported_at = models.DateTimeField("anmält", auto_now_add=True)
    withdrawn_at = models.DateTimeField("återkallat", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="återkallat av",
    )

    class Meta:
        verbose_name = "förhinder"
        verbose_name_plural = "förhinder"
        ordering = ["meeting", "reported_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(withdrawn_at__isnull=True),
                name="forhinder_one_standing_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"Förhinder för {self.person} vid {self.meeting}"

    def get_absolute_url(self) -> str:
        return f"{self.meeting.get_absolute_url()}#forhinder"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Inkallelse(models.Model):
    """One ersättare asked to serve for a ledamot with förhinder. Ersättare are asked one at a time
    in the recorded call-in order; a "nej" asks the next one, a "ja" puts the ersättare in the
    attendance list as serving for the ledamot. Voided when the förhinder is withdrawn."""

    class Answer(models.TextChoices):
        JA = "ja", "Tjänstgör"
        NEJ = "nej", "Kan inte"

    forhinder = models.ForeignKey(
        Forhinder, on_delete=models.CASCADE, related_name="inkallelser", verbose_name="förhinder"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="inkallelser", verbose_name="ersättare"
    )
    asked_at = models.DateTimeField("tillfrågad", auto_now_add=True)
    answer = models.CharField("svar", max_length=3, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField("svarat", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="svar av",
    )
    comment = models.CharField("kommentar", max_length=300, blank=True)
    voided_at = models.DateTimeField("avbruten", null=True, blank=True)

    class Meta:
        verbose_name = "inkallelse av ersättare"
        verbose_name_plural = "inkallelser av ersättare"
        ordering = ["forhinder", "asked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forhinder", "person"], name="inkallelse_once_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} tillfrågad att tjänstgöra för {self.forhinder.person}"

    def get_absolute_url(self) -> str:
        meeting = self.forhinder.meeting
        kwargs = {"forbund": meeting.forbund.slug, "pk": meeting.pk, "ask_pk": self.pk}
        return reverse("forbund:inkallelse", kwargs=kwargs)

    @property
    def is_waiting(self) -> bool:
        return not self.answer and self.voided_at is None

    @property
    def is_serving(self) -> bool:
        return self.answer == self.Answer.JA and self.voided_at is None
