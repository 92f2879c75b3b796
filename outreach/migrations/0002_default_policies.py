"""The default outreach policy of domain.md: key enterprises every quarter (a visit suits
them best), general ones every half year (a phone call). Admins change it in the admin."""

from django.db import migrations

DEFAULTS = [
    (
        "key",
        3,
        "visit",
        "电话回访：紧急核实、简单确认；微信/企业微信：日常联络、提醒、非敏感资料；"
        "线下走访/座谈：重点企业、新政宣讲、疑难问题；邮件函件：年报通知、法律文书、合规提醒。",
    ),
    (
        "general",
        6,
        "phone",
        "电话回访：紧急核实、简单确认；微信/企业微信：日常联络、提醒、非敏感资料；"
        "邮件函件：年报通知、法律文书、合规提醒。",
    ),
]


def create(apps, schema_editor):
    OutreachPolicy = apps.get_model("outreach", "OutreachPolicy")
    for tier, months, channel, notes in DEFAULTS:
        OutreachPolicy.objects.get_or_create(
            tier=tier,
            defaults={"period_months": months, "routine_channel": channel, "channel_notes": notes},
        )


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_contact_log_tasks_plan")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
