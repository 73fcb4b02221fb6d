"""The budget back office: campaigns and envelopes, feasibility review, paper ballots,
results and follow-up, each for the roles that should (and should not) reach it."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.core.models import Role
from lutetia.services.budget import actions
from lutetia.services.budget.models import Ballot, Campaign, Envelope, Project, Result
from tests.factories import create_staff
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


DATETIME = "%Y-%m-%d %H:%M"


def assert_refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with an error."""
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


def assert_login(response):
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


def audited(instance, action: str) -> bool:
    return ModelLogEntry.objects.filter(object_id=str(instance.pk), action=action).exists()


@pytest.fixture
def review_envelope(db):
    """An envelope of a campaign whose vote is ahead: feasibility reviews are open."""
    return make_envelope(make_campaign(slug="bp-review", voting_open=False), costs=())


@pytest.fixture
def project(review_envelope, department):
    return Project.objects.create(
        envelope=review_envelope, title="Fontaine rue Oberkampf", cost=1000, department=department
    )


def campaign_fields(**changes) -> dict:
    now = timezone.now()
    fields = {
        "name": "Budget 2027",
        "slug": "budget-2027",
        "ideas_start": now + timedelta(days=1),
        "ideas_end": now + timedelta(days=30),
        "review_end": now + timedelta(days=60),
        "voting_start": now + timedelta(days=90),
        "voting_end": now + timedelta(days=110),
        "rule": "greedy",
        "completion": "",
        "ideas_required_level": 1,
        **changes,
    }
    return {
        k: v.strftime(DATETIME) if hasattr(v, "strftime") else "" if v is None else v
        for k, v in fields.items()
    }


def form_of(campaign: Campaign, **changes) -> dict:
    fields = {name: getattr(campaign, name) for name in ("name", "slug", *Campaign.LOCKED_FIELDS)}
    return campaign_fields(**{**fields, **changes})


def envelope_fields(campaign, **changes) -> dict:
    return {
        "campaign": campaign.pk,
        "name": "Paris Centre",
        "district": "",
        "amount": 100_000,
        "ballot_type": "approval",
        "min_projects": 1,
        "max_projects": "",
        "max_points": "",
        "required_level": 2,
        **changes,
    }


# --- campaigns and envelopes ------------------------------------------------------------------


def test_campaign_screens_are_for_administrators(client, administrator, manager, agent, resident):
    campaign = make_campaign(voting_open=False)
    urls = [
        reverse("budget_campaigns:index"),
        reverse("budget_campaigns:add"),
        reverse("budget_campaigns:edit", args=[campaign.pk]),
        reverse("budget_envelopes:add"),
    ]
    for url in urls:
        assert_login(client.get(url))
    client.force_login(administrator)
    for url in urls:
        assert client.get(url).status_code == 200
    for user in (manager, agent):
        client.force_login(user)
        for url in urls[1:]:
            assert_refused(client.get(url))
    client.force_login(resident)
    assert_login(client.get(urls[0]))


def test_administrator_creates_a_campaign_and_its_envelope(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("budget_campaigns:add"), campaign_fields())
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="budget-2027")
    assert audited(campaign, "lutetia.budget.campaign_created")
    edit_url = reverse("budget_campaigns:edit", args=[campaign.pk])
    page = client.get(edit_url).content.decode()
    assert "This campaign has no envelope yet." in page
    assert f"{reverse('budget_envelopes:add')}?campaign={campaign.pk}" in page

    response = client.post(reverse("budget_envelopes:add"), envelope_fields(campaign))
    assert response.status_code == 302 and response.url == edit_url
    envelope = campaign.envelopes.get()
    assert audited(envelope, "lutetia.budget.envelope_created")
    assert "Paris Centre" in client.get(edit_url).content.decode()


