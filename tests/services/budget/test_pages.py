"""Residents' pages of the participatory budget: campaigns, voting, results, follow-up.

English texts are checked on the /en/ pages (the French ones follow the translations).
"""

import re
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lutetia.core.districts.models import District
from lutetia.services.budget import actions
from lutetia.services.budget.models import Ballot, Project, Result
from lutetia.services.budget.views import BALLOTS_PER_USER_PER_HOUR
from tests.conftest import public_url
from tests.factories import UserFactory
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = pytest.mark.django_db


def url(name, *args, language=""):
    return public_url(f"budget:{name}", *args, language=language)


@pytest.fixture
def campaign():
    return make_campaign()


@pytest.fixture
def envelope(campaign):
    """Approval, 500 €, projects costing 100, 200 and 300 €."""
    return make_envelope(campaign, max_projects=2)


def projects(envelope):
    return list(envelope.projects.order_by("pk"))


def post_ballot(client, envelope, action="vote", language="", **data):
    return client.post(url("envelope", envelope.pk, language=language), {"action": action, **data})


def text(response) -> str:
    return response.content.decode()


# --- pages render ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "en"])
def test_every_page_renders(client, envelope, language):
    first = projects(envelope)[0]
    first.status = Project.Status.SELECTED
    first.execution_status = Project.Execution.WORKS
    first.save()
    _publish(envelope)
    names = [
        ("index",),
        ("campaign", envelope.campaign.slug),
        ("envelope", envelope.pk),
        ("results", envelope.pk),
        ("project", first.pk),
        ("follow_up",),
        ("follow_up_geojson",),
    ]
    for name, *args in names:
        response = client.get(url(name, *args, language=language))
        assert response.status_code == 200, name
    page = text(client.get(url("index", language=language)))
    assert envelope.name in page and 'aria-current="step"' in page
    assert "500" in page


def test_index_shows_phases_and_envelopes_in_english(client, campaign):
    district = District.objects.create(code="111", name="11e", geometry={})
    make_envelope(campaign)
    make_envelope(campaign, name="Paris 11e", district=district, amount=300_000)
    page = text(client.get(url("index", language="en")))
    assert "Voting" in page and "Under way" in page
    assert page.index("Tout Paris") < page.index("Paris 11e")
    assert "City-wide" in page and "District: 11e" in page
    assert "300,000 €" in page


