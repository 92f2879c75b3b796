from django.db import migrations


def create_row(apps, schema_editor):
    # The one row of thresholds, with domain.md's defaults, so admins find it to edit.
    apps.get_model("monitoring", "RuleSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
