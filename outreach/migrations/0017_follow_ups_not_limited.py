"""Manual follow-ups are not limited to one open per enterprise (issue 18: each point agreed
with an enterprise is a task of its own); every other kind keeps its one open task. The index
is dropped and created again in this migration's transaction, so no moment lacks it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0016_matter_attachments_standard_answers"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="task",
            name="task_one_open_per_enterprise_kind",
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status", "open"), models.Q(("kind", "follow_up"), _negated=True)
                ),
                fields=("enterprise", "kind"),
                name="task_one_open_per_enterprise_kind",
            ),
        ),
    ]
