"""Residents' pages of the participatory budget: campaigns, ideas, voting, results, follow-up.

Every page works without JavaScript; the ballot's running total is computed here on
each submission ("Check my choices") and only refreshed live by budget/js/ballot.js.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lutetia.accounts.decorators import level_required, user_has_level
from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import check_rate_limit, count_event
from lutetia.core.backoffice import show_action_error
from lutetia.pages.cache import cached_for_anonymous
from lutetia.services.budget import actions, selectors
from lutetia.services.budget.forms import (
    APPROVAL_TYPES,
    BallotForm,
    CommentForm,
    FlagForm,
    IdeaFilterForm,
    IdeaForm,
)
from lutetia.services.budget.models import Campaign, Envelope, Idea, Project, Result

# A voter changes a ballot a few times at most; the per-IP limit (LUTETIA_API_RATE_LIMIT_PER_IP
# a minute) stays generous because whole neighbourhoods share one mobile carrier address.
BALLOTS_PER_USER_PER_HOUR = 20
RESULTS_CACHE_SECONDS = 24 * 3600
EXECUTION_STEPS = list(Project.Execution)


# --- campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    name: str
    start: datetime | None
    end: datetime | None
    current: bool


def phases(campaign: Campaign, now: datetime) -> list[Phase]:
    """The campaign's phases with their dates; ``current`` marks the one under way."""
    published = campaign.results_published_at
    spans = [
        (_("Ideas"), campaign.ideas_start, campaign.ideas_end),
        *(
            [(_("Co-construction"), campaign.ideas_end, campaign.coconstruction_end)]
            if campaign.coconstruction_end
            else []
        ),
        (_("Feasibility review"), campaign.discussion_end, campaign.review_end),
        (_("Voting"), campaign.voting_start, campaign.voting_end),
        (_("Results"), campaign.voting_end, published),
        (_("Follow-up of the winning projects"), published, None),
    ]
    return [
        Phase(name, start, end, start is not None and start <= now and (end is None or now < end))
        for name, start, end in spans
    ]


def results_public(campaign: Campaign) -> bool:
    """Results show once the campaign's publication date has come."""
    published = campaign.results_published_at
    return published is not None and published <= timezone.now()


def index(request):
    """The current campaigns in full (those still ahead of their vote's end, else the
    latest), then links to earlier ones."""
    now = timezone.now()
    campaigns = list(selectors.campaigns_with_envelopes())
    current = [c for c in campaigns if c.voting_end > now] or campaigns[:1]
    past = [c for c in campaigns if c not in current]
    context = {"campaigns": [_campaign_context(c, now) for c in current], "past": past}
    return render(request, "budget/index.html", context)


def campaign_detail(request, slug):
    campaign = get_object_or_404(selectors.campaigns_with_envelopes(), slug=slug)
    context = {"campaign": _campaign_context(campaign, timezone.now())}
    return render(request, "budget/campaign.html", context)


def _campaign_context(campaign: Campaign, now: datetime) -> dict:
    return {
        "campaign": campaign,
        "phases": phases(campaign, now),
        "ideas_open": campaign.ideas_open,
        "envelopes": campaign.envelopes.all(),
        "results_public": results_public(campaign),
    }


# --- voting --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def envelope_detail(request, pk):
    """The envelope's projects and, to those who may vote, the ballot."""
    envelope = _envelope(pk)
    projects = selectors.ballot_projects(envelope)
    obstacle = voting_obstacle(request.user, envelope)
    if obstacle is not None:
        status = 403 if request.method == "POST" else 200
        return _envelope_page(request, envelope, projects, obstacle, status)
    # A submitted form needs no current ballot unless it is shown again: one query less
    # on the voting peak's path.
    ballot = None if request.method == "POST" else selectors.ballot_of(request.user, envelope)
    form = BallotForm(request.POST or None, envelope=envelope, projects=projects, ballot=ballot)
    status = 200
    context = {}
    if request.method == "POST":
        if request.POST.get("action") == "check":
            context["checked"] = _check(form, envelope)
        elif _rate_limited(request):
            form.add_error(
                None, _("You have submitted many ballots in a short time. Please try again later.")
            )
            status = 429
        elif _cast(form, envelope, request.user):
            return redirect("budget:voted", pk=envelope.pk)
        ballot = selectors.ballot_of(request.user, envelope)
    context.update(form=form, ballot=ballot, rows=form.rows(), totals=form.totals())
    return _envelope_page(request, envelope, projects, obstacle, status, **context)


