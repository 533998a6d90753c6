"""The förbund core: the association, its members, board, staff, working groups and meetings."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from ..validators import validate_organisationsnummer


class User(AbstractUser):
    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Forbund(models.Model):
    name = models.CharField("namn", max_length=200, unique=True)
    slug = models.SlugField("kortnamn i adresser", max_length=60, unique=True)
    organisationsnummer = models.CharField(
        "organisationsnummer", max_length=11, blank=True, validators=[validate_organisationsnummer]
    )
    bildat = models.DateField("bildat", null=True, blank=True)
    andamal = models.TextField("ändamål", blank=True, help_text="Ändamålet enligt förbundsordningen.")
    uppgifter = models.TextField(
        "uppgifter", blank=True, help_text="Förbundets uppgifter enligt förbundsordningen, en per rad."
    )
    verksamhetside = models.TextField("verksamhetsidé", blank=True)
    ersattare_shared = models.BooleanField(
        "gemensamma ersättare",
        default=False,
        help_text=(
            "Kryssa i om förbundsordningen säger att ersättarna är gemensamma: då kan en ersättare "
            "tjänstgöra för vilken frånvarande ledamot som helst, i den inkallelseordning som anges i "
            "styrelsen. Annars tjänstgör en ersättare bara för en ledamot från samma medlem."
        ),
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )
    aggregates_generation = models.PositiveBigIntegerField(
        "sammanställningarnas version",
        default=0,
        editable=False,
        help_text="Räknas upp när en ändring påverkar översiktens siffror; en del av deras cachenyckel.",
    )

    class Meta:
        verbose_name = "samordningsförbund"
        verbose_name_plural = "samordningsförbund"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The generation moves only by `forbund.generation.invalidate` (F() + 1 in the database): saving
        # a copy loaded before a bump must not put the older generation, and its cached figures, back.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "aggregates_generation"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forbund:detail", kwargs={"forbund": self.slug})

    @property
    def uppgifter_list(self) -> list[str]:
        return [line.strip() for line in self.uppgifter.splitlines() if line.strip()]


class ForbundScoped(models.Model):
    """A record that belongs to exactly one förbund (each subclass declares its `forbund` key with
    its own related_name); every query for it is scoped by that."""

    class Meta:
        abstract = True

    def check_same_forbund(self, **related: models.Model | None) -> None:
        errors = {
            field: "Måste höra till samma förbund."
            for field, obj in related.items()
            if obj is not None and obj.forbund_id != self.forbund_id
        }
        if errors:
            raise ValidationError(errors)


def period_active_q(year: int, start: str = "start", end: str = "end") -> Q:
    """Rows whose [start, end] period overlaps calendar year `year` (end may be open)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(**{f"{start}__lte": last}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": first}))


def validate_period(start: datetime.date | None, end: datetime.date | None, end_field: str, message: str):
    if start and end and end < start:
        raise ValidationError({end_field: message})


class MedlemKind(models.TextChoices):
    FORSAKRINGSKASSAN = "forsakringskassan", "Försäkringskassan"
    ARBETSFORMEDLINGEN = "arbetsformedlingen", "Arbetsförmedlingen"
    REGION = "region", "Region"
    KOMMUN = "kommun", "Kommun"


def medlem_kind_order(prefix: str = "") -> models.Case:
    """Members in the order förbund list them: the state, the region, then the kommuner."""
    return models.Case(
        *(models.When(**{f"{prefix}kind": kind}, then=index) for index, kind in enumerate(MedlemKind.values)),
        output_field=models.IntegerField(),
    )


class Medlem(ForbundScoped):
    Kind = MedlemKind

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="medlemmar", verbose_name="förbund"
    )
    kind = models.CharField("typ av medlem", max_length=20, choices=Kind.choices)
    name = models.CharField("namn", max_length=200)
    organisationsnummer = models.CharField(
        "organisationsnummer", max_length=11, blank=True, validators=[validate_organisationsnummer]
    )
    joined = models.DateField("inträde")
    left = models.DateField("utträde", null=True, blank=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "medlem"
        verbose_name_plural = "medlemmar"
        ordering = ["forbund", medlem_kind_order(), "name"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "name"], name="medlem_unique_name_per_forbund"),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gte=models.F("joined")),
                name="medlem_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forbund:medlemmar", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        validate_period(self.joined, self.left, "left", "Utträdet kan inte ligga före inträdet.")

    def is_member_on(self, day: datetime.date) -> bool:
        return self.joined <= day and (self.left is None or self.left >= day)


