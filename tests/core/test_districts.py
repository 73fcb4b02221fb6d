"""Districts on the real Paris arrondissements: import, lookup, versions, command, back office."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry

from lutetia.core.districts import version
from lutetia.core.districts.actions import ImportResult, import_districts, update_district
from lutetia.core.districts.lookup import district_at
from lutetia.core.districts.models import District
from lutetia.core.districts.selectors import districts_as_geojson

PARIS_FILE = (
    Path(__file__).resolve().parents[2]
    / "lutetia/core/districts/data/paris-arrondissements.geojson"
)

# A landmark inside each arrondissement (checked against the polygons with shapely).
LANDMARKS = [
    ("Louvre", 2.3376, 48.8606, "1"),
    ("Palais Brongniart (Bourse)", 2.3412, 48.8690, "2"),
    ("Carreau du Temple", 2.3631, 48.8650, "3"),
    ("Notre-Dame", 2.3499, 48.8530, "4"),
    ("Panthéon", 2.3462, 48.8462, "5"),
    ("Palais du Luxembourg", 2.3372, 48.8483, "6"),
    ("Eiffel Tower", 2.2945, 48.8584, "7"),
    ("Palais de l'Élysée", 2.3166, 48.8704, "8"),
    ("Opéra Garnier", 2.3316, 48.8720, "9"),
    ("Gare du Nord", 2.3553, 48.8809, "10"),
    ("Bataclan", 2.3708, 48.8631, "11"),
    ("Gare de Lyon", 2.3735, 48.8443, "12"),
    ("Lac Daumesnil, Bois de Vincennes", 2.4150, 48.8330, "12"),
    ("Place d'Italie", 2.3556, 48.8310, "13"),
    ("Parc Montsouris", 2.3383, 48.8222, "14"),
    ("Parc André-Citroën", 2.2749, 48.8414, "15"),
    ("Trocadéro", 2.2870, 48.8620, "16"),
    ("Lac Inférieur, Bois de Boulogne", 2.2620, 48.8650, "16"),
    ("Square des Batignolles", 2.3168, 48.8873, "17"),
    ("Sacré-Cœur", 2.3431, 48.8867, "18"),
    ("Parc des Buttes-Chaumont", 2.3821, 48.8809, "19"),
    ("Père-Lachaise", 2.3963, 48.8614, "20"),
]
OUTSIDE_PARIS = [
    ("Château de Versailles", 2.1301, 48.8049),
    ("Basilique de Saint-Denis", 2.3596, 48.9355),
    ("La Défense", 2.2384, 48.8924),
    ("Château de Vincennes", 2.4355, 48.8427),
]
# Place de la République: a vertex shared by the 3rd, 10th and 11th arrondissements.
REPUBLIQUE_CORNER = (2.363828096062925, 48.86750443060333)

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def paris_features() -> list[dict]:
    return json.loads(PARIS_FILE.read_text(encoding="utf-8"))["features"]


def feature(code, name="Somewhere", geometry=SQUARE) -> dict:
    return {"type": "Feature", "properties": {"c_ar": code, "l_aroff": name}, "geometry": geometry}


@pytest.fixture(autouse=True)
def _english_messages():
    # The import and edit errors below are checked in English; the back office stays French.
    with translation.override("en"):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the actions' on-commit callbacks (the version bump) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def paris(db, commit):
    with commit():
        import_districts(
            features=paris_features(), name_field="l_aroff", code_field="c_ar", acting_user=None
        )
    return {district.code: district for district in District.objects.all()}


def import_paris_again(**kwargs):
    return import_districts(
        features=paris_features(), name_field="l_aroff", code_field="c_ar", **kwargs
    )


def snapshot_table() -> list[tuple]:
    return list(District.objects.values_list("code", "name", "geometry", "parent_id"))


# --- Import -------------------------------------------------------------------


def test_import_creates_the_twenty_arrondissements_with_an_audit_entry_each(paris):
    assert len(paris) == 20
    assert paris["1"].name == "Louvre"
    assert paris["20"].name == "Ménilmontant"
    assert paris["16"].geometry["type"] == "Polygon"
    entries = ModelLogEntry.objects.filter(action="lutetia.district_imported")
    assert entries.count() == 20
    assert entries.get(object_id=str(paris["1"].pk)).data["created"] is True


def test_import_again_updates_by_code(paris, agent, commit):
    District.objects.filter(code="1").update(name="Old name")
    with commit():
        result = import_paris_again(acting_user=agent)
    assert result == ImportResult(created=0, updated=20)
    assert District.objects.count() == 20
    assert District.objects.get(code="1").name == "Louvre"
    entry = ModelLogEntry.objects.filter(action="lutetia.district_imported").latest("pk")
    assert entry.user_id == agent.pk
    louvre_entry = ModelLogEntry.objects.filter(
        action="lutetia.district_imported", object_id=str(paris["1"].pk), user_id=agent.pk
    ).get()
    assert louvre_entry.data["after"] == {"name": "Louvre"}


def test_import_under_a_parent_keeps_the_parent_on_a_later_import(db, commit):
    with commit():
        import_districts(
            features=[feature("paris", "Paris")],
            name_field="l_aroff",
            code_field="c_ar",
            acting_user=None,
        )
        import_paris_again(parent_code="paris", acting_user=None)
        import_paris_again(acting_user=None)
    assert District.objects.get(code="paris").children.count() == 20


@pytest.mark.parametrize(
    ("bad_feature", "message"),
    [
        (feature("21", geometry=BOWTIE), "Feature 2 (c_ar=21): the geometry is not valid"),
        (
            feature("21", geometry={"type": "Point", "coordinates": [2.35, 48.85]}),
            "must be a Polygon or MultiPolygon, not Point",
        ),
        (feature("21", geometry=None), "must be a Polygon or MultiPolygon"),
        (
            feature("21", geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
            "cannot be read",
        ),
        (
            feature(
                "21",
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [[652000, 6862000], [653000, 6862000], [653000, 6863000], [652000, 6862000]]
                    ],
                },
            ),
            "not WGS84",
        ),
        (feature(None), "Feature 2 has no value for the property “c_ar”"),
        (feature("21", name="  "), "Feature 2 (c_ar=21) has no value for the property “l_aroff”"),
        (feature("1"), "Feature 2: the code “1” appears twice"),
        ("not a feature", "Feature 2 is not a GeoJSON feature"),
    ],
)
def test_a_bad_feature_is_named_and_nothing_is_written(paris, commit, bad_feature, message):
    before = snapshot_table()
    renamed_louvre = feature("1", "Renamed", paris["1"].geometry)
    with commit(), pytest.raises(ValidationError, match=re.escape(message)):
        import_districts(
            features=[renamed_louvre, bad_feature],
            name_field="l_aroff",
            code_field="c_ar",
            acting_user=None,
        )
    assert snapshot_table() == before
    assert ModelLogEntry.objects.filter(action="lutetia.district_imported").count() == 20


def test_an_unknown_parent_is_refused(db):
    with pytest.raises(ValidationError, match="no district with the code “75”"):
        import_paris_again(parent_code="75", acting_user=None)
    assert not District.objects.exists()


# --- Lookup -------------------------------------------------------------------


@pytest.mark.parametrize(("place", "longitude", "latitude", "code"), LANDMARKS)
def test_a_landmark_is_in_its_arrondissement(paris, place, longitude, latitude, code):
    district = district_at(longitude, latitude)
    assert district is not None, place
    assert district.code == code, place
    assert district == paris[code]


@pytest.mark.parametrize(("place", "longitude", "latitude"), OUTSIDE_PARIS)
def test_a_point_outside_paris_has_no_district(paris, place, longitude, latitude):
    assert district_at(longitude, latitude) is None, place


def test_every_arrondissement_has_a_landmark():
    assert {code for *_, code in LANDMARKS} == {str(number) for number in range(1, 21)}


def test_a_shared_corner_always_gets_the_first_district_by_code(paris):
    assert [district_at(*REPUBLIQUE_CORNER).code for _ in range(3)] == ["10", "10", "10"]


def test_the_tree_is_built_once_and_lookups_query_nothing(paris, django_assert_num_queries):
    district_at(2.3376, 48.8606)
    with django_assert_num_queries(0):
        for longitude, latitude in [(2.3376, 48.8606), (2.3963, 48.8614), (2.1301, 48.8049)]:
            district_at(longitude, latitude)


def test_the_returned_district_is_a_fresh_copy(paris):
    first = district_at(2.3376, 48.8606)
    first.name = "Changed by a caller"
    assert district_at(2.3376, 48.8606).name == "Louvre"
    assert first.geometry == paris["1"].geometry  # loaded on access


def test_a_rename_is_seen_by_the_lookup(paris, agent, commit):
    assert district_at(2.3376, 48.8606).name == "Louvre"
    with commit():
        update_district(district=paris["1"], acting_user=agent, name="Paris Centre")
    assert district_at(2.3376, 48.8606).name == "Paris Centre"


def test_a_reimported_polygon_is_seen_by_the_lookup(paris, commit):
    assert district_at(0.5, 0.5) is None
    with commit():
        import_districts(
            features=[feature("1", "Louvre", SQUARE)],
            name_field="l_aroff",
            code_field="c_ar",
            acting_user=None,
        )
    assert district_at(0.5, 0.5).code == "1"
    assert district_at(2.3376, 48.8606) is None


def test_a_change_made_by_another_process_is_seen_through_the_shared_version(paris):
    assert district_at(2.3376, 48.8606).name == "Louvre"
    # Another app server commits a change and bumps the version in the shared cache:
    District.objects.filter(code="1").update(name="Changed elsewhere")
    version.bump()
    assert district_at(2.3376, 48.8606).name == "Changed elsewhere"


def test_the_lookup_follows_a_cleared_cache(paris):
    assert district_at(2.3963, 48.8614).code == "20"
    District.objects.filter(code="20").delete()
    cache.clear()
    assert district_at(2.3963, 48.8614) is None


# --- Edit -----------------------------------------------------------------------


def test_update_district_writes_an_audit_entry_with_the_change(paris, agent, commit):
    with commit():
        update_district(district=paris["2"], acting_user=agent, name="Bourse et Sentier")
    entry = ModelLogEntry.objects.get(action="lutetia.district_updated")
    assert entry.user_id == agent.pk
    assert entry.data == {"before": {"name": "Bourse"}, "after": {"name": "Bourse et Sentier"}}


def test_a_district_cannot_be_placed_inside_itself_or_its_part(paris, agent):
    update_district(district=paris["2"], acting_user=agent, parent=paris["1"])
    with pytest.raises(ValidationError, match="inside itself"):
        update_district(district=paris["1"], acting_user=agent, parent=paris["2"])
    with pytest.raises(ValidationError, match="inside itself"):
        update_district(district=paris["3"], acting_user=agent, parent=paris["3"])
    assert District.objects.get(code="1").parent is None


def test_update_district_refuses_fields_it_does_not_edit(paris, agent):
    with pytest.raises(TypeError, match="code"):
        update_district(district=paris["1"], acting_user=agent, code="75001")


# --- GeoJSON selector -----------------------------------------------------------


def test_districts_as_geojson_is_cached_and_follows_changes(
    paris, agent, commit, django_assert_num_queries
):
    collection = districts_as_geojson()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 20
    louvre = next(f for f in collection["features"] if f["properties"]["code"] == "1")
    assert louvre["properties"] == {"code": "1", "name": "Louvre"}
    assert louvre["geometry"] == paris["1"].geometry
    with django_assert_num_queries(0):
        districts_as_geojson()
    with commit():
        update_district(district=paris["1"], acting_user=agent, name="Paris Centre")
    names = {f["properties"]["name"] for f in districts_as_geojson()["features"]}
    assert "Paris Centre" in names and "Louvre" not in names


# --- Command --------------------------------------------------------------------


def run_command(*args) -> str:
    out = StringIO()
    call_command("districts", *args, stdout=out)
    return out.getvalue()


def test_the_import_command_prints_a_summary(db, django_capture_on_commit_callbacks):
    args = ["import", str(PARIS_FILE), "--name-field", "l_aroff", "--code-field", "c_ar"]
    with django_capture_on_commit_callbacks(execute=True):
        assert "20 districts: 20 created, 0 updated" in run_command(*args)
    assert "20 districts: 0 created, 20 updated" in run_command(*args)
    assert district_at(2.3963, 48.8614).name == "Ménilmontant"


def test_the_import_command_places_districts_under_a_parent(paris, tmp_path):
    path = tmp_path / "quarters.geojson"
    quarter = feature("1-1", "Saint-Germain-l'Auxerrois", paris["1"].geometry)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [quarter]}))
    run_command(
        "import", str(path), "--name-field", "l_aroff", "--code-field", "c_ar", "--parent", "1"
    )
    assert District.objects.get(code="1-1").parent == paris["1"]
    assert "1-1\tSaint-Germain-l'Auxerrois  (in 1)" in run_command("list")


def test_the_list_command_prints_every_district(paris):
    output = run_command("list")
    assert "1\tLouvre\n" in output
    assert "20\tMénilmontant\n" in output
    assert output.endswith("20 districts\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        ("{not json", "is not valid JSON"),
        ('{"type": "Feature", "geometry": null}', "is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection"}', "has no list of features"),
        (
            json.dumps({"type": "FeatureCollection", "features": [feature("1", geometry=BOWTIE)]}),
            "Feature 1 \\(c_ar=1\\): the geometry is not valid",
        ),
    ],
)
def test_the_import_command_fails_clearly(db, tmp_path, content, message):
    path = tmp_path / "districts.geojson"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run_command("import", str(path), "--name-field", "l_aroff", "--code-field", "c_ar")
    assert not District.objects.exists()


def test_the_import_command_names_a_missing_field(db):
    with pytest.raises(CommandError, match="no value for the property “nom”"):
        run_command("import", str(PARIS_FILE), "--name-field", "nom", "--code-field", "c_ar")
    assert not District.objects.exists()


def test_the_command_exits_non_zero_without_a_subcommand(db):
    with pytest.raises(CommandError, match="subcommand"):
        run_command()


# --- Back office ----------------------------------------------------------------


def test_districts_are_in_the_city_menu_of_an_administrator_only(client, administrator, agent):
    client.force_login(administrator)
    admin_home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Ville" in admin_home and reverse("districts:index") in admin_home
    client.force_login(agent)
    assert (
        reverse("districts:index") not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_an_administrator_lists_and_searches_districts(client, paris, administrator):
    client.force_login(administrator)
    response = client.get(reverse("districts:index"))
    assert response.status_code == 200
    assert "Ménilmontant" in response.content.decode()
    response = client.get(reverse("districts:index"), {"q": "Ménil"})
    assert "Ménilmontant" in response.content.decode()
    assert "Louvre" not in response.content.decode()


def test_an_administrator_renames_a_district_through_the_action(
    client, paris, administrator, commit
):
    client.force_login(administrator)
    url = reverse("districts:edit", args=[paris["1"].pk])
    page = client.get(url).content.decode()
    assert 'name="geometry"' not in page
    with commit():
        response = client.post(url, {"name": "Paris Centre", "parent": ""})
    assert response.status_code == 302
    assert District.objects.get(code="1").name == "Paris Centre"
    entry = ModelLogEntry.objects.get(action="lutetia.district_updated")
    assert entry.user_id == administrator.pk
    assert district_at(2.3376, 48.8606).name == "Paris Centre"


def test_the_edit_form_refuses_a_loop_of_parents(client, paris, administrator):
    District.objects.filter(code="2").update(parent=paris["1"])
    client.force_login(administrator)
    response = client.post(
        reverse("districts:edit", args=[paris["1"].pk]), {"name": "Louvre", "parent": paris["2"].pk}
    )
    assert response.status_code == 200
    assert "contenu dans lui-même" in response.content.decode()
    assert District.objects.get(code="1").parent is None


def test_districts_cannot_be_added_or_deleted_in_the_back_office(client, paris, administrator):
    client.force_login(administrator)
    assert client.get(reverse("districts:add")).status_code in (302, 403)
    assert client.get(reverse("districts:delete", args=[paris["1"].pk])).status_code in (302, 403)


def test_an_agent_cannot_edit_districts(client, paris, agent):
    client.force_login(agent)
    response = client.get(reverse("districts:edit", args=[paris["1"].pk]))
    assert response.status_code in (302, 403)
