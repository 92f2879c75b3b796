from django.db import migrations


def install_and_backfill(apps, schema_editor):
    # The triggers that keep the dashboard's sums, then the sums of the enterprises, changes
    # of light and contact health already there (`manage.py dashboard_rebuild` does the same).
    from monitoring.sql.dashboard_summary import summary_rebuild

    with schema_editor.connection.cursor() as cursor:
        summary_rebuild(cursor)


def uninstall(apps, schema_editor):
    from monitoring.sql.dashboard_summary import summary_uninstall_sql

    schema_editor.execute(summary_uninstall_sql())



class Migration(migrations.Migration):
    # Apart from 0006: its unique keys are created at the end of that migration, and the
    # triggers' upserts need them.
    dependencies = [("monitoring", "0007_dashboard_sums"), ("outreach", "0033_campaign_counts_triggers")]

    operations = [migrations.RunPython(install_and_backfill, uninstall)]
