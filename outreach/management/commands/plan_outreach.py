from django.core.management.base import BaseCommand

from outreach.services import plan_run


class Command(BaseCommand):
    help = (
        "Plan the regular contacts and turn the due ones into routine tasks (what Celery beat "
        "runs twice a day). Safe to run at any time, also beside the beat."
    )

    def handle(self, *args, **options):
        result = plan_run()
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.replanned} enterprises (re)planned, {result.due} contacts due, "
                f"{result.tasks_created} routine tasks created, "
                f"{result.links_sent} personal links sent."
            )
        )
