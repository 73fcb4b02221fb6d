"""History from a CSV in the layout of Paris's open "dans-ma-rue" dataset.

The file is ``;``-separated with a header row (the dataset's own)::

    ID DECLARATION;TYPE DECLARATION;SOUS TYPE DECLARATION;ADRESSE;CODE POSTAL;VILLE;
    ARRONDISSEMENT;DATE DECLARATION;ANNEE DECLARATION;MOIS DECLARATION;CONSEIL DE QUARTIER;
    OUTIL SOURCE;INTERVENANT;ID_DMR;geo_shape;geo_point_2d

Used: the type and sub-type (matched to the taxonomy by name, spelling variants included;
an unknown sub-type of a known type goes to the type's "other" sub-type), the address,
the date, ``geo_point_2d`` ("latitude, longitude") and the arrondissement (from
ARRONDISSEMENT or CODE POSTAL), which gives the district when the point falls outside
every district polygon. The other columns are ignored. Rows are read and written in
batches; a bad row is reported with its line number and the others are imported.
Imported reports are public, resolved (the dataset has no outcome; ``closed_at`` stays
unknown) and keep the dataset's id in ``attributes["id_declaration"]``.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np
from django.utils import timezone

from lutetia.core.districts.lookup import district_ids_at
from lutetia.core.districts.models import District
from lutetia.services.reports import bulk, taxonomy
from lutetia.services.reports.models import Category, Report, cell_of
from lutetia.services.reports.routing import Routing

BATCH_SIZE = 10_000
REQUIRED = ("TYPE DECLARATION", "SOUS TYPE DECLARATION", "DATE DECLARATION", "geo_point_2d")
COLUMNS = (*REQUIRED, "ID DECLARATION", "ADRESSE", "CODE POSTAL", "ARRONDISSEMENT")


class ImportFileError(ValueError):
    """The file cannot be imported at all (not CSV, columns missing)."""


@dataclass
class ImportResult:
    imported: int = 0
    first_reference: str = ""
    last_reference: str = ""
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


class _Row(NamedTuple):
    line: int
    category_id: int
    created_at: datetime  # UTC, naive
    longitude: float
    latitude: float
    arrondissement: str
    address: str
    source_id: str


class _Parser:
    """Category ids for the dataset's type and sub-type names, and dates; both memoised,
    as a file repeats the same few hundred names and days."""

    def __init__(self, header: list[str]):
        # Where each column is; an optional column that is absent points past the row's
        # end, where ``row`` puts an empty cell.
        self.width = len(header)
        self.at = {name: header.index(name) if name in header else self.width for name in COLUMNS}
        self.categories: dict[tuple[str, str], int | str] = {}
        self.dates: dict[str, datetime | str] = {}
        self.arrondissements: dict[tuple[str, str], str] = {}
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        families = taxonomy.read_taxonomy()
        self.family_codes, self.subtype_codes = taxonomy.name_index(families)
        self.ids = dict(Category.objects.values_list("code", "pk"))
        self.others = {
            family.code: child.code
            for family in families
            for child in family.children
            if child.code.endswith("-autre")
        }

    def row(self, line: int, values: list[str]) -> _Row:
        if len(values) > self.width:
            raise ValueError("more columns than the header")
        values += [""] * (self.width + 1 - len(values))
        at = self.at
        category_id = self.category_id(
            values[at["TYPE DECLARATION"]], values[at["SOUS TYPE DECLARATION"]]
        )
        point = values[at["geo_point_2d"]]
        latitude, _, longitude = point.partition(",")
        try:
            latitude, longitude = float(latitude), float(longitude)
        except ValueError:
            raise ValueError(f"geo_point_2d {point!r} is not 'latitude, longitude'") from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"geo_point_2d {point!r} is not a point on Earth")
        place = (values[at["ARRONDISSEMENT"]], values[at["CODE POSTAL"]])
        if place not in self.arrondissements:
            self.arrondissements[place] = _arrondissement(*place)
        return _Row(
            line,
            category_id,
            self.created_at(values[at["DATE DECLARATION"]]),
            longitude,
            latitude,
            self.arrondissements[place],
            values[at["ADRESSE"]].strip()[:300],
            values[at["ID DECLARATION"]].strip(),
        )

    def category_id(self, type_name: str, subtype_name: str) -> int:
        key = (type_name, subtype_name)
        if key not in self.categories:
            self.categories[key] = _or_message(self._category_id, type_name, subtype_name)
        return _value(self.categories[key])

    def _category_id(self, type_name: str, subtype_name: str) -> int:
        family = self.family_codes.get(taxonomy.normalized(type_name))
        if family is None:
            raise ValueError(f"unknown TYPE DECLARATION {type_name!r}")
        # The dataset writes sub-types either alone or as "Type:Sub-type".
        name = taxonomy.normalized(subtype_name.rpartition(":")[2])
        code = self.subtype_codes.get((family, name)) or self.others.get(family)
        if code not in self.ids:
            raise ValueError(f"the category {code or subtype_name!r} is not loaded")
        return self.ids[code]

    def created_at(self, text: str) -> datetime:
        """The date in UTC, without a time zone (as the bulk writer takes it)."""
        if text not in self.dates:
            self.dates[text] = _or_message(self._created_at, text)
        return _value(self.dates[text])

    def _created_at(self, text: str) -> datetime:
        """ISO dates or date-times (the dataset), or DD/MM/YYYY; local time when no offset."""
        text = text.strip()
        try:
            parse = datetime.fromisoformat if "/" not in text else _french_date
            value = parse(text)
        except ValueError:
            raise ValueError(f"DATE DECLARATION {text!r} is not a date") from None
        if timezone.is_naive(value):
            value = timezone.make_aware(value, self.zone)
        if value > self.now:
            raise ValueError(f"DATE DECLARATION {text!r} is in the future")
        return value.astimezone(UTC).replace(tzinfo=None)


def _or_message(function, *args):
    """The function's result, or the message of the ValueError it raised (memoised too)."""
    try:
        return function(*args)
    except ValueError as error:
        return str(error)


