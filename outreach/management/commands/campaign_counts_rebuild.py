from django.core.management.base import BaseCommand

from outreach.messaging.counts import campaign_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recount every campaign's progress counters (messages per status and grid area) from "
        "the outbox. The database keeps them as messages move; run this after restoring data."
    )

    def handle(self, *args, **options):
        rows = campaign_counts_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Campaign counters rebuilt: {rows} rows."))
