"""Reads of the participatory budget, including the pabulib export and the rules' input."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from lutetia.services.budget import pabulib, rules
from lutetia.services.budget.models import (
    Ballot,
    BallotChoice,
    Campaign,
    Comment,
    Envelope,
    Idea,
    Project,
    Result,
    Support,
)

PABULIB_RULE_NAMES = {
    ("greedy", ""): "greedy",
    ("mes", ""): "equalshares",
    ("mes", "add1"): "equalshares/add1",
    ("mes", "add1+greedy"): "equalshares/add1/greedy",
}


def envelopes_open_to(user) -> QuerySet[Envelope]:
    """Envelopes whose vote is open and where ``user`` may vote (level and district)."""
    if not user.is_authenticated or not user.is_active:
        return Envelope.objects.none()
    now = timezone.now()
    return (
        Envelope.objects.filter(
            campaign__voting_start__lte=now,
            campaign__voting_end__gt=now,
            required_level__lte=user.verification_level,
        )
        .filter(Q(district__isnull=True) | Q(district_id=user.district_id))
        .select_related("campaign", "district")
    )


def ballot_of(user, envelope: Envelope) -> Ballot | None:
    """The user's ballot in ``envelope`` with its choices, or None."""
    if not user.is_authenticated:
        return None
    return (
        Ballot.objects.filter(envelope=envelope, voter=user)
        .prefetch_related("choices__project")
        .first()
    )


def ballots_of(user) -> QuerySet[Ballot]:
    """Every ballot of the user, newest first, with its envelope and campaign."""
    return (
        Ballot.objects.filter(voter=user)
        .select_related("envelope__campaign")
        .prefetch_related("choices__project")
        .order_by("-updated_at")
    )


def vote_counts(envelope: Envelope) -> dict[int, int]:
    """Project pk -> number of ballots choosing it."""
    return dict(
        Project.objects.filter(envelope=envelope)
        .annotate(votes=Count("choices"))
        .values_list("pk", "votes")
    )


def result_with_projects(envelope: Envelope) -> tuple[Result | None, list[Project]]:
    """The stored result and the envelope's projects, winners first in selection order."""
    result = Result.objects.filter(envelope=envelope).select_related("envelope__campaign").first()
    projects = list(
        envelope.projects.filter(status__in=Project.ON_THE_BALLOT).select_related("district")
    )
    if result is not None:
        order = {pk: index for index, pk in enumerate(result.selected)}
        projects.sort(key=lambda p: (order.get(p.pk, len(order)), p.pk))
    return result, projects


def envelopes_to_count(campaign: Campaign) -> QuerySet[Envelope]:
    """The campaign's envelopes without a result counted after the close of its vote."""
    return campaign.envelopes.filter(
        Q(result__isnull=True) | Q(result__computed_at__lt=campaign.voting_end)
    ).select_related("campaign")


def campaigns_awaiting_results(now) -> QuerySet[Campaign]:
    """Campaigns whose vote closed before ``now``, unpublished, with an envelope to count."""
    uncounted = Envelope.objects.filter(campaign=OuterRef("pk")).filter(
        Q(result__isnull=True) | Q(result__computed_at__lt=F("campaign__voting_end"))
    )
    return Campaign.objects.filter(
        Exists(uncounted), voting_end__lte=now, results_published_at__isnull=True
    )


@dataclass
class TallyInput:
    """An envelope as the rules see it: ids are ``Project.pabulib_id``."""

    projects: dict[str, Project]
    costs: dict[str, int]
    ballots: list[pabulib.Ballot]  # voter_id is the ballot's voter_key


def tally_input(envelope: Envelope) -> TallyInput:
    """The projects on the ballot and every ballot, in pabulib shape (ordinal: by rank).

    Choices of projects no longer on the ballot are left out; empty ballots stay (they
    count as voters for the Method of Equal Shares).
    """
    projects = {
        project.pabulib_id: project
        for project in envelope.projects.filter(status__in=Project.ON_THE_BALLOT).order_by("pk")
    }
    ids = {project.pk: pabulib_id for pabulib_id, project in projects.items()}
    chosen: dict[int, list[str]] = defaultdict(list)
    points: dict[int, list[int]] = defaultdict(list)
    rows = (
        BallotChoice.objects.filter(ballot__envelope=envelope)
        .order_by("ballot_id", "rank", "pk")
        .values_list("ballot_id", "project_id", "points")
    )
    for ballot_id, project_id, value in rows.iterator(chunk_size=10000):
        if project_id in ids:
            chosen[ballot_id].append(ids[project_id])
            points[ballot_id].append(value or 0)
    cumulative = envelope.ballot_type == Envelope.BallotType.CUMULATIVE
    ballots = [
        pabulib.Ballot(
            key, tuple(chosen.get(pk, ())), tuple(points.get(pk, ())) if cumulative else None
        )
        for pk, key in Ballot.objects.filter(envelope=envelope)
        .order_by("pk")
        .values_list("pk", "voter_key")
        .iterator(chunk_size=10000)
    ]
    costs = {pabulib_id: project.cost for pabulib_id, project in projects.items()}
    return TallyInput(projects, costs, ballots)