class WorkingAgePopulation(ForbundScoped):
    """Invånare i arbetsför ålder (16–64 år) in one member kommun for one year."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="invanare", verbose_name="förbund"
    )
    kommun = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="invanare", verbose_name="kommun"
    )
    year = models.PositiveSmallIntegerField(
        "år", validators=[MinValueValidator(2004), MaxValueValidator(2100)]
    )
    count = models.PositiveIntegerField("invånare 16–64 år")

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "invånare i arbetsför ålder"
        verbose_name_plural = "invånare i arbetsför ålder"
        ordering = ["-year", "kommun__name"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "year"], name="population_unique_kommun_year"),
        ]

    def __str__(self) -> str:
        return f"{self.kommun} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:detail", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        if self.kommun_id:
            self.check_same_forbund(kommun=self.kommun)
            if self.kommun.kind not in (Medlem.Kind.KOMMUN, Medlem.Kind.REGION):
                raise ValidationError({"kommun": "Invånarantal anges per kommun eller region."})


class Person(ForbundScoped):
    """Someone the förbund works with: board member, staff, working group member."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="personer", verbose_name="förbund"
    )
    name = models.CharField("namn", max_length=200)
    title = models.CharField("befattning", max_length=200, blank=True)
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="personer",
        verbose_name="medlemsorganisation",
        help_text="Den medlem personen arbetar hos, om någon.",
    )
    unit = models.CharField("enhet eller organisation", max_length=200, blank=True)
    email = models.EmailField("e-post", blank=True)
    phone = models.CharField("telefon", max_length=40, blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personer",
        verbose_name="inloggning",
    )

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "personer"
        ordering = ["forbund", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forbund:personer", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        self.check_same_forbund(medlem=self.medlem)

    @property
    def organisation(self) -> str:
        parts = [str(self.medlem) if self.medlem else "", self.unit]
        return ", ".join(part for part in parts if part)


class Styrelseuppdrag(ForbundScoped):
    class Role(models.TextChoices):
        LEDAMOT = "ledamot", "Ledamot"
        ERSATTARE = "ersattare", "Ersättare"

    class Presidium(models.TextChoices):
        NONE = "", "—"
        ORDFORANDE = "ordforande", "Ordförande"
        VICE_ORDFORANDE = "vice_ordforande", "Vice ordförande"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="styrelseuppdrag", verbose_name="förbund"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="styrelseuppdrag", verbose_name="person"
    )
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        related_name="styrelseuppdrag",
        verbose_name="utsedd av",
    )
    role = models.CharField("uppdrag", max_length=20, choices=Role.choices)
    presidium = models.CharField(
        "presidium", max_length=20, choices=Presidium.choices, blank=True, default=Presidium.NONE
    )
    start = models.DateField("från")
    end = models.DateField("till", null=True, blank=True)
    call_order = models.PositiveSmallIntegerField(
        "inkallelseordning",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=(
            "För ersättare: i vilken ordning ersättarna kallas in när en ledamot är frånvarande "
            "(1 först), bland medlemmens ersättare eller, med gemensamma ersättare, bland alla."
        ),
    )

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "styrelseuppdrag"
        verbose_name_plural = "styrelseuppdrag"
        ordering = ["forbund", medlem_kind_order("medlem__"), "medlem__name", "role", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="styrelseuppdrag_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(presidium="") | Q(role="ledamot"),
                name="styrelseuppdrag_presidium_is_ledamot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.get_role_display().lower()} för {self.medlem}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:styrelse", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        # A required key the form refused is unset here; reading it would raise instead of showing the error.
        self.check_same_forbund(
            person=self.person if self.person_id else None,
            medlem=self.medlem if self.medlem_id else None,
        )
        validate_period(self.start, self.end, "end", "Uppdraget kan inte sluta innan det börjar.")
        if self.presidium and self.role != self.Role.LEDAMOT:
            raise ValidationError({"presidium": "Bara en ordinarie ledamot kan ingå i presidiet."})
        if self.call_order is not None and self.role != self.Role.ERSATTARE:
            raise ValidationError({"call_order": "Inkallelseordning anges bara för ersättare."})
        if self.medlem_id and self.start:
            if self.start < self.medlem.joined or (self.medlem.left and self.start > self.medlem.left):
                raise ValidationError({"start": "Uppdraget måste börja medan organisationen är medlem."})


class Kansliuppdrag(ForbundScoped):
    class Role(models.TextChoices):
        FORBUNDSCHEF = "forbundschef", "Förbundschef"
        SAMORDNARE = "samordnare", "Samordnare"
        EKONOM = "ekonom", "Ekonom"
        PROCESSLEDARE = "processledare", "Processledare"
        UTVARDERARE = "utvarderare", "Utvärderare"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="kansliuppdrag", verbose_name="förbund"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="kansliuppdrag", verbose_name="person"
    )
    role = models.CharField("roll", max_length=20, choices=Role.choices)
    employer = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="utlanade",
        verbose_name="anställd hos (medlem)",
        help_text="Välj medlemmen om personen är inlånad från en av förbundets medlemmar.",
    )
    employer_name = models.CharField(
        "anställd hos (annan)",
        max_length=200,
        blank=True,
        help_text="Fyll i om personen är anställd av förbundet eller av någon annan än en medlem.",
    )
    share_percent = models.DecimalField(
        "andel av heltid (%)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    start = models.DateField("från")
    end = models.DateField("till", null=True, blank=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "kansliuppdrag"
        verbose_name_plural = "kansliuppdrag"
        ordering = ["forbund", "role", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="kansliuppdrag_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.get_role_display().lower()}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:kansli", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        self.check_same_forbund(person=self.person if self.person_id else None, employer=self.employer)
        validate_period(self.start, self.end, "end", "Uppdraget kan inte sluta innan det börjar.")
        if self.employer_id and self.employer_name:
            raise ValidationError({"employer_name": "Ange antingen en medlem eller en annan arbetsgivare."})
        if not self.employer_id and not self.employer_name:
            raise ValidationError({"employer": "Ange vem personen är anställd hos."})

    @property
    def employment(self) -> str:
        """'inlånad 33 % från Arbetsförmedlingen' or 'anställd 100 % hos …'."""
        share = f"{self.share_percent.normalize():f}".replace(".", ",")
        if self.employer_id:
            return f"inlånad {share} % från {self.employer}"
        return f"{share} %, anställd hos {self.employer_name}"


class Arbetsgrupp(ForbundScoped):
    class Kind(models.TextChoices):
        BEREDNINGSGRUPP = "beredningsgrupp", "Beredningsgrupp"
        LEDNINGSGRUPP = "ledningsgrupp", "Ledningsgrupp"
        ARBETSGRUPP = "arbetsgrupp", "Arbetsgrupp"
        CHEFSGRUPP = "chefsgrupp", "Chefsgrupp"
        STYRGRUPP = "styrgrupp", "Styrgrupp"
        LOKAL_SAMVERKANSGRUPP = "lokal_samverkansgrupp", "Lokal samverkansgrupp"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="arbetsgrupper", verbose_name="förbund"
    )
    kind = models.CharField("typ av grupp", max_length=30, choices=Kind.choices)
    name = models.CharField("namn", max_length=200)
    purpose = models.TextField("uppdrag", blank=True)
    insats = models.ForeignKey(
        "insatser.Insats",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arbetsgrupper",
        verbose_name="insats",
        help_text="För en styrgrupp: den insats gruppen styr.",
    )
    start = models.DateField("bildad", null=True, blank=True)
    end = models.DateField("upplöst", null=True, blank=True)

    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "arbetsgrupp"
        verbose_name_plural = "arbetsgrupper"
        ordering = ["forbund", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "name"], name="arbetsgrupp_unique_name_per_forbund"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forbund:arbetsgrupp", kwargs={"forbund": self.forbund.slug, "pk": self.pk})

    def clean(self) -> None:
        self.check_same_forbund(insats=self.insats)
        validate_period(self.start, self.end, "end", "Gruppen kan inte upplösas innan den bildas.")


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        SAMMANKALLANDE = "sammankallande", "Sammankallande"
        LEDAMOT = "ledamot", "Ledamot"
        ADJUNGERAD = "adjungerad", "Adjungerad"

    arbetsgrupp = models.ForeignKey(
        Arbetsgrupp, on_delete=models.CASCADE, related_name="medlemmar", verbose_name="grupp"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="group_memberships", verbose_name="person"
    )
    role = models.CharField("roll i gruppen", max_length=20, choices=Role.choices, default=Role.LEDAMOT)

    class Meta:
        verbose_name = "gruppmedlem"
        verbose_name_plural = "gruppmedlemmar"
        ordering = ["arbetsgrupp", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["arbetsgrupp", "person"], name="group_membership_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} i {self.arbetsgrupp}"

    def get_absolute_url(self) -> str:
        return reverse(
            "forbund:arbetsgrupp",
            kwargs={"forbund": self.arbetsgrupp.forbund.slug, "pk": self.arbetsgrupp_id},
        )

    def clean(self) -> None:
        if self.arbetsgrupp_id and self.person_id and self.person.forbund_id != self.arbetsgrupp.forbund_id:
            raise ValidationError({"person": "Måste höra till samma förbund."})


class GroupMeeting(models.Model):
    """A meeting of a working group, e.g. an insats's styrgrupp."""

    arbetsgrupp = models.ForeignKey(
        Arbetsgrupp, on_delete=models.CASCADE, related_name="meetings", verbose_name="grupp"
    )
    date = models.DateField("datum")
    note = models.CharField("anteckning", max_length=300, blank=True)

    class Meta:
        verbose_name = "gruppmöte"
        verbose_name_plural = "gruppmöten"
        ordering = ["arbetsgrupp", "date"]
        constraints = [
            models.UniqueConstraint(fields=["arbetsgrupp", "date"], name="group_meeting_unique_date"),
        ]

    def __str__(self) -> str:
        return f"{self.arbetsgrupp} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse(
            "forbund:arbetsgrupp",
            kwargs={"forbund": self.arbetsgrupp.forbund.slug, "pk": self.arbetsgrupp_id},
        )


class Role(models.Model):
    """A user's role in one förbund; the access module reads only this."""

    class Kind(models.TextChoices):
        SAMORDNARE = "samordnare", "Samordnare"
        EKONOM = "ekonom", "Ekonom"
        STYRELSELEDAMOT = "styrelseledamot", "Styrelseledamot"
        ERSATTARE = "ersattare", "Ersättare"
        PROJEKTAGARE = "projektagare", "Projektägare"
        REVISOR = "revisor", "Revisor"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name="användare")
    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="roles", verbose_name="förbund"
    )
    kind = models.CharField("roll", max_length=20, choices=Kind.choices)
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name="organisation",
        help_text="För projektägare: den medlemsorganisation vars insatser användaren ansvarar för.",
    )

    class Meta:
        verbose_name = "roll"
        verbose_name_plural = "roller"
        ordering = ["forbund", "kind", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "forbund", "kind"], name="role_unique_per_forbund"),
            models.CheckConstraint(
                condition=~Q(kind="projektagare") | Q(medlem__isnull=False),
                name="role_projektagare_has_medlem",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} i {self.forbund}"

    def clean(self) -> None:
        if self.kind == self.Kind.PROJEKTAGARE and not self.medlem_id:
            raise ValidationError({"medlem": "En projektägare måste höra till en medlemsorganisation."})
        if self.medlem_id and self.forbund_id and self.medlem.forbund_id != self.forbund_id:
            raise ValidationError({"medlem": "Måste höra till samma förbund."})