def _envelope(pk) -> Envelope:
    """The envelope with its campaign and district, whose outline the pages do not show."""
    return get_object_or_404(
        Envelope.objects.select_related("campaign", "district").defer("district__geometry"),
        pk=pk,
    )


def _envelope_page(request, envelope, projects, obstacle, status, **context):
    """Render the envelope's page: only then are its links worked out, not for an accepted
    ballot, which is redirected."""
    context = {
        "envelope": envelope,
        "campaign": envelope.campaign,
        "projects": projects,
        "obstacle": obstacle,
        "login_url": _with_next(reverse("account_login"), request),
        "verification_url": _with_next(reverse("accounts:verification"), request),
        "results_public": results_public(envelope.campaign),
        **context,
    }
    return render(request, "budget/envelope.html", context, status=status)


def voting_obstacle(user, envelope: Envelope) -> str | None:
    """Why ``user`` cannot vote in ``envelope`` now: a code the page explains, or None."""
    campaign = envelope.campaign
    now = timezone.now()
    if now < campaign.voting_start:
        return "not_yet"
    if now >= campaign.voting_end:
        return "closed"
    if not user.is_authenticated:
        return "anonymous"
    if not user_has_level(user, envelope.required_level):
        return "level"
    if envelope.district_id is not None and envelope.district_id != user.district_id:
        return "district"
    return None


