"""Every write of the participatory budget: one transaction and one audit entry each.

``acting_user=None`` stands for the platform itself (commands, background tasks); a
person acting must hold the permission named in each action.

Ballot secrecy: the audit trail records that a voter cast or changed a ballot in an
envelope, never what the ballot says; exports name voters by ``voter_key`` only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from functools import partial
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.accounts.models import VerificationLevel
from lutetia.core import audit
from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import count_event
from lutetia.core.districts.lookup import district_at
from lutetia.core.notifications.actions import notify
from lutetia.core.permissions import may_act_on
from lutetia.core.uploads import CleanImage, files_removed_on_error, make_thumbnail
from lutetia.pages import cache as page_cache
from lutetia.services.budget import pabulib, rules, selectors
from lutetia.services.budget.models import (
    Ballot,
    BallotChoice,
    Campaign,
    Comment,
    Envelope,
    Flag,
    Idea,
    IdeaPhoto,
    Project,
    Result,
    Support,
    check_rule,
)

BATCH = 5000
# pabulib ``rule`` values <-> (campaign rule, completion)
PABULIB_RULES = {
    "greedy": ("greedy", ""),
    "equalshares": ("mes", ""),
    "equalshares/add1": ("mes", "add1"),
    "equalshares/add1/greedy": ("mes", "add1+greedy"),
}
PROJECT_FIELDS = [
    "envelope",
    "title",
    "cost",
    "status",
    "execution_status",
    "external_id",
    "department",
]
REVIEW_FIELDS = ["status", "cost", "cost_estimate", "feasibility_explanation", "review_notes"]
EXECUTION_FIELDS = ["execution_status", "amount_spent"]


# --- campaign settings ----------------------------------------------------------------------


@transaction.atomic
def save_campaign(*, campaign: Campaign, acting_user) -> Campaign:
    """Create or change a campaign; dates and rule are frozen once voting has started."""
    created = campaign.pk is None
    _require(acting_user, "budget.add_campaign" if created else "budget.change_campaign")
    before = {} if created else _stored(campaign, Campaign.LOCKED_FIELDS)
    if before and Campaign.objects.get(pk=campaign.pk).settings_locked:
        _refuse_changes(before, campaign, Campaign.LOCKED_FIELDS)
    campaign.full_clean()
    if not created:
        for envelope in campaign.envelopes.all():
            check_rule(campaign.rule, campaign.completion, envelope.vote_type)
    campaign.save()
    audit.log(
        campaign,
        "lutetia.budget.campaign_created" if created else "lutetia.budget.campaign_changed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(campaign, list(Campaign.LOCKED_FIELDS))),
    )
    if created or before["voting_end"] != campaign.voting_end:
        _schedule_count(campaign)
    return campaign


@transaction.atomic
def save_envelope(*, envelope: Envelope, acting_user) -> Envelope:
    """Create or change an envelope; none is added or changed once voting has started."""
    created = envelope.pk is None
    _require(acting_user, "budget.add_envelope" if created else "budget.change_envelope")
    fields = list(Envelope.LOCKED_FIELDS)
    before = {} if created else _stored(envelope, fields)
    campaign = Campaign.objects.select_for_update().filter(pk=envelope.campaign_id).first()
    if campaign is not None and campaign.settings_locked:
        if created:
            raise ValidationError(
                _("Voting has started: no envelope can be added to this campaign."),
                code="locked",
            )
        _refuse_changes(before, envelope, fields)
    envelope.full_clean()
    envelope.save()
    audit.log(
        envelope,
        "lutetia.budget.envelope_created" if created else "lutetia.budget.envelope_changed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(envelope, fields)),
    )
    return envelope


@transaction.atomic
def save_project(*, project: Project, acting_user) -> Project:
    """Create or change a project (feasibility, follow-up).

    Once voting has started, what is on the ballot stays: no project enters or leaves
    it, and the cost of a project on it no longer changes.
    """
    created = project.pk is None
    _require(acting_user, "budget.add_project" if created else "budget.change_project")
    before = {} if created else _stored(project, PROJECT_FIELDS)
    if project.envelope.campaign.settings_locked and _changes_the_ballot(before, project):
        raise ValidationError(
            _("Voting has started: the projects on the ballot and their costs are fixed."),
            code="locked",
        )
    project.full_clean()
    project.save()
    audit.log(
        project,
        "lutetia.budget.project_created" if created else "lutetia.budget.project_changed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(project, PROJECT_FIELDS)),
    )
    return project


@transaction.atomic
def review_project(
    *,
    project: Project,
    feasible: bool,
    explanation: str,
    cost_estimate: int | None,
    notes: str,
    acting_user,
) -> Project:
    """Record the department's feasibility review; only feasible projects go to the vote.

    The department's cost estimate, when given, becomes the cost on the ballot: residents
    vote on what the city says the project costs. Reviews close when voting starts.
    """
    _require_department(acting_user, project, "budget.review_project")
    if project.envelope.campaign.settings_locked:
        raise ValidationError(
            _("Voting has started: feasibility reviews are closed."), code="locked"
        )
    explanation = explanation.strip()
    if not feasible and not explanation:
        raise ValidationError(
            {
                "explanation": ValidationError(
                    _("Explain why the project is not feasible: its authors will read it."),
                    code="explanation_required",
                )
            }
        )
    before = _stored(project, REVIEW_FIELDS)
    project.status = Project.Status.FEASIBLE if feasible else Project.Status.NOT_FEASIBLE
    project.feasibility_explanation = explanation
    project.cost_estimate = cost_estimate
    project.review_notes = notes.strip()
    if feasible and cost_estimate is not None:
        project.cost = cost_estimate
    project.full_clean()
    project.save(update_fields=REVIEW_FIELDS)
    audit.log(
        project,
        "lutetia.budget.project_reviewed",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(project, REVIEW_FIELDS)),
    )
    transaction.on_commit(partial(notify_authors, project.pk, "budget_project_reviewed"))
    return project


@transaction.atomic
def update_execution(
    *, project: Project, execution_status: str, amount_spent: int | None, acting_user
) -> Project:
    """Follow a winning project through study, procurement, works and delivery."""
    _require_department(acting_user, project, "budget.change_project")
    if project.status != Project.Status.SELECTED:
        raise ValidationError(
            _("Only projects selected by the vote have a follow-up."), code="not_selected"
        )
    before = _stored(project, EXECUTION_FIELDS)
    project.execution_status = execution_status
    project.amount_spent = amount_spent
    project.full_clean()
    project.save(update_fields=EXECUTION_FIELDS)
    audit.log(
        project,
        "lutetia.budget.execution_updated",
        user=acting_user,
        data=audit.changes(before, audit.snapshot(project, EXECUTION_FIELDS)),
    )
    return project


def _changes_the_ballot(before: dict, project: Project) -> bool:
    on_ballot = project.status in Project.ON_THE_BALLOT
    if not before:
        return on_ballot
    was_on_ballot = before["status"] in Project.ON_THE_BALLOT
    moved = before["envelope"] != project.envelope or before["cost"] != project.cost
    return on_ballot != was_on_ballot or (on_ballot and moved)


# --- ballots -------------------------------------------------------------------------------


def cast_ballot(
    *, envelope: Envelope, acting_user, choices, on_ballot: Sequence[Project] | None = None
) -> Ballot:
    """Record ``acting_user``'s ballot in ``envelope``, or replace the one they cast.

    ``choices``: project ids (or projects) for approval and knapsack ballots; a mapping
    project -> points (cumulative) or project -> rank from 1 (ordinal). A ballot that
    breaks the envelope's rule raises ValidationError and nothing is saved. ``on_ballot``:
    the envelope's projects on the ballot when the caller has read them (see
    ``clean_choices``).

    A first ballot, the common case, is inserted straight away: the database's unique
    constraint refuses it if the voter already has one (cast before, or by a submission
    of theirs running at the same time), and the action then retries once as a change of
    that ballot. Each attempt is one transaction with its audit entry: no savepoint and
    no look-up of a current ballot on the voting peak's path.
    """
    _check_voter(envelope, acting_user)
    cleaned = clean_choices(envelope, choices, on_ballot=on_ballot)
    try:
        return _record_online(envelope, acting_user, cleaned, _insert_online)
    except IntegrityError:
        return _record_online(envelope, acting_user, cleaned, _replace_online)


@transaction.atomic
def _record_online(envelope: Envelope, voter, cleaned, store) -> Ballot:
    ballot, created = store(envelope, voter)
    _add_choices(ballot, cleaned)
    audit.log(
        envelope,
        "lutetia.budget.ballot_cast" if created else "lutetia.budget.ballot_changed",
        user=voter,
    )
    return ballot


@transaction.atomic
def record_paper_ballot(*, envelope: Envelope, acting_user, choices) -> Ballot:
    """Key in a paper ballot; it is checked and counted like an online one."""
    _require(acting_user, "budget.add_paper_ballot")
    campaign = envelope.campaign
    if timezone.now() < campaign.voting_start or campaign.results_published_at:
        raise ValidationError(
            _("Paper ballots are recorded between the opening of the vote and the results."),
            code="not_voting",
        )
    cleaned = clean_choices(envelope, choices)
    ballot = Ballot.objects.create(
        envelope=envelope, voter_key=_new_voter_key(), source=Ballot.Source.PAPER
    )
    _add_choices(ballot, cleaned)
    audit.log(
        envelope,
        "lutetia.budget.paper_ballot_recorded",
        user=acting_user,
        data={"ballot": ballot.pk},
    )
    return ballot


@transaction.atomic
def detach_voter(*, user, acting_user) -> int:
    """Erase the link between an account and its ballots; the ballots are still counted.

    The ballot keeps its anonymous ``voter_key`` and choices, as a paper ballot would.
    Returns the number of ballots detached.
    """
    count = Ballot.objects.filter(voter=user).update(voter=None)
    audit.log(user, "lutetia.budget.voter_detached", user=acting_user, data={"ballots": count})
    return count


def _check_voter(envelope: Envelope, user) -> None:
    if not envelope.campaign.voting_open:
        raise ValidationError(_("Voting is not open."), code="voting_closed")
    if not user.is_authenticated or not user.has_level(envelope.required_level):
        raise ValidationError(
            _("Voting in this envelope requires a verified resident account."), code="level"
        )
    if envelope.district_id is not None and envelope.district_id != user.district_id:
        raise ValidationError(
            _("Only residents of %(district)s vote in this envelope.")
            % {"district": envelope.district},
            code="district",
        )


def clean_choices(
    envelope: Envelope, choices, *, on_ballot: Sequence[Project] | None = None
) -> list[tuple[Project, int | None, int | None]]:
    """The ballot's (project, points, rank) rows, or ValidationError if it breaks the rule.

    ``on_ballot``: the envelope's projects on the ballot (``selectors.ballot_projects``)
    when the caller has read them, as the ballot page has; else they are queried.
    """
    kind = envelope.ballot_type
    if kind in (Envelope.BallotType.CUMULATIVE, Envelope.BallotType.ORDINAL):
        if not isinstance(choices, Mapping):
            raise ValidationError(_("Give a number for each chosen project."), code="shape")
        values = {_pk(project): _whole_number(value) for project, value in choices.items()}
        if kind == Envelope.BallotType.CUMULATIVE:
            values = {pk: points for pk, points in values.items() if points}
    else:
        ids = [_pk(project) for project in choices]
        if len(set(ids)) != len(ids):
            raise ValidationError(_("A project appears twice on the ballot."), code="duplicate")
        values = dict.fromkeys(ids)
    if on_ballot is None:
        on_ballot = envelope.projects.filter(pk__in=values, status__in=Project.ON_THE_BALLOT)
    found = {project.pk: project for project in on_ballot if project.pk in values}
    if len(found) != len(values):
        raise ValidationError(
            _("The ballot names a project that is not on this envelope's ballot."),
            code="unknown_project",
        )
    _check_count(envelope, len(found))
    chosen = [found[pk] for pk in values]
    if kind == Envelope.BallotType.KNAPSACK:
        _check_cost(envelope, sum(project.cost for project in chosen))
    if kind == Envelope.BallotType.CUMULATIVE:
        _check_points(envelope, values.values())
        return [(found[pk], points, None) for pk, points in values.items()]
    if kind == Envelope.BallotType.ORDINAL:
        if sorted(values.values()) != list(range(1, len(values) + 1)):
            raise ValidationError(
                _("Rank the chosen projects 1, 2, 3… each rank once."), code="ranks"
            )
        return sorted(((found[pk], None, rank) for pk, rank in values.items()), key=_by_rank)
    return [(project, None, None) for project in chosen]


def _by_rank(row):
    return row[2]


def _check_count(envelope: Envelope, count: int) -> None:
    if count < envelope.min_projects:
        raise ValidationError(
            ngettext(
                "Choose at least %(count)d project.",
                "Choose at least %(count)d projects.",
                envelope.min_projects,
            )
            % {"count": envelope.min_projects},
            code="too_few",
        )
    if envelope.max_projects is not None and count > envelope.max_projects:
        raise ValidationError(
            ngettext(
                "Choose at most %(count)d project.",
                "Choose at most %(count)d projects.",
                envelope.max_projects,
            )
            % {"count": envelope.max_projects},
            code="too_many",
        )


def _check_cost(envelope: Envelope, total: int) -> None:
    if total > envelope.amount:
        raise ValidationError(
            _("The chosen projects cost %(total)s €, more than the envelope's %(amount)s €.")
            % {"total": _euros(total), "amount": _euros(envelope.amount)},
            code="over_budget",
        )


def _check_points(envelope: Envelope, points: Iterable[int]) -> None:
    points = list(points)
    if any(value < 0 for value in points):
        raise ValidationError(_("Points cannot be negative."), code="negative_points")
    if sum(points) > envelope.max_points:
        raise ValidationError(
            _("You gave %(total)d points; you have %(max)d.")
            % {"total": sum(points), "max": envelope.max_points},
            code="too_many_points",
        )


def _euros(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u202f")


def _whole_number(value) -> int:
    """Points and ranks: integers, or their digits as form fields send them."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValidationError(_("Enter whole numbers."), code="not_a_number")


