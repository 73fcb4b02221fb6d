"""Casting ballots: each ballot type's rule, eligibility, changes, paper ballots, secrecy."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.core.districts.models import District
from lutetia.core.models import Role
from lutetia.services.budget import actions, selectors
from lutetia.services.budget.models import Ballot, BallotChoice, Project
from tests.factories import UserFactory, create_staff
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return make_campaign()


def projects(envelope) -> list[Project]:
    return list(envelope.projects.order_by("pk"))


def refused(envelope, voter, choices, message, on_ballot=None):
    with pytest.raises(ValidationError, match=message):
        actions.cast_ballot(
            envelope=envelope, acting_user=voter, choices=choices, on_ballot=on_ballot
        )
    assert not Ballot.objects.exists()
    assert not BallotChoice.objects.exists()


def test_approval_ballot_is_saved_with_its_choices(campaign, voter):
    envelope = make_envelope(campaign, max_projects=2)
    first, second, _third = projects(envelope)
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first, second.pk])
    assert ballot.voter == voter and ballot.source == "online" and len(ballot.voter_key) == 24
    assert set(ballot.choices.values_list("project", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize(("count", "message"), [(0, "au moins 1 projet"), (3, "au plus 2 projets")])
def test_approval_limits(campaign, voter, count, message):
    envelope = make_envelope(campaign, max_projects=2)
    refused(envelope, voter, projects(envelope)[:count], message)


@pytest.mark.parametrize("read", [False, True], ids=["queried", "read-by-the-page"])
def test_approval_refuses_duplicates_and_foreign_or_unfeasible_projects(campaign, voter, read):
    envelope = make_envelope(campaign)
    other = make_envelope(campaign, name="Paris 11e")
    first, second, third = projects(envelope)
    third.status = Project.Status.NOT_FEASIBLE
    third.save()
    on_ballot = selectors.ballot_projects(envelope) if read else None
    foreign = "pas soumis au vote dans cette enveloppe"
    refused(envelope, voter, [first, first], "figure deux fois", on_ballot)
    refused(envelope, voter, [first, projects(other)[0]], foreign, on_ballot)
    refused(envelope, voter, [second, third], foreign, on_ballot)
    refused(envelope, voter, ["abc"], foreign, on_ballot)


def test_knapsack_total_cost_within_the_envelope(campaign, voter):
    envelope = make_envelope(campaign, ballot_type="knapsack", amount=500)
    first, second, third = projects(envelope)
    refused(envelope, voter, [first, second, third], "coûtent 600 €, plus que les 500 €")
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[second, third])
    assert ballot.choices.count() == 2


def test_cumulative_points(campaign, voter):
    envelope = make_envelope(campaign, ballot_type="cumulative", max_points=5)
    first, second, third = projects(envelope)
    refused(envelope, voter, {first: 4, second: 2}, "Vous avez attribué 6 points ; vous en avez 5")
    refused(envelope, voter, {first: -1, second: 2}, "ne peuvent pas être négatifs")
    refused(envelope, voter, {first: "two"}, "nombres entiers")
    refused(envelope, voter, [first], "Indiquez un nombre")
    ballot = actions.cast_ballot(
        envelope=envelope, acting_user=voter, choices={first.pk: 3, second: "2", third: 0}
    )
    points = dict(ballot.choices.values_list("project", "points"))
    assert points == {first.pk: 3, second.pk: 2}  # no row for zero points


def test_ordinal_ranks(campaign, voter):
    envelope = make_envelope(campaign, ballot_type="ordinal", max_projects=2)
    first, second, third = projects(envelope)
    refused(envelope, voter, {first: 1, second: 1}, "chaque rang une seule fois")
    refused(envelope, voter, {first: 1, second: 3}, "chaque rang une seule fois")
    refused(envelope, voter, {first: 1, second: 2, third: 3}, "au plus 2 projets")
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices={third: 1, first: 2})
    assert list(ballot.choices.values_list("project", "rank")) == [(third.pk, 1), (first.pk, 2)]


def test_verification_level_is_required(campaign):
    envelope = make_envelope(campaign)
    refused(envelope, UserFactory(verification_level=1), projects(envelope)[:1], "habitant vérifié")
    refused(envelope, AnonymousUser(), projects(envelope)[:1], "habitant vérifié")


def test_district_envelopes_are_for_their_residents(campaign, voter):
    eleventh = District.objects.create(code="111", name="11e", geometry={})
    twentieth = District.objects.create(code="120", name="20e", geometry={})
    envelope = make_envelope(campaign, district=eleventh)
    voter.district = twentieth
    voter.save()
    refused(envelope, voter, projects(envelope)[:1], "Seuls les habitants de 11e")
    voter.district = eleventh
    voter.save()
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=projects(envelope)[:1])
    assert Ballot.objects.filter(voter=voter).count() == 1


@pytest.mark.parametrize("opens_in", [timedelta(days=1), timedelta(days=-30)])
def test_voting_must_be_open(voter, opens_in):
    campaign = make_campaign()
    campaign.voting_start = timezone.now() + opens_in
    campaign.voting_end = campaign.voting_start + timedelta(days=14)
    campaign.save()
    envelope = make_envelope(campaign)
    refused(envelope, voter, projects(envelope)[:1], "Le vote n'est pas ouvert")


def test_changing_a_ballot_replaces_its_choices(campaign, voter):
    envelope = make_envelope(campaign)
    first, second, third = projects(envelope)
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first, second])
    again = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[third])
    assert again.pk == ballot.pk and again.voter_key == ballot.voter_key
    assert list(BallotChoice.objects.values_list("project", flat=True)) == [third.pk]
    with pytest.raises(ValidationError):
        actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first, first])
    assert list(BallotChoice.objects.values_list("project", flat=True)) == [third.pk]


def test_a_detached_voter_casts_a_new_ballot(campaign, voter):
    envelope = make_envelope(campaign)
    first, second, _third = projects(envelope)
    detached = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])
    actions.detach_voter(user=voter, acting_user=None)
    ballot = actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[second])
    assert ballot.pk != detached.pk and Ballot.objects.get(voter=voter) == ballot
    assert list(ballot.choices.values_list("project", flat=True)) == [second.pk]
    assert list(detached.choices.values_list("project", flat=True)) == [first.pk]


def test_the_database_refuses_a_second_ballot_for_the_same_voter(campaign, voter):
    envelope = make_envelope(campaign)
    Ballot.objects.create(envelope=envelope, voter=voter, voter_key="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(envelope=envelope, voter=voter, voter_key="b")
    Ballot.objects.create(envelope=envelope, voter=None, voter_key="c")
    Ballot.objects.create(envelope=envelope, voter=None, voter_key="d")  # paper: no voter
    assert Ballot.objects.count() == 3


def test_audit_says_a_ballot_was_cast_or_changed_never_what_it_says(campaign, voter):
    envelope = make_envelope(campaign)
    first, second, _third = projects(envelope)
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[second])
    entries = ModelLogEntry.objects.filter(action__startswith="lutetia.budget.ballot")
    assert [e.action for e in entries.order_by("pk")] == [
        "lutetia.budget.ballot_cast",
        "lutetia.budget.ballot_changed",
    ]
    for entry in entries:
        assert entry.user_id == voter.pk
        assert entry.object_id == str(envelope.pk)  # the envelope, not the ballot
        assert entry.data == {}


def test_paper_ballots_need_the_permission_and_follow_the_rule(campaign, department):
    envelope = make_envelope(campaign, max_projects=2)
    first, second, third = projects(envelope)
    agent = create_staff(department, Role.AGENT)
    with pytest.raises(PermissionDenied):
        actions.record_paper_ballot(envelope=envelope, acting_user=agent, choices=[first])
    administrator = create_staff(department, Role.ADMINISTRATOR)
    with pytest.raises(ValidationError, match="au plus 2"):
        actions.record_paper_ballot(
            envelope=envelope, acting_user=administrator, choices=[first, second, third]
        )
    paper = actions.record_paper_ballot(
        envelope=envelope, acting_user=administrator, choices=[first, second]
    )
    again = actions.record_paper_ballot(
        envelope=envelope, acting_user=administrator, choices=[first]
    )
    assert paper.voter is None and paper.source == again.source == "paper"
    assert paper.voter_key != again.voter_key
    assert Ballot.objects.count() == 2


def test_paper_ballots_wait_for_the_vote():
    campaign = make_campaign(voting_open=False)
    envelope = make_envelope(campaign)
    with pytest.raises(ValidationError, match="entre l'ouverture du vote"):
        actions.record_paper_ballot(
            envelope=envelope, acting_user=None, choices=projects(envelope)[:1]
        )
