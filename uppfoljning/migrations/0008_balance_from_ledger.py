# The balansräkning comes from the ledger's balance accounts; a figure typed by hand overrides it
# and says why.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("uppfoljning", "0007_swedish_field_names")]

    operations = [
        migrations.AddField(
            model_name="arsredovisning",
            name="balance_comment",
            field=models.TextField(
                blank=True,
                help_text=(
                    "Balansposterna hämtas ur huvudboken. En post som skrivs in här ersätter huvudbokens "
                    "siffra; skriv då varför och varifrån siffran kommer."
                ),
                verbose_name="kommentar till handinmatade balansposter",
            ),
        ),
    ]
