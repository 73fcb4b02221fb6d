"""Dans ma rue data: the taxonomy, open data without personal data, indicators, the demo."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.core.api.keys import authenticate_key
from lutetia.core.demo import DemoContext
from lutetia.core.districts.models import District
from lutetia.core.models import Role
from lutetia.core.registry import services
from lutetia.services.reports import taxonomy as taxonomy_file
from lutetia.services.reports.actions import (
    Reporter,
    generate_reports,
    load_taxonomy,
    submit_report,
)
from lutetia.services.reports.demo import DEMO_API_KEY
from lutetia.services.reports.models import (
    Category,
    CategoryAttribute,
    RejectionReason,
    Report,
    ReportUpdate,
    ResponseTemplate,
)
from tests.conftest import INSIDE_PARIS
from tests.factories import UserFactory, create_staff
from tests.services.reports.test_data_fixtures import (  # noqa: F401 (fixtures)
    demo_departments,
    taxonomy,
)

# The shared fixtures are imported by name from test_data_fixtures; pytest passes them as
# arguments, which ruff would take for redefinitions.
# ruff: noqa: F811

manifest = services.get("reports")
FAMILIES = {
    "Propreté",
    "Objets abandonnés",
    "Graffitis, tags, affiches et autocollants",
    "Mobiliers urbains",
    "Voirie et espace public",
    "Éclairage / Électricité",
    "Eau",
    "Arbres, végétaux et animaux",
    "Véhicules, vélos et trottinettes",
    "Activités commerciales et professionnelles",
}


def produce(format: str) -> str:
    export = next(item for item in manifest.open_data if item.slug == "reports")
    return "".join(manifest.resolve(export.producer)(format))


def indicators() -> dict:
    return {item.slug: manifest.resolve(item.compute)() for item in manifest.indicators}


# --- Taxonomy -------------------------------------------------------------------------------


def test_taxonomy_has_the_real_families_with_sub_types_in_two_languages(demo_departments):
    counts = load_taxonomy()
    families = Category.objects.filter(parent=None)
    assert set(families.values_list("name_fr", flat=True)) == FAMILIES
    assert counts == {"created": Category.objects.count(), "updated": 0}
    for family in families:
        children = family.children.all()
        assert len(children) >= 4
        assert all(child.name_en and child.target_days for child in children)
    assert Category.objects.get(code="voirie").department.code == "voirie"
    assert Category.objects.get(code="arbres-vegetaux-animaux").department.code == "espaces-verts"
    surface = CategoryAttribute.objects.get(category__code="graffitis-tags", code="surface")
    assert surface.datatype == "singlevaluelist" and surface.required
    assert {value["key"] for value in surface.values} >= {"facade", "mobilier"}


def test_loading_again_updates_texts_and_keeps_routing_chosen_in_the_back_office(
    demo_departments,
):
    load_taxonomy()
    family = Category.objects.get(code="eau")
    family.department = demo_departments["voirie"]
    family.name_fr = "Ancien nom"
    family.save()
    counts = load_taxonomy()
    assert counts["created"] == 0
    family.refresh_from_db()
    assert family.name_fr == "Eau"
    assert family.department.code == "voirie"
    assert CategoryAttribute.objects.filter(category__code="graffitis-tags").count() == 3
    assert ModelLogEntry.objects.filter(action="lutetia.reports.taxonomy_loaded").count() == 2


def test_taxonomy_command(demo_departments, capsys):
    call_command("reports", "taxonomy")
    assert "created" in capsys.readouterr().out
    assert Category.objects.filter(parent=None).count() == len(taxonomy_file.read_taxonomy())


def test_family_shares_follow_paris():
    weights = taxonomy_file.subtype_weights(taxonomy_file.read_taxonomy())
    assert sum(weights.values()) == pytest.approx(1)


def test_load_taxonomy_needs_the_routing_permission(demo_departments):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        load_taxonomy(acting_user=UserFactory())
    assert not Category.objects.exists()


# --- Open data ------------------------------------------------------------------------------


@pytest.fixture
def submit(taxonomy, resident, django_capture_on_commit_callbacks):
    """``submit(code, **fields)``: a report by the resident at Notre-Dame."""

    def make(code="proprete-depot-sauvage", **fields):
        values = {"description": "Un matelas abandonné.", "acting_user": resident, **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return submit_report(category=Category.objects.get(code=code), **INSIDE_PARIS, **values)

    return make


@pytest.fixture
def reports(submit, anonymous_reporter):
    """Generated history, one resident's report and one unconfirmed anonymous report."""
    generate_reports(count=40, seed=1)
    mine = submit(
        description="Mon voisin M. Dupont a tout laissé là",
        reporter=Reporter(email="moi@example.org", first_name="Zoé", phone="0600000000"),
    )
    unconfirmed = submit(acting_user=None, reporter=anonymous_reporter)
    return mine, unconfirmed


