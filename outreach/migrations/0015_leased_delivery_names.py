"""The outbox's and the WeCom posts' claim indexes and lease constraints, declared once in
``outreach.messaging.leasing.LeasedDelivery``, take its ``%(class)s`` names. Renames only: no
column or row changes, and no constraint is checked again (ALTER … RENAME CONSTRAINT)."""

from django.db import migrations, models

# (model, table, old name, new name, condition) of each lease constraint.
CONSTRAINTS = [
    (
        "outboxmessage",
        "outreach_outboxmessage",
        "outbox_queued_has_next_attempt",
        "outboxmessage_queued_has_next_attempt",
        ~models.Q(status="queued") | models.Q(next_attempt_at__isnull=False),
    ),
    (
        "outboxmessage",
        "outreach_outboxmessage",
        "outbox_sending_has_lease",
        "outboxmessage_sending_has_lease",
        ~models.Q(status="sending") | models.Q(lease_until__isnull=False),
    ),
    (
        "wecompost",
        "outreach_wecompost",
        "wecom_post_queued_has_next_attempt",
        "wecompost_queued_has_next_attempt",
        ~models.Q(status="queued") | models.Q(next_attempt_at__isnull=False),
    ),
    (
        "wecompost",
        "outreach_wecompost",
        "wecom_post_sending_has_lease",
        "wecompost_sending_has_lease",
        ~models.Q(status="sending") | models.Q(lease_until__isnull=False),
    ),
]


def _rename_constraint(model, table, old, new, condition):
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"',
                reverse_sql=f'ALTER TABLE "{table}" RENAME CONSTRAINT "{new}" TO "{old}"',
            )
        ],
        state_operations=[
            migrations.RemoveConstraint(model_name=model, name=old),
            migrations.AddConstraint(
                model_name=model, constraint=models.CheckConstraint(condition=condition, name=new)
            ),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0014_matters"),
    ]

    operations = [
        migrations.RenameIndex(
            model_name="outboxmessage",
            new_name="outboxmessage_due_idx",
            old_name="outbox_queued_due_idx",
        ),
        migrations.RenameIndex(
            model_name="outboxmessage",
            new_name="outboxmessage_lease_idx",
            old_name="outbox_sending_lease_idx",
        ),
        migrations.RenameIndex(
            model_name="wecompost",
            new_name="wecompost_due_idx",
            old_name="wecom_post_queued_due_idx",
        ),
        migrations.RenameIndex(
            model_name="wecompost",
            new_name="wecompost_lease_idx",
            old_name="wecom_post_sending_lease_idx",
        ),
        *(_rename_constraint(*constraint) for constraint in CONSTRAINTS),
    ]