class ActivityEvent(ForbundScoped):
    """One line in the förbund's audit log (*Logg*): who did what to which record, when, and the
    field values before and after. Written only through `finsam.audit`."""

    class Kind(models.TextChoices):
        CREATED = "skapad", "Skapad"
        CHANGED = "andrad", "Ändrad"
        DELETED = "borttagen", "Borttagen"
        TRANSITION = "status", "Statusbyte"
        CORRECTION = "rattelse", "Rättelse"
        EVENT = "handelse", "Händelse"
        LOGIN = "inloggning", "Inloggning"
        LOGIN_FAILED = "misslyckad_inloggning", "Misslyckad inloggning"
        LOGOUT = "utloggning", "Utloggning"
        PASSWORD_CHANGED = "losenord", "Lösenordsbyte"

    forbund = models.ForeignKey(
        Forbund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_events",
        verbose_name="förbund",
        help_text="Tomt för händelser utan förbund, t.ex. en misslyckad inloggning med okänt namn.",
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="activity_events", verbose_name="utförd av"
    )
    created_at = models.DateTimeField("tidpunkt", auto_now_add=True, db_index=True)
    kind = models.CharField("slag", max_length=30, choices=Kind.choices, default=Kind.EVENT)
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="posttyp",
    )
    object_id = models.CharField("postens id", max_length=64, blank=True)
    object_repr = models.CharField("post", max_length=200, blank=True)
    object_version = models.PositiveIntegerField("postens version", null=True, blank=True)
    url = models.CharField("adress", max_length=300, blank=True)
    description = models.CharField("händelse", max_length=300)
    changes = models.JSONField("ändringar", default=list, blank=True)

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="activity_object"),
            # The förbund's latest event marks its cached inboxes (forbund.aggregates.activity_mark).
            models.Index(fields=["forbund", "id"], name="activity_forbund_latest"),
        ]

    def __str__(self) -> str:
        return self.description


class SubmittedForm(models.Model):
    """A create form that has been saved once: its one-time token and what it made. A second submit
    of the same form (a double click, a reload) finds this row and leads to the same record."""

    token = models.UUIDField("formulärets id", unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="användare")
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", verbose_name="posttyp"
    )
    object_id = models.CharField("postens id", max_length=64)
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    class Meta:
        verbose_name = "skickat formulär"
        verbose_name_plural = "skickade formulär"

    def __str__(self) -> str:
        return str(self.token)
