"""``lutetia census import``: CSV in, digests out, nothing half-imported on a bad line."""

import pytest
from django.core.management import CommandError, call_command

from lutetia.accounts.models import CensusRecord

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, text):
    path = tmp_path / "census.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_prints_the_count(tmp_path, capsys):
    path = write_csv(
        tmp_path, "numero;naissance;nom\nAB123456;14/03/1985;X\nCD654321;1990-01-02;Y\n"
    )
    call_command("census", "import", str(path), "--columns", "numero,naissance")
    assert "2 census records added" in capsys.readouterr().out
    assert CensusRecord.objects.count() == 2

    replacement = write_csv(tmp_path, "numero,naissance\nEF1,2000-01-01\n")
    call_command("census", "import", str(replacement), "--columns", "numero,naissance", "--replace")
    assert CensusRecord.objects.count() == 1


def test_bad_line_stops_the_import_with_its_number(tmp_path):
    path = write_csv(tmp_path, "id,birth_date\nAB1,1985-03-14\nCD2,not a date\n")
    with pytest.raises(CommandError, match="Line 3"):
        call_command("census", "import", str(path), "--columns", "id,birth_date")
    assert not CensusRecord.objects.exists()


def test_missing_column_or_file(tmp_path):
    path = write_csv(tmp_path, "id,born\nAB1,1985-03-14\n")
    with pytest.raises(CommandError, match="birth_date"):
        call_command("census", "import", str(path), "--columns", "id,birth_date")
    with pytest.raises(CommandError, match="No such file"):
        call_command("census", "import", str(tmp_path / "none.csv"), "--columns", "id,birth_date")
