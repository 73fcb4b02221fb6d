"""Demo data: "Budget participatif 2026", voting open, a city-wide and two district envelopes;
"Budget participatif 2027" in its ideas phase, with ideas, supports, a comment and two
similar ideas merged into one project."""

from datetime import timedelta

import shapely
from django.utils import timezone
from shapely.geometry import shape

from lutetia.accounts.models import VerificationLevel
from lutetia.core.demo import DemoContext
from lutetia.services.budget import actions
from lutetia.services.budget.models import Ballot, Campaign, Envelope, Project

SLUG = "budget-participatif-2026"
IDEAS_SLUG = "budget-participatif-2027"
# (title, description, estimated cost, theme); the first two are merged into one project.
CITY_IDEAS = [
    (
        "Des fontaines dans les squares",
        "Une fontaine d'eau potable dans chaque square, pour les jours de chaleur.",
        400_000,
        "Environnement",
    ),
    (
        "De l'eau fraîche pour tous l'été",
        "Des points d'eau et des brumisateurs dans les jardins publics.",
        300_000,
        "Environnement",
    ),
    (
        "Des ateliers de réparation de vélos",
        "Un atelier gratuit par mois dans chaque arrondissement.",
        150_000,
        "Mobilités",
    ),
]
DISTRICT_IDEA = (
    "Un préau pour la place du marché",
    "Un abri contre la pluie pour les étals et les habitants.",
    90_000,
    "Cadre de vie",
)
CITY_WIDE = "Tout Paris"
# (title, cost in euros, theme, description, code of the department in charge)
CITY_PROJECTS = [
    (
        "Des fontaines à boire dans tous les parcs",
        1_200_000,
        "Environnement",
        "Installer 60 fontaines d'eau potable dans les parcs et jardins.",
        "eau",
    ),
    (
        "Cours d'école oasis",
        3_500_000,
        "Éducation",
        "Déminéraliser et végétaliser dix cours d'école ouvertes au public le week-end.",
        "espaces-verts",
    ),
    (
        "Pistes cyclables protégées sur les grands axes",
        4_000_000,
        "Mobilités",
        "Séparer les pistes cyclables de la circulation sur quatre avenues.",
        "voirie",
    ),
    (
        "Bancs et ombrières le long de la Seine",
        800_000,
        "Cadre de vie",
        "Des bancs et des ombrières pour se reposer à l'abri du soleil.",
        "voirie",
    ),
]
DISTRICT_PROJECTS = [
    (
        "Jardin partagé au pied des immeubles",
        150_000,
        "Environnement",
        "Des bacs de culture et un composteur collectif pour les habitants.",
        "espaces-verts",
    ),
    (
        "Rénovation du terrain de basket",
        220_000,
        "Sport",
        "Un nouveau revêtement, des paniers et un éclairage économe.",
        "eclairage",
    ),
    (
        "Boîte à livres et bancs sur la place",
        40_000,
        "Culture",
        "Une boîte à livres en accès libre et des bancs autour.",
        "voirie",
    ),
]


def load_demo(context: DemoContext) -> None:
    """Idempotent: the campaign is created once; ballots are cast only by new voters."""
    campaign = Campaign.objects.filter(slug=SLUG).first() or _campaign(context)
    for envelope in campaign.envelopes.all():
        for resident in context.residents:
            if _may_vote(resident, envelope) and not _has_voted(resident, envelope):
                _vote(envelope, resident)
    if not Campaign.objects.filter(slug=IDEAS_SLUG).exists():
        _ideas_campaign(context)


def _campaign(context: DemoContext) -> Campaign:
    """Created with the vote ahead (envelopes are only added before it), then opened."""
    admin = context.administrator
    now = timezone.now()
    campaign = actions.save_campaign(
        campaign=Campaign(
            name="Budget participatif 2026",
            slug=SLUG,
            ideas_start=now - timedelta(days=120),
            ideas_end=now - timedelta(days=60),
            review_end=now - timedelta(days=8),
            voting_start=now + timedelta(days=1),
            voting_end=now + timedelta(days=21),
            rule=Campaign.Rule.MES,
            completion=Campaign.Completion.ADD1,
        ),
        acting_user=admin,
    )
    city = _envelope(campaign, admin, CITY_WIDE, None, 6_000_000, max_projects=3)
    _projects(city, context, CITY_PROJECTS, None)
    for district in _demo_districts(context):
        envelope = _envelope(campaign, admin, f"Paris {district.name}", district, 300_000)
        _projects(envelope, context, DISTRICT_PROJECTS, district)
    campaign.voting_start = now - timedelta(days=7)
    return actions.save_campaign(campaign=campaign, acting_user=admin)


