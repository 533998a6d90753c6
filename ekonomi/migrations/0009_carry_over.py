# Carry-over from the real result, other income, the contribution plan and forecast overrides (#15).
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ekonomi", "0008_budget_decided_item"),
        ("insatser", "0006_beslut_agenda_item_and_delegation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BudgetOtherIncome",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("esf", "ESF-medel"),
                            ("statliga", "Statliga projektmedel"),
                            ("ovrigt", "Övrig intäkt"),
                        ],
                        default="ovrigt",
                        max_length=12,
                        verbose_name="slag",
                    ),
                ),
                (
                    "description",
                    models.CharField(
                        help_text="T.ex. ESF-projektet Vägen vidare, medfinansiering 2026",
                        max_length=200,
                        verbose_name="beskrivning",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=0,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="belopp (kr)",
                    ),
                ),
                (
                    "budget",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="other_incomes",
                        to="ekonomi.budget",
                        verbose_name="budget",
                    ),
                ),
            ],
            options={
                "verbose_name": "övrig intäkt",
                "verbose_name_plural": "övriga intäkter",
                "ordering": ["budget", "kind", "description", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ForecastOverride",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="år")),
                (
                    "amount",
                    models.DecimalField(decimal_places=0, max_digits=14, verbose_name="prognos helår (kr)"),
                ),
                ("comment", models.TextField(verbose_name="motivering")),
                ("set_at", models.DateTimeField(auto_now=True, verbose_name="satt")),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forecast_overrides",
                        to="ekonomi.costcategory",
                        verbose_name="kostnadsslag",
                    ),
                ),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forecast_overrides",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "insats",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forecast_overrides",
                        to="insatser.insats",
                        verbose_name="insats",
                    ),
                ),
                (
                    "medlem",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forecast_overrides",
                        to="forbund.medlem",
                        verbose_name="intäkt från medlem",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="satt av",
                    ),
                ),
            ],
            options={
                "verbose_name": "justerad prognos",
                "verbose_name_plural": "justerade prognoser",
                "ordering": ["forbund", "-year", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("category__isnull", False),
                                ("insats__isnull", True),
                                ("medlem__isnull", True),
                            ),
                            models.Q(
                                ("category__isnull", True),
                                ("insats__isnull", False),
                                ("medlem__isnull", True),
                            ),
                            models.Q(
                                ("category__isnull", True),
                                ("insats__isnull", True),
                                ("medlem__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="forecast_override_exactly_one_line",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("medlem__isnull", False)),
                        fields=("forbund", "year", "medlem"),
                        name="forecast_override_unique_medlem",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("category__isnull", False)),
                        fields=("forbund", "year", "category"),
                        name="forecast_override_unique_category",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("insats__isnull", False)),
                        fields=("forbund", "year", "insats"),
                        name="forecast_override_unique_insats",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="economysettings",
            name="contribution_plan",
            field=models.CharField(
                choices=[
                    ("manadsvis", "Varje månad"),
                    ("kvartalsvis", "Fyra gånger per år (januari, april, juli, oktober)"),
                    ("halvar", "Två gånger per år (januari och juli)"),
                    ("arsvis", "En gång per år (januari)"),
                ],
                default="halvar",
                help_text="När medlemmarna betalar sina bidrag; prognosen för intäkterna följer planen.",
                max_length=12,
                verbose_name="medlemsbidragen betalas",
            ),
        ),
    ]
