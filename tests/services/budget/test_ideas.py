"""Ideas of the participatory budget: submission, supports, comments, moderation, merging
into projects, the authors' notifications and their personal data.

Messages are checked on the English pages (/en/…); refusals of actions by their code.
"""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from wagtail.models import ModelLogEntry

from lutetia.core.districts.models import District
from lutetia.core.notifications.models import Notification
from lutetia.services.budget import account, actions
from lutetia.services.budget.models import Campaign, Comment, Idea, IdeaPhoto, Project, Support
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS, public_url
from tests.factories import UserFactory
from tests.services.budget.conftest import make_campaign, make_envelope

pytestmark = pytest.mark.django_db

IN_11TH = {"longitude": 2.3800, "latitude": 48.8590}  # Popincourt (11th)


def url(name, *args, language=""):
    return public_url(f"budget:{name}", *args, language=language)


def png(size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def campaign():
    """In its ideas phase, co-construction after it, voting later."""
    now = timezone.now()
    return make_campaign(
        slug="bp-ideas",
        ideas_start=now - timedelta(days=1),
        ideas_end=now + timedelta(days=10),
        coconstruction_end=now + timedelta(days=20),
        review_end=now + timedelta(days=30),
        voting_start=now + timedelta(days=40),
        voting_end=now + timedelta(days=50),
    )


@pytest.fixture
def city(campaign):
    return make_envelope(campaign, costs=())


@pytest.fixture
def eleventh(campaign, districts):
    district = District.objects.get(code="11")
    return make_envelope(campaign, costs=(), name="Paris 11e", district=district)


@pytest.fixture
def author(db):
    return UserFactory(verification_level=1, first_name="Camille", last_name="Durand")


@pytest.fixture
def other(db):
    return UserFactory(verification_level=1)


def submit(campaign, envelope, user, **changes) -> Idea:
    fields = {
        "title": "Des arbres rue de la Roquette",
        "description": "Planter vingt arbres le long de la rue.",
        "estimated_cost": 80_000,
        "theme": "Environnement",
        **changes,
    }
    return actions.submit_idea(campaign=campaign, envelope=envelope, acting_user=user, **fields)


def form_data(envelope, **changes) -> dict:
    return {
        "title": "Des arbres rue de la Roquette",
        "description": "Planter vingt arbres le long de la rue.",
        "envelope": envelope.pk,
        "latitude": IN_11TH["latitude"],
        "longitude": IN_11TH["longitude"],
        "estimated_cost": "80000",
        "theme": "Environnement",
        **changes,
    }


def codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def refused(code, call, *args, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert code in codes(error.value)


# --- submission ------------------------------------------------------------------------------


def test_resident_submits_an_idea_with_a_point_and_photos(client, campaign, eleventh, author):
    client.force_login(author)
    data = form_data(eleventh, photo_1=png(), photo_2=png((800, 600)), anonymous="on")
    response = client.post(url("propose_idea", campaign.slug, language="en"), data)
    idea = Idea.objects.get()
    assert response.status_code == 302 and response.url == url("idea", idea.pk, language="en")
    assert (idea.author, idea.envelope, idea.district.code) == (author, eleventh, "11")
    assert idea.anonymous and idea.author_name == "Anonymous resident"
    photos = list(idea.photos.all())
    assert len(photos) == 2 and photos[1].width == 800
    with Image.open(photos[1].thumbnail.path) as thumbnail:
        assert max(thumbnail.size) <= 400
    assert ModelLogEntry.objects.filter(action="lutetia.budget.idea_submitted").count() == 1
    page = client.get(url("idea", idea.pk, language="en")).content.decode()
    assert "Des arbres rue de la Roquette" in page and "Anonymous resident" in page
    assert photos[0].thumbnail.url in page and 'data-latitude="48.859000"' in page


def test_city_wide_idea_without_a_point(campaign, city, author):
    idea = submit(campaign, city, author)
    assert idea.district is None and idea.latitude is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({**{k: str(v) for k, v in OUTSIDE_PARIS.items()}}, "This point is outside the city"),
        ({**{k: str(v) for k, v in INSIDE_PARIS.items()}}, "not in Popincourt"),
        ({"photo_1": SimpleUploadedFile("x.jpg", b"not an image")}, "This type of file"),
        ({"title": "x" * 151}, "at most 150 characters"),
        ({"description": "x" * 5001}, "at most 5000 characters"),
        ({"estimated_cost": "0"}, "greater than or equal to 1"),
        ({"latitude": "48.85", "longitude": ""}, "Give both the latitude and the longitude"),
    ],
)
def test_bad_input_is_shown_and_nothing_saved(
    client, settings, campaign, eleventh, author, changes, message
):
    client.force_login(author)
    data = form_data(eleventh, photo_2=png(), **changes)
    response = client.post(url("propose_idea", campaign.slug, language="en"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()
    assert stored_files(settings) == []


def test_below_the_level_goes_to_verification_and_saves_nothing(client, campaign, city):
    campaign.ideas_required_level = 2
    campaign.save()
    client.force_login(UserFactory(verification_level=1))
    response = client.post(url("propose_idea", campaign.slug), form_data(city))
    assert response.status_code == 302 and reverse("accounts:verification") in response.url
    refused("level", submit, campaign, city, UserFactory(verification_level=1))
    assert not Idea.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, campaign, city):
    response = client.get(url("propose_idea", campaign.slug))
    assert response.status_code == 302 and "login" in response.url


def test_closed_ideas_phase_refuses_and_saves_nothing(client, campaign, city, author):
    campaign.ideas_end = timezone.now() - timedelta(minutes=1)
    campaign.ideas_start = campaign.ideas_end - timedelta(days=10)
    campaign.save()
    client.force_login(author)
    response = client.post(url("propose_idea", campaign.slug, language="en"), form_data(city))
    assert response.status_code == 403
    assert "The ideas phase of this campaign is closed." in response.content.decode()
    refused("ideas_closed", submit, campaign, city, author)
    assert not Idea.objects.exists()


def test_envelope_of_another_campaign_is_refused(campaign, city, author):
    elsewhere = make_envelope(make_campaign(slug="other"), costs=())
    refused("envelope", submit, campaign, elsewhere, author)
    assert not Idea.objects.exists()


def test_ideas_are_rate_limited_per_account(client, settings, campaign, city, author):
    settings.LUTETIA_BUDGET_IDEAS_PER_DAY = 2
    submit(campaign, city, author)
    submit(campaign, city, author)
    client.force_login(author)
    data = form_data(city, latitude="", longitude="", photo_1=png())
    response = client.post(url("propose_idea", campaign.slug, language="en"), data)
    assert response.status_code == 429
    assert "You have proposed many ideas today" in response.content.decode()
    assert Idea.objects.count() == 2 and not IdeaPhoto.objects.exists()
    assert stored_files(settings) == []
    submit(campaign, city, UserFactory(verification_level=1))  # others are not limited


# --- supports and comments -------------------------------------------------------------------


@pytest.fixture
def idea(campaign, city, author):
    return submit(campaign, city, author)


def test_support_once_never_ones_own_and_withdraw(idea, author, other):
    actions.support_idea(idea=idea, acting_user=other)
    refused("already_supported", actions.support_idea, idea=idea, acting_user=other)
    refused("own_idea", actions.support_idea, idea=idea, acting_user=author)
    assert Support.objects.filter(idea=idea).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, user=other)
    actions.withdraw_support(idea=idea, acting_user=other)
    assert not Support.objects.exists()
    refused("not_supported", actions.withdraw_support, idea=idea, acting_user=other)


