from django.core.management.base import BaseCommand

from registry.services import enterprise_pinyin_backfill


class Command(BaseCommand):
    help = (
        "Write the enterprise names' pinyin for the search where it is missing (names written "
        "by SQL outside the portal), or for all with --all (after upgrading pypinyin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything")

    def handle(self, *args, everything, **options):
        written = enterprise_pinyin_backfill(everything=everything)
        self.stdout.write(self.style.SUCCESS(f"Pinyin written for {written} enterprises."))
