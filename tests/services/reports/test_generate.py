"""``lutetia reports generate``: realistic synthetic reports over the real arrondissements."""

from collections import Counter

import pytest
import shapely
from django.core.management import call_command
from django.db import connection
from shapely.geometry import shape

from lutetia.core.districts.models import District
from lutetia.services.reports import bulk
from lutetia.services.reports.actions import generate_reports
from lutetia.services.reports.models import Report, ReportUpdate, cell_of
from lutetia.services.reports.selectors import public_reports
from tests.services.reports.test_data_fixtures import (  # noqa: F401 (fixtures)
    demo_departments,
    taxonomy,
)

pytestmark = pytest.mark.usefixtures("taxonomy")

# The shares: cleanliness ~77 %, roads and street furniture ~18 %, green ~4 %.
GROUPS = {
    "proprete": "cleanliness",
    "objets-abandonnes": "cleanliness",
    "graffitis": "cleanliness",
    "voirie": "roads",
    "mobilier-urbain": "roads",
    "eclairage": "roads",
    "vehicules": "roads",
    "arbres-vegetaux-animaux": "green",
}


def test_categories_are_weighted_like_paris():
    generate_reports(count=5000, seed=1)
    families = Report.objects.values_list("category__parent__code", flat=True)
    groups = Counter(GROUPS.get(code, "other") for code in families)
    assert groups["cleanliness"] / 5000 == pytest.approx(0.77, abs=0.02)
    assert groups["roads"] / 5000 == pytest.approx(0.18, abs=0.02)
    assert groups["green"] / 5000 == pytest.approx(0.04, abs=0.01)


def test_points_fall_inside_their_district():
    generate_reports(count=1000, seed=2)
    polygons = {d.pk: shape(d.geometry) for d in District.objects.all()}
    rows = Report.objects.values_list("longitude", "latitude", "district_id", "cell")
    for longitude, latitude, district_id, cell in rows:
        assert shapely.contains_xy(polygons[district_id], longitude, latitude)
        assert cell == cell_of(longitude, latitude)
    # The dense north-east reports more than the small centre.
    per_district = Counter(Report.objects.values_list("district__code", flat=True))
    assert per_district["18"] > per_district["1"] * 2


def test_old_reports_are_mostly_closed_and_recent_ones_open():
    generate_reports(count=2000, seed=3, years=2)
    reports = list(Report.objects.values_list("status", "created_at", "closed_at"))
    newest = max(created for _, created, _ in reports)
    old = [status for status, created, _ in reports if (newest - created).days > 90]
    recent = [status for status, created, _ in reports if (newest - created).days < 1]
    assert sum(status in Report.CLOSED for status in old) / len(old) > 0.95
    assert sum(status in Report.OPEN for status in recent) / len(recent) > 0.5
    for status, created, closed in reports:
        assert (closed is not None) == (status in Report.CLOSED)
        assert closed is None or closed > created


def test_generated_reports_are_public_routed_and_numbered():
    generated = generate_reports(count=300, seed=4)
    assert public_reports().count() == 300
    assert not Report.objects.filter(department=None).exists()
    assert (
        Report.objects.filter(category__parent__code="voirie")
        .exclude(department__code="voirie")
        .count()
        == 0
    )
    references = sorted(Report.objects.values_list("reference", flat=True))
    assert len(set(references)) == 300
    assert generated.first_reference.startswith("DMR-")
    # No personal data is made up.
    assert not Report.objects.exclude(email="").exists()


def test_timelines_follow_the_status():
    generate_reports(count=200, seed=5, timelines=True)
    for report in Report.objects.prefetch_related("updates"):
        kinds = [update.kind for update in report.updates.all()]
        assert kinds[0] == ReportUpdate.Kind.CREATED
        if report.status != Report.Status.NEW:
            assert report.updates.all()[len(kinds) - 1].to_status == report.status


def test_same_seed_same_reports():
    generate_reports(count=50, seed=7)
    first = list(Report.objects.order_by("reference").values_list("longitude", "category_id"))
    Report.objects.all().delete()
    generate_reports(count=50, seed=7)
    again = list(Report.objects.order_by("reference").values_list("longitude", "category_id"))
    assert first == again


def test_command(capsys):
    call_command("reports", "generate", "--count", "20", "--seed", "1")
    assert "Generated 20 reports" in capsys.readouterr().out
    assert Report.objects.count() == 20


def test_a_large_load_rebuilds_the_indexes_and_foreign_keys(monkeypatch):
    """On PostgreSQL a large load drops indexes and foreign keys and adds them back."""
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 10)

    def schema():
        with connection.cursor() as cursor:
            return connection.introspection.get_constraints(cursor, Report._meta.db_table)

    before = schema()
    generate_reports(count=200, seed=8)
    assert schema() == before
    assert Report.objects.count() == 200
