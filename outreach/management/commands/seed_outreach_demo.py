from django.core.management.base import BaseCommand

from outreach.matters.demo import seed_matters_demo
from outreach.messaging.demo import seed_messaging_demo
from outreach.messaging.models import Campaign
from outreach.selfservice.demo import seed_selfservice_demo


class Command(BaseCommand):
    help = (
        "Seed the demo park's outreach: a holiday-greeting campaign with sent and failed SMS, "
        "and liaisons' personal links (confirmed, corrected, a handover reported, open)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when a campaign exists."
        )

    def handle(self, *args, if_empty, **options):
        if if_empty and Campaign.objects.exists():
            self.stdout.write("Demo campaigns already present; not seeding again.")
            return
        campaign = seed_messaging_demo()
        if campaign is None:
            self.stdout.write("No demo staff user: run seed_demo first.")
            return
        links = seed_selfservice_demo(staff=campaign.created_by)
        # The first-contact desk's demo matters (outreach/matters).
        seed_matters_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo campaign “{campaign.name}”: {campaign.recipients} recipients; "
                f"{links} personal links."
            )
        )
