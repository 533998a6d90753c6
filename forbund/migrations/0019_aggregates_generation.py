# The dashboard caches per-förbund figures under a generation that services bump (issue #14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forbund", "0018_membership_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="forbund",
            name="aggregates_generation",
            field=models.PositiveBigIntegerField(
                default=0,
                editable=False,
                help_text="Räknas upp när en ändring påverkar översiktens siffror; en del av deras cachenyckel.",
                verbose_name="sammanställningarnas version",
            ),
        ),
    ]
