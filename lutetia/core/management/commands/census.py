"""``lutetia census import FILE.csv --columns id,birth_date [--replace]``.

Only HMAC digests of the identifiers reach the database (see lutetia.accounts.census).
"""

import csv
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lutetia.accounts.actions import import_census
from lutetia.accounts.census import InvalidBirthDate, parse_birth_date


class Command(BaseCommand):
    help = "Import the census used to verify residents online."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importing = subcommands.add_parser(
            "import", help="Add the rows of a CSV file (with a header line) to the census."
        )
        importing.add_argument("file", type=Path, help="A CSV file, comma or semicolon separated.")
        importing.add_argument(
            "--columns",
            required=True,
            metavar="ID,BIRTH_DATE",
            help="The header names of the identifier column and the birth date column.",
        )
        importing.add_argument(
            "--replace",
            action="store_true",
            help="Drop the census records not used yet before importing (default: append).",
        )

    def handle(self, *args, subcommand, file, columns, replace, **options):
        id_column, date_column = _column_names(columns)
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                rows = _rows(handle, id_column, date_column)
                added = import_census(rows=rows, acting_user=None, replace=replace)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{added} census records added"))


def _column_names(columns: str) -> tuple[str, str]:
    names = [name.strip() for name in columns.split(",")]
    if len(names) != 2 or not all(names):
        raise CommandError("--columns takes two header names: the identifier, then the birth date.")
    return names[0], names[1]


def _rows(handle, id_column: str, date_column: str) -> Iterator[tuple[str, object]]:
    """(identifier, birth date) per line; any bad line stops the import with its number."""
    dialect = csv.Sniffer().sniff(handle.readline(), delimiters=",;\t")
    handle.seek(0)
    reader = csv.DictReader(handle, dialect=dialect)
    missing = {id_column, date_column} - set(reader.fieldnames or ())
    if missing:
        raise CommandError(f"Missing column(s) in the header: {', '.join(sorted(missing))}")
    for row in reader:
        identifier = (row[id_column] or "").strip()
        if not identifier:
            raise CommandError(f"Line {reader.line_num}: the identifier is empty.")
        try:
            yield identifier, parse_birth_date(row[date_column] or "")
        except InvalidBirthDate as exc:
            raise CommandError(f"Line {reader.line_num}: {exc}") from exc
