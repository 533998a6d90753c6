# Overdue milestones: a partial index on (insats, due) of those not done (issue #14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insatser", "0006_beslut_agenda_item_and_delegation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(
                condition=models.Q(("status", "klar"), _negated=True),
                fields=["insats", "due"],
                name="milestone_open_due_idx",
            ),
        ),
    ]