def _demo_districts(context: DemoContext) -> list:
    """Two arrondissements, those of the verified residents first (so they have a ballot)."""
    level = VerificationLevel.RESIDENT
    verified = [r.district for r in context.residents if r.district and r.has_level(level)]
    return list(dict.fromkeys(verified + list(context.districts)))[:2]


def _envelope(campaign, admin, name, district, amount, max_projects=None) -> Envelope:
    return actions.save_envelope(
        envelope=Envelope(
            campaign=campaign,
            name=name,
            district=district,
            amount=amount,
            ballot_type=Envelope.BallotType.KNAPSACK if district else Envelope.BallotType.APPROVAL,
            max_projects=max_projects,
            required_level=VerificationLevel.RESIDENT,
        ),
        acting_user=admin,
    )


def _projects(envelope, context: DemoContext, rows, district) -> None:
    for title, cost, theme, description, department in rows:
        actions.save_project(
            project=Project(
                envelope=envelope,
                title=title,
                cost=cost,
                theme=theme,
                description=description,
                district=district,
                department=context.departments.get(department),
                status=Project.Status.FEASIBLE,
            ),
            acting_user=context.administrator,
        )


def _may_vote(resident, envelope) -> bool:
    return resident.has_level(envelope.required_level) and envelope.district_id in (
        None,
        resident.district_id,
    )


def _has_voted(resident, envelope) -> bool:
    return Ballot.objects.filter(envelope=envelope, voter=resident).exists()


def _vote(envelope: Envelope, resident) -> None:
    """The two cheapest projects: within every demo envelope's limits."""
    cheapest = envelope.projects.order_by("cost", "pk")[:2]
    actions.cast_ballot(envelope=envelope, acting_user=resident, choices=list(cheapest))


def _ideas_campaign(context: DemoContext) -> None:
    """Ideas open for a month, then co-construction, review and the vote."""
    admin = context.administrator
    now = timezone.now()
    campaign = actions.save_campaign(
        campaign=Campaign(
            name="Budget participatif 2027",
            slug=IDEAS_SLUG,
            ideas_start=now - timedelta(days=14),
            ideas_end=now + timedelta(days=30),
            coconstruction_end=now + timedelta(days=60),
            review_end=now + timedelta(days=120),
            voting_start=now + timedelta(days=150),
            voting_end=now + timedelta(days=170),
        ),
        acting_user=admin,
    )
    city = _envelope(campaign, admin, CITY_WIDE, None, 5_000_000, max_projects=3)
    authors = [r for r in context.residents if r.has_level(campaign.ideas_required_level)]
    ideas = [
        _idea(campaign, city, authors[index % len(authors)], row)
        for index, row in enumerate(CITY_IDEAS)
    ]
    district = _demo_districts(context)[0]
    local = _envelope(campaign, admin, f"Paris {district.name}", district, 300_000)
    point = shape(district.geometry).representative_point()
    ideas.append(_idea(campaign, local, authors[0], DISTRICT_IDEA, point))
    for idea in ideas:
        for resident in authors:
            if resident != idea.author:
                actions.support_idea(idea=idea, acting_user=resident)
    actions.comment_idea(
        idea=ideas[0],
        body="Très bonne idée, surtout près des aires de jeux.",
        acting_user=authors[-1],
    )
    project = actions.merge_ideas(
        ideas=ideas[:2],
        title="Des points d'eau dans les squares et jardins",
        description="Fontaines et brumisateurs, à partir de deux idées d'habitants.",
        cost=650_000,
        theme="Environnement",
        acting_user=admin,
    )
    project.department = context.departments.get("eau")
    actions.save_project(project=project, acting_user=admin)


def _idea(campaign, envelope, author, row, point: shapely.Point | None = None):
    title, description, cost, theme = row
    return actions.submit_idea(
        campaign=campaign,
        envelope=envelope,
        title=title,
        description=description,
        estimated_cost=cost,
        theme=theme,
        latitude=point.y if point else None,
        longitude=point.x if point else None,
        acting_user=author,
    )