def test_support_and_withdraw_without_javascript(client, idea, other):
    client.force_login(other)
    page = url("idea", idea.pk, language="en")
    response = client.post(page, {"form": "support"})
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    assert "You support this idea." in shown and '<dd id="supports-count">1</dd>' in shown
    client.post(page, {"form": "withdraw"})
    assert not Support.objects.exists()


def test_supports_need_the_level_and_the_phase(idea, campaign):
    refused("level", actions.support_idea, idea=idea, acting_user=UserFactory(verification_level=0))
    voter = UserFactory(verification_level=1)
    campaign.coconstruction_end = timezone.now() - timedelta(minutes=1)
    campaign.ideas_end = campaign.coconstruction_end - timedelta(days=1)
    campaign.ideas_start = campaign.ideas_end - timedelta(days=1)
    campaign.save()
    idea.refresh_from_db()
    refused("discussion_closed", actions.support_idea, idea=idea, acting_user=voter)
    refused("discussion_closed", actions.comment_idea, idea=idea, body="…", acting_user=voter)


def test_comments_during_co_construction(client, idea, campaign, other):
    campaign.ideas_end = timezone.now() - timedelta(minutes=1)
    campaign.ideas_start = campaign.ideas_end - timedelta(days=10)
    campaign.save()
    client.force_login(other)
    page = url("idea", idea.pk, language="en")
    response = client.post(page, {"form": "comment", "body": "Et des bancs à l'ombre ?"})
    assert response.status_code == 302
    assert "Et des bancs à l&#x27;ombre ?" in client.get(page).content.decode()


