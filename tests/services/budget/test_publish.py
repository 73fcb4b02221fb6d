"""Publishing a campaign's results: when it is allowed, what it marks, who may do it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lutetia.core.models import Role
from lutetia.services.budget import actions
from lutetia.services.budget.models import Campaign, Project
from tests.factories import UserFactory, create_staff
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def campaign():
    return make_campaign()


@pytest.fixture
def envelope(campaign):
    """100, 200 and 300 € in 350 €: approved by 3, 2 and 1 voters, the first two win."""
    envelope = make_envelope(campaign, amount=350)
    first, second, third = envelope.projects.order_by("pk")
    for choices in ([first, second, third], [first, second], [first]):
        voter = UserFactory(verification_level=2)
        actions.cast_ballot(envelope=envelope, acting_user=voter, choices=choices)
    Project.objects.create(envelope=envelope, title="Draft", cost=50, status="submitted")
    return envelope


def close_vote(campaign: Campaign) -> None:
    campaign.voting_end = timezone.now() - timedelta(minutes=1)
    campaign.save(update_fields=["voting_end"])


def statuses(envelope) -> dict[str, str]:
    return dict(envelope.projects.values_list("title", "status"))


def refused(campaign, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        actions.publish_results(campaign=campaign, acting_user=None)
    assert error.value.code == code
    campaign.refresh_from_db()
    assert campaign.results_published_at is None


def test_refused_before_voting_closes(campaign, envelope):
    actions.compute_results(envelope=envelope)
    refused(campaign, "voting_not_closed")
    assert set(statuses(envelope).values()) == {"feasible", "submitted"}


def test_refused_while_an_envelope_has_no_result(campaign, envelope):
    make_envelope(campaign, name="Paris 11e")
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    refused(campaign, "no_result")
    assert set(statuses(envelope).values()) == {"feasible", "submitted"}


def test_refused_when_a_ballot_came_after_the_count(campaign, envelope, administrator):
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    first = envelope.projects.order_by("pk").first()
    actions.record_paper_ballot(envelope=envelope, acting_user=administrator, choices=[first])
    refused(campaign, "stale_result")
    actions.compute_results(envelope=envelope)
    actions.publish_results(campaign=campaign, acting_user=administrator)


def test_statuses_follow_the_result_and_publication_is_audited(campaign, envelope):
    close_vote(campaign)
    result = actions.compute_results(envelope=envelope)
    actions.publish_results(campaign=campaign, acting_user=None)

    campaign.refresh_from_db()
    assert campaign.results_published_at <= timezone.now()
    selected = set(envelope.projects.filter(status="selected").values_list("pk", flat=True))
    assert selected == set(result.selected) and len(selected) == 2
    assert statuses(envelope) == {
        "Project 1": "selected",
        "Project 2": "selected",
        "Project 3": "rejected",
        "Draft": "submitted",  # never on the ballot: untouched
    }
    [entry] = ModelLogEntry.objects.filter(
        object_id=str(campaign.pk), action="lutetia.budget.results_published"
    )
    assert entry.data == {"selected": 2, "rejected": 1}


def test_publishing_twice_is_refused(campaign, envelope):
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    actions.publish_results(campaign=campaign, acting_user=None)
    published_at = Campaign.objects.get(pk=campaign.pk).results_published_at
    with pytest.raises(ValidationError) as error:
        actions.publish_results(campaign=campaign, acting_user=None)
    assert error.value.code == "published"
    assert Campaign.objects.get(pk=campaign.pk).results_published_at == published_at


def test_residents_see_the_results_and_the_winners_follow_up(client, campaign, envelope):
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    results_url = reverse("budget:results", args=[envelope.pk])
    assert "The results are not published yet." in client.get(results_url).content.decode()
    assert "Project 1" not in client.get(reverse("budget:follow_up")).content.decode()

    actions.publish_results(campaign=campaign, acting_user=None)
    page = client.get(results_url).content.decode()
    assert "3 ballots counted." in page and "Project 1" in page
    follow_up = client.get(reverse("budget:follow_up")).content.decode()
    assert "Project 1" in follow_up and "Project 2" in follow_up
    assert "Project 3" not in follow_up


def test_agents_may_not_publish(campaign, envelope, agent):
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    with pytest.raises(PermissionDenied):
        actions.publish_results(campaign=campaign, acting_user=agent)


# --- back office ----------------------------------------------------------------------------


def edit_page(client, campaign) -> str:
    return client.get(reverse("budget_campaigns:edit", args=[campaign.pk])).content.decode()


def test_administrator_publishes_from_the_campaign_page(client, administrator, campaign, envelope):
    client.force_login(administrator)
    publish_url = reverse("budget_campaigns:publish", args=[campaign.pk])
    actions.compute_results(envelope=envelope)
    assert publish_url not in edit_page(client, campaign)  # voting still open

    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    assert publish_url in edit_page(client, campaign)
    response = client.post(publish_url, follow=True)
    assert "The results are published." in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).results_published_at is not None
    assert statuses(envelope)["Project 1"] == "selected"
    page = edit_page(client, campaign)
    assert publish_url not in page and "Results published" in page


def test_publish_errors_are_shown(client, administrator, campaign, envelope):
    client.force_login(administrator)
    response = client.post(reverse("budget_campaigns:publish", args=[campaign.pk]), follow=True)
    assert "Voting has not closed yet" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).results_published_at is None


def test_agents_and_managers_are_refused(client, agent, department, campaign, envelope):
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    for user in (agent, create_staff(department, Role.MANAGER)):
        client.force_login(user)
        response = client.post(reverse("budget_campaigns:publish", args=[campaign.pk]))
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert Campaign.objects.get(pk=campaign.pk).results_published_at is None


def test_anonymous_visitors_get_the_results_page_from_the_page_cache(
    client, campaign, envelope, administrator, django_capture_on_commit_callbacks
):
    address = reverse("budget:results", args=[envelope.pk])
    close_vote(campaign)
    actions.compute_results(envelope=envelope)
    assert "not published yet" in client.get(address).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_results(campaign=campaign, acting_user=administrator)
    published = client.get(address).content.decode()
    assert "ballots counted" in published  # publication dropped the cached "pending" page

    Project.objects.filter(envelope=envelope).update(title="Renamed")
    Campaign.objects.filter(pk=campaign.pk).update(name="Renamed campaign")
    assert client.get(address).content.decode() == published  # served whole from the cache
    client.force_login(UserFactory())
    assert "Renamed campaign" in client.get(address).content.decode()  # sessions bypass it
