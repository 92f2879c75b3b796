"""The plan's light touch: general enterprises' liaisons get a personal link 14 days before
their half-yearly contact (a confirmation saves the routine call); key enterprises keep
their quarterly visit without one. Admins change it in the admin."""

import django.core.validators
from django.db import migrations, models


def general_tier_on(apps, schema_editor):
    OutreachPolicy = apps.get_model("outreach", "OutreachPolicy")
    OutreachPolicy.objects.filter(tier="general").update(link_days_ahead=14)


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0005_campaign_personal_links'),
    ]

    operations = [
        migrations.AddField(
            model_name='enterpriseoutreach',
            name='link_sent_for',
            field=models.DateField(blank=True, null=True, verbose_name='personal link sent for the contact due on'),
        ),
        migrations.AddField(
            model_name='outreachpolicy',
            name='link_days_ahead',
            field=models.PositiveSmallIntegerField(default=0, help_text="0 = off. On a contact day this many days before an enterprise's due contact, the liaison is sent a personal link by SMS (if they have a mobile and no open link). If they confirm through it, no routine task is created; otherwise the task comes as usual a week before the due date, so use more than 7 days.", validators=[django.core.validators.MaxValueValidator(60)], verbose_name='send the personal link (days before the contact)'),
        ),
        migrations.RunPython(general_tier_on, migrations.RunPython.noop),
    ]