def test_bad_phase_order_reshows_the_form(client, administrator):
    client.force_login(administrator)
    now = timezone.now()
    fields = campaign_fields(voting_start=now + timedelta(days=5))  # before the review ends
    response = client.post(reverse("budget_campaigns:add"), fields)
    assert response.status_code == 200
    assert "The phases must follow each other" in response.content.decode()
    assert not Campaign.objects.exists()


def test_equal_shares_refused_for_cumulative_and_ranked_envelopes(client, administrator):
    campaign = make_campaign(rule="mes", voting_open=False)
    client.force_login(administrator)
    for ballot_type, kind in (("cumulative", "cumulative ones"), ("ordinal", "ranked ones")):
        fields = envelope_fields(campaign, ballot_type=ballot_type, max_points=10)
        response = client.post(reverse("budget_envelopes:add"), fields)
        assert response.status_code == 200
        assert (
            f"The Method of Equal Shares needs approval or knapsack ballots, not {kind}."
            in response.content.decode()
        )
    assert not Envelope.objects.exists()


def test_save_campaign_error_shows_on_the_form(client, administrator):
    """Switching to MES with a cumulative envelope is refused by the action, on the form."""
    campaign = make_campaign(voting_open=False)
    make_envelope(campaign, ballot_type="cumulative", max_points=10)
    client.force_login(administrator)
    url = reverse("budget_campaigns:edit", args=[campaign.pk])
    response = client.post(url, form_of(campaign, rule="mes"))
    assert response.status_code == 200
    assert "not cumulative ones" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.rule == "greedy"


