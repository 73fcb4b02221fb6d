import pytest

from lutetia.services.budget import rules
from lutetia.services.budget.pabulib import Ballot
from tests.services.budget.conftest import INSTANCES, costs, official

# Files whose official `selected` column is not plain greedy on the VOTES section, each
# checked by reading its META/comments and by computing (see the test below).
NOT_PLAIN_GREEDY = {
    "france_toulouse_2019_": "no `selected` column: the file does not record the outcome",
    "poland_wieliczka_2023": "decided by the Method of Equal Shares (rule;equalshares/add1)",
    "poland_poznan_2023_13-jezyce-sw-lazarz": (
        "Poznań does not skip: it stops at the first project that does not fit and pools "
        "the district's leftover city-wide (META comment); greedy-with-skip adds XIII.2"
    ),
    "poland_katowice_2021_kostuchna": (
        "a local rule not recorded in the file: L21/04/VIII (47 points, 12,100) fits the "
        "26,236 left but was not funded"
    ),
    "poland_wroclaw_2019_": (
        "Wrocław's own district/size rules (not in the file) left 500,000 unspent, which "
        "greedy spends on projects 23, 202 and 181"
    ),
}
PLAIN_GREEDY = [name for name in INSTANCES if name not in NOT_PLAIN_GREEDY]


def tally(election) -> rules.Outcome:
    return rules.greedy(
        costs(election),
        election.votes,
        election.budget,
        election.vote_type,
        election.meta_int("max_length"),
    )


@pytest.mark.parametrize("name", PLAIN_GREEDY)
def test_greedy_reproduces_the_official_outcome(instance, name):
    election = instance(name)
    assert election.meta["rule"] == "greedy"
    outcome = tally(election)
    assert set(outcome.selected) == official(election)
    assert outcome.cost == sum(election.projects[p].cost for p in outcome.selected)
    assert outcome.cost <= election.budget


@pytest.mark.parametrize("name", sorted(NOT_PLAIN_GREEDY))
def test_each_exclusion_is_still_needed(instance, name):
    election = instance(name)
    if name == "france_toulouse_2019_":
        assert "selected" not in election.projects["1"].fields
    else:
        assert set(tally(election).selected) != official(election)


@pytest.mark.parametrize("name", INSTANCES)
def test_scores_from_votes_match_the_files_score_column(instance, name):
    """Points for cumulative ballots, Kraków's max_length - i + 1 for ordinal ones."""
    election = instance(name)
    if "score" not in next(iter(election.projects.values())).fields:
        pytest.skip("no score column")
    computed = rules.scores(
        costs(election), election.votes, election.vote_type, election.meta_int("max_length")
    )
    assert computed == {p.id: int(p.fields["score"]) for p in election.projects.values()}


def ballots(*approved: str) -> list[Ballot]:
    return [Ballot(str(n), tuple(projects.split(","))) for n, projects in enumerate(approved)]


def test_greedy_skips_what_does_not_fit_and_explains_why():
    projects = {"big": 80, "10": 30, "9": 30, "2": 20, "1": 10}
    outcome = rules.greedy(projects, ballots("big,10,9,2", "big,10,9,2", "big,1"), 100, "approval")
    # big (3 votes), then the 2-vote tie: 2 is cheapest and fits; 9 and 10 no longer fit.
    assert (outcome.selected, outcome.cost, outcome.budget) == (["big", "2"], 100, 100)
    assert outcome.explanations["9"] == rules.Explanation("9", False, 2, lost_to="big")
    assert outcome.explanations["1"] == rules.Explanation("1", False, 1, lost_to="2")
    assert outcome.explanations["big"] == rules.Explanation("big", True, 3)


def test_equal_scores_and_costs_go_by_numeric_id():
    outcome = rules.greedy({"10": 30, "9": 30}, ballots("10,9"), 40, "approval")
    assert outcome.selected == ["9"]
    assert rules.greedy({"b": 30, "a": 30}, ballots("a,b"), 40, "approval").selected == ["a"]


def test_a_project_too_expensive_for_the_budget_lost_to_nothing():
    outcome = rules.greedy({"1": 500, "2": 10}, ballots("1", "1", "2"), 100, "approval")
    assert outcome.selected == ["2"]
    assert outcome.explanations["1"].lost_to is None


def test_greedy_ordinal_and_cumulative_scores():
    ranked = [Ballot("a", ("x", "y")), Ballot("b", ("y",)), Ballot("c", ("z", "x"))]
    assert rules.scores({"x": 1, "y": 1, "z": 1}, ranked, "ordinal") == {"x": 3, "y": 3, "z": 2}
    assert rules.scores({"x": 1, "y": 1, "z": 1}, ranked, "ordinal", max_length=3) == {
        "x": 5,
        "y": 5,
        "z": 3,
    }
    points = [Ballot("a", ("x", "y"), (2, 1)), Ballot("b", ("y",), (3,))]
    assert rules.scores({"x": 1, "y": 1}, points, "cumulative") == {"x": 2, "y": 4}