def export_pabulib(*, envelope: Envelope) -> str:
    """The envelope as a .pb file: META, PROJECTS (votes, score, selected), VOTES.

    Voters appear by their anonymous ``voter_key`` only. ``selected`` comes from the
    stored result, and is left out when the envelope has none yet.
    """
    data = tally_input(envelope)
    result = Result.objects.filter(envelope=envelope).first()
    cumulative = envelope.ballot_type == Envelope.BallotType.CUMULATIVE
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(_meta(envelope, data).items())
    writer.writerow(["PROJECTS"])
    columns = ["project_id", "name", "cost", "category", "votes", "score"]
    writer.writerow([*columns, "selected"] if result else columns)
    votes = rules.scores(data.costs, data.ballots, "approval")
    score = rules.scores(data.costs, data.ballots, envelope.vote_type, envelope.max_projects)
    selected = set(result.selected) if result else set()
    for pabulib_id, project in data.projects.items():
        row = [pabulib_id, project.title, project.cost, project.theme]
        row += [votes[pabulib_id], score[pabulib_id]]
        writer.writerow([*row, int(project.pk in selected)] if result else row)
    writer.writerow(["VOTES"])
    writer.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    for ballot in data.ballots:
        row = [ballot.voter_id, ",".join(ballot.projects)]
        writer.writerow([*row, ",".join(map(str, ballot.points))] if cumulative else row)
    return out.getvalue()


def _meta(envelope: Envelope, data: TallyInput) -> dict[str, object]:
    campaign = envelope.campaign
    meta: dict[str, object] = {
        "description": f"{campaign.name} — {envelope.name}",
        "unit": campaign.name,
        "subunit": envelope.name,
        "instance": campaign.slug,
        "num_projects": len(data.projects),
        "num_votes": len(data.ballots),
        "budget": envelope.amount,
        "vote_type": envelope.vote_type,
        "rule": PABULIB_RULE_NAMES[(campaign.rule, campaign.completion)],
        "date_begin": timezone.localdate(campaign.voting_start).strftime("%d.%m.%Y"),
        "date_end": timezone.localdate(campaign.voting_end - timedelta(seconds=1)).strftime(
            "%d.%m.%Y"
        ),
        "min_length": envelope.min_projects,
        "currency": "EUR",
    }
    if envelope.district_id:
        meta["district"] = envelope.district.name
    if envelope.max_projects is not None:
        meta["max_length"] = envelope.max_projects
    if envelope.ballot_type == Envelope.BallotType.KNAPSACK:
        meta["max_sum_cost"] = envelope.amount
    if envelope.ballot_type == Envelope.BallotType.CUMULATIVE:
        meta["max_sum_points"] = envelope.max_points
    return meta


# --- public pages --------------------------------------------------------------------------


def campaigns_with_envelopes() -> QuerySet[Campaign]:
    """Every campaign, newest vote first, with its envelopes (district, stored result)."""
    envelopes = Envelope.objects.select_related("district", "result").order_by(
        F("district__code").asc(nulls_first=True), "name"
    )
    return Campaign.objects.prefetch_related(Prefetch("envelopes", queryset=envelopes))


def ballot_projects(envelope: Envelope) -> list[Project]:
    """The projects on the envelope's ballot, with their district (without its outline, which
    weighs kilobytes and no ballot or result shows), in a stable order."""
    return list(
        envelope.projects.filter(status__in=Project.ON_THE_BALLOT)
        .select_related("district")
        .defer("district__geometry")
        .order_by("pk")
    )


def public_project(pk: int) -> Project | None:
    """A project residents may see (on a ballot, or made of their ideas), with its envelope,
    campaign, result and ``public_ideas`` (the visible ideas merged into it)."""
    project = (
        Project.objects.filter(pk=pk)
        .filter(Q(status__in=Project.ON_THE_BALLOT) | Q(ideas__isnull=False))
        .select_related("envelope__campaign", "envelope__district", "envelope__result", "district")
        .first()
    )
    return _with_public_ideas(project) if project is not None else None