def test_comments_are_rate_limited_and_checked(client, settings, idea, other):
    settings.LUTETIA_BUDGET_COMMENTS_PER_HOUR = 1
    actions.comment_idea(idea=idea, body="Bonne idée", acting_user=other)
    refused("too_long", actions.comment_idea, idea=idea, body="x" * 2001, acting_user=other)
    client.force_login(other)
    page = url("idea", idea.pk, language="en")
    response = client.post(page, {"form": "comment", "body": "Encore"})
    assert response.status_code == 429
    assert "You have written many comments" in response.content.decode()
    assert Comment.objects.count() == 1


# --- moderation -------------------------------------------------------------------------------


def test_reports_put_ideas_first_in_the_moderation_queue(
    client, campaign, city, idea, other, agent
):
    later = submit(campaign, city, other, title="Une autre idée")
    comment = actions.comment_idea(idea=later, body="Hors sujet", acting_user=other)
    actions.flag(idea=idea, reason="Publicité", acting_user=other)
    actions.flag(idea=idea, acting_user=agent)
    refused("already_flagged", actions.flag, idea=idea, acting_user=other)
    actions.flag(idea=later, comment=comment, acting_user=UserFactory())  # one report
    client.force_login(agent)
    queue = client.get(reverse("budget_ideas:index")).content.decode()
    assert queue.index("Des arbres rue de la Roquette") < queue.index("Une autre idée")
    assert client.get(reverse("budget_ideas:edit", args=[idea.pk])).status_code == 200


def test_a_resident_reports_from_the_page(client, idea, other):
    client.force_login(other)
    page = url("idea", idea.pk, language="en")
    client.post(page, {"form": "flag", "reason": "Doublon"})
    assert idea.flags.get().reason == "Doublon"


def test_hidden_idea_disappears_publicly_and_its_author_sees_why(
    client, django_capture_on_commit_callbacks, campaign, idea, author, agent
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("budget_ideas:edit", args=[idea.pk]),
            {"form": "hide", "hide-reason": "Propos injurieux"},
        )
    assert response.status_code == 302
    client.logout()
    assert client.get(url("idea", idea.pk)).status_code == 404
    assert idea.title not in client.get(url("ideas", campaign.slug)).content.decode()
    client.force_login(author)
    page = client.get(url("idea", idea.pk, language="en")).content.decode()
    assert "The moderators hid this idea" in page and "Propos injurieux" in page
    assert Notification.objects.get(recipient=author, kind="budget_hidden")
    assert ModelLogEntry.objects.filter(action="lutetia.budget.idea_hidden").exists()
    actions.restore(target=Idea.objects.get(), acting_user=agent)
    client.logout()
    assert client.get(url("idea", idea.pk)).status_code == 200


