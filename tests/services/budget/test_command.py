import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.services.budget.conftest import PABULIB

WIELICZKA = "24 41 40 74 19 6 58 32 25 20 60 43 29 39 17 42 26 70 34 71 62 88 9 61 7 36 46 33 56 69"
BROKEN = """META
key;value
budget;100
PROJECTS
project_id;cost
1;10
VOTES
voter_id;vote
a;1,7
"""


def pb(*args: str) -> str:
    out = StringIO()
    call_command("pb", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def files(instance):
    instance("poland_warszawa_2019_sadul")  # skips when the shared data is missing
    return PABULIB


def test_tally_mes_add1_json_is_exactly_the_outcome(files):
    path = str(files / "poland_wieliczka_2023.pb")
    out = pb("tally", path, "--rule", "mes", "--completion", "add1", "--json")
    expected = {"selected": WIELICZKA.split(), "cost": 995079, "budget": 1000000}
    assert out == json.dumps(expected) + "\n"


def test_tally_greedy_prints_projects_cost_and_budget(files):
    out = pb("tally", str(files / "poland_warszawa_2019_sadul.pb"), "--rule", "greedy")
    assert out.splitlines() == [
        "Selected projects (2, in selection order):",
        "  1695  Nowości w Sadulskim Zakątku",
        "  1036  Kontynuacja chodnika przy krótkiej Mydlarskiej",
        "Total cost: 123500",
        "Budget: 123500",
    ]


def test_tally_ignores_the_files_result_columns(files, tmp_path):
    """Rewriting votes/selected in PROJECTS changes nothing: only VOTES counts."""
    text = (files / "poland_warszawa_2019_sadul.pb").read_text(encoding="utf-8")
    forged = text.replace(";100;Nowości", ";0;Nowości").replace(
        "families with children;1", "families with children;0"
    )
    assert forged.count(";0") > text.count(";0")
    (tmp_path / "forged.pb").write_text(forged, encoding="utf-8")
    args = ("--rule", "greedy", "--json")
    assert pb("tally", str(tmp_path / "forged.pb"), *args) == pb(
        "tally", str(files / "poland_warszawa_2019_sadul.pb"), *args
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("poland_krakow_2019_stare-miasto.pb", "--rule", "mes"), "needs approval ballots"),
        (("france_toulouse_2019_.pb", "--rule", "mes"), "not cumulative ones"),
        (("poland_wieliczka_2023.pb", "--rule", "greedy", "--completion", "add1"), "Completion"),
        (("missing.pb", "--rule", "greedy"), "cannot read the file"),
    ],
)
def test_tally_errors(files, args, message):
    with pytest.raises(CommandError, match=message):
        pb("tally", str(files / args[0]), *args[1:])


def test_tally_of_a_malformed_file_names_the_line(tmp_path):
    (tmp_path / "broken.pb").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(CommandError, match=r"^line 9: unknown project '7' in the vote\.$"):
        pb("tally", str(tmp_path / "broken.pb"), "--rule", "greedy")