def test_project_page_shows_the_follow_up_of_a_winner(client, envelope):
    winner = projects(envelope)[0]
    winner.status = Project.Status.SELECTED
    winner.execution_status = Project.Execution.PROCUREMENT
    winner.latitude, winner.longitude = 48.86, 2.38
    winner.save()
    page = text(client.get(url("project", winner.pk, language="en")))
    assert "Selected by the vote" in page
    current = re.search(r'<li[^>]*aria-current="step"[^>]*>([^<]*)<', page)
    assert current.group(1) == "Procurement"
    follow_up = text(client.get(url("follow_up", language="en")))
    assert winner.title in follow_up and "Procurement" in follow_up
    assert 'data-geojson="/en/budget-participatif/suivi/projets.geojson"' in follow_up
    features = client.get(url("follow_up_geojson")).json()["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[2.38, 48.86]]
    assert features[0]["properties"]["url"] == url("project", winner.pk)


def test_projects_off_the_ballot_are_not_shown(client, envelope):
    draft = Project.objects.create(envelope=envelope, title="Draft", cost=10, status="submitted")
    assert client.get(url("project", draft.pk)).status_code == 404
    assert "Draft" not in text(client.get(url("envelope", envelope.pk)))


# --- voting --------------------------------------------------------------------------------


BALLOT_TYPES = {
    # ballot type: (envelope fields, valid form data for projects costing 100, 200, 300 €)
    "approval": ({"max_projects": 2}, lambda p: {"projects": [p[0].pk, p[1].pk]}),
    "knapsack": ({}, lambda p: {"projects": [p[0].pk, p[1].pk]}),
    "cumulative": (
        {"max_points": 10},
        lambda p: {f"points_{p[0].pk}": "7", f"points_{p[2].pk}": "3"},
    ),
    "ordinal": ({}, lambda p: {f"rank_{p[2].pk}": "1", f"rank_{p[0].pk}": "2"}),
}
INVALID = {
    "approval": lambda p: {"projects": [p[0].pk, p[1].pk, p[2].pk]},
    "knapsack": lambda p: {"projects": [p[1].pk, p[2].pk, p[0].pk]},
    "cumulative": lambda p: {f"points_{p[0].pk}": "8", f"points_{p[2].pk}": "3"},
    "ordinal": lambda p: {f"rank_{p[2].pk}": "1", f"rank_{p[0].pk}": "1"},
}


def typed_envelope(campaign, kind):
    fields, _valid = BALLOT_TYPES[kind]
    return make_envelope(campaign, name=kind, ballot_type=kind, **fields)


def stored_choices(ballot):
    return {choice.project_id: choice.points or choice.rank for choice in ballot.choices.all()}


@pytest.mark.parametrize("kind", BALLOT_TYPES)
def test_a_valid_ballot_is_recorded_and_confirmed(client, campaign, voter, kind):
    envelope = typed_envelope(campaign, kind)
    client.force_login(voter)
    data = BALLOT_TYPES[kind][1](projects(envelope))
    response = post_ballot(client, envelope, **data)
    assert response.status_code == 302
    assert response.url == url("voted", envelope.pk)
    ballot = Ballot.objects.get(envelope=envelope, voter=voter)
    if kind in ("approval", "knapsack"):
        expected = dict.fromkeys(data["projects"])
    else:
        expected = {int(key.split("_")[1]): int(value) for key, value in data.items()}
    assert stored_choices(ballot) == expected
    confirmation = text(client.get(response.url))
    for project in envelope.projects.filter(pk__in=expected):
        assert project.title in confirmation


@pytest.mark.parametrize("kind", BALLOT_TYPES)
def test_a_ballot_breaking_the_rule_is_reshown_with_its_choices(client, campaign, voter, kind):
    envelope = typed_envelope(campaign, kind)
    client.force_login(voter)
    data = INVALID[kind](projects(envelope))
    response = post_ballot(client, envelope, language="en", **data)
    assert response.status_code == 200
    page = text(response)
    assert "error-summary" in page
    message = {
        "approval": "Choose at most 2 projects.",
        "knapsack": "The chosen projects cost 600",
        "cumulative": "You gave 11 points; you have 10.",
        "ordinal": "each rank once",
    }[kind]
    assert message in page
    _assert_kept(page, data)
    assert not Ballot.objects.exists()


def _assert_kept(page, data):
    """Every submitted choice is still ticked, typed or selected on the page."""
    for name, value in data.items():
        if name == "projects":
            for pk in value:
                assert re.search(rf'value="{pk}" id="project-{pk}"[^>]*checked', page)
        elif name.startswith("points"):
            assert re.search(rf'name="{name}" value="{value}"', page)
        else:
            select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
            assert f'value="{value}" selected' in select


def test_fields_that_do_not_parse_are_reported_next_to_the_field(client, campaign, voter):
    envelope = typed_envelope(campaign, "cumulative")
    client.force_login(voter)
    first = projects(envelope)[0]
    response = post_ballot(client, envelope, **{f"points_{first.pk}": "-2"})
    page = text(response)
    assert f'href="#id_points_{first.pk}"' in page
    assert f'id="id_points_{first.pk}_error"' in page
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("kind", BALLOT_TYPES)
def test_checking_shows_totals_and_saves_nothing(client, campaign, voter, kind):
    envelope = typed_envelope(campaign, kind)
    client.force_login(voter)
    data = BALLOT_TYPES[kind][1](projects(envelope))
    response = post_ballot(client, envelope, action="check", language="en", **data)
    assert response.status_code == 200
    page = text(response)
    assert "follow the rules of this envelope" in page
    assert '<strong data-total="count">2</strong>' in page
    _assert_kept(page, data)
    assert not Ballot.objects.exists()


def test_knapsack_totals_against_the_envelope(client, campaign, voter):
    envelope = typed_envelope(campaign, "knapsack")
    client.force_login(voter)
    p = projects(envelope)
    page = text(post_ballot(client, envelope, action="check", projects=[p[1].pk, p[2].pk]))
    assert '<strong data-total="cost">500</strong>' in page
    assert '<strong data-total="left">0</strong>' in page
    over = text(post_ballot(client, envelope, action="check", projects=[pj.pk for pj in p]))
    assert '<strong data-total="left">-100</strong>' in over
    assert re.search(r'data-warning="over_budget"(?! hidden)', over)
    assert "error-summary" in over
    assert not Ballot.objects.exists()


def test_cumulative_points_left(client, campaign, voter):
    envelope = typed_envelope(campaign, "cumulative")
    client.force_login(voter)
    first = projects(envelope)[0]
    page = text(post_ballot(client, envelope, action="check", **{f"points_{first.pk}": "4"}))
    assert '<strong data-total="points">4</strong>' in page
    assert '<strong data-total="points_left">6</strong>' in page


def test_the_ballot_page_loads_its_script_without_inline_code(client, envelope, voter):
    client.force_login(voter)
    page = text(client.get(url("envelope", envelope.pk)))
    assert '<script src="/static/budget/js/ballot.js" defer></script>' in page
    assert "<script>" not in page and "style=" not in page


def test_a_resident_changes_their_ballot(client, envelope, voter):
    client.force_login(voter)
    p = projects(envelope)
    actions.cast_ballot(envelope=envelope, acting_user=voter, choices=[p[0].pk])
    page = text(client.get(url("envelope", envelope.pk)))
    assert re.search(rf'value="{p[0].pk}" id="project-{p[0].pk}"[^>]*checked', page)
    assert not re.search(rf'value="{p[1].pk}" id="project-{p[1].pk}"[^>]*checked', page)
    response = post_ballot(client, envelope, projects=[p[1].pk, p[2].pk])
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert stored_choices(ballot) == {p[1].pk: None, p[2].pk: None}


def test_a_ballot_post_makes_few_queries(client, envelope, voter, django_assert_max_num_queries):
    """The voting peak's path: the envelope with its campaign, its projects read once, then
    the ballot, its choices and its audit entry inserted in one statement each; the rest is
    the session, the user, the site and its services, and the test's savepoint."""
    client.force_login(voter)
    ContentType.objects.get_for_model(envelope)  # cached per process in production
    chosen = [p.pk for p in projects(envelope)[:2]]
    with django_assert_max_num_queries(11) as queries:
        response = post_ballot(client, envelope, projects=chosen)
    assert response.status_code == 302
    budget = [q["sql"] for q in queries.captured_queries if '"budget_' in q["sql"]]
    assert [sql.split('"')[1] for sql in budget] == [
        "budget_envelope",
        "budget_project",
        "budget_ballot",
        "budget_ballotchoice",
    ]
    assert budget[2].startswith("INSERT") and budget[3].startswith("INSERT")
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT 1")]
    assert stored_choices(Ballot.objects.get()) == dict.fromkeys(chosen)


def test_ballot_submissions_are_rate_limited_per_user(client, envelope, voter):
    client.force_login(voter)
    first = projects(envelope)[0]
    for _ in range(BALLOTS_PER_USER_PER_HOUR):
        assert post_ballot(client, envelope, projects=[first.pk]).status_code == 302
    response = post_ballot(client, envelope, projects=[projects(envelope)[1].pk])
    assert response.status_code == 429
    assert stored_choices(Ballot.objects.get()) == {first.pk: None}
    # checking the choices stays possible
    assert post_ballot(client, envelope, action="check", projects=[first.pk]).status_code == 200


def test_csrf_is_enforced(envelope, voter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter)
    response = post_ballot(client, envelope, projects=[projects(envelope)[0].pk])
    assert response.status_code == 403
    assert not Ballot.objects.exists()
    page = text(client.get(url("envelope", envelope.pk)))
    assert 'name="csrfmiddlewaretoken"' in page


# --- who may vote --------------------------------------------------------------------------


def test_a_signed_out_visitor_is_told_to_log_in(client, envelope):
    page = text(client.get(url("envelope", envelope.pk, language="en")))
    assert "Log in to vote" in page
    assert (
        f"/en/accounts/login/?next=%2Fen%2Fbudget-participatif%2Fenveloppes%2F{envelope.pk}%2F"
        in page
    )
    assert 'name="projects"' not in page
    for project in projects(envelope):
        assert project.title in page


def test_an_unverified_resident_is_sent_to_verification(client, envelope):
    client.force_login(UserFactory(verification_level=1))
    page = text(client.get(url("envelope", envelope.pk, language="en")))
    assert "requires an account verified at the level" in page
    assert "/en/mon-compte/verification/?next=" in page
    response = post_ballot(client, envelope, projects=[projects(envelope)[0].pk])
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_residents_of_another_district_see_why(client, campaign, voter):
    eleventh = District.objects.create(code="111", name="11e", geometry={})
    envelope = make_envelope(campaign, name="Paris 11e", district=eleventh)
    client.force_login(voter)
    page = text(client.get(url("envelope", envelope.pk, language="en")))
    assert "Only residents of 11e vote in this envelope" in page
    voter.district = eleventh
    voter.save()
    assert 'name="projects"' in text(client.get(url("envelope", envelope.pk)))


@pytest.mark.parametrize("opens_in, message", [(1, "Voting opens on"), (-30, "Voting closed on")])
def test_outside_the_vote_the_page_gives_the_dates(client, voter, opens_in, message):
    start = timezone.now() + timedelta(days=opens_in)
    envelope = make_envelope(
        make_campaign(voting_start=start, voting_end=start + timedelta(days=14))
    )
    client.force_login(voter)
    page = text(client.get(url("envelope", envelope.pk, language="en")))
    assert message in page and 'name="projects"' not in page


# --- results -------------------------------------------------------------------------------


def _publish(envelope, rule="greedy", completion=""):
    """Close the vote, count it, publish."""
    campaign = envelope.campaign
    campaign.rule, campaign.completion = rule, completion
    campaign.voting_end = timezone.now() - timedelta(minutes=1)
    campaign.voting_start = campaign.voting_end - timedelta(days=14)
    campaign.save()
    result = actions.compute_results(envelope=envelope)
    campaign.results_published_at = timezone.now()
    campaign.save()
    return result


def _vote(envelope, *indexes_per_voter):
    campaign = envelope.campaign
    campaign.voting_end = timezone.now() + timedelta(days=1)
    campaign.save()
    p = projects(envelope)
    for indexes in indexes_per_voter:
        actions.cast_ballot(
            envelope=envelope,
            acting_user=UserFactory(verification_level=2),
            choices=[p[i].pk for i in indexes],
        )


def test_results_explain_greedy(client, campaign):
    # 100, 200, 300 € in 500 €: votes 3, 2, 1 -> 100 and 200 fit; 300 no longer does.
    envelope = make_envelope(campaign, amount=350)
    _vote(envelope, (0, 1, 2), (0, 1), (0,))
    _publish(envelope)
    page = text(client.get(url("results", envelope.pk, language="en")))
    assert "3 ballots counted." in page
    assert "2 projects selected for 300 € of the envelope's 350 € (85.7 %)." in page
    assert "with 1 vote, it came after “Project 1”" in page
    assert "Votes per project" in page and 'width="100.0"' in page
    assert "Spending by theme" in page and "Spending by district" in page


def test_results_explain_equal_shares(client, campaign):
    # Two voters, 150 € each, both approving two projects of 200 €: the first takes 100 €
    # from each; the 50 € left each cannot pay for the second.
    envelope = make_envelope(campaign, costs=(200, 200), amount=300)
    _vote(envelope, (0, 1), (0, 1))
    _publish(envelope, rule="mes")
    page = text(client.get(url("results", envelope.pk, language="en")))
    assert "its 2 supporters shared its cost of 200 €, each paying at most 100.00 €." in page
    assert "could no longer pay its 200 € together once “Project 1” was funded" in page


def test_results_wait_for_publication(client, envelope):
    actions.compute_results(envelope=envelope)
    page = text(client.get(url("results", envelope.pk, language="en")))
    assert "The results are not published yet." in page
    assert "ballots counted" not in page


def test_results_are_served_from_the_cache_until_recounted(client, envelope):
    # Signed in: past the anonymous whole-page cache, only the results body comes from the cache.
    client.force_login(UserFactory())
    _vote(envelope, (0,), (0, 1))
    _publish(envelope)
    first = text(client.get(url("results", envelope.pk)))
    with CaptureQueriesContext(connection) as queries:
        second = text(client.get(url("results", envelope.pk)))
    assert "2 bulletins" in first and "2 bulletins" in second
    # One query finds the envelope and its result's date; the others are the session, the user
    # and the site's header and footer (theme, menus), whatever the number of ballots.
    budget = [q["sql"] for q in queries if '"budget_' in q["sql"]]
    assert len(budget) == 1 and "budget_project" not in budget[0]
    assert len(queries) <= 8, "\n".join(q["sql"][:150] for q in queries)
    Project.objects.filter(pk=projects(envelope)[2].pk).update(title="Renamed")
    assert "Renamed" not in text(client.get(url("results", envelope.pk)))
    # Published results are never recounted; a result with a new date is a new cache entry.
    Result.objects.filter(envelope=envelope).update(computed_at=timezone.now())
    assert "Renamed" in text(client.get(url("results", envelope.pk)))


def test_results_are_cached_per_language(client, envelope):
    _publish(envelope)
    assert 'lang="fr"' in text(client.get(url("results", envelope.pk)))
    english = text(client.get(url("results", envelope.pk, language="en")))
    assert "Why each project was or was not selected" in english


# --- the service switched off -----------------------------------------------------------------


def test_switched_off_the_pages_answer_404(client, envelope, agent, switch_off):
    assert client.get(url("index")).status_code == 200
    switch_off("budget", acting_user=agent)
    for address in (url("index"), url("envelope", envelope.pk), url("index", language="en")):
        assert client.get(address).status_code == 404
