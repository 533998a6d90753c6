# Invoices tied to grants: the förbund's attest rules, who attested and paid, the reason for going
# over the grant, rekvisitioner from projektägare, and one supplier invoice number per insats. The
# ledger also keeps balance accounts, with their opening balance as month 0.
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ekonomi", "0009_carry_over"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="month",
            field=models.PositiveSmallIntegerField(
                help_text="0 är ingående balans för ett balanskonto.",
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(12),
                ],
                verbose_name="månad",
            ),
        ),
        migrations.AddField(
            model_name="economysettings",
            name="samordnare_attests",
            field=models.BooleanField(default=True, verbose_name="samordnaren får attestera fakturor"),
        ),
        migrations.AddField(
            model_name="economysettings",
            name="ekonom_attests",
            field=models.BooleanField(default=True, verbose_name="ekonomen får attestera fakturor"),
        ),
        migrations.AddField(
            model_name="economysettings",
            name="registrar_may_attest",
            field=models.BooleanField(
                default=False,
                help_text="Normalt nej: attesten ska göras av någon annan än den som tog emot fakturan.",
                verbose_name="den som registrerade en faktura får attestera den",
            ),
        ),
        migrations.AddField(
            model_name="economysettings",
            name="attester_may_pay",
            field=models.BooleanField(
                default=False,
                help_text="Normalt nej: attest och utbetalning görs av olika personer.",
                verbose_name="den som attesterade en faktura får också markera den som betald",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="attested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="attesterad av",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="paid_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="betald av",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="is_rekvisition",
            field=models.BooleanField(
                default=False,
                help_text="Skickad av projektägaren genom rekvisitionsformuläret.",
                verbose_name="rekvisition från projektägaren",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="over_grant_reason",
            field=models.TextField(
                blank=True,
                help_text="Krävs när årets fakturerade summa för insatsen blir högre än det beviljade beloppet.",
                verbose_name="skäl att gå över beviljat belopp",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number", ""), _negated=True),
                fields=("insats", "number"),
                name="invoice_unique_number_per_insats",
                violation_error_code="duplicate_number",
                violation_error_message="Fakturanumret är redan registrerat för den här insatsen.",
            ),
        ),
    ]
