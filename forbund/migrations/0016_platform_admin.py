# The platform administrator, the guided start of a new förbund and its Excel imports (issue #12).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0015_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PlatformAdministrator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("granted_at", models.DateTimeField(auto_now_add=True, verbose_name="utsedd")),
                (
                    "granted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="utsedd av",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="platform_administrator",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="användare",
                    ),
                ),
            ],
            options={
                "verbose_name": "plattformsadministratör",
                "verbose_name_plural": "plattformsadministratörer",
                "ordering": ["user__username"],
            },
        ),
        migrations.CreateModel(
            name="Uppstart",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="påbörjad")),
                ("steps_done", models.JSONField(blank=True, default=list, verbose_name="klara steg")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="avslutad")),
                (
                    "completed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="avslutad av",
                    ),
                ),
                (
                    "forbund",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="uppstart",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="påbörjad av",
                    ),
                ),
            ],
            options={
                "verbose_name": "uppstart",
                "verbose_name_plural": "uppstarter",
                "ordering": ["-started_at"],
            },
        ),
        migrations.CreateModel(
            name="Uppstartsimport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=200, verbose_name="filnamn")),
                ("rows", models.JSONField(blank=True, default=dict, verbose_name="inlästa rader")),
                (
                    "status",
                    models.CharField(
                        choices=[("granskas", "Granskas"), ("inlast", "Inläst"), ("avbruten", "Avbruten")],
                        default="granskas",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uppladdad")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="klar")),
                ("summary", models.CharField(blank=True, max_length=300, verbose_name="resultat")),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="uppstartsimporter",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uppladdad av",
                    ),
                ),
            ],
            options={
                "verbose_name": "import vid uppstart",
                "verbose_name_plural": "importer vid uppstart",
                "ordering": ["-uploaded_at", "-id"],
            },
        ),
    ]
