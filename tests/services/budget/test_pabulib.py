import pytest

from lutetia.services.budget import pabulib
from lutetia.services.budget.pabulib import Ballot, PabulibError
from tests.services.budget.conftest import INSTANCES

SMALL = '''META
key;value
budget;100
vote_type;cumulative
PROJECTS
project_id;cost;name
1;60;"Park; with a ""fountain"""
2;40;Library
VOTES
voter_id;vote;points
a;1,2;2,1
b;2;3
c;;
'''


def parse(text: str) -> pabulib.Instance:
    return pabulib.parse(text.splitlines(keepends=True))


def test_sections_quoting_and_points():
    instance = parse(SMALL)
    assert instance.meta == {"budget": "100", "vote_type": "cumulative"}
    assert instance.budget == 100 and instance.vote_type == "cumulative"
    assert instance.projects["1"].name == 'Park; with a "fountain"'
    assert instance.projects["1"].cost == 60
    assert instance.projects["2"].fields == {"project_id": "2", "cost": "40", "name": "Library"}
    assert instance.votes == [
        Ballot("a", ("1", "2"), (2, 1)),
        Ballot("b", ("2",), (3,)),
        Ballot("c", (), ()),
    ]


def test_whole_amounts_written_as_decimals_are_accepted():
    instance = parse(SMALL.replace("budget;100", "budget;100.0"))
    assert instance.budget == 100


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SMALL.replace("1;60;", "1;sixty;"), "line 7: cost: 'sixty' is not a number."),
        (SMALL.replace("2;40;", "2;40.5;"), "line 8: cost: '40.5' is not a whole amount."),
        (SMALL.replace("2;40;Library", "2;40"), "line 8: 2 fields, the PROJECTS header has 3."),
        (SMALL.replace("2;40;Library", "1;40;Library"), "line 8: project 1 appears twice."),
        (SMALL.replace("b;2;3", "b;2,9;3,1"), "line 12: unknown project '9' in the vote."),
        (SMALL.replace("b;2;3", "b;2,2;3,1"), "line 12: a project appears twice in the vote."),
        (SMALL.replace("b;2;3", "b;2;x"), "line 12: points must be integers."),
        (SMALL.replace("b;2;3", "b;2;3,1"), "line 12: 2 points for 1 projects."),
        (SMALL.replace("c;;", "a;;"), "line 13: voter a votes twice."),
        (SMALL.replace("voter_id;vote;points", "voter;vote;points"), "line 10: the VOTES header"),
        (SMALL.replace("budget;100\n", ""), "META has no budget."),
        (SMALL.replace("cumulative", "lottery"), "META: unknown vote_type 'lottery'."),
        (SMALL[: SMALL.index("VOTES")], "missing section(s): VOTES."),
        ("budget;100\n" + SMALL, "line 1: expected a section name (META)."),
    ],
)
def test_malformed_files_are_refused_with_the_line(broken, message):
    with pytest.raises(PabulibError) as error:
        parse(broken)
    assert str(error.value).startswith(message)


def test_an_unreadable_file_is_a_pabulib_error(tmp_path):
    with pytest.raises(PabulibError, match="cannot read the file"):
        pabulib.read(tmp_path / "missing.pb")
    (tmp_path / "latin1.pb").write_bytes("META\nkey;value\nbudget;é\n".encode("latin-1"))
    with pytest.raises(PabulibError, match="not UTF-8"):
        pabulib.read(tmp_path / "latin1.pb")


@pytest.mark.parametrize("name", INSTANCES)
def test_real_files_parse_completely(instance, name):
    election = instance(name)
    assert len(election.votes) == int(election.meta["num_votes"])
    assert len(election.projects) == int(election.meta["num_projects"])


def test_the_largest_file(instance):
    wroclaw = instance("poland_wroclaw_2021_")
    assert (len(wroclaw.votes), len(wroclaw.projects), wroclaw.budget) == (84611, 77, 16_000_000)


def test_line_numbers_count_blank_lines_and_multiline_fields():
    text = SMALL.replace('"Park; with a ""fountain"""', '"Park\nin two lines"').replace(
        "b;2;3", "\nb;2,9;3,1"
    )
    multiline = parse(SMALL.replace('"Park; with a ""fountain"""', '"Park\nin two lines"'))
    assert multiline.projects["1"].name == "Park\nin two lines"
    with pytest.raises(PabulibError, match=r"^line 14: unknown project '9'"):
        parse(text)
