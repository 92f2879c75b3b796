"""python manage.py run_rules: the rules sweep by hand (safe beside the beat)."""

from django.core.management.base import BaseCommand

from monitoring import services


class Command(BaseCommand):
    help = "Run the rules that create work over the whole registry, once."

    def handle(self, *args, **options):
        expired = services.pauses_expire()
        self.stdout.write(f"pauses ended: {expired}")
        for result in services.rules_sweep():
            self.stdout.write(f"{result.kind}: opened {result.opened}, closed {result.closed}")
