"""python manage.py recompute_lights: every light recomputed from the contact log (after a
bulk import of past contacts, or as a repair). Safe while the portal runs."""

from django.core.management.base import BaseCommand

from monitoring import services


class Command(BaseCommand):
    help = "Recompute every enterprise's red / yellow / green light from its contact history."

    def handle(self, *args, **options):
        result = services.health_recompute_all()
        self.stdout.write(f"enterprises: {result.enterprises}, lights changed: {result.changed}")
