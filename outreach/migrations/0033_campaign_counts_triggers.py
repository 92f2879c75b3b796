# The counters' triggers in a migration of their own: the table's unique key (what the
# triggers' ON CONFLICT names) is created at the end of the migration that creates the table.

from django.db import migrations


def install_and_backfill(apps, schema_editor):
    # The triggers that keep the counts, then the counts of the messages already there (the
    # same function as `manage.py campaign_counts_rebuild`).
    from outreach.sql.campaign_counts import counts_rebuild

    with schema_editor.connection.cursor() as cursor:
        counts_rebuild(cursor)


def uninstall(apps, schema_editor):
    from outreach.sql.campaign_counts import counts_uninstall_sql

    schema_editor.execute(counts_uninstall_sql())


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0032_campaign_counts"),
    ]

    operations = [
        migrations.RunPython(install_and_backfill, uninstall),
    ]