def winning_projects() -> QuerySet[Project]:
    """Projects selected by a vote, for their follow-up: newest campaign first."""
    return (
        Project.objects.filter(status=Project.Status.SELECTED)
        .select_related("envelope__campaign", "district")
        .order_by("-envelope__campaign__voting_start", "envelope__name", "title", "pk")
    )


# --- ideas -----------------------------------------------------------------------------------

IDEA_SORTS = {
    "supports": ("-supports_count", "-created_at", "-pk"),
    "newest": ("-created_at", "-pk"),
}


def public_ideas(
    campaign: Campaign, *, district=None, theme: str = "", sort: str = "supports"
) -> QuerySet[Idea]:
    """The campaign's visible ideas with their supports count, filtered and sorted."""
    ideas = (
        Idea.objects.filter(campaign=campaign, hidden_at=None)
        .select_related("author", "district", "envelope")
        .prefetch_related("photos")
        .annotate(supports_count=Count("supports"))
    )
    if district is not None:
        ideas = ideas.filter(district=district)
    if theme:
        ideas = ideas.filter(theme=theme)
    return ideas.order_by(*IDEA_SORTS.get(sort, IDEA_SORTS["supports"]))


def idea_for(user, pk: int) -> Idea | None:
    """An idea as ``user`` may see it: visible ones to all, a hidden one to its author only.

    Comes with its campaign, envelope, photos, supports count, the comments the user may
    see (hidden ones only to their author) and the other ideas merged with it.
    """
    idea = (
        Idea.objects.filter(pk=pk)
        .select_related("campaign", "envelope__district", "district", "author", "project")
        .prefetch_related("photos")
        .annotate(supports_count=Count("supports"))
        .first()
    )
    if idea is None or (idea.hidden and not _is_author(user, idea)):
        return None
    comments = idea.comments.select_related("author")
    if user.is_authenticated:
        comments = comments.filter(Q(hidden_at=None) | Q(author=user))
    else:
        comments = comments.filter(hidden_at=None)
    idea.visible_comments = list(comments)
    idea.similar = (
        list(idea.project.ideas.filter(hidden_at=None).exclude(pk=idea.pk).select_related("author"))
        if idea.project_id
        else []
    )
    return idea


def supports(user, idea: Idea) -> bool:
    return user.is_authenticated and Support.objects.filter(idea=idea, user=user).exists()


def project_with_ideas(project_id: int) -> Project:
    """A project with ``public_ideas``: the visible ideas merged into it, with authors."""
    return _with_public_ideas(
        Project.objects.select_related("envelope__campaign").get(pk=project_id)
    )


def _with_public_ideas(project: Project) -> Project:
    project.public_ideas = list(
        project.ideas.filter(hidden_at=None).select_related("author").order_by("pk")
    )
    return project


def idea_authors(project: Project) -> list:
    """Each author of an idea merged into the project, once (hidden ideas' authors too)."""
    ideas = project.ideas.filter(author__is_active=True).select_related("author").order_by("pk")
    return list({idea.author_id: idea.author for idea in ideas}.values())


def credited_projects(campaign_id: int) -> list[int]:
    """The campaign's projects that went to the vote and have ideas merged into them."""
    return list(
        Project.objects.filter(
            envelope__campaign_id=campaign_id,
            status__in=(Project.Status.SELECTED, Project.Status.REJECTED),
            ideas__isnull=False,
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def ideas_of(user) -> QuerySet[Idea]:
    """The user's ideas, hidden ones included, newest first."""
    return (
        Idea.objects.filter(author=user)
        .select_related("campaign", "envelope", "project")
        .annotate(supports_count=Count("supports"))
        .order_by("-created_at", "-pk")
    )


def supports_of(user) -> QuerySet[Support]:
    return Support.objects.filter(user=user).select_related("idea__campaign").order_by("-pk")


def comments_of(user) -> QuerySet[Comment]:
    return Comment.objects.filter(author=user).select_related("idea").order_by("pk")


def moderation_queue() -> QuerySet[Idea]:
    """Every idea, those with open reports (on it or its comments) first, then newest."""
    return (
        Idea.objects.select_related("campaign", "envelope", "author")
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at=None)))
        .order_by("-open_flags", "-created_at", "-pk")
    )


def _is_author(user, obj) -> bool:
    return user.is_authenticated and obj.author_id == user.pk


def mergeable_with(idea: Idea) -> QuerySet[Idea]:
    """Other visible ideas of the same envelope, not merged elsewhere than ``idea``'s project."""
    merged = Q(project__isnull=True)
    if idea.project_id:
        merged |= Q(project=idea.project_id)
    return (
        Idea.objects.filter(merged, envelope=idea.envelope_id, hidden_at=None)
        .exclude(pk=idea.pk)
        .order_by("title", "pk")
    )
