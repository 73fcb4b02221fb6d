"""Which district is this point in? A shapely STRtree answers in microseconds.

The tree is built once per process from every district and rebuilt when the shared
version token (see ``version.py``) differs from the one it was built for.
"""

import threading
from dataclasses import dataclass

import shapely
from shapely.geometry import shape

from lutetia.core.districts import version
from lutetia.core.districts.models import District

_FIELDS = ["id", "code", "name", "parent_id"]


@dataclass(frozen=True)
class _Index:
    version: str | None
    tree: shapely.STRtree
    rows: list[tuple]  # (id, code, name, parent_id) in code order, one per tree geometry


_index: _Index | None = None
_building = threading.Lock()


def district_at(longitude: float, latitude: float) -> District | None:
    """The district containing the WGS84 point, or None outside every district.

    A point on a border shared by several districts gets the first of them by
    code, so the answer never depends on the order of a query.
    """
    index = _current_index()
    hits = index.tree.query(shapely.Point(longitude, latitude), predicate="intersects")
    if len(hits) == 0:
        return None
    # A fresh instance each time (callers may change it); its geometry loads on access.
    return District.from_db(District.objects.db, _FIELDS, index.rows[int(hits.min())])


def _current_index() -> _Index:
    global _index
    wanted = version.current()
    index = _index
    if index is None or index.version != wanted:
        with _building:
            index = _index
            if index is None or index.version != wanted:
                # Read the version before the rows: a change committed in between
                # bumps the version again and causes one more rebuild, never a stale tree.
                index = _index = _build(wanted)
    return index


def _build(built_version: str | None) -> _Index:
    rows = list(District.objects.order_by("code").values_list(*_FIELDS, "geometry"))
    geometries = [shape(row[-1]) for row in rows]
    shapely.prepare(geometries)
    return _Index(built_version, shapely.STRtree(geometries), [row[:-1] for row in rows])


def district_ids_at(longitudes, latitudes) -> list[int | None]:
    """The id of the district holding each point (None outside), for bulk imports: one
    vectorised tree query instead of one call per point; same tie rule as ``district_at``."""
    index = _current_index()
    points = shapely.points(longitudes, latitudes)
    first: dict[int, int] = {}
    for point, geometry in index.tree.query(points, predicate="intersects").T.tolist():
        first[point] = min(geometry, first.get(point, geometry))
    return [index.rows[first[i]][0] if i in first else None for i in range(len(points))]
