"""python manage.py import_registry FILE [--dry-run] [--skip-invalid] [--create-grids]
[--report OUT.json]

A grid area the file names that the registry lacks is created only with --create-grids (and
named in the output); without it, the rows naming one are invalid, as the browser's preview
does when the admin chooses not to create them.

Exit 0: written (or a dry run with no invalid rows); 1: invalid rows and nothing written;
2: the file itself cannot be read, with a one-line reason (registry-template.md).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from registry.spreadsheet.importing import registry_import
from registry.spreadsheet.reading import UnreadableFile
from registry.spreadsheet.summary import ERRORS_KEPT


class Command(BaseCommand):
    help = "Import a registry spreadsheet (.xlsx or .csv); all or nothing by default."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the valid rows, leave out the rest"
        )
        parser.add_argument(
            "--create-grids",
            action="store_true",
            help="create the grid areas the file names that the registry does not have yet "
            "(without it, the rows naming them are invalid)",
        )
        parser.add_argument("--report", help="write the summary as JSON (UTF-8) to this file")

    def handle(self, *args, file, dry_run, skip_invalid, create_grids, report, **options):
        path = Path(file)
        try:
            if not path.is_file():
                raise UnreadableFile(f"No such file: {path}")
            summary = registry_import(
                source=path,
                filename=path.name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                create_grids=create_grids,
            )
        except UnreadableFile as error:
            self.stderr.write(f"{path.name}: {error}")
            sys.exit(2)
        data = summary.as_dict()
        data.pop("affected")
        data.pop("changes")
        if report:
            Path(report).write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        if summary.sheet:
            self.stdout.write(
                _("Sheet read: “%(sheet)s”, header at row %(row)s.")
                % {"sheet": summary.sheet, "row": summary.header_row}
            )
        else:
            self.stdout.write(_("Header at row %(row)s.") % {"row": summary.header_row})
        for error in summary.errors[:50]:
            self.stderr.write(f"row {error['row']}, {error['column']}: {error['message']}")
        if summary.errors_total > 50:
            self.stderr.write(
                f"… and {summary.errors_total - 50} more (--report lists the first "
                f"{ERRORS_KEPT:,}; errors_total counts them all)"
            )
        self._grids_and_examples(summary, dry_run=dry_run)
        verb = "would be" if dry_run else ("written" if summary.written else "NOT written")
        self.stdout.write(
            f"rows {summary.rows_total}: created {summary.created}, updated {summary.updated}, "
            f"unchanged {summary.unchanged}, invalid {summary.invalid} ({verb})"
        )
        if summary.invalid and not summary.written:
            sys.exit(1)

    def _grids_and_examples(self, summary, *, dry_run: bool) -> None:
        if summary.example_rows:
            rows = ", ".join(str(n) for n in summary.example_rows)
            self.stdout.write(f"the template's example row ignored: row {rows}")
        if summary.new_grids:
            done = "would be created" if dry_run or not summary.written else "created"
            self.stdout.write(f"new grid areas ({done}): {', '.join(summary.new_grids)}")
        if summary.unknown_grids:
            self.stdout.write(
                "grid areas not in the registry (their rows are invalid; --create-grids "
                f"creates them): {', '.join(summary.unknown_grids)}"
            )