def test_hidden_comment_shows_only_to_its_author(client, idea, other, agent):
    comment = actions.comment_idea(idea=idea, body="Texte déplacé", acting_user=other)
    refused("reason_required", actions.hide, target=comment, reason=" ", acting_user=agent)
    actions.hide(target=comment, reason="Hors charte", acting_user=agent)
    assert "Texte déplacé" not in client.get(url("idea", idea.pk)).content.decode()
    client.force_login(other)
    page = client.get(url("idea", idea.pk, language="en")).content.decode()
    assert "Texte déplacé" in page and "Hors charte" in page


def test_residents_cannot_moderate(client, idea, other):
    with pytest.raises(PermissionDenied):
        actions.hide(target=idea, reason="…", acting_user=other)
    client.force_login(other)
    response = client.get(reverse("budget_ideas:edit", args=[idea.pk]))
    assert response.status_code == 302 and "login" in response.url


# --- merging and the authors' notifications -----------------------------------------------------


@pytest.fixture
def merged(django_capture_on_commit_callbacks, campaign, city, idea, other, manager):
    similar = submit(campaign, city, other, title="Plus d'arbres dans le quartier")
    with django_capture_on_commit_callbacks(execute=True):
        return actions.merge_ideas(
            ideas=[idea, similar],
            title="Végétaliser la rue de la Roquette",
            description="Deux idées réunies.",
            cost=120_000,
            theme="Environnement",
            acting_user=manager,
        )


def test_merge_creates_a_project_crediting_and_notifying_every_author(
    client, merged, city, author, other
):
    assert merged.envelope == city and merged.status == Project.Status.SUBMITTED
    assert set(merged.ideas.values_list("author", flat=True)) == {author.pk, other.pk}
    for user in (author, other):
        notification = Notification.objects.get(recipient=user, kind="budget_ideas_merged")
        assert "Plus d'arbres dans le quartier" in notification.body
        assert "Des arbres rue de la Roquette" in notification.body
    page = client.get(url("project", merged.pk, language="en")).content.decode()
    assert "Proposed by" in page and "Camille D." in page
    for idea in merged.ideas.all():
        assert url("idea", idea.pk, language="en") in page
    assert ModelLogEntry.objects.filter(action="lutetia.budget.ideas_merged").exists()


def test_merge_extends_a_project_and_refuses_what_cannot_merge(
    campaign, city, eleventh, merged, manager, other
):
    third = submit(campaign, city, UserFactory(verification_level=1), title="Troisième")
    assert actions.merge_ideas(ideas=[third], project=merged, acting_user=manager) == merged
    assert merged.ideas.count() == 3
    district_idea = submit(campaign, eleventh, other, **IN_11TH)
    fresh = submit(campaign, city, other, title="Encore une")
    refused(
        "envelopes",
        actions.merge_ideas,
        ideas=[fresh, district_idea],
        title="x",
        cost=1,
        acting_user=manager,
    )
    refused(
        "already_merged",
        actions.merge_ideas,
        ideas=[third, fresh],
        title="x",
        cost=1,
        acting_user=manager,
    )
    with pytest.raises(PermissionDenied):
        actions.merge_ideas(ideas=[fresh], title="x", cost=1, acting_user=other)


def test_review_and_results_notify_the_authors(
    django_capture_on_commit_callbacks, merged, campaign, author, other
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_project(
            project=merged,
            feasible=True,
            explanation="",
            cost_estimate=100_000,
            notes="",
            acting_user=None,
        )
    assert Notification.objects.filter(kind="budget_project_reviewed").count() == 2
    assert (
        "100000" in Notification.objects.get(recipient=author, kind="budget_project_reviewed").body
    )
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        coconstruction_end=now - timedelta(days=4),
        review_end=now - timedelta(days=3),
        voting_start=now - timedelta(days=2),
        voting_end=now - timedelta(days=1),
    )
    campaign.refresh_from_db()
    actions.compute_results(envelope=merged.envelope)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_results(campaign=campaign, acting_user=None)
    for user in (author, other):
        notification = Notification.objects.get(recipient=user, kind="budget_results")
        assert "pas été retenu" in notification.body  # no ballot: nothing selected (in French)


