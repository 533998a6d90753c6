"""The förbund's economy: the yearly budget in versions, and the outcome from invoices and the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from finsam.history import StatusHistory
from forbund.models import Forbund, ForbundScoped, Medlem, Styrelsemote, validate_period

KRONOR = {"max_digits": 14, "decimal_places": 0}


class ContributionPlan(models.TextChoices):
    """When the members pay their contributions during the year (the forecast follows it)."""

    MANADSVIS = "manadsvis", "Varje månad"
    KVARTALSVIS = "kvartalsvis", "Fyra gånger per år (januari, april, juli, oktober)"
    HALVAR = "halvar", "Två gånger per år (januari och juli)"
    ARSVIS = "arsvis", "En gång per år (januari)"


CONTRIBUTION_MONTHS = {
    ContributionPlan.MANADSVIS: tuple(range(1, 13)),
    ContributionPlan.KVARTALSVIS: (1, 4, 7, 10),
    ContributionPlan.HALVAR: (1, 7),
    ContributionPlan.ARSVIS: (1,),
}


class EconomySettings(models.Model):
    """Per-förbund rules of thumb the economy pages compare against."""

    forbund = models.OneToOneField(
        Forbund, on_delete=models.CASCADE, related_name="economy_settings", verbose_name="förbund"
    )
    equity_guideline_percent = models.DecimalField(
        "riktvärde för eget kapital (% av intäkterna)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Den nationella rekommendationen brukar anges som högst 20 % av årets intäkter.",
    )
    insats_share_target_percent = models.DecimalField(
        "mål för insatsernas andel av intäkterna (%)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("70"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    invoice_interval_months = models.PositiveSmallIntegerField(
        "fakturering minst var … månad",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    contribution_plan = models.CharField(
        "medlemsbidragen betalas",
        max_length=12,
        choices=ContributionPlan.choices,
        default=ContributionPlan.HALVAR,
        help_text="När medlemmarna betalar sina bidrag; prognosen för intäkterna följer planen.",
    )
    # The förbund's attest rules (`finsam.access.can_attest_invoice`, `can_pay_invoice`).
    samordnare_attests = models.BooleanField("samordnaren får attestera fakturor", default=True)
    ekonom_attests = models.BooleanField("ekonomen får attestera fakturor", default=True)
    registrar_may_attest = models.BooleanField(
        "den som registrerade en faktura får attestera den",
        default=False,
        help_text="Normalt nej: attesten ska göras av någon annan än den som tog emot fakturan.",
    )
    attester_may_pay = models.BooleanField(
        "den som attesterade en faktura får också markera den som betald",
        default=False,
        help_text="Normalt nej: attest och utbetalning görs av olika personer.",
    )

    class Meta:
        verbose_name = "ekonomiinställningar"
        verbose_name_plural = "ekonomiinställningar"

    def __str__(self) -> str:
        return f"Ekonomiinställningar för {self.forbund}"

    @property
    def attest_roles_text(self) -> str:
        """Who attests, as the invoice list says it: "Samordnaren och ekonomen"."""
        roles = self.attest_roles
        names = [
            name for kind, name in (("samordnare", "samordnaren"), ("ekonom", "ekonomen")) if kind in roles
        ]
        return " och ".join(names).capitalize() or "Ingen"

    @property
    def attest_roles(self) -> frozenset[str]:
        """The roles (`forbund.models.Role.Kind` values) that may attest an invoice."""
        return frozenset(
            kind
            for kind, allowed in (("samordnare", self.samordnare_attests), ("ekonom", self.ekonom_attests))
            if allowed
        )


# The attest rules a samordnare sets on the attest rules page.
ATTEST_RULE_FIELDS = ["samordnare_attests", "ekonom_attests", "registrar_may_attest", "attester_may_pay"]


class CostCategory(ForbundScoped):
    """A category of the förbund's internal costs (samordnare, styrelse, revision …)."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="cost_categories", verbose_name="förbund"
    )
    name = models.CharField("kostnadsslag", max_length=100)
    order = models.PositiveSmallIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "kostnadsslag"
        verbose_name_plural = "kostnadsslag"
        ordering = ["forbund", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "name"], name="cost_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_COST_CATEGORIES = [
    "Samordnare",
    "Styrelse",
    "Information och IT",
    "Ekonomiadministration",
    "Revision",
    "Kurser och konferenser",
    "Utvärdering",
    "Övrigt",
]


