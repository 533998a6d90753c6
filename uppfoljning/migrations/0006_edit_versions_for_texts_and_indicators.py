from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('uppfoljning', '0005_edit_versions'),
    ]

    operations = [
        migrations.AddField(
            model_name='arsredovisning',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.', verbose_name='ändringsräknare'),
        ),
        migrations.AddField(
            model_name='indikator',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='Räknas upp vid varje sparning; skyddar mot att två skriver över varandra.', verbose_name='ändringsräknare'),
        ),
    ]
