"""The förbund's yearly budget. This holds the income per member; the full budget builds on it."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from forbund.models import Forbund, ForbundScoped, Medlem


class Budget(ForbundScoped):
    class Status(models.TextChoices):
        FORSLAG = "forslag", "Förslag"
        BESLUTAD = "beslutad", "Beslutad"

    forbund = models.ForeignKey(
        Forbund, on_delete=models.PROTECT, related_name="budgetar", verbose_name="förbund"
    )
    year = models.PositiveSmallIntegerField("budgetår")
    version = models.PositiveSmallIntegerField("version", default=1)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.FORSLAG)
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budgetar"
        ordering = ["forbund", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["forbund", "year", "version"], name="budget_unique_version"),
        ]

    def __str__(self) -> str:
        return f"Budget {self.year} (version {self.version})"


class BudgetIncome(models.Model):
    """One member's contribution in a budget (whole kronor)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="intakter", verbose_name="budget"
    )
    medlem = models.ForeignKey(
        Medlem, on_delete=models.PROTECT, related_name="intakter", verbose_name="medlem"
    )
    amount = models.DecimalField(
        "belopp (kr)", max_digits=14, decimal_places=0, validators=[MinValueValidator(0)]
    )

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