class Budget(ForbundScoped):
    """One version of the förbund's budget for a year. A decided version is never changed: a revision
    is a new version."""

    class Status(models.TextChoices):
        FORSLAG = "forslag", "Förslag"
        BESLUTAD = "beslutad", "Beslutad"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="budgetar", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("budgetår")
    version = models.PositiveSmallIntegerField("version", default=1)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.FORSLAG)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name="bygger på",
    )
    opening_equity = models.DecimalField(
        "ingående eget kapital (kr)",
        null=True,
        blank=True,
        help_text="Föregående års utgående eget kapital, när appen inte har det.",
        **KRONOR,
    )
    opening_equity_note = models.CharField(
        "ingående eget kapital avser",
        max_length=200,
        blank=True,
        help_text="T.ex. Balanserat eget kapital 2019",
    )
    forecast_result_previous_year = models.DecimalField(
        "beräknat resultat innevarande år (kr)",
        null=True,
        blank=True,
        help_text="Prognosen för året innan budgetåret, t.ex. från delårsbokslutet.",
        **KRONOR,
    )
    funding_deviation = models.TextField(
        "avvikelse från finansieringsregeln",
        blank=True,
        help_text="Motivera här om intäkterna avviker från fördelningen 50/25/25.",
    )
    comment = models.TextField("kommentar", blank=True)
    decided_on = models.DateField("beslutad", null=True, blank=True)
    decided_meeting = models.ForeignKey(
        Styrelsemote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="styrelsemöte",
    )
    decided_paragraph = models.CharField("paragraf (äldre registrering)", max_length=20, blank=True)
    decided_item = models.ForeignKey(
        "forbund.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_decisions",
        verbose_name="dagordningspunkt",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="beslutet registrerat av",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="skapad av",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budgetar"
        ordering = ["forbund", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "year", "version"], name="budget_unique_version"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.year} (version {self.version})"

    def get_absolute_url(self) -> str:
        url = reverse("ekonomi:budget", kwargs={"forbund": self.forbund.slug, "year": self.year})
        return f"{url}?version={self.version}"

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.BESLUTAD

    @property
    def board_decision(self):
        """Where the board decided this version, as `templates/includes/board_decision.html` shows it."""
        from forbund.meetings.selectors.decisions import decision_reference

        if not self.is_decided:
            return None
        return decision_reference(
            item=self.decided_item if self.decided_item_id else None,
            legacy_meeting=self.decided_meeting if self.decided_meeting_id else None,
            legacy_paragraph=self.decided_paragraph,
            legacy_date=self.decided_on,
        )


class BudgetIncome(models.Model):
    """One member's contribution in a budget (whole kronor)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="intakter", verbose_name="budget"
    )
    medlem = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="intakter", verbose_name="medlem"
    )
    amount = models.DecimalField("belopp (kr)", validators=[MinValueValidator(0)], **KRONOR)

    class Meta:
        verbose_name = "intäkt från medlem"
        verbose_name_plural = "intäkter från medlemmar"
        ordering = ["budget", "medlem__kind", "medlem__name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "medlem"], name="budget_income_unique_medlem"),
        ]

    def __str__(self) -> str:
        return f"{self.medlem}: {self.amount} kr"

    def clean(self) -> None:
        if self.budget_id and self.medlem_id and self.budget.forbund_id != self.medlem.forbund_id:
            raise ValidationError({"medlem": "Måste höra till samma förbund."})


class BudgetOtherIncome(models.Model):
    """Income in a budget that is not a member's contribution: ESF money, state project money,
    interest. It adds to the money available for the year but not to the 50/25/25 funding."""

    class Kind(models.TextChoices):
        ESF = "esf", "ESF-medel"
        STATLIGA_PROJEKTMEDEL = "statliga", "Statliga projektmedel"
        OVRIGT = "ovrigt", "Övrig intäkt"

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="other_incomes", verbose_name="budget"
    )
    kind = models.CharField("slag", max_length=12, choices=Kind.choices, default=Kind.OVRIGT)
    description = models.CharField(
        "beskrivning", max_length=200, help_text="T.ex. ESF-projektet Vägen vidare, medfinansiering 2026"
    )
    amount = models.DecimalField("belopp (kr)", validators=[MinValueValidator(0)], **KRONOR)

    class Meta:
        verbose_name = "övrig intäkt"
        verbose_name_plural = "övriga intäkter"
        ordering = ["budget", "kind", "description", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    def get_absolute_url(self) -> str:
        return self.budget.get_absolute_url()


class BudgetCost(models.Model):
    """An internal cost line of a budget."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="costs", verbose_name="budget")
    category = models.ForeignKey(
        CostCategory, on_delete=models.PROTECT, related_name="budget_costs", verbose_name="kostnadsslag"
    )
    description = models.CharField(
        "beskrivning", max_length=200, blank=True, help_text="T.ex. Samordnare (inlånad 33 %)"
    )
    amount = models.DecimalField("belopp (kr)", validators=[MinValueValidator(0)], **KRONOR)

    class Meta:
        verbose_name = "intern kostnad"
        verbose_name_plural = "interna kostnader"
        ordering = ["budget", "category__order", "category__name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="budget_cost_unique_category"),
        ]

    def __str__(self) -> str:
        return self.description or str(self.category)