def test_settings_are_read_only_once_voting_has_started(client, administrator):
    campaign = make_campaign()
    envelope = make_envelope(campaign)
    client.force_login(administrator)
    url = reverse("budget_campaigns:edit", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert "the phases and the rule are locked" in page
    assert "Locked: voting has started" in page
    assert "Add an envelope" not in page
    voting_end = campaign.voting_end
    later = voting_end + timedelta(days=7)
    response = client.post(url, form_of(campaign, name="Budget renamed", voting_end=later))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Budget renamed"
    assert campaign.voting_end == voting_end  # the posted date is ignored

    envelope_url = reverse("budget_envelopes:edit", args=[envelope.pk])
    assert "the amount, the ballot type and the limits are locked" in (
        client.get(envelope_url).content.decode()
    )
    client.post(envelope_url, envelope_fields(campaign, name="Renamed", amount=1))
    envelope.refresh_from_db()
    assert (envelope.name, envelope.amount) == ("Renamed", 500)
    response = client.post(reverse("budget_envelopes:add"), envelope_fields(campaign))
    assert "no envelope can be added" in response.content.decode()


# --- results --------------------------------------------------------------------------------


def test_compute_results_button_counts_every_envelope(
    client, administrator, voter, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    envelope = make_envelope(campaign)
    first = envelope.projects.first()
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[first])
    client.force_login(administrator)
    results_url = reverse("budget_envelopes:results", args=[envelope.pk])
    assert "have not been computed yet" in client.get(results_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("budget_campaigns:compute", args=[campaign.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    result = Result.objects.get(envelope=envelope)
    assert result.selected[0] == first.pk and result.ballots == 1
    assert audited(campaign, "lutetia.budget.results_requested")
    page = client.get(results_url).content.decode()
    assert first.title in page
    assert "Ballots counted" in page
    assert (
        "Computed"
        in client.get(reverse("budget_campaigns:edit", args=[campaign.pk])).content.decode()
    )


def test_only_administrators_compute_results(
    client, manager, agent, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    make_envelope(campaign)
    for user in (manager, agent):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            assert_refused(client.post(reverse("budget_campaigns:compute", args=[campaign.pk])))
    assert not Result.objects.exists()
    client.logout()
    assert_login(client.post(reverse("budget_campaigns:compute", args=[campaign.pk])))


# --- feasibility review ----------------------------------------------------------------------


def test_review_queue_is_scoped_to_the_departments(
    client, agent, other_agent, administrator, resident, project, other_department
):
    theirs = Project.objects.create(
        envelope=project.envelope, title="Trottoir élargi", cost=500, department=other_department
    )
    index = reverse("budget_projects:index")
    client.force_login(agent)
    page = client.get(index).content.decode()
    assert project.title in page and theirs.title not in page
    assert_refused(client.get(reverse("budget_projects:edit", args=[theirs.pk])))
    assert client.get(reverse("budget_projects:edit", args=[project.pk])).status_code == 200
    client.force_login(administrator)
    page = client.get(index).content.decode()
    assert project.title in page and theirs.title in page
    client.force_login(resident)
    assert_login(client.get(index))
    client.logout()
    assert_login(client.get(index))


def test_review_queue_filters(client, administrator, project, other_department):
    other_campaign = make_campaign(slug="bp-other", voting_open=False)
    elsewhere = Project.objects.create(
        envelope=make_envelope(other_campaign, costs=()),
        title="Éclairage du square",
        cost=800,
        department=other_department,
        status=Project.Status.FEASIBLE,
    )
    client.force_login(administrator)
    index = reverse("budget_projects:index")
    filters = [
        {"campaign": project.envelope.campaign_id},
        {"envelope": project.envelope_id},
        {"status": "submitted"},
        {"department": project.department_id},
    ]
    for values in filters:
        page = client.get(index, values).content.decode()
        assert project.title in page and elsewhere.title not in page, values
    page = client.get(index, {"status": "feasible"}).content.decode()
    assert elsewhere.title in page and project.title not in page


def test_review_queue_query_count_does_not_grow(
    client, agent, project, django_assert_max_num_queries
):
    client.force_login(agent)
    index = reverse("budget_projects:index")
    client.get(index)  # warm the caches (content types, site settings)
    with django_assert_max_num_queries(40) as few:
        client.get(index)
    for number in range(10):
        Project.objects.create(
            envelope=project.envelope,
            title=f"Projet {number}",
            cost=100,
            department=project.department,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(index).status_code == 200


def test_not_feasible_needs_an_explanation(client, agent, project):
    client.force_login(agent)
    url = reverse("budget_projects:edit", args=[project.pk])
    response = client.post(url, {"form": "review", "review-feasible": "no"})
    assert response.status_code == 200
    assert "Explain why the project is not feasible" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    assert not audited(project, "lutetia.budget.project_reviewed")

    fields = {
        "form": "review",
        "review-feasible": "no",
        "review-explanation": "La chaussée ne le permet pas.",
        "review-notes": "Voir avec la voirie.",
    }
    assert client.post(url, fields).status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.NOT_FEASIBLE
    assert project.feasibility_explanation == "La chaussée ne le permet pas."
    assert project.review_notes == "Voir avec la voirie."
    assert audited(project, "lutetia.budget.project_reviewed")


def test_feasible_review_sets_the_cost_on_the_ballot(client, agent, project):
    client.force_login(agent)
    url = reverse("budget_projects:edit", args=[project.pk])
    fields = {"form": "review", "review-feasible": "yes", "review-cost_estimate": "1500"}
    assert client.post(url, fields).status_code == 302
    project.refresh_from_db()
    assert (project.status, project.cost, project.cost_estimate) == ("feasible", 1500, 1500)
    entry = ModelLogEntry.objects.get(
        object_id=str(project.pk), action="lutetia.budget.project_reviewed"
    )
    assert entry.user_id == agent.pk
    assert entry.data["after"]["status"] == "feasible"


def test_review_is_scoped_and_closes_when_voting_starts(other_agent, agent, project):
    with pytest.raises(PermissionDenied):
        actions.review_project(
            project=project,
            feasible=True,
            explanation="",
            cost_estimate=None,
            notes="",
            acting_user=other_agent,
        )
    campaign = project.envelope.campaign
    Campaign.objects.filter(pk=campaign.pk).update(voting_start=timezone.now())
    project.envelope.campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="feasibility reviews are closed"):
        actions.review_project(
            project=project,
            feasible=True,
            explanation="",
            cost_estimate=None,
            notes="",
            acting_user=agent,
        )


def test_review_form_is_gone_once_voting_has_started(client, agent, project):
    Campaign.objects.filter(pk=project.envelope.campaign_id).update(voting_start=timezone.now())
    client.force_login(agent)
    url = reverse("budget_projects:edit", args=[project.pk])
    page = client.get(url).content.decode()
    assert 'name="review-feasible"' not in page
    assert "feasibility reviews are closed" in page
    assert_refused(client.post(url, {"form": "review", "review-feasible": "yes"}))


def test_only_feasible_projects_go_to_the_vote(agent, voter, project):
    """A project judged not feasible cannot be chosen on a ballot."""
    actions.review_project(
        project=project,
        feasible=False,
        explanation="Hors compétence de la ville.",
        cost_estimate=None,
        notes="",
        acting_user=agent,
    )
    with pytest.raises(ValidationError, match="not on this envelope's ballot"):
        actions.clean_choices(project.envelope, [project])


def test_administrator_assigns_a_department(
    client, administrator, agent, project, other_department
):
    url = reverse("budget_projects:edit", args=[project.pk])
    client.force_login(agent)
    assert 'name="assign-department"' not in client.get(url).content.decode()
    assert_refused(client.post(url, {"form": "assign", "assign-department": other_department.pk}))
    client.force_login(administrator)
    client.post(url, {"form": "assign", "assign-department": other_department.pk})
    project.refresh_from_db()
    assert project.department == other_department
    entry = ModelLogEntry.objects.get(
        object_id=str(project.pk), action="lutetia.budget.project_changed"
    )
    assert entry.data["after"] == {"department": other_department.pk}


# --- follow-up -------------------------------------------------------------------------------


@pytest.fixture
def winner(department):
    envelope = make_envelope(make_campaign(slug="bp-done"), costs=())
    return Project.objects.create(
        envelope=envelope,
        title="Cour oasis",
        cost=300,
        status=Project.Status.SELECTED,
        department=department,
    )


def test_manager_follows_up_a_winning_project(client, manager, winner):
    client.force_login(manager)
    url = reverse("budget_projects:edit", args=[winner.pk])
    fields = {"form": "execution", "execution-execution_status": "works"}
    response = client.post(url, {**fields, "execution-amount_spent": "120"})
    assert response.status_code == 302
    winner.refresh_from_db()
    assert (winner.execution_status, winner.amount_spent) == ("works", 120)
    entry = ModelLogEntry.objects.get(
        object_id=str(winner.pk), action="lutetia.budget.execution_updated"
    )
    assert entry.data["after"] == {"execution_status": "works", "amount_spent": 120}
    response = client.post(url, {**fields, "execution-amount_spent": "-5"})
    assert response.status_code == 200
    winner.refresh_from_db()
    assert winner.amount_spent == 120


def test_follow_up_needs_the_department_and_a_winner(
    client, agent, department, other_department, winner, project
):
    client.force_login(agent)  # agents review, they do not change projects
    url = reverse("budget_projects:edit", args=[winner.pk])
    assert 'name="execution-execution_status"' not in client.get(url).content.decode()
    assert_refused(client.post(url, {"form": "execution", "execution-execution_status": "works"}))
    other_manager = create_staff(other_department, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        actions.update_execution(
            project=winner, execution_status="works", amount_spent=None, acting_user=other_manager
        )
    manager = create_staff(department, Role.MANAGER)
    with pytest.raises(ValidationError, match="Only projects selected by the vote"):
        actions.update_execution(
            project=project, execution_status="works", amount_spent=None, acting_user=manager
        )


# --- paper ballots ---------------------------------------------------------------------------


def test_paper_ballot_screens_are_for_administrators(client, administrator, manager, agent):
    envelope = make_envelope(make_campaign())
    urls = [
        reverse("budget_paper_ballots:index"),
        reverse("budget_paper_ballots:add", args=[envelope.pk]),
    ]
    for url in urls:
        assert_login(client.get(url))
    for user in (manager, agent):
        client.force_login(user)
        for url in urls:
            assert_refused(client.get(url))
    client.force_login(administrator)
    assert envelope.name in client.get(urls[0]).content.decode()
    assert client.get(urls[1]).status_code == 200


def test_paper_approval_ballot(client, administrator):
    envelope = make_envelope(make_campaign(), ballot_type="knapsack")  # costs 100, 200, 300
    first, second, third = envelope.projects.all()
    client.force_login(administrator)
    url = reverse("budget_paper_ballots:add", args=[envelope.pk])
    response = client.post(url, {"projects": [first.pk, second.pk, third.pk]})
    assert response.status_code == 200
    assert "more than the envelope" in response.content.decode()
    response = client.post(url, {})
    assert "Choose at least 1 project." in response.content.decode()
    assert not Ballot.objects.exists()
    assert client.post(url, {"projects": [first.pk, third.pk]}).status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.source == Ballot.Source.PAPER and ballot.voter is None
    assert {c.project_id for c in ballot.choices.all()} == {first.pk, third.pk}
    assert "1 paper ballot recorded" in client.get(url).content.decode()


def test_paper_cumulative_and_ranked_ballots(client, administrator):
    campaign = make_campaign()
    cumulative = make_envelope(campaign, name="Points", ballot_type="cumulative", max_points=5)
    ranked = make_envelope(campaign, name="Rangs", ballot_type="ordinal")
    client.force_login(administrator)
    a, b, _c = cumulative.projects.all()
    url = reverse("budget_paper_ballots:add", args=[cumulative.pk])
    response = client.post(url, {f"project_{a.pk}": 4, f"project_{b.pk}": 3})
    assert "You gave 7 points; you have 5." in response.content.decode()
    assert client.post(url, {f"project_{a.pk}": 4, f"project_{b.pk}": 1}).status_code == 302
    assert sorted(Ballot.objects.get().choices.values_list("points", flat=True)) == [1, 4]

    x, y, _z = ranked.projects.all()
    url = reverse("budget_paper_ballots:add", args=[ranked.pk])
    response = client.post(url, {f"project_{x.pk}": 1, f"project_{y.pk}": 3})
    assert "each rank once" in response.content.decode()
    assert client.post(url, {f"project_{x.pk}": 2, f"project_{y.pk}": 1}).status_code == 302
    ballot = ranked.ballots.get()
    assert list(ballot.choices.values_list("project_id", flat=True)) == [y.pk, x.pk]


def test_paper_ballot_refused_before_the_vote(client, administrator):
    envelope = make_envelope(make_campaign(voting_open=False))
    client.force_login(administrator)
    response = client.post(
        reverse("budget_paper_ballots:add", args=[envelope.pk]),
        {"projects": [envelope.projects.first().pk]},
    )
    assert response.status_code == 200
    assert "Paper ballots are recorded between" in response.content.decode()
    assert not Ballot.objects.exists()


# --- menu ------------------------------------------------------------------------------------


def test_menu_entries_follow_permissions(client, administrator, agent):
    client.force_login(agent)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("budget_projects:index") in home
    assert reverse("budget_campaigns:index") not in home
    assert reverse("budget_paper_ballots:index") not in home
    client.force_login(administrator)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in ("budget_campaigns:index", "budget_projects:index", "budget_paper_ballots:index"):
        assert reverse(name) in home


def test_demo_projects_have_a_department_in_charge():
    call_command("demo")
    assert not Project.objects.filter(department=None).exists()
    assert Project.objects.filter(department__code="espaces-verts").exists()
