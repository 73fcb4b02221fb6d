"""Synthetic reports for demos and benchmarks: ``lutetia reports generate --count N``.

Reports fall inside the real district polygons with a plausible density (Paris's
arrondissements weighted by how much they report, other cities' districts by area), in
categories weighted like Paris (``share`` in the taxonomy file: about 77 % cleanliness, 18 %
roads and street furniture, 4 % trees and green spaces), over the past years. Each gets a
resolution delay drawn around its category's target time: old reports are mostly closed,
recent ones mostly open. Everything is drawn with numpy in batches and written by
``bulk.insert_reports`` (COPY on PostgreSQL).
"""

from dataclasses import dataclass
from datetime import UTC, timedelta

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from shapely.geometry import shape

from lutetia.core.districts.models import District
from lutetia.services.reports import bulk, taxonomy
from lutetia.services.reports.models import (
    CELLS_PER_DEGREE,
    Category,
    RejectionReason,
    Report,
    ReportUpdate,
    ResponseTemplate,
)
from lutetia.services.reports.routing import Routing

BATCH_SIZE = 50_000
Status = Report.Status

# Relative number of reports per arrondissement (code = its number): the outer, dense
# north-east reports most, the small central ones least (orders of magnitude of Paris's data).
PARIS_WEIGHTS = {
    "1": 2.0, "2": 2.0, "3": 2.5, "4": 2.0, "5": 3.0, "6": 2.0, "7": 2.5, "8": 3.0, "9": 3.0,
    "10": 5.5, "11": 7.0, "12": 5.0, "13": 6.0, "14": 5.0, "15": 7.0, "16": 5.0, "17": 6.5,
    "18": 10.0, "19": 8.5, "20": 8.5,
}  # fmt: skip
# What happens to a report once handled: mostly resolved.
CLOSINGS = ((Status.RESOLVED, 0.92), (Status.REJECTED, 0.06), (Status.TRANSFERRED, 0.02))
OPEN_STEPS = (Status.ACKNOWLEDGED, Status.SCHEDULED, Status.IN_PROGRESS)
TRANSFER_BODIES = ("Préfecture de police", "RATP", "Bailleur social", "Enedis")
DESCRIPTIONS = {
    "proprete": (
        "Trottoir très sale depuis plusieurs jours.",
        "Sacs et papiers au pied de l'arbre.",
    ),
    "objets-abandonnes": (
        "Un matelas et un canapé laissés sur le trottoir.",
        "Cartons abandonnés.",
    ),
    "graffitis": ("Tag sur la façade de l'immeuble.", "Affiches collées sur le mobilier."),
    "mobilier-urbain": ("Potelet arraché.", "Banc cassé, planche manquante."),
    "voirie": ("Nid-de-poule dangereux pour les vélos.", "Dalles du trottoir descellées."),
    "eclairage": ("Lampadaire éteint toute la nuit.", "Feu tricolore en panne."),
    "eau": ("Fuite d'eau sur la chaussée.", "Fontaine Wallace hors service."),
    "arbres-vegetaux-animaux": ("Branche cassée au-dessus du trottoir.", "Rats près du square."),
    "vehicules": ("Vélo épave attaché depuis des mois.", "Trottinettes couchées en travers."),
    "activites-commerciales": ("Terrasse qui occupe tout le trottoir.", "Cartons d'un commerce."),
}


@dataclass(frozen=True)
class Generated:
    count: int
    first_reference: str
    last_reference: str


def generate_reports(
    count: int, *, seed: int | None = None, years: int = 3, timelines: bool = False, now=None
) -> Generated:
    """Write ``count`` synthetic public reports (and their timelines if asked)."""
    if count < 1:
        raise ValidationError("count must be at least 1", code="count")
    rng = np.random.default_rng(seed)
    world = _World.load()
    now64 = np.datetime64((now or timezone.now()).astimezone(UTC).replace(tzinfo=None), "us")
    span_us = int(timedelta(days=365 * years) / timedelta(microseconds=1))
    # All dates drawn and sorted first: each batch covers the next stretch of time, so the
    # date indexes grow at their end instead of everywhere.
    created = np.sort(now64 - rng.integers(0, span_us, count).astype("timedelta64[us]"))
    first = last = ""
    with bulk.loading(count):
        for start in range(0, count, BATCH_SIZE):
            batch = created[start : start + BATCH_SIZE]
            references = _batch(world, rng, batch, now64, timelines)
            first, last = first or references[0], references[-1]
    return Generated(count, first, last)


