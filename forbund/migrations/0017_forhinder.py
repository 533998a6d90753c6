# Förhinder and the call-in of ersättare (issue 12, point 4).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forbund", "0016_platform_admin")]

    operations = [
        migrations.CreateModel(
            name="Forhinder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text=(
                            "Till exempel när du vet att du kan komma tillbaka; "
                            "syns för samordnaren och ersättaren."
                        ),
                        max_length=300,
                        verbose_name="meddelande",
                    ),
                ),
                ("reported_at", models.DateTimeField(auto_now_add=True, verbose_name="anmält")),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="återkallat")),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="forhinder",
                        to="forbund.styrelsemote",
                        verbose_name="möte",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="forhinder",
                        to="forbund.person",
                        verbose_name="ledamot",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="anmält av",
                    ),
                ),
                (
                    "withdrawn_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="återkallat av",
                    ),
                ),
            ],
            options={
                "verbose_name": "förhinder",
                "verbose_name_plural": "förhinder",
                "ordering": ["meeting", "reported_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="Inkallelse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("asked_at", models.DateTimeField(auto_now_add=True, verbose_name="tillfrågad")),
                (
                    "answer",
                    models.CharField(
                        blank=True,
                        choices=[("ja", "Tjänstgör"), ("nej", "Kan inte")],
                        max_length=3,
                        verbose_name="svar",
                    ),
                ),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="svarat")),
                ("comment", models.CharField(blank=True, max_length=300, verbose_name="kommentar")),
                ("voided_at", models.DateTimeField(blank=True, null=True, verbose_name="avbruten")),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="svar av",
                    ),
                ),
                (
                    "forhinder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="inkallelser",
                        to="forbund.forhinder",
                        verbose_name="förhinder",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="inkallelser",
                        to="forbund.person",
                        verbose_name="ersättare",
                    ),
                ),
            ],
            options={
                "verbose_name": "inkallelse av ersättare",
                "verbose_name_plural": "inkallelser av ersättare",
                "ordering": ["forhinder", "asked_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="forhinder",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=("meeting", "person"),
                name="forhinder_one_standing_per_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="inkallelse",
            constraint=models.UniqueConstraint(
                fields=("forhinder", "person"), name="inkallelse_once_per_person"
            ),
        ),
    ]
