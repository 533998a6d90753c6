# Joining and leaving as recorded decisions; how the members split their quarters (issue #15).

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0017_forhinder"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgreedShare",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "percent",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="Andelen av kommunernas (eller regionernas) fjärdedel enligt förbundsordningen.",
                        max_digits=5,
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="andel (%)",
                    ),
                ),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreed_shares",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "medlem",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreed_share",
                        to="forbund.medlem",
                        verbose_name="medlem",
                    ),
                ),
            ],
            options={
                "verbose_name": "överenskommen andel",
                "verbose_name_plural": "överenskomna andelar",
                "ordering": ["forbund", "medlem__name"],
            },
        ),
        migrations.CreateModel(
            name="FundingRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kommun_method",
                    models.CharField(
                        choices=[
                            ("invanare", "Efter invånare i arbetsför ålder (16–64 år)"),
                            ("lika", "Lika delar"),
                            ("andelar", "Enligt överenskomna andelar"),
                        ],
                        default="invanare",
                        max_length=10,
                        verbose_name="kommunernas fjärdedel fördelas",
                    ),
                ),
                (
                    "region_method",
                    models.CharField(
                        choices=[
                            ("invanare", "Efter invånare i arbetsför ålder (16–64 år)"),
                            ("lika", "Lika delar"),
                            ("andelar", "Enligt överenskomna andelar"),
                        ],
                        default="invanare",
                        help_text="Spelar roll bara när förbundet har flera regioner.",
                        max_length=10,
                        verbose_name="regionernas fjärdedel fördelas",
                    ),
                ),
                (
                    "lock_version",
                    models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.",
                        verbose_name="ändringsräknare",
                    ),
                ),
                (
                    "forbund",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="funding_rule",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
            ],
            options={
                "verbose_name": "fördelning av medlemsbidrag",
                "verbose_name_plural": "fördelningar av medlemsbidrag",
            },
        ),
        migrations.CreateModel(
            name="MembershipEvent",
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
                        choices=[("intrade", "Inträde"), ("uttrade", "Utträde")],
                        max_length=10,
                        verbose_name="händelse",
                    ),
                ),
                (
                    "date",
                    models.DateField(
                        help_text="Inträdesdagen, eller utträdesdagen: den sista dagen som medlem.",
                        verbose_name="gäller från",
                    ),
                ),
                (
                    "decided_by",
                    models.CharField(
                        help_text="Till exempel kommunfullmäktige i Nyby kommun eller regionfullmäktige.",
                        max_length=200,
                        verbose_name="beslutande organ",
                    ),
                ),
                ("decided_on", models.DateField(verbose_name="beslutsdatum")),
                ("reference", models.CharField(max_length=100, verbose_name="paragraf eller diarienummer")),
                ("note", models.TextField(blank=True, verbose_name="anteckning")),
                (
                    "first_year_amount",
                    models.DecimalField(
                        blank=True,
                        decimal_places=0,
                        help_text="Lämna tomt så räknas bidraget det första året efter antalet månader som medlem (inträde i maj ger 8/12). Fyll i ett belopp om förbundet kommit överens om något annat.",
                        max_digits=14,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="bidrag inträdesåret (kr)",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="registrerad")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registrerad av",
                    ),
                ),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="membership_events",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "medlem",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="membership_events",
                        to="forbund.medlem",
                        verbose_name="medlem",
                    ),
                ),
            ],
            options={
                "verbose_name": "in- eller utträde",
                "verbose_name_plural": "in- och utträden",
                "ordering": ["forbund", "date", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("medlem", "kind"), name="membership_event_once_per_kind"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("first_year_amount__isnull", True), ("kind", "intrade"), _connector="OR"
                        ),
                        name="membership_event_amount_only_on_join",
                    ),
                ],
            },
        ),
    ]
