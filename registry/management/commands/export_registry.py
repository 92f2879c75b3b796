"""python manage.py export_registry OUT.xlsx|OUT.csv [--grid CODE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.models import GridArea
from registry.spreadsheet.exporting import registry_export


class Command(BaseCommand):
    help = "Export the registry in the template's layout (.xlsx or .csv)."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--grid", help="only this grid area (its code)")

    def handle(self, *args, out, grid, **options):
        fmt = Path(out).suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError("The output file must end in .xlsx or .csv")
        area = None
        if grid:
            area = GridArea.objects.filter(code=grid).first()
            if area is None:
                raise CommandError(f"No grid area with the code {grid}")
        count = registry_export(out=out, fmt=fmt, grid=area)
        self.stdout.write(f"{count} enterprises written to {out}")