class BudgetInsatsCost(models.Model):
    """A decided budget's cost for one insats, copied from the board's grants when the budget was
    decided so the decided document never changes afterwards. Proposals read the grants directly."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="insats_costs", verbose_name="budget"
    )
    insats = models.ForeignKey(
        "insatser.Insats", on_delete=models.PROTECT, related_name="budget_costs", verbose_name="insats"
    )
    amount = models.DecimalField("belopp (kr)", validators=[MinValueValidator(0)], **KRONOR)

    class Meta:
        verbose_name = "insatskostnad"
        verbose_name_plural = "insatskostnader"
        ordering = ["budget", "insats__name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "insats"], name="budget_insats_cost_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.insats}: {self.amount} kr"


class BudgetOutlineYear(models.Model):
    """The flerårsplan: a later year in outline."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="outline", verbose_name="budget"
    )
    year = models.PositiveSmallIntegerField("år")
    income = models.DecimalField("intäkter (kr)", validators=[MinValueValidator(0)], **KRONOR)
    internal_costs = models.DecimalField(
        "interna kostnader (kr)", validators=[MinValueValidator(0)], **KRONOR
    )
    insats_costs = models.DecimalField("insatskostnader (kr)", validators=[MinValueValidator(0)], **KRONOR)

    class Meta:
        verbose_name = "flerårsplan"
        verbose_name_plural = "flerårsplan"
        ordering = ["budget", "year"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "year"], name="budget_outline_unique_year"),
        ]

    def __str__(self) -> str:
        return f"Plan {self.year}"

    @property
    def result(self) -> Decimal:
        return self.income - self.internal_costs - self.insats_costs


# Outcome -----------------------------------------------------------------------------------------


DUPLICATE_NUMBER = "duplicate_number"


