"""Campaign settings: validated, and frozen once voting has started; the service's manifest."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from lutetia.accounts.actions import delete_account
from lutetia.accounts.personal_data import export_personal_data
from lutetia.core.models import Role
from lutetia.core.roles import permissions_for
from lutetia.services.budget import actions, demo
from lutetia.services.budget.account import account_items
from lutetia.services.budget.models import (
    Ballot,
    BallotChoice,
    Campaign,
    Envelope,
    Idea,
    Project,
)
from tests.factories import create_staff
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = pytest.mark.django_db


def test_campaign_changes_are_refused_once_voting_has_started():
    campaign = make_campaign()
    campaign.voting_end += timedelta(days=7)
    with pytest.raises(ValidationError, match="Le vote a commencé"):
        actions.save_campaign(campaign=campaign, acting_user=None)
    campaign.refresh_from_db()
    campaign.rule = "mes"
    with pytest.raises(ValidationError, match="Le vote a commencé"):
        actions.save_campaign(campaign=campaign, acting_user=None)
    campaign.refresh_from_db()
    campaign.name = "Budget participatif, édition 2026"  # the name is not a setting
    actions.save_campaign(campaign=campaign, acting_user=None)
    assert Campaign.objects.get().name == campaign.name


def test_envelopes_and_ballot_projects_are_frozen_during_the_vote():
    campaign = make_campaign()
    envelope = make_envelope(campaign)
    envelope.amount = 1000
    with pytest.raises(ValidationError, match="Le vote a commencé"):
        actions.save_envelope(envelope=envelope, acting_user=None)
    with pytest.raises(ValidationError, match="plus aucune enveloppe"):
        actions.save_envelope(
            envelope=Envelope(campaign=campaign, name="Paris 12e", amount=10), acting_user=None
        )
    project = envelope.projects.first()
    project.cost = 1
    with pytest.raises(ValidationError, match="projets soumis au vote"):
        actions.save_project(project=project, acting_user=None)
    project.refresh_from_db()
    project.execution_status = Project.Execution.STUDY
    actions.save_project(project=project, acting_user=None)


def test_settings_change_freely_before_the_vote():
    campaign = make_campaign(voting_open=False)
    envelope = make_envelope(campaign)
    campaign.rule, campaign.completion = "mes", "add1"
    actions.save_campaign(campaign=campaign, acting_user=None)
    envelope.amount = 1000
    actions.save_envelope(envelope=envelope, acting_user=None)
    assert Envelope.objects.get().amount == 1000


def test_mes_is_refused_for_cumulative_and_ranked_envelopes():
    campaign = make_campaign(voting_open=False, rule="mes")
    envelope = Envelope(campaign=campaign, name="x", amount=10, ballot_type="ordinal")
    with pytest.raises(ValidationError, match="parts égales demande des bulletins d'approbation"):
        actions.save_envelope(envelope=envelope, acting_user=None)
    greedy = make_campaign(slug="other", voting_open=False)
    make_envelope(greedy, ballot_type="cumulative", max_points=5)
    greedy.rule = "mes"
    with pytest.raises(ValidationError, match="pas des bulletins cumulatifs"):
        actions.save_campaign(campaign=greedy, acting_user=None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rule": "greedy", "completion": "add1"}, "Le complément ne s'applique"),
        ({"voting_end_before_start": True}, "doivent se suivre"),
    ],
)
def test_campaign_validation(fields, message):
    campaign = make_campaign(voting_open=False)
    if fields.pop("voting_end_before_start", False):
        campaign.voting_end = campaign.voting_start - timedelta(days=1)
    for name, value in fields.items():
        setattr(campaign, name, value)
    with pytest.raises(ValidationError, match=message):
        actions.save_campaign(campaign=campaign, acting_user=None)


def test_settings_need_the_administrators_permissions(department):
    manager = create_staff(department, Role.MANAGER)
    campaign = make_campaign(voting_open=False)
    with pytest.raises(PermissionDenied):
        actions.save_campaign(campaign=campaign, acting_user=manager)
    project = make_envelope(campaign).projects.first()
    actions.save_project(project=project, acting_user=manager)  # managers judge feasibility


def test_role_permissions():
    assert "budget.view_project" in permissions_for(Role.AGENT)
    assert "budget.change_project" not in permissions_for(Role.AGENT)
    assert "budget.change_project" in permissions_for(Role.MANAGER)
    assert {"budget.add_paper_ballot", "budget.change_campaign"} <= permissions_for(
        Role.ADMINISTRATOR
    )


def test_personal_data_export_and_erase(voter):
    envelope = make_envelope(make_campaign())
    first = envelope.projects.first()
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])
    [item] = account_items(voter)
    assert item.title == "Campaign bp-test — Tout Paris"
    assert item.url == reverse("budget:envelope", args=[envelope.pk])
    [exported] = export_personal_data(voter)["services"]["budget"]["ballots"]
    assert exported["envelope"] == "Tout Paris"
    assert exported["choices"] == [{"project": "Project 1", "points": None, "rank": None}]

    delete_account(user=voter, acting_user=voter)
    ballot.refresh_from_db()
    assert ballot.voter is None and ballot.voter_key  # still counted, anonymous
    assert BallotChoice.objects.filter(ballot=ballot).count() == 1
    assert account_items(voter) == []
    assert actions.compute_results(envelope=envelope).ballots == 1


def test_demo_loader_is_idempotent():
    call_command("demo")
    counts = (
        Campaign.objects.count(),
        Envelope.objects.count(),
        Project.objects.count(),
        Ballot.objects.count(),
        Idea.objects.count(),
    )
    call_command("demo")
    assert counts == (2, 5, 11, 2, 4)  # 2027: ideas phase, 4 ideas, 2 merged into a project
    assert (
        Campaign.objects.count(),
        Envelope.objects.count(),
        Project.objects.count(),
        Ballot.objects.count(),
        Idea.objects.count(),
    ) == counts
    campaign = Campaign.objects.get(slug=demo.SLUG)
    assert campaign.voting_open and campaign.settings_locked
    assert campaign.envelopes.filter(district__isnull=False).count() == 2
    assert all(b.voter.verification_level == 2 for b in Ballot.objects.select_related("voter"))
