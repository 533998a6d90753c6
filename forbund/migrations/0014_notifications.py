# Notifications (issue 12, point 2): the in-app items under the bell and each user's e-mail choice per kind.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0013_document_adoption"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Notification",
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
                            ("submitted", "Inskickat för granskning"),
                            ("returned", "Återskickat med kommentar"),
                            ("approved", "Godkänt"),
                            ("decided", "Beslutat"),
                            ("meeting_notice", "Kallelse till styrelsemöte"),
                            ("meeting_changed", "Ändrad kallelse"),
                            ("justering", "Protokoll att justera"),
                            ("invoice_attest", "Faktura att attestera"),
                            ("confirmation", "Bekräftelse av ansökan begärd"),
                            ("invitation", "Inbjudan"),
                            ("forhinder", "Förhinder"),
                            ("substitute", "Ersättare kallas in"),
                        ],
                        max_length=30,
                        verbose_name="typ",
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="rubrik")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                (
                    "url",
                    models.CharField(
                        help_text="Sökvägen i finsam, utan adress.", max_length=500, verbose_name="länk"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="skapad")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="läst")),
                (
                    "email",
                    models.CharField(
                        choices=[
                            ("pending", "Ska skickas"),
                            ("digest", "Väntar på daglig sammanfattning"),
                            ("sent", "Skickad"),
                            ("none", "Skickas inte"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="e-post",
                    ),
                ),
                ("emailed_at", models.DateTimeField(blank=True, null=True, verbose_name="e-post skickad")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="av",
                    ),
                ),
                (
                    "forbund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="forbund.forbund",
                        verbose_name="förbund",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="mottagare",
                    ),
                ),
            ],
            options={
                "verbose_name": "notis",
                "verbose_name_plural": "notiser",
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
                    models.Index(fields=["email", "created_at"], name="notification_email_state"),
                ],
            },
        ),
        migrations.CreateModel(
            name="NotificationPreference",
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
                            ("submitted", "Inskickat för granskning"),
                            ("returned", "Återskickat med kommentar"),
                            ("approved", "Godkänt"),
                            ("decided", "Beslutat"),
                            ("meeting_notice", "Kallelse till styrelsemöte"),
                            ("meeting_changed", "Ändrad kallelse"),
                            ("justering", "Protokoll att justera"),
                            ("invoice_attest", "Faktura att attestera"),
                            ("confirmation", "Bekräftelse av ansökan begärd"),
                            ("invitation", "Inbjudan"),
                            ("forhinder", "Förhinder"),
                            ("substitute", "Ersättare kallas in"),
                        ],
                        max_length=30,
                        verbose_name="typ",
                    ),
                ),
                (
                    "delivery",
                    models.CharField(
                        choices=[
                            ("immediately", "Direkt"),
                            ("digest", "Daglig sammanfattning"),
                            ("off", "Av"),
                        ],
                        default="immediately",
                        max_length=12,
                        verbose_name="e-post",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notification_preferences",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="användare",
                    ),
                ),
            ],
            options={
                "verbose_name": "notisinställning",
                "verbose_name_plural": "notisinställningar",
                "ordering": ["user", "kind"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "kind"), name="notification_preference_unique_kind"
                    )
                ],
            },
        ),
    ]
