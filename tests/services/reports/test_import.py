"""``lutetia reports import``: history in the layout of Paris's open dans-ma-rue dataset."""

import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from lutetia.services.reports.actions import import_reports
from lutetia.services.reports.importing import ImportFileError
from lutetia.services.reports.models import Report
from tests.services.reports.test_data_fixtures import (  # noqa: F401 (fixtures)
    demo_departments,
    taxonomy,
)

pytestmark = pytest.mark.usefixtures("taxonomy")

HEADER = (
    "ID DECLARATION;TYPE DECLARATION;SOUS TYPE DECLARATION;ADRESSE;CODE POSTAL;VILLE;"
    "ARRONDISSEMENT;DATE DECLARATION;ANNEE DECLARATION;MOIS DECLARATION;CONSEIL DE QUARTIER;"
    "OUTIL SOURCE;INTERVENANT;ID_DMR;geo_shape;geo_point_2d"
)


def row(
    kind="Propreté",
    subtype="Déjections canines",
    date="2022-03-14",
    point="48.8530, 2.3499",
    arrondissement="4",
    postcode="75004",
    ident="101",
):
    return (
        f"{ident};{kind};{subtype};1 Rue du Cloître Notre-Dame, 75004 Paris;{postcode};Paris 4;"
        f"{arrondissement};{date};2022;3;Notre-Dame;DMR;Ramassage;X{ident};;{point}"
    )


def run(*rows):
    return import_reports(lines=io.StringIO("\n".join([HEADER, *rows]) + "\n"), name="t.csv")


def test_good_rows_are_imported_as_public_resolved_history():
    result = run(
        row(),
        row(kind="Objets abandonnés", subtype="Objets abandonnés:Électroménager", ident="102"),
        row(kind="Autos, motos, vélos...", subtype="Vélo abandonné", ident="103"),
    )
    assert result.imported == 3 and result.errors == []
    report = Report.objects.get(attributes__id_declaration="101")
    assert report.category.code == "proprete-dejections-canines"
    assert report.district.code == "4"
    assert report.department.code == "proprete"
    assert report.status == Report.Status.RESOLVED and report.is_public
    assert report.source == Report.Source.IMPORT
    assert report.reference.startswith("DMR-2022-")
    assert report.address.startswith("1 Rue du Cloître")
    categories = set(Report.objects.values_list("category__code", flat=True))
    assert {"objets-electromenager", "vehicules-velo"} <= categories
    assert Report.objects.get(category__code="vehicules-velo").department.code == "voirie"


def test_bad_rows_are_reported_with_their_line_numbers_and_the_others_imported():
    result = run(
        row(ident="1"),  # line 2
        row(kind="Inconnu", ident="2"),  # line 3
        row(date="hier", ident="3"),  # line 4
        row(point="", ident="4"),  # line 5
        row(point="48.80, 2.12", arrondissement="", postcode="78000", ident="5"),  # line 6
        row(date="2999-01-01", ident="6"),  # line 7
        row(ident="7"),  # line 8
    )
    assert result.imported == 2
    lines = [line for line, _ in result.errors]
    assert lines == [3, 4, 5, 6, 7]
    messages = dict(result.errors)
    assert "Inconnu" in messages[3]
    assert "hier" in messages[4]
    assert "outside the city" in messages[6]
    assert "future" in messages[7]


def test_an_unknown_subtype_goes_to_its_family_other_type():
    run(row(subtype="Quelque chose de nouveau"))
    assert Report.objects.get().category.code == "proprete-autre"


def test_the_arrondissement_gives_the_district_of_a_point_outside_the_polygons():
    # A point just off the city limits, filed in the 16th by the city (postcode 75116).
    run(row(point="48.8530, 2.2200", arrondissement="", postcode="75116"))
    assert Report.objects.get().district.code == "16"


def test_one_audit_entry_per_import():
    run(row(ident="1"), row(ident="2"), row(ident="3"))
    entries = ModelLogEntry.objects.filter(action="lutetia.reports.imported")
    assert entries.count() == 1
    assert entries.get().data["imported"] == 3


def test_a_file_without_the_dataset_columns_is_refused():
    with pytest.raises(ImportFileError, match="TYPE DECLARATION"):
        import_reports(lines=io.StringIO("a,b,c\n1,2,3\n"))
    assert not Report.objects.exists()


def test_references_follow_the_dates_within_a_year():
    run(row(date="2022-05-01", ident="1"), row(date="2022-01-01", ident="2"))
    first, second = Report.objects.order_by("reference")
    assert first.attributes["id_declaration"] == "2"
    assert first.created_at < second.created_at


def test_command_reports_bad_lines(tmp_path, capsys):
    path = tmp_path / "dans-ma-rue.csv"
    path.write_text("\ufeff" + "\n".join([HEADER, row(), row(kind="?")]) + "\n", encoding="utf-8")
    call_command("reports", "import", str(path))
    output = capsys.readouterr()
    assert "Imported 1 reports" in output.out
    assert "line 3:" in output.err
    with pytest.raises(CommandError):
        call_command("reports", "import", str(tmp_path / "missing.csv"))
