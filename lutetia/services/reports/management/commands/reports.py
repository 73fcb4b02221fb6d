"""``lutetia reports taxonomy | import FILE.csv | generate --count N [--seed S]``."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lutetia.services.reports import actions
from lutetia.services.reports.importing import ImportFileError

# At most this many bad rows are listed; the count covers them all.
MAX_LISTED_ERRORS = 50


class Command(BaseCommand):
    help = "Dans ma rue data: load the category taxonomy, import history, generate reports."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        taxonomy = commands.add_parser(
            "taxonomy", help="Create or update the categories from the taxonomy file."
        )
        taxonomy.add_argument("--file", help="another taxonomy file (default: the shipped one)")
        load = commands.add_parser(
            "import", help="Import reports from a CSV in the layout of Paris's dans-ma-rue data."
        )
        load.add_argument("file", help="a ';'-separated CSV with the dataset's header")
        generate = commands.add_parser("generate", help="Create realistic synthetic reports.")
        generate.add_argument("--count", type=int, required=True)
        generate.add_argument("--seed", type=int, help="the same seed gives the same reports")
        generate.add_argument("--years", type=int, default=3, help="spread over this many years")

    def handle(self, *args, action, **options):
        try:
            {"taxonomy": self.taxonomy, "import": self.load, "generate": self.generate}[action](
                **options
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

    def taxonomy(self, *, file, **options):
        counts = actions.load_taxonomy(path=Path(file) if file else None)
        self.stdout.write(
            f"Taxonomy loaded: {counts['created']} categories created, {counts['updated']} updated."
        )

    def load(self, *, file, **options):
        started = time.perf_counter()
        try:
            with open(file, "rb") as counted:
                rows = sum(1 for _ in counted) - 1
            with open(file, encoding="utf-8-sig", newline="") as lines:
                result = actions.import_reports(
                    lines=lines, name=Path(file).name, expected_rows=rows
                )
        except (OSError, UnicodeDecodeError, ImportFileError) as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        for line, message in result.errors[:MAX_LISTED_ERRORS]:
            self.stderr.write(f"line {line}: {message}")
        if len(result.errors) > MAX_LISTED_ERRORS:
            self.stderr.write(f"… and {len(result.errors) - MAX_LISTED_ERRORS} more bad rows")
        self.stdout.write(
            f"Imported {result.imported} reports ({result.first_reference} … "
            f"{result.last_reference}) in {elapsed:.1f} s; {len(result.errors)} bad rows skipped."
        )

    def generate(self, *, count, seed, years, **options):
        started = time.perf_counter()
        generated = actions.generate_reports(count=count, seed=seed, years=years)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Generated {generated.count} reports ({generated.first_reference} … "
            f"{generated.last_reference}) in {elapsed:.1f} s "
            f"({generated.count / elapsed:,.0f} reports/s)."
        )
