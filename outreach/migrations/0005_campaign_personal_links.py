"""Personal links sent in bulk by a details-check campaign: the link records its campaign,
a message can be "not sent" for want of a mobile, and four of the links table's indexes that
nothing reads are dropped (each costs a bulk send its share)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0004_selfservice_links'),
        ('registry', '0006_import_run_lease'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='selfservicelink',
            name='campaign',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='selfservice_links', to='outreach.campaign', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='kind',
            field=models.CharField(choices=[('annual_report', 'Annual-report reminder'), ('holiday', 'Holiday greeting'), ('weather', 'Severe-weather notice'), ('general', 'General reminder'), ('details_check', 'Details check (personal link)')], max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='problem',
            field=models.CharField(blank=True, choices=[('no_liaison', 'The enterprise has no current liaison'), ('no_address', 'The liaison has no number or address for this channel'), ('no_mobile', 'The liaison has no mobile for the code that unlocks the personal link'), ('invalid_address', 'Invalid number or address'), ('bounced', 'Bounced'), ('temporary', 'Temporary failure; will retry'), ('gave_up', 'Gave up after repeated temporary failures')], max_length=20, verbose_name='problem'),
        ),
        migrations.AlterField(
            model_name='selfservicelink',
            name='enterprise',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='selfservice_links', to='registry.enterprise', verbose_name='enterprise'),
        ),
        migrations.AlterField(
            model_name='selfservicelink',
            name='token_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name='selfservicelink',
            constraint=models.UniqueConstraint(fields=('token_hash',), name='selfservice_token_hash_unique'),
        ),
        migrations.AlterField(
            model_name='selfservicelink',
            name='created_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by'),
        ),
        migrations.AlterField(
            model_name='selfservicelink',
            name='revoked_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
