from fractions import Fraction

import pytest

from lutetia.services.budget import rules
from lutetia.services.budget.pabulib import Ballot
from tests.services.budget.conftest import INSTANCES, PABULIB, costs, official


def approval_sets(election):
    return [ballot.projects for ballot in election.votes]


def test_add1_reproduces_wieliczka_2023_exactly(instance):
    election = instance("poland_wieliczka_2023")
    assert election.meta["rule"] == "equalshares/add1"
    outcome = rules.equal_shares(
        costs(election), approval_sets(election), election.budget, completion="add1"
    )
    assert set(outcome.selected) == official(election)
    assert (len(outcome.selected), outcome.cost, outcome.budget) == (30, 995_079, 1_000_000)


def test_add1_on_wroclaw_fits_the_budget_where_plain_mes_selects_nothing(instance):
    election = instance("poland_wroclaw_2021_")
    plain = rules.equal_shares(costs(election), approval_sets(election), election.budget)
    assert plain.selected == []
    outcome = rules.equal_shares(
        costs(election), approval_sets(election), election.budget, completion="add1"
    )
    assert outcome.selected and outcome.cost <= election.budget


def _approval_instances():
    return [name for name in INSTANCES if "approval" in _vote_type(name)]


def _vote_type(name: str) -> str:
    path = PABULIB / f"{name}.pb"
    if not path.exists():
        return ""
    with open(path, encoding="utf-8") as stream:
        return next((line for line in stream if line.startswith("vote_type;")), "")


@pytest.mark.parametrize("name", _approval_instances())
def test_plain_mes_agrees_with_pabutools(instance, name):
    """pabutools (GPL) is a test-time reference only; the product never imports it."""
    pabutools = pytest.importorskip("pabutools.election")
    from pabutools.rules import method_of_equal_shares

    election = instance(name)
    reference_instance, profile = pabutools.parse_pabulib(str(PABULIB / f"{name}.pb"))
    reference = method_of_equal_shares(
        reference_instance, profile.as_multiprofile(), sat_class=pabutools.Cost_Sat
    )
    outcome = rules.equal_shares(costs(election), approval_sets(election), election.budget)
    assert outcome.selected == [project.name for project in reference]


def ballots(*approved: str) -> list[tuple[str, ...]]:
    return [tuple(projects.split(",")) if projects else () for projects in approved]


def test_supporters_share_the_cost_exactly_and_poorer_ones_pay_what_they_have():
    # 3 voters, 100 each. A (cost 150) is backed by all three: 50 each, rho = 1/3.
    # B (cost 120) by voters 1 and 2, who have 50 left: unaffordable, lost to A.
    outcome = rules.equal_shares({"A": 150, "B": 120}, ballots("A,B", "A,B", "A"), 300)
    assert outcome.selected == ["A"]
    assert outcome.explanations["A"].payment == 50
    assert outcome.explanations["A"].supporters_money == 300
    assert outcome.explanations["B"] == rules.Explanation(
        "B", False, 2, lost_to="A", supporters_money=Fraction(100)
    )


def test_shares_are_exact_where_floats_would_fall_short():
    # Ten voters with 1/10 each can pay exactly 1; summed as floats they hold 0.999...
    outcome = rules.equal_shares({"A": 1}, ballots(*["A"] * 10), 1)
    assert outcome.selected == ["A"]
    assert outcome.explanations["A"].payment == Fraction(1, 10)


def test_a_poor_supporter_pays_all_they_have_and_the_others_the_rest():
    # Five voters with 100 each. A (360, four supporters: rho 1/4) goes first, 90 each.
    # C (100, voters 1 and 5) then: voter 1 has 10 left and pays it, voter 5 pays 90.
    projects = {"A": 360, "C": 100}
    outcome = rules.equal_shares(projects, ballots("A,C", "A", "A", "A", "C"), 500)
    assert (outcome.selected, outcome.cost) == (["A", "C"], 460)
    assert outcome.explanations["C"].payment == 90
    assert outcome.explanations["C"].supporters_money == 110


def test_equal_rho_goes_to_the_cheaper_then_by_id():
    # Two voters with 50 each, one project each: every rho is 1 and one supporter each.
    outcome = rules.equal_shares({"10": 50, "9": 50}, ballots("10", "9"), 100)
    assert outcome.selected == ["9", "10"]  # same cost: numeric id order
    outcome = rules.equal_shares({"y": 50, "x": 40}, ballots("y", "x"), 100)
    assert outcome.selected == ["x", "y"]  # the cheaper first


def test_greedy_completion_spends_what_is_left():
    # Plain MES: each of 2 voters has 50; B (cost 60) has one supporter, never affordable.
    sets = ballots("A", "B")
    assert rules.equal_shares({"A": 40, "B": 60}, sets, 100).selected == ["A"]
    completed = rules.equal_shares({"A": 40, "B": 60}, sets, 100, completion="add1+greedy")
    assert (completed.selected, completed.cost) == (["A", "B"], 100)


def test_mes_refuses_ballots_it_does_not_support():
    ranked = [Ballot("1", ("A",))]
    with pytest.raises(rules.RuleError, match="needs approval ballots, not ordinal"):
        rules.tally({"A": 1}, ranked, 10, "ordinal", "mes")
    with pytest.raises(rules.RuleError, match="Completion applies"):
        rules.tally({"A": 1}, ranked, 10, "approval", "greedy", "add1")
    with pytest.raises(rules.RuleError, match="Unknown completion"):
        rules.equal_shares({"A": 1}, [("A",)], 10, completion="add2")


def test_every_project_of_wieliczka_is_explained(instance):
    election = instance("poland_wieliczka_2023")
    project_costs = costs(election)
    outcome = rules.equal_shares(
        project_costs, approval_sets(election), election.budget, completion="add1"
    )
    assert set(outcome.explanations) == set(project_costs)
    for project, why in outcome.explanations.items():
        if why.selected:
            assert why.supporters_money >= project_costs[project]
            assert why.payment * why.score >= project_costs[project]  # richest pay q
        else:
            assert why.supporters_money < project_costs[project]
            assert why.lost_to is None or outcome.explanations[why.lost_to].selected
    assert outcome.explanations["21"].lost_to == "6"  # 496 votes, dropped once 6 was paid