def _check(form: BallotForm, envelope: Envelope) -> bool:
    """Run the envelope's rule on the choices without saving; True if they pass."""
    if not form.is_valid():
        return False
    try:
        actions.clean_choices(envelope, form.choices(), on_ballot=form.projects)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _cast(form: BallotForm, envelope: Envelope, user) -> bool:
    if not form.is_valid():
        return False
    try:
        actions.cast_ballot(
            envelope=envelope, acting_user=user, choices=form.choices(), on_ballot=form.projects
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _rate_limited(request) -> bool:
    """Count a ballot submission against the voter and their address."""
    try:
        check_rate_limit(request, "budget-ballot")
        count_event(
            f"budget-ballot:user:{request.user.pk}",
            limit=BALLOTS_PER_USER_PER_HOUR,
            window_seconds=3600,
        )
    except RateLimited:
        return True
    return False


def _with_next(url: str, request) -> str:
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


@login_required
def voted(request, pk):
    """The confirmation: what the ballot holds, and how to change it while voting is open."""
    envelope = _envelope(pk)
    ballot = selectors.ballot_of(request.user, envelope)
    if ballot is None:
        return redirect("budget:envelope", pk=envelope.pk)
    context = {"envelope": envelope, "campaign": envelope.campaign, "ballot": ballot}
    return render(request, "budget/voted.html", context)


# --- results -------------------------------------------------------------------------------


@cached_for_anonymous
def results(request, pk):
    """The stored result, never recomputed here: anonymous visitors get the whole page from the
    page cache (dropped when results are published); for others the body is rendered once per
    language and computation (the key holds ``computed_at``, so a new count is a new entry)."""
    envelope = get_object_or_404(
        Envelope.objects.select_related("campaign", "district", "result"), pk=pk
    )
    result = getattr(envelope, "result", None)
    context = {"envelope": envelope, "campaign": envelope.campaign}
    if result is None or not results_public(envelope.campaign):
        return render(request, "budget/results_pending.html", context)
    key = f"budget:results:{envelope.pk}:{get_language()}:{result.computed_at.isoformat()}"
    body = cache.get(key)
    if body is None:
        body = render_to_string("budget/results_body.html", _results_context(envelope, result))
        cache.set(key, body, RESULTS_CACHE_SECONDS)
    return render(request, "budget/results.html", {**context, "body": mark_safe(body)})


def _results_context(envelope: Envelope, result: Result) -> dict:
    projects = {project.pk: project for project in selectors.ballot_projects(envelope)}
    selected = set(result.selected)
    winners = [projects[pk] for pk in result.selected if pk in projects]
    others = sorted(
        (p for pk, p in projects.items() if pk not in selected),
        key=lambda p: -_explanation(result, p.pk).get("score", 0),
    )
    rows = [_outcome_row(envelope, result, project, projects) for project in winners + others]
    return {
        "envelope": envelope,
        "campaign": envelope.campaign,
        "result": result,
        "rows": rows,
        "winners": [row for row in rows if row["selected"]],
        "share": _percent(result.cost, envelope.amount),
        "points": envelope.ballot_type not in APPROVAL_TYPES,
        "votes_chart": _bars([(row["project"].title, row["score"]) for row in rows]),
        "theme_chart": _spending(winners, lambda p: p.theme or _("No theme")),
        "district_chart": _spending(
            winners, lambda p: p.district.name if p.district else _("City-wide")
        ),
    }


def _explanation(result: Result, pk: int) -> dict:
    return result.explanations.get(str(pk), {})


def _outcome_row(envelope, result, project, projects) -> dict:
    explanation = _explanation(result, project.pk)
    lost_to = projects.get(explanation.get("lost_to"))
    return {
        "project": project,
        "selected": project.pk in result.selected,
        "score": explanation.get("score", 0),
        "share": _percent(project.cost, envelope.amount),
        "lost_to": lost_to,
        "payment": _euros(explanation.get("payment")),
        "supporters_money": _euros(explanation.get("supporters_money")),
    }


def _euros(fraction: str | None) -> Decimal | None:
    """An exact amount kept as text ("3/7") to the cent, for reading."""
    if fraction is None:
        return None
    value = Fraction(fraction)
    cents = Decimal(value.numerator) / Decimal(value.denominator)
    return cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _bars(values: list[tuple[str, int]]) -> list[dict]:
    """Chart rows: label, value and the bar's length in % of the largest (SVG attribute)."""
    top = max((value for _label, value in values), default=0)
    return [
        {"label": label, "value": value, "width": f"{_percent(value, top) if top else 0}"}
        for label, value in values
    ]


def _spending(winners: list[Project], group) -> list[dict]:
    totals: dict[str, int] = defaultdict(int)
    for project in winners:
        totals[group(project)] += project.cost
    return _bars(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


# --- projects and follow-up ------------------------------------------------------------------


def project_detail(request, pk):
    project = selectors.public_project(pk)
    if project is None:
        raise Http404
    campaign = project.envelope.campaign
    selected = project.status == Project.Status.SELECTED
    context = {
        "project": project,
        "envelope": project.envelope,
        "campaign": campaign,
        "selected": selected,
        "results_public": results_public(campaign),
        "steps": _steps(project) if selected else [],
    }
    return render(request, "budget/project.html", context)


def _steps(project: Project) -> list[dict]:
    """The follow-up steps, each done, current or ahead."""
    values = [step.value for step in EXECUTION_STEPS]
    reached = values.index(project.execution_status) if project.execution_status in values else -1
    return [
        {"label": step.label, "done": index < reached, "current": index == reached}
        for index, step in enumerate(EXECUTION_STEPS)
    ]


def follow_up(request):
    """Every winning project with its execution status: a list, and a map when JS runs."""
    context = {"projects": list(selectors.winning_projects())}
    return render(request, "budget/follow_up.html", context)


@require_GET
def follow_up_geojson(request):
    """The winning projects that have a location, as GeoJSON points for the map."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.longitude, p.latitude]},
            "properties": {
                "title": p.title,
                "url": reverse("budget:project", args=[p.pk]),
                "execution_status": p.get_execution_status_display() or _("Not started"),
            },
        }
        for p in selectors.winning_projects()
        if p.latitude is not None and p.longitude is not None
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# --- ideas -----------------------------------------------------------------------------------

IDEAS_PER_PAGE = 20


def ideas(request, slug):
    """The campaign's ideas, filtered by district and theme, most supported or newest first."""
    campaign = get_object_or_404(Campaign, slug=slug)
    filters = IdeaFilterForm(request.GET or None)
    found = selectors.public_ideas(campaign, **filters.filters())
    context = {
        "campaign": campaign,
        "filters": filters,
        "page": Paginator(found, IDEAS_PER_PAGE).get_page(request.GET.get("page")),
        "ideas_open": campaign.ideas_open,
    }
    return render(request, "budget/ideas.html", context)


@require_http_methods(["GET", "POST"])
def propose_idea(request, slug):
    """The idea form, for residents at the campaign's level (``level_required``)."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return level_required(campaign.ideas_required_level)(_propose)(request, campaign)


def _propose(request, campaign: Campaign):
    if not campaign.ideas_open:
        status = 403 if request.method == "POST" else 200
        return render(request, "budget/idea_form.html", {"campaign": campaign}, status=status)
    form = IdeaForm(request.POST or None, request.FILES or None, campaign=campaign)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            idea = actions.submit_idea(
                campaign=campaign, acting_user=request.user, **form.submission()
            )
        except ValidationError as error:
            show_action_error(form, error)
            status = 429 if _rate_limited_error(error) else 400
        else:
            messages.success(request, _("Thank you: your idea is published."))
            return redirect("budget:idea", pk=idea.pk)
    elif request.method == "POST":
        status = 400
    return render(
        request, "budget/idea_form.html", {"campaign": campaign, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def idea_detail(request, pk):
    """An idea with its photos, map point, supports and comments; POST sends one of the
    page's forms (``form``: support, withdraw, comment, flag) and comes back here."""
    idea = selectors.idea_for(request.user, pk)
    if idea is None:
        raise Http404
    comment_form = CommentForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        name = request.POST.get("form")
        if name == "comment":
            comment_form = CommentForm(request.POST)
            status = _comment(request, idea, comment_form)
        elif name in IDEA_FORMS:
            _send(request, IDEA_FORMS[name], idea)
        else:
            status = 400
        if status == 200:
            return redirect("budget:idea", pk=idea.pk)
    context = {
        "idea": idea,
        "campaign": idea.campaign,
        "supported": selectors.supports(request.user, idea),
        "is_author": request.user.is_authenticated and idea.author_id == request.user.pk,
        "comment_form": comment_form,
        "flag_form": FlagForm(),
        "login_url": _with_next(reverse("account_login"), request),
    }
    return render(request, "budget/idea.html", context, status=status)


def _comment(request, idea: Idea, form: CommentForm) -> int:
    """Add the comment, or put the refusal on the form; the response's status."""
    if not form.is_valid():
        return 400
    try:
        actions.comment_idea(idea=idea, body=form.cleaned_data["body"], acting_user=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return 429 if _rate_limited_error(error) else 400
    messages.success(request, _("Your comment is published."))
    return 200


def _support(request, idea):
    actions.support_idea(idea=idea, acting_user=request.user)
    return _("You support this idea.")


def _withdraw(request, idea):
    actions.withdraw_support(idea=idea, acting_user=request.user)
    return _("You no longer support this idea.")


def _flag(request, idea):
    form = FlagForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("The report could not be read."), code="invalid")
    comment = None
    if form.cleaned_data["comment"]:
        comment = get_object_or_404(idea.comments, pk=form.cleaned_data["comment"])
    actions.flag(
        idea=idea, comment=comment, reason=form.cleaned_data["reason"], acting_user=request.user
    )
    return _("Thank you: the moderators will look at it.")


IDEA_FORMS = {"support": _support, "withdraw": _withdraw, "flag": _flag}


def _send(request, action, idea) -> None:
    """Run a one-button form's action; its outcome shows as a message on the idea's page."""
    try:
        messages.success(request, action(request, idea))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)


def _rate_limited_error(error: ValidationError) -> bool:
    return getattr(error, "code", None) == "rate_limited"