def _pk(project) -> int:
    value = getattr(project, "pk", project)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("The ballot names a project that is not on this envelope's ballot."),
            code="unknown_project",
        ) from None


def _insert_online(envelope: Envelope, voter) -> tuple[Ballot, bool]:
    """The voter's first ballot; IntegrityError if they have one."""
    return Ballot.objects.create(envelope=envelope, voter=voter, voter_key=_new_voter_key()), True


def _replace_online(envelope: Envelope, voter) -> tuple[Ballot, bool]:
    """The voter's ballot, locked and emptied of its choices; inserted if there is none
    (its voter was detached meanwhile)."""
    ballot = (
        Ballot.objects.select_for_update()
        .filter(envelope=envelope, voter=voter)
        .order_by("pk")
        .first()
    )
    if ballot is None:
        return _insert_online(envelope, voter)
    ballot.choices.all().delete()
    ballot.save(update_fields=["updated_at"])
    return ballot, False


def _add_choices(ballot: Ballot, cleaned) -> None:
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, project=project, points=points, rank=rank)
        for project, points, rank in cleaned
    )


def _new_voter_key() -> str:
    """Random, so an export cannot be linked back to accounts even with the server's keys."""
    return secrets.token_hex(12)


# --- results -------------------------------------------------------------------------------


