from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from registry.demo import DEMO_PASSWORD, seed_demo
from registry.models import Enterprise


class Command(BaseCommand):
    help = "Seed a realistic demo park (grid areas, demo users, enterprises, liaisons)."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the registry already holds data (make run uses this).",
        )

    def handle(self, *args, enterprises, seed, if_empty, **options):
        if if_empty and (
            Enterprise.objects.exists()
            or get_user_model().objects.filter(username="admin").exists()
        ):
            self.stdout.write("Demo data already present; not seeding again.")
            return
        result = seed_demo(enterprises=enterprises, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo park: {result.enterprises} enterprises in {result.grids} grid areas, "
                f"{result.replacements} liaison changes, {result.users} users "
                f"(password {DEMO_PASSWORD})."
            )
        )
