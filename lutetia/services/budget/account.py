"""The participatory budget's part of "Mon Compte": ballots and personal data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from lutetia.core.registry import AccountItem
from lutetia.services.budget import actions, selectors


def account_items(user) -> list[AccountItem]:
    """One line per ballot, linking to its envelope's page (where it can change while voting)."""
    return [
        AccountItem(
            title=f"{ballot.envelope.campaign.name} — {ballot.envelope.name}",
            url=reverse("budget:envelope", args=[ballot.envelope_id]),
            status=_("Ballot cast"),
            date=ballot.updated_at,
        )
        for ballot in selectors.ballots_of(user)
    ]


def export(user) -> dict:
    """The user's ballots with their choices: a voter may see what they voted."""
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
        ]
    }


def erase(user) -> None:
    """Ballots stay counted but lose the account (``actions.detach_voter``)."""
    actions.detach_voter(user=user, acting_user=user)