def _value(result):
    if isinstance(result, str):
        raise ValueError(result)
    return result


def import_csv(lines: Iterable[str], *, expected_rows: int = 0) -> ImportResult:
    """Import the rows of an open-data file (an iterable of text lines, e.g. an open file);
    ``expected_rows``, if known, lets a large file be loaded in bulk mode (``bulk.loading``)."""
    reader = csv.reader(lines, delimiter=";")
    header = next(reader, [])
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFileError(
            "This is not a dans-ma-rue file (columns separated by ';'): missing "
            + ", ".join(missing)
        )
    parser = _Parser(header)
    districts = dict(District.objects.values_list("code", "pk"))
    routing = Routing()
    result = ImportResult()
    with bulk.loading(expected_rows):
        for batch in _batches(reader, parser, result.errors):
            references = _write(batch, districts, routing, result.errors)
            if references:
                result.imported += len(references)
                result.first_reference = result.first_reference or references[0]
                result.last_reference = references[-1]
    result.errors.sort()
    return result


def _batches(reader, parser: _Parser, errors: list) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    for values in reader:
        try:
            batch.append(parser.row(reader.line_num, values))
        except (ValueError, TypeError) as error:
            errors.append((reader.line_num, str(error)))
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _french_date(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y")


def _arrondissement(number: str, postcode: str) -> str:
    number, postcode = number.strip(), postcode.strip()
    if number.isdigit():
        return str(int(number))
    if len(postcode) == 5 and postcode.startswith("75") and postcode.isdigit():
        return str(int(postcode[3:]))  # 75116 is the 16th
    return ""


def _write(batch: list[_Row], districts: dict, routing: Routing, errors: list) -> list[str]:
    """Insert a batch's rows that fall in the city; the others become errors."""
    found = district_ids_at([row.longitude for row in batch], [row.latitude for row in batch])
    kept = []
    for row, district_id in zip(batch, found, strict=True):
        district_id = district_id or districts.get(row.arrondissement)
        if district_id is None:
            errors.append((row.line, "the point is outside the city and no arrondissement given"))
        else:
            kept.append((row, district_id))
    if not kept:
        return []
    kept.sort(key=lambda item: item[0].created_at)
    created = np.array([row.created_at for row, _ in kept], dtype="datetime64[us]")
    references = bulk.references_for(created.astype("datetime64[Y]").astype(int) + 1970)
    bulk.insert_reports(
        _values(row, district_id, reference, timestamp, routing)
        for (row, district_id), reference, timestamp in zip(
            kept, references, bulk.timestamps(created), strict=True
        )
    )
    return references


def _values(row: _Row, district_id: int, reference: str, timestamp: str, routing) -> tuple:
    attributes = json.dumps({"id_declaration": row.source_id}) if row.source_id else "{}"
    return (
        reference,
        row.category_id,
        Report.Status.RESOLVED,
        Report.Priority.NORMAL,
        "",
        row.address,
        row.longitude,
        row.latitude,
        cell_of(row.longitude, row.latitude),
        district_id,
        routing.department(row.category_id, district_id),
        attributes,
        "",
        "",
        "",
        "",
        "",
        False,
        Report.Source.IMPORT,
        "",
        timestamp,
        False,
        "",
        timestamp,
        timestamp,
        None,
        "",
        "",
        None,
    )