@dataclass
class _World:
    """What generation draws from, read once: categories, districts, routing, reasons."""

    category_ids: np.ndarray
    category_weights: np.ndarray
    target_days: np.ndarray
    family_codes: list[str]
    routing: Routing
    district_ids: np.ndarray
    district_weights: np.ndarray
    polygons: list
    reason_ids: list[int]
    responses: dict[str, str]

    @classmethod
    def load(cls) -> "_World":
        weights = taxonomy.subtype_weights(taxonomy.read_taxonomy())
        categories = list(
            Category.objects.filter(code__in=weights, active=True).select_related("parent")
        )
        if not categories:
            raise ValidationError(
                "The taxonomy is not loaded: run `lutetia reports taxonomy` first.",
                code="no_taxonomy",
            )
        districts = list(District.objects.order_by("code"))
        if not districts:
            raise ValidationError("No districts: import the city's districts first.", code="city")
        polygons = [shape(district.geometry) for district in districts]
        probabilities = np.array([weights[category.code] for category in categories])
        district_weights = np.array(
            [
                PARIS_WEIGHTS.get(d.code, 1.0) * (1.0 if d.code in PARIS_WEIGHTS else p.area)
                for d, p in zip(districts, polygons, strict=True)
            ]
        )
        for polygon in polygons:
            shapely.prepare(polygon)
        return cls(
            category_ids=np.array([category.pk for category in categories]),
            category_weights=probabilities / probabilities.sum(),
            target_days=np.array([category.target_days or 15 for category in categories]),
            family_codes=[category.parent.code for category in categories],
            routing=Routing(),
            district_ids=np.array([district.pk for district in districts]),
            district_weights=district_weights / district_weights.sum(),
            polygons=polygons,
            reason_ids=list(
                RejectionReason.objects.filter(active=True).values_list("pk", flat=True)
            ),
            responses=dict(
                ResponseTemplate.objects.filter(category=None).values_list("status", "text_fr")
            ),
        )

    def points(self, rng, district_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uniform points inside each row's district polygon (drawn in its bounding box,
        kept when inside)."""
        longitudes = np.empty(len(district_index))
        latitudes = np.empty(len(district_index))
        for index, polygon in enumerate(self.polygons):
            rows = np.flatnonzero(district_index == index)
            min_x, min_y, max_x, max_y = polygon.bounds
            while len(rows):
                xs = rng.uniform(min_x, max_x, len(rows) * 2)
                ys = rng.uniform(min_y, max_y, len(rows) * 2)
                inside = shapely.contains_xy(polygon, xs, ys)
                taken = min(int(inside.sum()), len(rows))
                longitudes[rows[:taken]] = xs[inside][:taken]
                latitudes[rows[:taken]] = ys[inside][:taken]
                rows = rows[taken:]
        return longitudes, latitudes


def _batch(world: _World, rng, created: np.ndarray, now64, timelines: bool) -> list[str]:
    size = len(created)
    category_index = rng.choice(len(world.category_ids), size, p=world.category_weights)
    district_index = rng.choice(len(world.district_ids), size, p=world.district_weights)
    longitudes, latitudes = world.points(rng, district_index)
    # Resolution delay around 60 % of the target (log-normal): most within the target.
    delay_days = world.target_days[category_index] * 0.6 * rng.lognormal(0, 0.6, size)
    delays = (delay_days * 86_400e6).astype("int64").astype("timedelta64[us]")
    closed = created + delays
    is_closed = closed < now64
    statuses = _statuses(world, rng, is_closed, (now64 - created) / np.timedelta64(1, "D"))
    references = bulk.references_for(created.astype("datetime64[Y]").astype(int) + 1970)
    created_text = bulk.timestamps(created)
    closed_text = bulk.timestamps(np.where(is_closed, closed, np.datetime64("NaT")))
    updated_text = [c or o for c, o in zip(closed_text, created_text, strict=True)]
    category_ids = world.category_ids[category_index].tolist()
    district_ids = world.district_ids[district_index].tolist()
    cells = _cells(longitudes, latitudes).tolist()
    priorities = rng.choice(4, size, p=(0.1, 0.75, 0.12, 0.03)).tolist()
    picks = rng.integers(0, 2, size).tolist()
    bulk.insert_reports(
        (
            reference,
            category_id,
            status,
            priority,
            DESCRIPTIONS.get(world.family_codes[c], ("",) * 2)[pick],
            "",
            lon,
            lat,
            cell,
            district_id,
            world.routing.department(category_id, district_id),
            "{}",
            "",
            "",
            "",
            "",
            "",
            False,
            Report.Source.GENERATED,
            "",
            created_at,
            False,
            "",
            created_at,
            updated_at,
            closed_at,
            world.responses.get(status, "") if closed_at else "",
            rng_transfer if status == Status.TRANSFERRED else "",
            world.reason_ids[pick % len(world.reason_ids)] if status == Status.REJECTED else None,
        )
        for (
            reference, category_id, c, status, priority, pick, lon, lat, cell, district_id,
            created_at, updated_at, closed_at, rng_transfer,
        ) in zip(
            references, category_ids, category_index.tolist(), statuses, priorities, picks,
            longitudes.tolist(), latitudes.tolist(), cells, district_ids, created_text,
            updated_text, closed_text, rng.choice(TRANSFER_BODIES, size).tolist(), strict=True,
        )
    )  # fmt: skip
    if timelines:
        _write_timelines(world, references)
    return references


def _statuses(world, rng, is_closed: np.ndarray, age_days: np.ndarray) -> list[str]:
    closings = rng.choice(
        [status for status, _ in CLOSINGS], len(is_closed), p=[p for _, p in CLOSINGS]
    )
    if not world.reason_ids:  # nothing to reject with: resolved instead
        closings[closings == Status.REJECTED] = Status.RESOLVED
    steps = rng.choice(OPEN_STEPS, len(is_closed))
    opened = np.where(age_days < 1, Status.NEW, steps)
    return np.where(is_closed, closings, opened).tolist()


def _cells(longitudes: np.ndarray, latitudes: np.ndarray) -> np.ndarray:
    """``models.cell_of`` for arrays."""
    columns = np.floor((longitudes + 180) * CELLS_PER_DEGREE).astype("int64")
    rows = np.floor((latitudes + 90) * CELLS_PER_DEGREE).astype("int64")
    return rows * 360 * CELLS_PER_DEGREE + columns


def _write_timelines(world, references: list[str]) -> None:
    """Creation, acknowledgement and closing entries with the template responses."""
    reports = Report.objects.filter(reference__in=references).values_list(
        "pk", "status", "created_at", "closed_at"
    )
    rows = []
    for pk, status, created_at, closed_at in reports:
        rows.append((pk, ReportUpdate.Kind.CREATED, "", Status.NEW, "", "", created_at))
        if status == Status.NEW:
            continue
        acknowledged = created_at + (closed_at - created_at) / 4 if closed_at else created_at
        acknowledged = max(acknowledged, created_at + timedelta(minutes=30))
        rows.append(
            (pk, ReportUpdate.Kind.STATUS, Status.NEW, Status.ACKNOWLEDGED,
             world.responses.get(Status.ACKNOWLEDGED, ""), "", acknowledged)
        )  # fmt: skip
        final = status if closed_at else ""
        if final or status != Status.ACKNOWLEDGED:
            rows.append(
                (pk, ReportUpdate.Kind.STATUS, Status.ACKNOWLEDGED, status,
                 world.responses.get(status, ""), "", closed_at or acknowledged)
            )  # fmt: skip
    adapt = connection.ops.adapt_datetimefield_value
    bulk.insert_updates([(*row[:-1], adapt(row[-1])) for row in rows])
