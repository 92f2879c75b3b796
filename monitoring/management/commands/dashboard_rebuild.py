"""python manage.py dashboard_rebuild: the dashboard's sums recounted from enterprises, changes
of light, contact health and tasks (monitoring.sql.dashboard_summary). The database keeps them
as those change; run this after restoring data, a load that bypassed triggers, or a change of
TIME_ZONE."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from monitoring.sql.dashboard_summary import summary_rebuild


class Command(BaseCommand):
    help = (
        "Recount the dashboard's sums (per grid and day, month, assignee, building) from the "
        "raw tables; the database keeps them as lights, enterprises and tasks change."
    )

    def handle(self, *args, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            rows = summary_rebuild(cursor)
        self.stdout.write(self.style.SUCCESS(f"Dashboard sums rebuilt: {rows} day rows."))
