"""``lutetia districts import FILE.geojson`` and ``lutetia districts list``."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lutetia.core.districts.actions import import_districts
from lutetia.core.districts.models import District


class Command(BaseCommand):
    help = "Import the city's districts from GeoJSON, or list them."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        importing = subcommands.add_parser(
            "import", help="Create or update districts from a GeoJSON FeatureCollection."
        )
        importing.add_argument("file", type=Path, help="A GeoJSON file in WGS84.")
        importing.add_argument(
            "--name-field", required=True, help="The feature property holding the name."
        )
        importing.add_argument(
            "--code-field", required=True, help="The feature property holding the unique code."
        )
        importing.add_argument(
            "--parent", metavar="CODE", help="Place every imported district under this one."
        )
        subcommands.add_parser("list", help="Print every district: code, name and parent.")

    def handle(self, *args, subcommand, **options):
        if subcommand == "import":
            self._import(options)
        else:
            self._list()

    def _import(self, options):
        collection = _read_feature_collection(options["file"])
        try:
            result = import_districts(
                features=collection["features"],
                name_field=options["name_field"],
                code_field=options["code_field"],
                parent_code=options["parent"],
                acting_user=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total} districts: {result.created} created, {result.updated} updated"
            )
        )

    def _list(self):
        districts = District.objects.select_related("parent")
        for district in districts:
            parent = f"  (in {district.parent.code})" if district.parent else ""
            self.stdout.write(f"{district.code}\t{district.name}{parent}")
        self.stdout.write(f"{len(districts)} districts")


def _read_feature_collection(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CommandError(f"No such file: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise CommandError(f"{path} is not a GeoJSON FeatureCollection.")
    if not isinstance(data.get("features"), list):
        raise CommandError(f"{path} has no list of features.")
    return data
