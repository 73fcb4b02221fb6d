"""Reads of the participatory budget, including the pabulib export and the rules' input."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from lutetia.services.budget import pabulib, rules
from lutetia.services.budget.models import (
    Ballot,
    BallotChoice,
    Campaign,
    Envelope,
    Project,
    Result,
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
    """The projects on the envelope's ballot, with their district, in a stable order."""
    return list(
        envelope.projects.filter(status__in=Project.ON_THE_BALLOT)
        .select_related("district")
        .order_by("pk")
    )


def public_project(pk: int) -> Project | None:
    """A project residents may see (on a ballot), with its envelope, campaign and result."""
    return (
        Project.objects.filter(pk=pk, status__in=Project.ON_THE_BALLOT)
        .select_related("envelope__campaign", "envelope__district", "envelope__result", "district")
        .first()
    )


def winning_projects() -> QuerySet[Project]:
    """Projects selected by a vote, for their follow-up: newest campaign first."""
    return (
        Project.objects.filter(status=Project.Status.SELECTED)
        .select_related("envelope__campaign", "district")
        .order_by("-envelope__campaign__voting_start", "envelope__name", "title", "pk")
    )