@transaction.atomic
def compute_results(*, envelope: Envelope, acting_user=None) -> Result:
    """Count the envelope with its campaign's rule through ``rules.tally`` (as ``pb tally``).

    Refused once the campaign's results are published: they are final. The campaign row
    is locked, so a publication waits for a count under way. ``computed_at`` is taken
    before the ballots are read, so a ballot committed meanwhile makes the result stale
    for ``publish_results`` instead of being silently left out.
    """
    if acting_user is not None:
        _require(acting_user, "budget.change_campaign")
    campaign = Campaign.objects.select_for_update().get(pk=envelope.campaign_id)
    _refuse_recount(campaign)
    computed_at = timezone.now()
    data = selectors.tally_input(envelope)
    try:
        outcome = rules.tally(
            data.costs,
            data.ballots,
            envelope.amount,
            envelope.vote_type,
            campaign.rule,
            campaign.completion or None,
            max_length=envelope.max_projects,
        )
    except rules.RuleError as error:
        raise ValidationError(str(error), code="rule") from error
    pks = {pabulib_id: project.pk for pabulib_id, project in data.projects.items()}
    result, _created = Result.objects.update_or_create(
        envelope=envelope,
        defaults={
            "computed_at": computed_at,
            "rule": campaign.rule,
            "completion": campaign.completion,
            "ballots": len(data.ballots),
            "selected": [pks[p] for p in outcome.selected],
            "cost": outcome.cost,
            "budget": outcome.budget,
            "explanations": {
                str(pks[p]): _explanation(explanation, pks)
                for p, explanation in outcome.explanations.items()
            },
        },
    )
    audit.log(
        envelope,
        "lutetia.budget.results_computed",
        user=acting_user,
        data={"selected": len(result.selected), "cost": result.cost, "ballots": result.ballots},
    )
    return result


