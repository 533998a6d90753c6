# Accounts managed in the app: invitations by e-mail (issue 12, point 3).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forbund", "0014_notifications")]

    operations = [
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="e-post")),
                ("name", models.CharField(max_length=200, verbose_name="namn")),
                ("kinds", models.JSONField(default=list, verbose_name="roller")),
                (
                    "token_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="kontrollsumma för länken"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="skapad")),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="skickad")),
                ("send_count", models.PositiveSmallIntegerField(default=1, verbose_name="antal utskick")),
                ("expires_at", models.DateTimeField(verbose_name="giltig till")),
                ("accepted_at", models.DateTimeField(blank=True, null=True, verbose_name="antagen")),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True, verbose_name="återkallad")),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invitations_accepted",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="antagen av konto",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invitations_sent",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="inbjuden av",
                    ),
                ),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "medlem",
                    models.ForeignKey(
                        blank=True,
                        help_text=(
                            "För projektägare: den medlemsorganisation vars insatser "
                            "personen ska ansvara för."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invitations",
                        to="forbund.medlem",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="invitations",
                        to="forbund.person",
                        verbose_name="person i registret",
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
                        verbose_name="återkallad av",
                    ),
                ),
            ],
            options={
                "verbose_name": "inbjudan",
                "verbose_name_plural": "inbjudningar",
                "ordering": ["forbund", "-sent_at", "-id"],
                "indexes": [models.Index(fields=["forbund", "email"], name="invitation_forbund_email")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("accepted_at__isnull", True), ("withdrawn_at__isnull", True), _connector="OR"
                        ),
                        name="invitation_not_accepted_and_withdrawn",
                    )
                ],
            },
        ),
    ]
