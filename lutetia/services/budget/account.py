"""The participatory budget's part of "Mon Compte": ballots, ideas, supports, personal data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from lutetia.core.registry import AccountItem
from lutetia.services.budget import actions, selectors


def account_items(user) -> list[AccountItem]:
    """One line per ballot (to its envelope, where it can change while voting), per idea
    (hidden ones say so) and per supported idea."""
    ballots = [
        AccountItem(
            title=f"{ballot.envelope.campaign.name} — {ballot.envelope.name}",
            url=reverse("budget:envelope", args=[ballot.envelope_id]),
            status=_("Ballot cast"),
            date=ballot.updated_at,
        )
        for ballot in selectors.ballots_of(user)
    ]
    ideas = [
        AccountItem(
            title=_("My idea: %(title)s") % {"title": idea.title},
            url=reverse("budget:idea", args=[idea.pk]),
            status=_idea_status(idea),
            date=idea.created_at,
        )
        for idea in selectors.ideas_of(user)
    ]
    supports = [
        AccountItem(
            title=_("Supported idea: %(title)s") % {"title": support.idea.title},
            url=reverse("budget:idea", args=[support.idea_id]),
            status=_("Supported"),
            date=support.created_at,
        )
        for support in selectors.supports_of(user)
    ]
    return ballots + ideas + supports


def _idea_status(idea) -> str:
    if idea.hidden:
        return _("Hidden by the moderators")
    if idea.project_id:
        return _("Merged into a project")
    return _("Published")


def export(user) -> dict:
    """The user's ballots with their choices, ideas, comments and supports."""
    return {
        "ballots": [
            {
                "campaign": ballot.envelope.campaign.name,
                "envelope": ballot.envelope.name,
                "cast_at": ballot.created_at.isoformat(),
                "changed_at": ballot.updated_at.isoformat(),
                "choices": [
                    {"project": choice.project.title, "points": choice.points, "rank": choice.rank}
                    for choice in ballot.choices.all()
                ],
            }
            for ballot in selectors.ballots_of(user)
        ],
        "ideas": [
            {
                "campaign": idea.campaign.name,
                "envelope": idea.envelope.name,
                "title": idea.title,
                "description": idea.description,
                "estimated_cost": idea.estimated_cost,
                "theme": idea.theme,
                "latitude": idea.latitude,
                "longitude": idea.longitude,
                "anonymous": idea.anonymous,
                "submitted_at": idea.created_at.isoformat(),
                "hidden_reason": idea.hidden_reason,
                "photos": [photo.image.name for photo in idea.photos.all()],
            }
            for idea in selectors.ideas_of(user).prefetch_related("photos")
        ],
        "comments": [
            {
                "idea": comment.idea.title,
                "body": comment.body,
                "written_at": comment.created_at.isoformat(),
                "hidden_reason": comment.hidden_reason,
            }
            for comment in selectors.comments_of(user)
        ],
        "supports": [
            {"idea": support.idea.title, "supported_at": support.created_at.isoformat()}
            for support in selectors.supports_of(user)
        ],
    }


def erase(user) -> None:
    """Ballots stay counted but lose the account (``actions.detach_voter``); ideas and
    comments stay public without a name, supports go (``actions.erase_contributions``)."""
    actions.detach_voter(user=user, acting_user=user)
    actions.erase_contributions(user=user, acting_user=user)