class Invoice(ForbundScoped):
    """An invoice from an insats owner to the förbund for a period of the insats."""

    class Status(models.TextChoices):
        MOTTAGEN = "mottagen", "Mottagen"
        ATTESTERAD = "attesterad", "Attesterad"
        BETALD = "betald", "Betald"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="invoices", verbose_name="förbund"
    )
    insats = models.ForeignKey(
        "insatser.Insats", on_delete=models.PROTECT, related_name="invoices", verbose_name="insats"
    )
    number = models.CharField("fakturanummer", max_length=50, blank=True)
    period_start = models.DateField("avser från")
    period_end = models.DateField("avser till")
    amount = models.DecimalField("belopp (kr)", **KRONOR)
    is_credit_note = models.BooleanField("kreditfaktura", default=False)
    received_on = models.DateField("mottagen")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.MOTTAGEN)
    attested_on = models.DateField("attesterad", null=True, blank=True)
    paid_on = models.DateField("betald", null=True, blank=True)
    attachment = models.FileField(
        "faktura (fil)",
        upload_to="fakturor/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "png", "jpg", "jpeg"])],
    )
    note = models.CharField("anteckning", max_length=300, blank=True)
    over_grant_reason = models.TextField(
        "skäl att gå över beviljat belopp",
        blank=True,
        help_text="Krävs när årets fakturerade summa för insatsen blir högre än det beviljade beloppet.",
    )
    is_rekvisition = models.BooleanField(
        "rekvisition från projektägaren",
        default=False,
        help_text="Skickad av projektägaren genom rekvisitionsformuläret.",
    )
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="attesterad av",
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="betald av",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="registrerad av",
        help_text="Den som registrerade fakturan attesterar den inte.",
    )
    lock_version = models.PositiveIntegerField(
        "version",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "faktura"
        verbose_name_plural = "fakturor"
        ordering = ["forbund", "-period_end", "insats__name"]
        # The ekonom's inbox asks for the förbund's invoices waiting for attest or payment.
        indexes = [models.Index(fields=["forbund", "status"], name="invoice_forbund_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="invoice_period"
            ),
            models.CheckConstraint(
                condition=Q(is_credit_note=True, amount__lte=0) | Q(is_credit_note=False, amount__gte=0),
                name="invoice_sign_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["insats", "number"],
                condition=~Q(number=""),
                name="invoice_unique_number_per_insats",
                violation_error_code=DUPLICATE_NUMBER,
                violation_error_message="Fakturanumret är redan registrerat för den här insatsen.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insats}, {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        """The invoice list, filtered to the insats (an invoice has no page of its own)."""
        url = reverse("ekonomi:invoice_list", kwargs={"forbund": self.forbund.slug})
        return f"{url}?insats={self.insats_id}"

    def validate_constraints(self, exclude=None) -> None:
        """As Django's, but a supplier invoice number registered twice for the insats is told on the
        number field, where it was typed."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            duplicate = [item for item in general if getattr(item, "code", None) == DUPLICATE_NUMBER]
            if duplicate:
                errors.setdefault("number", []).extend(duplicate)
            rest = [item for item in general if item not in duplicate]
            if rest:
                errors[NON_FIELD_ERRORS] = rest
            raise ValidationError(errors) from None

    def clean(self) -> None:
        self.check_same_forbund(insats=self.insats if self.insats_id else None)
        validate_period(
            self.period_start, self.period_end, "period_end", "Perioden kan inte sluta innan den börjar."
        )
        if self.amount is not None:
            if self.amount < 0 and not self.is_credit_note:
                raise ValidationError({"amount": "Negativa belopp anges bara som kreditfaktura."})
            if self.amount > 0 and self.is_credit_note:
                raise ValidationError({"amount": "En kreditfaktura har ett negativt belopp."})


# What a person registers or corrects on an invoice (the form, the service); the status and the
# dates of its steps belong to the workflow.
INVOICE_FIELDS = [
    "insats",
    "number",
    "period_start",
    "period_end",
    "amount",
    "is_credit_note",
    "received_on",
    "attachment",
    "note",
    "over_grant_reason",
]


class AccountMapping(ForbundScoped):
    """Which budget line an account in the ledger belongs to: an internal cost category, an insats,
    or a member's contribution."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="account_mappings", verbose_name="förbund"
    )
    account = models.CharField("konto", max_length=10)
    name = models.CharField("kontonamn", max_length=200, blank=True)
    category = models.ForeignKey(
        CostCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name="kostnadsslag",
    )
    insats = models.ForeignKey(
        "insatser.Insats",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name="insats",
    )
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name="intäkt från medlem",
    )

    class Meta:
        verbose_name = "kontokoppling"
        verbose_name_plural = "kontokopplingar"
        ordering = ["forbund", "account"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "account"], name="account_mapping_unique_account"),
            models.CheckConstraint(
                condition=(
                    Q(category__isnull=False, insats__isnull=True, medlem__isnull=True)
                    | Q(category__isnull=True, insats__isnull=False, medlem__isnull=True)
                    | Q(category__isnull=True, insats__isnull=True, medlem__isnull=False)
                ),
                name="account_mapping_exactly_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.target}"

    @property
    def target(self):
        return self.category or self.insats or self.medlem

    def clean(self) -> None:
        targets = [t for t in (self.category_id, self.insats_id, self.medlem_id) if t]
        if len(targets) != 1:
            raise ValidationError(
                "Koppla kontot till exakt en sak: ett kostnadsslag, en insats eller en medlem."
            )
        self.check_same_forbund(
            category=self.category if self.category_id else None,
            insats=self.insats if self.insats_id else None,
            medlem=self.medlem if self.medlem_id else None,
        )


class LedgerImport(ForbundScoped):
    """One imported ledger file (huvudbok / resultatrapport) covering months of one year."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="ledger_imports", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    first_month = models.PositiveSmallIntegerField(
        "från månad", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    last_month = models.PositiveSmallIntegerField(
        "till månad", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    file = models.FileField("fil", upload_to="huvudbok/")
    filename = models.CharField("filnamn", max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="inläst av"
    )
    imported_at = models.DateTimeField("inläst", auto_now_add=True)
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name="ersatt av",
    )

    class Meta:
        verbose_name = "inläst huvudbok"
        verbose_name_plural = "inlästa huvudböcker"
        ordering = ["forbund", "-year", "-imported_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")), name="ledger_import_months"
            ),
        ]

    def __str__(self) -> str:
        return f"Huvudbok {self.year} månad {self.first_month}–{self.last_month}"

    def get_absolute_url(self) -> str:
        return f"{reverse('ekonomi:ledger', kwargs={'forbund': self.forbund.slug})}?ar={self.year}"