@transaction.atomic
def request_results(*, campaign: Campaign, acting_user) -> None:
    """Count every envelope of the campaign in the background, once this transaction commits."""
    from lutetia.services.budget.tasks import compute_envelope_results

    _require(acting_user, "budget.change_campaign")
    _refuse_recount(campaign)
    envelope_ids = list(campaign.envelopes.values_list("pk", flat=True))
    for envelope_id in envelope_ids:
        transaction.on_commit(
            lambda envelope_id=envelope_id: compute_envelope_results.enqueue(envelope_id)
        )
    audit.log(
        campaign,
        "lutetia.budget.results_requested",
        user=acting_user,
        data={"envelopes": envelope_ids},
    )


@transaction.atomic
def count_closed_vote(*, campaign_id: int, voting_end: datetime) -> list[Result]:
    """Count, once, the envelopes of a campaign whose vote closed at ``voting_end``.

    What the task scheduled for the close and the worker's periodic check call, so it must
    be harmless when stale or repeated: it does nothing if the close has moved or not come
    yet, or the results are published; it counts only envelopes without a result counted
    after the close. The campaign row is locked, so concurrent runs (several workers,
    duplicate tasks) count once. Each count is audited by ``compute_results``.
    """
    campaign = (
        Campaign.objects.select_for_update()
        .filter(
            pk=campaign_id,
            voting_end=voting_end,
            voting_end__lte=timezone.now(),
            results_published_at__isnull=True,
        )
        .first()
    )
    if campaign is None:
        return []
    return [
        compute_results(envelope=envelope, acting_user=None)
        for envelope in selectors.envelopes_to_count(campaign)
    ]


def _schedule_count(campaign: Campaign) -> None:
    """Once committed, schedule the count for the close of the vote (a new date, a new task:
    the previous one finds the date moved and does nothing)."""
    from lutetia.services.budget.tasks import schedule_count

    voting_end = campaign.voting_end
    transaction.on_commit(lambda: schedule_count(campaign.pk, voting_end))


def _refuse_recount(campaign: Campaign) -> None:
    if campaign.results_published_at is not None:
        raise ValidationError(
            _(
                "The results of this campaign are published: they are final and "
                "can no longer be counted again."
            ),
            code="published",
        )


@transaction.atomic
def publish_results(*, campaign: Campaign, acting_user) -> Campaign:
    """Make the stored results public and mark each project on the ballot selected or not.

    Publication is final: a second one is refused, so the statuses residents and the
    follow-up rely on never flip. Each envelope needs a result counted after the vote
    closed and after its last ballot (a paper ballot keyed in later asks for a recount).
    """
    _require(acting_user, "budget.change_campaign")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    envelopes = list(campaign.envelopes.select_related("result"))
    _check_publishable(campaign, envelopes)
    counts = {"selected": 0, "rejected": 0}
    for envelope in envelopes:
        on_ballot = envelope.projects.filter(status__in=Project.ON_THE_BALLOT)
        selected = envelope.result.selected
        counts["selected"] += on_ballot.filter(pk__in=selected).update(
            status=Project.Status.SELECTED
        )
        counts["rejected"] += on_ballot.exclude(pk__in=selected).update(
            status=Project.Status.REJECTED
        )
    campaign.results_published_at = timezone.now()
    campaign.save(update_fields=["results_published_at"])
    audit.log(campaign, "lutetia.budget.results_published", user=acting_user, data=counts)
    transaction.on_commit(page_cache.invalidate)  # anonymous results pages show the outcome
    transaction.on_commit(partial(notify_results, campaign.pk))
    return campaign


def _check_publishable(campaign: Campaign, envelopes: list[Envelope]) -> None:
    if campaign.results_published_at is not None:
        raise ValidationError(
            _("The results of this campaign are already published."), code="published"
        )
    if timezone.now() < campaign.voting_end:
        raise ValidationError(
            _("Voting has not closed yet: results are published after the vote."),
            code="voting_not_closed",
        )
    if not envelopes:
        raise ValidationError(_("This campaign has no envelope."), code="no_envelope")
    for envelope in envelopes:
        result = getattr(envelope, "result", None)
        if result is None:
            raise ValidationError(
                _("The results of %(envelope)s have not been computed yet.")
                % {"envelope": envelope},
                code="no_result",
            )
        if (
            result.computed_at < campaign.voting_end
            or envelope.ballots.filter(updated_at__gt=result.computed_at).exists()
        ):
            raise ValidationError(
                _(
                    "The results of %(envelope)s predate ballots or the close of the vote: "
                    "compute the results again first."
                )
                % {"envelope": envelope},
                code="stale_result",
            )