def test_manager_merges_from_the_back_office(
    client, django_capture_on_commit_callbacks, campaign, city, idea, other, manager, agent
):
    similar = submit(campaign, city, other, title="Plus d'arbres")
    screen = reverse("budget_ideas:edit", args=[idea.pk])
    client.force_login(agent)
    assert "merge-title" not in client.get(screen).content.decode()  # agents do not merge
    client.force_login(manager)
    fields = {"form": "merge", "merge-others": [similar.pk], "merge-theme": "Environnement"}
    response = client.post(screen, {**fields, "merge-title": ""})
    assert response.status_code == 200 and not Project.objects.exists()  # title required
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(screen, {**fields, "merge-title": "Arbres", "merge-cost": "90000"})
    assert response.status_code == 302
    project = Project.objects.get()
    assert (project.title, project.cost, project.envelope) == ("Arbres", 90_000, city)
    assert set(project.ideas.all()) == {idea, similar}
    assert Notification.objects.filter(kind="budget_ideas_merged").count() == 2


def test_merging_ends_when_voting_starts(campaign, idea, manager):
    Campaign.objects.filter(pk=campaign.pk).update(voting_start=timezone.now())
    idea.refresh_from_db()
    refused("locked", actions.merge_ideas, ideas=[idea], title="x", cost=1, acting_user=manager)


# --- pages in French and English --------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "en"])
def test_idea_pages_render(client, merged, campaign, other, language):
    client.force_login(other)
    idea = merged.ideas.first()
    for path in (
        url("campaign", campaign.slug, language=language),
        url("ideas", campaign.slug, language=language),
        url("ideas", campaign.slug, language=language) + "?sort=newest&theme=Environnement",
        url("propose_idea", campaign.slug, language=language),
        url("idea", idea.pk, language=language),
        url("project", merged.pk, language=language),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'lang="{language or "fr"}"' in response.content.decode()


def test_list_filters_and_sorts(client, campaign, city, eleventh, idea, author, other):
    district_idea = submit(campaign, eleventh, other, title="Idée du 11e", **IN_11TH)
    actions.support_idea(idea=district_idea, acting_user=author)
    page = client.get(url("ideas", campaign.slug, language="en")).content.decode()
    assert page.index("Idée du 11e") < page.index(idea.title)  # most supported first
    newest = client.get(url("ideas", campaign.slug) + "?sort=newest").content.decode()
    assert newest.index("Idée du 11e") < newest.index(idea.title)
    eleventh_only = f"?district={district_idea.district_id}"
    filtered = client.get(url("ideas", campaign.slug) + eleventh_only).content.decode()
    assert "Idée du 11e" in filtered and idea.title not in filtered
    by_theme = client.get(url("ideas", campaign.slug) + "?theme=Sport").content.decode()
    assert idea.title not in by_theme


# --- campaign phases ---------------------------------------------------------------------------


def test_co_construction_must_sit_between_ideas_and_review(campaign, manager):
    campaign.coconstruction_end = campaign.review_end + timedelta(days=1)
    refused("phase_order", campaign.full_clean)


# --- Mon Compte and personal data -------------------------------------------------------------


def test_account_lists_export_and_erase(idea, other, campaign, city):
    actions.support_idea(idea=idea, acting_user=other)
    actions.comment_idea(idea=idea, body="Oui !", acting_user=other)
    theirs = submit(campaign, city, other, title="Mon idée")
    with translation.override("en"):
        titles = [item.title for item in account.account_items(other)]
    assert "My idea: Mon idée" in titles and f"Supported idea: {idea.title}" in titles
    data = account.export(other)
    assert [i["title"] for i in data["ideas"]] == ["Mon idée"]
    assert data["comments"][0]["body"] == "Oui !" and data["supports"][0]["idea"] == idea.title
    account.erase(other)
    theirs.refresh_from_db()
    assert theirs.author is None and theirs.anonymous
    assert not Support.objects.exists()
    assert Comment.objects.get().author is None