class LedgerUpload(ForbundScoped):
    """An uploaded huvudbok waiting to be read by the worker, previewed and confirmed. Not a workflow:
    the worker moves it from i kö to pågår to klar (or misslyckad); confirming it creates a
    `LedgerImport` and removes this row and its file. Abandoned uploads are removed after a day."""

    class Status(models.TextChoices):
        I_KO = "i_ko", "I kö"
        PAGAR = "pagar", "Pågår"
        KLAR = "klar", "Klar"
        MISSLYCKAD = "misslyckad", "Misslyckad"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.CASCADE, related_name="ledger_uploads", verbose_name="förbund"
    )
    file = models.FileField("fil", upload_to="huvudbok/uppladdat/")
    filename = models.CharField("filnamn", max_length=200)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.I_KO)
    progress = models.CharField("förlopp", max_length=200, blank=True)
    rows_total = models.PositiveIntegerField("antal rader i filen", default=0)
    rows_read = models.PositiveIntegerField("lästa rader", default=0)
    errors = models.JSONField("fel", default=list, blank=True)
    summary = models.JSONField("sammanställning", default=dict, blank=True)
    error = models.TextField("orsak till att läsningen misslyckades", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="uppladdad av"
    )
    created_at = models.DateTimeField("uppladdad", auto_now_add=True)
    started_at = models.DateTimeField("påbörjad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)

    class Meta:
        verbose_name = "uppladdad huvudbok"
        verbose_name_plural = "uppladdade huvudböcker"
        ordering = ["forbund", "-created_at"]

    def __str__(self) -> str:
        return f"Uppladdad huvudbok {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.I_KO, self.Status.PAGAR}


class LedgerEntry(models.Model):
    """The outcome on one account for one month, from an imported ledger. Costs are positive and
    income negative, as in the ledger. Balance accounts (classes 1–2) keep their movements per month
    and their opening balance (ingående balans) as month 0."""

    ledger_import = models.ForeignKey(
        LedgerImport, on_delete=models.CASCADE, related_name="entries", verbose_name="inläsning"
    )
    account = models.CharField("konto", max_length=10)
    year = models.PositiveSmallIntegerField("år")
    month = models.PositiveSmallIntegerField(
        "månad",
        validators=[MinValueValidator(0), MaxValueValidator(12)],
        help_text="0 är ingående balans för ett balanskonto.",
    )
    amount = models.DecimalField("belopp (kr)", **KRONOR)

    class Meta:
        verbose_name = "huvudbokspost"
        verbose_name_plural = "huvudboksposter"
        ordering = ["ledger_import", "account", "month"]
        indexes = [models.Index(fields=["account", "year", "month"], name="ledger_entry_account_month")]

    def __str__(self) -> str:
        return f"{self.account} {self.year}-{self.month:02d}: {self.amount}"


class LockedPeriod(ForbundScoped):
    """A closed year: its ledger can no longer be imported again."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="locked_periods", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="låst av"
    )
    locked_at = models.DateTimeField("låst", auto_now_add=True)

    class Meta:
        verbose_name = "låst år"
        verbose_name_plural = "låsta år"
        constraints = [models.UniqueConstraint(fields=["forbund", "year"], name="locked_period_unique_year")]

    def __str__(self) -> str:
        return f"{self.year} låst"


class BudgetStatusChange(StatusHistory):
    """Every step of a budget version: proposed, decided by the board."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="status_changes", verbose_name="budget"
    )
    from_status = models.CharField("från", max_length=20, choices=Budget.Status.choices, blank=True)
    to_status = models.CharField("till", max_length=20, choices=Budget.Status.choices)

    class Meta:
        verbose_name = "statusändring för budget"
        verbose_name_plural = "statusändringar för budgetar"
        ordering = ["budget", "at", "id"]