def _explanation(explanation: rules.Explanation, pks: dict[str, int]) -> dict:
    def text(value):
        return None if value is None else str(value)

    return {
        "selected": explanation.selected,
        "score": explanation.score,
        "lost_to": pks.get(explanation.lost_to),
        "payment": text(explanation.payment),
        "supporters_money": text(explanation.supporters_money),
    }


# --- pabulib import ---------------------------------------------------------------------------


@transaction.atomic
def import_pabulib(
    *, instance: pabulib.Instance, campaign_slug: str, envelope_name: str | None = None, acting_user
) -> Envelope:
    """Create a campaign with one envelope holding a .pb file's projects and ballots.

    The file's ballots become paper ballots (no account) keyed by the file's voter ids;
    they are taken as cast, without checking them against the envelope's limits (the
    record of a past vote). An existing campaign is never overwritten.
    """
    _require(acting_user, "budget.add_campaign")
    slug = slugify(campaign_slug)
    if not slug:
        raise ValidationError(_("Give the campaign a slug."), code="slug")
    if Campaign.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("A campaign %(slug)s already exists: import into a new campaign.") % {"slug": slug},
            code="exists",
        )
    meta = instance.meta
    rule, completion = _pabulib_rule(meta.get("rule", "greedy"))
    start, end = _pabulib_dates(meta)
    campaign = Campaign(
        name=(meta.get("description") or meta.get("unit") or slug)[:200],
        slug=slug,
        ideas_start=start,
        ideas_end=start,
        review_end=start,
        voting_start=start,
        voting_end=end,
        rule=rule,
        completion=completion,
    )
    campaign.full_clean()
    campaign.save()
    name = envelope_name or meta.get("subunit") or meta.get("district") or meta.get("unit") or slug
    envelope = Envelope(campaign=campaign, name=name[:200], amount=instance.budget)
    _pabulib_ballot_type(envelope, instance)
    envelope.full_clean()
    envelope.save()
    projects = _import_projects(envelope, instance)
    _import_ballots(envelope, instance, projects)
    audit.log(
        envelope,
        "lutetia.budget.imported",
        user=acting_user,
        data={"projects": len(projects), "ballots": len(instance.votes)},
    )
    return envelope


def _pabulib_rule(value: str) -> tuple[str, str]:
    if value not in PABULIB_RULES:
        raise ValidationError(
            _("Unknown rule %(rule)s in META; known rules: %(known)s.")
            % {"rule": value, "known": ", ".join(PABULIB_RULES)},
            code="rule",
        )
    return PABULIB_RULES[value]


def _pabulib_dates(meta: dict[str, str]) -> tuple[datetime, datetime]:
    """Voting from ``date_begin`` to the end of ``date_end`` (dd.mm.yyyy); now if absent."""
    try:
        begin = meta.get("date_begin") and datetime.strptime(meta["date_begin"], "%d.%m.%Y")
        end = meta.get("date_end") and datetime.strptime(meta["date_end"], "%d.%m.%Y")
    except ValueError:
        raise ValidationError(_("META dates must read dd.mm.yyyy."), code="date") from None
    now = timezone.now()
    start = timezone.make_aware(datetime.combine(begin, time())) if begin else now
    stop = timezone.make_aware(datetime.combine(end + timedelta(days=1), time())) if end else now
    return start, max(start, stop)


def _pabulib_ballot_type(envelope: Envelope, instance: pabulib.Instance) -> None:
    """Set the ballot type and limits from META (knapsack: ``max_sum_cost`` is given)."""
    vote_type = instance.vote_type
    envelope.min_projects = instance.meta_int("min_length") or 0
    envelope.max_projects = instance.meta_int("max_length")
    if vote_type == "approval":
        knapsack = instance.meta_int("max_sum_cost") is not None
        envelope.ballot_type = "knapsack" if knapsack else "approval"
    elif vote_type == "choose-1":
        envelope.ballot_type, envelope.max_projects = "approval", 1
    elif vote_type == "cumulative":
        envelope.ballot_type = "cumulative"
        envelope.max_points = instance.meta_int("max_sum_points")
    elif vote_type == "ordinal":
        envelope.ballot_type = "ordinal"
    else:
        raise ValidationError(
            _("%(type)s ballots cannot be imported.") % {"type": vote_type}, code="vote_type"
        )


def _import_projects(envelope: Envelope, instance: pabulib.Instance) -> dict[str, Project]:
    projects = {
        project.id: Project(
            envelope=envelope,
            external_id=project.id,
            title=(project.name or _("Project %(id)s") % {"id": project.id})[:300],
            description=project.fields.get("description", ""),
            cost=project.cost,
            theme=project.fields.get("category", "")[:100],
            latitude=_coordinate(project.fields.get("latitude")),
            longitude=_coordinate(project.fields.get("longitude")),
            status=Project.Status.FEASIBLE,
        )
        for project in instance.projects.values()
    }
    Project.objects.bulk_create(projects.values(), batch_size=BATCH)
    return projects


