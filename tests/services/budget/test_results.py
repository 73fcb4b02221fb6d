"""Results from the database go through ``rules.tally`` like ``pb tally``; pabulib files
round-trip through import and export; the commands' errors."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from lutetia.services.budget import actions, pabulib, rules, selectors
from lutetia.services.budget.models import Ballot, Campaign, Envelope, Project, Result
from tests.services.budget.conftest import PABULIB, costs, make_campaign, make_envelope
from tests.services.budget.test_command import WIELICZKA

pytestmark = pytest.mark.django_db
# (file, rule of the round trip): MES with add1, and greedy on knapsack, cumulative, ranked ballots
ROUND_TRIPS = [
    "poland_wieliczka_2023",
    "poland_warszawa_2019_sadul",
    "france_toulouse_2019_",
    "poland_krakow_2019_stare-miasto",
]


def pb(*args: str) -> str:
    out = StringIO()
    call_command("pb", *args, stdout=out)
    return out.getvalue()


def tally_file(path, rule, completion=None) -> dict:
    args = ["tally", str(path), "--rule", rule, "--json"]
    return json.loads(pb(*args, *(["--completion", completion] if completion else [])))


def outcome(envelope: Envelope) -> dict:
    """The stored result in ``pb tally --json`` shape (pabulib ids)."""
    result = envelope.result
    ids = dict(envelope.projects.values_list("pk", "external_id"))
    return {
        "selected": [ids[pk] or str(pk) for pk in result.selected],
        "cost": result.cost,
        "budget": result.budget,
    }


def test_wieliczka_from_the_database_is_the_official_outcome(instance):
    envelope = actions.import_pabulib(
        instance=instance("poland_wieliczka_2023"), campaign_slug="wieliczka", acting_user=None
    )
    campaign = envelope.campaign
    assert (campaign.rule, campaign.completion) == ("mes", "add1")
    assert envelope.ballot_type == "approval" and envelope.min_projects == 1
    assert envelope.ballots.filter(voter=None, source="paper").count() == len(
        instance("poland_wieliczka_2023").votes
    )
    actions.compute_results(envelope=envelope)
    assert outcome(envelope) == {"selected": WIELICZKA.split(), "cost": 995079, "budget": 1000000}
    explanations = envelope.result.explanations
    winner = Project.objects.get(envelope=envelope, external_id="24")
    assert explanations[str(winner.pk)]["selected"] is True
    assert explanations[str(winner.pk)]["payment"]  # what each supporter paid, exact text


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_export_reimport_and_tally_give_the_same_outcome(instance, tmp_path, name):
    original = instance(name)
    envelope = actions.import_pabulib(instance=original, campaign_slug=name, acting_user=None)
    rule, completion = envelope.campaign.rule, envelope.campaign.completion or None
    actions.compute_results(envelope=envelope)
    expected = tally_file(PABULIB / f"{name}.pb", rule, completion)
    assert outcome(envelope) == expected

    path = tmp_path / "export.pb"
    pb("export", envelope.campaign.slug, envelope.name, str(path))
    assert tally_file(path, rule, completion) == expected
    exported = pabulib.read(path)
    assert exported.vote_type == original.vote_type
    assert {p: exported.projects[p].fields["selected"] for p in exported.projects} == {
        p: str(int(p in expected["selected"])) for p in original.projects
    }
    pb("import", str(path), "--campaign", f"{name}-again")
    again = Envelope.objects.get(campaign__slug=f"{name}-again")
    assert (again.name, again.ballot_type, again.amount) == (
        envelope.name,
        envelope.ballot_type,
        envelope.amount,
    )
    assert (again.min_projects, again.max_projects, again.max_points) == (
        envelope.min_projects,
        envelope.max_projects,
        envelope.max_points,
    )
    pb("results", f"{name}-again")
    again.refresh_from_db()
    assert outcome(again) == expected


def test_export_scores_and_anonymous_voters(voter):
    envelope = make_envelope(make_campaign(), ballot_type="cumulative", max_points=3)
    first, second, _third = envelope.projects.order_by("pk")
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices={first: 2, second: 1})
    actions.record_paper_ballot(envelope=envelope, acting_user=None, choices={first: 3})
    text = selectors.export_pabulib(envelope=envelope)
    assert voter.email not in text
    exported = pabulib.parse(text.splitlines(keepends=True))
    assert exported.meta["max_sum_points"] == "3" and exported.vote_type == "cumulative"
    assert "selected" not in exported.projects[str(first.pk)].fields  # no result yet
    fields = exported.projects[str(first.pk)].fields
    assert (fields["votes"], fields["score"]) == ("2", "5")
    keys = {ballot.voter_id for ballot in exported.votes}
    assert keys == set(Ballot.objects.values_list("voter_key", flat=True))  # never the user's pk
    assert str(voter.pk) not in keys


def test_results_task_runs_on_commit(django_capture_on_commit_callbacks):
    campaign = make_campaign()
    envelope = make_envelope(campaign)
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_results(campaign=campaign, acting_user=None)
    assert Result.objects.get(envelope=envelope).selected  # greedy spends on unvoted projects
    actions_logged = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"lutetia.budget.results_requested", "lutetia.budget.results_computed"} <= actions_logged


def test_results_follow_scores_and_budget(voter):
    envelope = make_envelope(make_campaign(), costs=(300, 250, 250), amount=500)
    first, second, third = envelope.projects.order_by("pk")
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[second, third])
    actions.record_paper_ballot(envelope=envelope, acting_user=None, choices=[first, second])
    result = actions.compute_results(envelope=envelope)
    assert result.selected == [second.pk, third.pk] and result.cost == 500
    assert result.explanations[str(first.pk)]["lost_to"] == second.pk  # 250 left after it
    assert selectors.vote_counts(envelope) == {first.pk: 1, second.pk: 2, third.pk: 1}
    stored, projects = selectors.result_with_projects(envelope)
    assert stored == result and projects == [second, third, first]


def test_import_refuses_to_overwrite_and_unknown_rules(instance):
    sadul = instance("poland_warszawa_2019_sadul")
    actions.import_pabulib(instance=sadul, campaign_slug="sadul", acting_user=None)
    with pytest.raises(ValidationError, match="existe déjà"):
        actions.import_pabulib(instance=sadul, campaign_slug="sadul", acting_user=None)
    odd = pabulib.Instance({**sadul.meta, "rule": "phragmen"}, sadul.projects, sadul.votes)
    with pytest.raises(ValidationError, match="Règle phragmen inconnue"):
        actions.import_pabulib(instance=odd, campaign_slug="odd", acting_user=None)
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "missing.pb"), "cannot read the file"),
        (("export", "nope", "Tout Paris", "out.pb"), "No campaign 'nope'"),
        (("export", "bp-test", "Paris 12e", "out.pb"), "No envelope 'Paris 12e' in bp-test"),
        (("results", "bp-test", "Paris 12e"), "its envelopes: 'Tout Paris'"),
        (("export", "bp-test", "Tout Paris", "/nonexistent/dir/out.pb"), "cannot write"),
    ],
)
def test_command_errors(args, message):
    make_envelope(make_campaign())
    with pytest.raises(CommandError, match=message):
        pb(*args)


def test_import_of_an_existing_campaign_fails_cleanly(instance):
    path = str(PABULIB / "poland_warszawa_2019_sadul.pb")
    instance("poland_warszawa_2019_sadul")
    assert "Imported sadul-2019" in pb("import", path, "--campaign", "sadul-2019")
    with pytest.raises(CommandError, match="existe déjà"):
        pb("import", path, "--campaign", "sadul-2019")


def test_pb_tally_and_the_database_share_the_rules(instance):
    """The same ``rules.tally`` call: its outcome on the parsed file equals the stored one."""
    sadul = instance("poland_warszawa_2019_sadul")
    envelope = actions.import_pabulib(instance=sadul, campaign_slug="s", acting_user=None)
    result = actions.compute_results(envelope=envelope)
    direct = rules.tally(costs(sadul), sadul.votes, sadul.budget, "approval", "greedy")
    assert outcome(envelope)["selected"] == direct.selected and result.cost == direct.cost