class InvoiceStatusChange(StatusHistory):
    """Every step of an invoice: attested, paid; who took it and when."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="status_changes", verbose_name="faktura"
    )
    from_status = models.CharField("från", max_length=20, choices=Invoice.Status.choices, blank=True)
    to_status = models.CharField("till", max_length=20, choices=Invoice.Status.choices)

    class Meta:
        verbose_name = "statusändring för faktura"
        verbose_name_plural = "statusändringar för fakturor"
        ordering = ["invoice", "at", "id"]


class ForecastOverride(ForbundScoped):
    """The ekonom's or samordnare's own full-year forecast for one line of a year's budget versus
    utfall, with the reason. Replaces the computed forecast for that line until removed; the computed
    figure is still shown beside it."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="forecast_overrides", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("år")
    medlem = models.ForeignKey(
        Medlem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forecast_overrides",
        verbose_name="intäkt från medlem",
    )
    category = models.ForeignKey(
        CostCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forecast_overrides",
        verbose_name="kostnadsslag",
    )
    insats = models.ForeignKey(
        "insatser.Insats",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forecast_overrides",
        verbose_name="insats",
    )
    amount = models.DecimalField("prognos helår (kr)", **KRONOR)
    comment = models.TextField("motivering")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="satt av"
    )
    set_at = models.DateTimeField("satt", auto_now=True)

    class Meta:
        verbose_name = "justerad prognos"
        verbose_name_plural = "justerade prognoser"
        ordering = ["forbund", "-year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(category__isnull=False, insats__isnull=True, medlem__isnull=True)
                    | Q(category__isnull=True, insats__isnull=False, medlem__isnull=True)
                    | Q(category__isnull=True, insats__isnull=True, medlem__isnull=False)
                ),
                name="forecast_override_exactly_one_line",
            ),
            models.UniqueConstraint(
                fields=["forbund", "year", "medlem"],
                condition=Q(medlem__isnull=False),
                name="forecast_override_unique_medlem",
            ),
            models.UniqueConstraint(
                fields=["forbund", "year", "category"],
                condition=Q(category__isnull=False),
                name="forecast_override_unique_category",
            ),
            models.UniqueConstraint(
                fields=["forbund", "year", "insats"],
                condition=Q(insats__isnull=False),
                name="forecast_override_unique_insats",
            ),
        ]

    def __str__(self) -> str:
        return f"Justerad prognos {self.year}: {self.line}"

    @property
    def line(self):
        return self.medlem or self.category or self.insats

    def get_absolute_url(self) -> str:
        return reverse("ekonomi:comparison", kwargs={"forbund": self.forbund.slug, "year": self.year})

    def clean(self) -> None:
        if len([t for t in (self.category_id, self.insats_id, self.medlem_id) if t]) != 1:
            raise ValidationError("En justerad prognos gäller exakt en rad.")
        self.check_same_forbund(
            category=self.category if self.category_id else None,
            insats=self.insats if self.insats_id else None,
            medlem=self.medlem if self.medlem_id else None,
        )
        if not (self.comment or "").strip():
            raise ValidationError({"comment": "Motivera den justerade prognosen."})
