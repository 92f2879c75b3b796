from django.core.management.base import BaseCommand

from outreach.matters.services.metrics_summary import matter_metrics_rebuild


class Command(BaseCommand):
    help = (
        "Recount the desk's metrics summary (a row per day, category, department and grid) "
        "and each matter's last chase or reminder from the matters themselves. The database "
        "keeps both as matters move; run this after restoring data or changing TIME_ZONE."
    )

    def handle(self, *args, **options):
        rows = matter_metrics_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Metrics summary rebuilt: {rows} rows."))