def _coordinate(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _import_ballots(envelope: Envelope, instance: pabulib.Instance, projects) -> None:
    ordinal = envelope.ballot_type == Envelope.BallotType.ORDINAL
    votes_left = iter(instance.votes)
    while votes := list(islice(votes_left, BATCH)):
        ballots = Ballot.objects.bulk_create(
            Ballot(envelope=envelope, voter_key=vote.voter_id, source=Ballot.Source.PAPER)
            for vote in votes
        )
        BallotChoice.objects.bulk_create(
            BallotChoice(
                ballot=ballot,
                project=projects[project_id],
                points=vote.points[index] if vote.points is not None else None,
                rank=index + 1 if ordinal else None,
            )
            for ballot, vote in zip(ballots, votes, strict=True)
            for index, project_id in enumerate(vote.projects)
        )


# --- helpers -------------------------------------------------------------------------------


def _require(acting_user, permission: str) -> None:
    if acting_user is not None and not acting_user.has_perm(permission):
        raise PermissionDenied


def _require_department(acting_user, obj, permission: str) -> None:
    """The permission, held for the object's department (administrators: every one)."""
    if acting_user is not None and not may_act_on(acting_user, obj, permission=permission):
        raise PermissionDenied


def _stored(instance, fields) -> dict:
    return audit.snapshot(type(instance).objects.get(pk=instance.pk), list(fields))


def _refuse_changes(before: dict, instance, fields) -> None:
    changed = [name for name in fields if before[name] != getattr(instance, name)]
    if changed:
        raise ValidationError(
            _("Voting has started: the phases, the rule and the envelopes can no longer change."),
            code="locked",
        )


# --- ideas, supports, comments, moderation, merging --------------------------------------------


def submit_idea(
    *,
    campaign: Campaign,
    envelope: Envelope,
    title: str,
    description: str,
    estimated_cost: int,
    theme: str,
    latitude: float | None = None,
    longitude: float | None = None,
    photos: Sequence[CleanImage] = (),
    anonymous: bool = False,
    acting_user,
) -> Idea:
    """Record a resident's idea for one envelope of a campaign in its ideas phase.

    A map point must lie in the city and, for a district's envelope, in that district;
    the idea's district comes from the point (else from the envelope). Photos are the
    core validator's re-encoded images; each gets a thumbnail. Limited per account.
    """
    with files_removed_on_error() as stored, transaction.atomic():
        _check_idea_author(campaign, acting_user)
        if envelope.campaign_id != campaign.pk:
            raise _field_error(
                "envelope", _("Choose one of this campaign's envelopes."), "envelope"
            )
        if len(photos) > Idea.PHOTOS_MAX:
            raise _field_error(
                "photos",
                _("At most %(count)d photos.") % {"count": Idea.PHOTOS_MAX},
                "too_many_photos",
            )
        idea = Idea(
            campaign=campaign,
            envelope=envelope,
            author=acting_user,
            anonymous=anonymous,
            title=title.strip(),
            description=description.strip(),
            estimated_cost=estimated_cost,
            theme=theme,
            latitude=latitude,
            longitude=longitude,
            district=_idea_district(envelope, latitude, longitude),
        )
        _check_length(idea, "description", Idea.DESCRIPTION_MAX)
        idea.full_clean()
        _count_contribution(acting_user, "ideas")
        idea.save()
        for photo in photos:
            _store_photo(idea, photo, stored)
        audit.log(
            idea,
            "lutetia.budget.idea_submitted",
            user=acting_user,
            data={"envelope": envelope.pk, "photos": len(photos)},
        )
        return idea


@transaction.atomic
def support_idea(*, idea: Idea, acting_user) -> Support:
    """Support an idea, once; never one's own."""
    _check_discussion(idea, acting_user)
    if idea.author_id == acting_user.pk:
        raise ValidationError(_("You cannot support your own idea."), code="own_idea")
    try:
        with transaction.atomic():
            support = Support.objects.create(idea=idea, user=acting_user)
    except IntegrityError:
        raise ValidationError(
            _("You already support this idea."), code="already_supported"
        ) from None
    audit.log(idea, "lutetia.budget.idea_supported", user=acting_user)
    return support


@transaction.atomic
def withdraw_support(*, idea: Idea, acting_user) -> None:
    _check_discussion(idea, acting_user)
    deleted, _rows = Support.objects.filter(idea=idea, user=acting_user).delete()
    if not deleted:
        raise ValidationError(_("You do not support this idea."), code="not_supported")
    audit.log(idea, "lutetia.budget.support_withdrawn", user=acting_user)


@transaction.atomic
def comment_idea(*, idea: Idea, body: str, acting_user) -> Comment:
    """Comment an idea during the ideas phase and co-construction. Limited per account."""
    _check_discussion(idea, acting_user)
    comment = Comment(idea=idea, author=acting_user, body=body.strip())
    _check_length(comment, "body", Comment.BODY_MAX)
    comment.full_clean()
    _count_contribution(acting_user, "comments")
    comment.save()
    audit.log(idea, "lutetia.budget.comment_added", user=acting_user, data={"comment": comment.pk})
    return comment


@transaction.atomic
def flag(*, idea: Idea, comment: Comment | None = None, reason: str = "", acting_user) -> Flag:
    """Report an idea or one of its comments to the moderators, once per resident."""
    if not acting_user.is_authenticated or not acting_user.is_active:
        raise PermissionDenied
    if comment is not None and comment.idea_id != idea.pk:
        raise ValidationError(_("This comment is not on this idea."), code="comment")
    try:
        with transaction.atomic():
            report = Flag.objects.create(
                idea=idea, comment=comment, user=acting_user, reason=reason.strip()[:500]
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already reported this to the moderators."), code="already_flagged"
        ) from None
    audit.log(
        idea,
        "lutetia.budget.flagged",
        user=acting_user,
        data={"comment": comment.pk if comment else None},
    )
    return report


@transaction.atomic
def hide(*, target: Idea | Comment, reason: str, acting_user) -> None:
    """Hide an idea or a comment from the public; its author is told why."""
    _require(acting_user, "budget.moderate_idea")
    reason = reason.strip()
    if not reason:
        raise _field_error(
            "reason", _("Give the reason: the author will read it."), "reason_required"
        )
    target.hidden_at = timezone.now()
    target.hidden_reason = reason
    target.save(update_fields=["hidden_at", "hidden_reason"])
    idea = _moderated_idea(target)
    _resolve_flags(target)
    audit.log(idea, f"lutetia.budget.{_kind(target)}_hidden", user=acting_user, data=_ref(target))
    if target.author_id is not None:
        transaction.on_commit(partial(_tell_hidden, type(target), target.pk))


@transaction.atomic
def restore(*, target: Idea | Comment, acting_user) -> None:
    """Show a hidden idea or comment again."""
    _require(acting_user, "budget.moderate_idea")
    target.hidden_at = None
    target.hidden_reason = ""
    target.save(update_fields=["hidden_at", "hidden_reason"])
    _resolve_flags(target)
    audit.log(
        _moderated_idea(target),
        f"lutetia.budget.{_kind(target)}_restored",
        user=acting_user,
        data=_ref(target),
    )


@transaction.atomic
def dismiss_flags(*, idea: Idea, acting_user) -> int:
    """Close the open reports on an idea and its comments, leaving everything visible."""
    _require(acting_user, "budget.moderate_idea")
    count = Flag.objects.filter(idea=idea, resolved_at=None).update(resolved_at=timezone.now())
    audit.log(idea, "lutetia.budget.flags_dismissed", user=acting_user, data={"flags": count})
    return count


@transaction.atomic
def merge_ideas(
    *,
    ideas: Iterable[Idea],
    project: Project | None = None,
    title: str = "",
    description: str = "",
    cost: int | None = None,
    theme: str = "",
    acting_user,
) -> Project:
    """Merge similar ideas of one envelope into a new project, or into ``project``.

    The ideas stay public and linked to the project, whose page credits every author;
    each author is told, with the other ideas merged with theirs. Merging ends when
    voting starts.
    """
    _require(acting_user, "budget.merge_idea")
    ideas = list(
        Idea.objects.select_for_update()
        .filter(pk__in=[idea.pk for idea in ideas])
        .select_related("envelope__campaign")
        .order_by("pk")
    )
    envelope = _merge_envelope(ideas, project)
    created = project is None
    if created:
        project = Project(
            envelope=envelope,
            title=title.strip(),
            description=description.strip(),
            cost=cost,
            theme=theme,
            district=envelope.district,
            status=Project.Status.SUBMITTED,
        )
        located = next((idea for idea in ideas if idea.latitude is not None), None)
        if located is not None:
            project.latitude, project.longitude = located.latitude, located.longitude
        project.full_clean()
        project.save()
    Idea.objects.filter(pk__in=[idea.pk for idea in ideas]).update(project=project)
    audit.log(
        project,
        "lutetia.budget.ideas_merged",
        user=acting_user,
        data={"ideas": [idea.pk for idea in ideas], "created": created},
    )
    transaction.on_commit(partial(notify_authors, project.pk, "budget_ideas_merged"))
    return project


def notify_authors(project_id: int, kind: str) -> None:
    """Tell each author of the ideas merged into the project (once each) about it."""
    project = selectors.project_with_ideas(project_id)
    url = reverse("budget:project", args=[project.pk])
    for author in selectors.idea_authors(project):
        notify(
            recipient=author,
            kind=kind,
            context={"project": project, "ideas": project.public_ideas},
            url=url,
        )


def notify_results(campaign_id: int) -> None:
    """Tell the authors of every project that was on the ballot whether it won."""
    for project_id in selectors.credited_projects(campaign_id):
        notify_authors(project_id, "budget_results")


def _check_idea_author(campaign: Campaign, user) -> None:
    if not user.is_authenticated or not user.has_level(campaign.ideas_required_level):
        raise ValidationError(
            _("Proposing an idea requires an account verified at the level: %(level)s.")
            % {"level": VerificationLevel(campaign.ideas_required_level).label},
            code="level",
        )
    if not campaign.ideas_open:
        raise ValidationError(_("The ideas phase is closed."), code="ideas_closed")


def _check_discussion(idea: Idea, user) -> None:
    campaign = idea.campaign
    if not user.is_authenticated or not user.has_level(campaign.ideas_required_level):
        raise ValidationError(
            _("Supporting and commenting require an account verified at the level: %(level)s.")
            % {"level": VerificationLevel(campaign.ideas_required_level).label},
            code="level",
        )
    if not campaign.discussion_open:
        raise ValidationError(
            _("Ideas are no longer supported or commented in this campaign."),
            code="discussion_closed",
        )
    if idea.hidden:
        raise ValidationError(_("This idea was hidden by the moderators."), code="hidden")


def _idea_district(envelope: Envelope, latitude: float | None, longitude: float | None):
    """The district at the map point; it must be in the city and in the envelope's district."""
    if (latitude is None) != (longitude is None):
        raise _field_error(
            "latitude", _("Give both the latitude and the longitude, or neither."), "point"
        )
    if latitude is None:
        return envelope.district
    district = district_at(longitude, latitude)
    if district is None:
        raise _field_error(
            "latitude", _("This point is outside the city. Choose a point within it."), "outside"
        )
    if envelope.district_id is not None and district.pk != envelope.district_id:
        raise _field_error(
            "latitude",
            _(
                "This point is in %(found)s, not in %(district)s: choose a point in "
                "%(district)s, or the envelope of %(found)s."
            )
            % {"found": district.name, "district": envelope.district.name},
            "wrong_district",
        )
    return district


def _check_length(instance, field: str, maximum: int) -> None:
    """Text fields' max_length is not checked by full_clean: check it here."""
    if len(getattr(instance, field)) > maximum:
        message = ngettext("At most %(count)d character.", "At most %(count)d characters.", maximum)
        raise _field_error(field, message % {"count": maximum}, "too_long")


def _count_contribution(user, kind: str) -> None:
    """Count an idea or a comment against the account's allowance (settings, see docs)."""
    limit, window, message = {
        "ideas": (
            getattr(settings, "LUTETIA_BUDGET_IDEAS_PER_DAY", 5),
            24 * 3600,
            _("You have proposed many ideas today. Please come back tomorrow."),
        ),
        "comments": (
            getattr(settings, "LUTETIA_BUDGET_COMMENTS_PER_HOUR", 30),
            3600,
            _("You have written many comments in the last hour. Please try again later."),
        ),
    }[kind]
    try:
        count_event(f"budget-{kind}:user:{user.pk}", limit=limit, window_seconds=window)
    except RateLimited:
        raise ValidationError(message, code="rate_limited") from None


def _store_photo(idea: Idea, photo: CleanImage, stored: list[str]) -> IdeaPhoto:
    record = IdeaPhoto(idea=idea, width=photo.width, height=photo.height)
    thumbnail = make_thumbnail(photo)
    record.image.save(photo.content.name, photo.content, save=False)
    stored.append(record.image.name)
    record.thumbnail.save(thumbnail.name, thumbnail, save=False)
    stored.append(record.thumbnail.name)
    record.save()
    return record


def _merge_envelope(ideas: list[Idea], project: Project | None) -> Envelope:
    """The one envelope of the ideas (and project); refuse what cannot be merged."""
    if not ideas:
        raise ValidationError(_("Choose the ideas to merge."), code="no_idea")
    envelopes = {idea.envelope_id for idea in ideas}
    if project is not None:
        envelopes.add(project.envelope_id)
    if len(envelopes) > 1:
        raise ValidationError(
            _("Only ideas of the same envelope can be merged into one project."),
            code="envelopes",
        )
    envelope = ideas[0].envelope
    if envelope.campaign.settings_locked:
        raise ValidationError(
            _("Voting has started: ideas can no longer be merged."), code="locked"
        )
    if any(idea.hidden for idea in ideas):
        raise ValidationError(_("Hidden ideas cannot be merged."), code="hidden")
    target = project.pk if project is not None else None
    if any(idea.project_id not in (None, target) for idea in ideas):
        raise ValidationError(
            _("An idea is already merged into another project."), code="already_merged"
        )
    return envelope


def _moderated_idea(target: Idea | Comment) -> Idea:
    return target if isinstance(target, Idea) else target.idea


def _kind(target: Idea | Comment) -> str:
    return "idea" if isinstance(target, Idea) else "comment"


def _ref(target: Idea | Comment) -> dict:
    return {} if isinstance(target, Idea) else {"comment": target.pk}


def _resolve_flags(target: Idea | Comment) -> None:
    if isinstance(target, Idea):
        flags = Flag.objects.filter(idea=target, comment=None)
    else:
        flags = Flag.objects.filter(comment=target)
    flags.filter(resolved_at=None).update(resolved_at=timezone.now())


def _tell_hidden(model, pk: int) -> None:
    target = model.objects.select_related("author").get(pk=pk)
    idea = _moderated_idea(target)
    notify(
        recipient=target.author,
        kind="budget_hidden",
        context={"idea": idea, "comment": None if target is idea else target},
        url=reverse("budget:idea", args=[idea.pk]),
    )


@transaction.atomic
def erase_contributions(*, user, acting_user) -> dict[str, int]:
    """For a deleted account: its ideas and comments stay public without a name; its
    supports and reports are deleted. Returns what was changed, by kind."""
    counts = {
        "ideas": Idea.objects.filter(author=user).update(author=None, anonymous=True),
        "comments": Comment.objects.filter(author=user).update(author=None),
        "supports": Support.objects.filter(user=user).delete()[0],
        "reports": Flag.objects.filter(user=user).delete()[0],
    }
    audit.log(user, "lutetia.budget.ideas_erased", user=acting_user, data=counts)
    return counts


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """An error shown next to ``field`` on the form, with a code tests and views can read."""
    return ValidationError({field: ValidationError(message, code=code)})
