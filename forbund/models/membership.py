"""Joining and leaving as recorded decisions, and how the members split their quarters of the funding.

A member's `joined`/`left` dates (`Medlem`) say when it is a member; a `MembershipEvent` says on
whose decision (the member's fullmäktige or board, the date and the paragraph or diarienummer), and
for a joiner what it pays in its first year when the samordnare sets that instead of the months.
`FundingRule` is the förbundsordning's rule for splitting the regions' and the kommuner' quarters;
`AgreedShare` a member's share where the rule is agreed shares.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from ekonomi.funding import Method
from finsam.money import KronorField

from .core import Forbund, ForbundScoped, Medlem, User


class MembershipEvent(ForbundScoped):
    class Kind(models.TextChoices):
        JOIN = "intrade", "Inträde"
        LEAVE = "uttrade", "Utträde"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="membership_events", verbose_name="förbund"
    )
    medlem = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="membership_events", verbose_name="medlem"
    )
    kind = models.CharField("händelse", max_length=10, choices=Kind.choices)
    date = models.DateField(
        "gäller från",
        help_text="Inträdesdagen, eller utträdesdagen: den sista dagen som medlem.",
    )
    decided_by = models.CharField(
        "beslutande organ",
        max_length=200,
        help_text="Till exempel kommunfullmäktige i Nyby kommun eller regionfullmäktige.",
    )
    decided_on = models.DateField("beslutsdatum")
    reference = models.CharField("paragraf eller diarienummer", max_length=100)
    note = models.TextField("anteckning", blank=True)
    first_year_amount = KronorField(
        "bidrag inträdesåret (kr)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=(
            "Lämna tomt så räknas bidraget det första året efter antalet månader som medlem "
            "(inträde i maj ger 8/12). Fyll i ett belopp om förbundet kommit överens om något annat."
        ),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="registrerad av"
    )
    created_at = models.DateTimeField("registrerad", auto_now_add=True)

    class Meta:
        verbose_name = "in- eller utträde"
        verbose_name_plural = "in- och utträden"
        ordering = ["forbund", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["medlem", "kind"], name="membership_event_once_per_kind"),
            models.CheckConstraint(
                condition=models.Q(first_year_amount__isnull=True) | models.Q(kind="intrade"),
                name="membership_event_amount_only_on_join",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.medlem} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:medlemmar", kwargs={"forbund": self.forbund.slug})

    def clean(self) -> None:
        if self.medlem_id:
            self.check_same_forbund(medlem=self.medlem)
        if self.decided_on and self.date and self.decided_on > self.date and self.kind == self.Kind.JOIN:
            raise ValidationError({"decided_on": "Beslutet om inträde måste vara fattat före inträdesdagen."})
        if self.first_year_amount is not None and self.kind != self.Kind.JOIN:
            raise ValidationError(
                {"first_year_amount": "Ett bidrag för inträdesåret anges bara vid inträde."}
            )


class FundingRule(models.Model):
    """How the förbundsordning splits the regions' and the kommuner's quarters among them."""

    forbund = models.OneToOneField(
        Forbund, on_delete=models.CASCADE, related_name="funding_rule", verbose_name="förbund"
    )
    kommun_method = models.CharField(
        "kommunernas fjärdedel fördelas", max_length=10, choices=Method.choices, default=Method.POPULATION
    )
    region_method = models.CharField(
        "regionernas fjärdedel fördelas",
        max_length=10,
        choices=Method.choices,
        default=Method.POPULATION,
        help_text="Spelar roll bara när förbundet har flera regioner.",
    )
    lock_version = models.PositiveIntegerField(
        "ändringsräknare",
        default=0,
        editable=False,
        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
    )

    class Meta:
        verbose_name = "fördelning av medlemsbidrag"
        verbose_name_plural = "fördelningar av medlemsbidrag"

    def __str__(self) -> str:
        return f"Fördelning av medlemsbidragen i {self.forbund}"

    def get_absolute_url(self) -> str:
        return reverse("forbund:medlem_fordelning", kwargs={"forbund": self.forbund.slug})


class AgreedShare(ForbundScoped):
    """A member's share of its party's quarter, where the förbundsordning sets agreed shares."""

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="agreed_shares", verbose_name="förbund"
    )
    medlem = models.OneToOneField(
        Medlem, on_delete=models.PROTECT, related_name="agreed_share", verbose_name="medlem"
    )
    percent = models.DecimalField(
        "andel (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Andelen av kommunernas (eller regionernas) fjärdedel enligt förbundsordningen.",
    )

    class Meta:
        verbose_name = "överenskommen andel"
        verbose_name_plural = "överenskomna andelar"
        ordering = ["forbund", "medlem__name"]

    def __str__(self) -> str:
        return f"{self.medlem}: {self.percent} %"

    def clean(self) -> None:
        if self.medlem_id:
            self.check_same_forbund(medlem=self.medlem)