def test_open_data_csv_has_every_public_report_and_no_personal_data(reports, resident):
    mine, unconfirmed = reports
    text = produce("csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 41
    references = {row["reference"] for row in rows}
    assert mine.reference in references and unconfirmed.reference not in references
    for secret in ("moi@example.org", "Zoé", "0600000000", "Dupont", resident.email):
        assert secret not in text
    row = next(row for row in rows if row["reference"] == mine.reference)
    assert row["family"] == "Propreté" and row["district_code"] == "4"
    assert row["open"] == "True" and row["closed_at"] == ""


def test_open_data_geojson_is_a_feature_collection(reports):
    data = json.loads(produce("geojson"))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 41
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert "email" not in feature["properties"] and "description" not in feature["properties"]


def test_open_data_streams_in_chunks(taxonomy):
    generate_reports(count=2500, seed=2)
    chunks = list(manifest.resolve(manifest.open_data[0].producer)("csv"))
    assert len(chunks) >= 3
    assert max(len(chunk) for chunk in chunks) < 500_000


def test_hidden_reports_are_left_out(reports):
    mine, _ = reports
    Report.objects.filter(pk=mine.pk).update(hidden=True)
    assert mine.reference not in produce("csv")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        produce("xlsx")


# --- Indicators -----------------------------------------------------------------------------


def test_indicators(submit):
    now = timezone.now()
    durations = [timedelta(days=1), timedelta(days=3), timedelta(days=5)]
    for duration in durations:
        report = submit("proprete-depot-sauvage")  # target: 2 days
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.RESOLVED,
            created_at=now - timedelta(days=10),
            closed_at=now - timedelta(days=10) + duration,
        )
    submit("voirie-trottoir")
    values = indicators()
    month = timezone.localtime(now - timedelta(days=10)).strftime("%Y-%m")
    assert dict(values["reports-per-month"])[month] >= 3
    assert sum(count for _, count in values["reports-per-month"]) == 4
    assert values["reports-per-category"][0] == ("Propreté", 3)
    assert ("Voirie et espace public", 1) in values["reports-per-category"]
    district = dict(values["reports-per-district"])
    assert sum(district.values()) == 4
    assert values["reports-median-days-to-resolve"] == 3.0
    assert values["reports-resolved-within-target"] == pytest.approx(33.3)


def test_indicators_without_reports(db):
    values = indicators()
    assert values["reports-per-month"] == []
    assert values["reports-median-days-to-resolve"] is None
    assert values["reports-resolved-within-target"] is None


# --- Demo -----------------------------------------------------------------------------------


def test_demo_loader_is_idempotent(demo_departments, districts):
    administrator = create_staff(demo_departments["proprete"], Role.ADMINISTRATOR)
    context = DemoContext(
        administrator=administrator,
        departments=demo_departments,
        staff={code: create_staff(d) for code, d in demo_departments.items()},
        residents=[UserFactory(), UserFactory()],
        districts=list(District.objects.all()),
    )
    load = manifest.resolve(manifest.demo_loader)
    load(context)

    def counts():
        return (
            Category.objects.count(),
            Report.objects.count(),
            ReportUpdate.objects.count(),
            RejectionReason.objects.count(),
            ResponseTemplate.objects.count(),
        )

    first = counts()
    assert first[1] == 302
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {"new", "resolved", "rejected"} <= statuses
    assert Report.objects.filter(reporter=context.residents[0]).exists()
    assert Report.objects.filter(status="rejected", rejection_reason=None).count() == 0
    assert authenticate_key(DEMO_API_KEY) is not None
    assert any(DEMO_API_KEY in note for note in context.notes)
    load(context)
    assert counts() == first
