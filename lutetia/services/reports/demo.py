"""Demo data of Dans ma rue: the real taxonomy routed to the demo departments, rejection
reasons and response templates, a few hundred reports with their timelines, residents'
own reports, and an API key for Open311 clients (printed by ``lutetia demo``)."""

from django.db import transaction

from lutetia.core.api.keys import hash_key, prefix_of
from lutetia.core.api.models import ApiKey
from lutetia.core.demo import DemoContext
from lutetia.services.reports import actions
from lutetia.services.reports.models import Category, RejectionReason, Report, ResponseTemplate

# A fixed key, like the demo password: the demo's Open311 clients can be configured once.
DEMO_API_KEY = "lut_demo311_dans-ma-rue-demo-open311-client-key"
GENERATED_REPORTS = 300
GENERATOR_SEED = 2026

REJECTION_REASONS = [
    ("Hors du domaine public (propriété privée)", "Not on public land (private property)"),
    ("Ne relève pas des services de la Ville", "Not handled by the city's services"),
    ("Problème introuvable sur place", "Problem not found on site"),
    ("Signalement incompréhensible ou abusif", "Unclear or abusive report"),
]
# (title, status, French text, English text)
RESPONSE_TEMPLATES = [
    (
        "Pris en compte",
        Report.Status.ACKNOWLEDGED,
        "Merci pour votre signalement : il a été transmis au service compétent.",
        "Thank you for your report: it has been sent to the department in charge.",
    ),
    (
        "Intervention programmée",
        Report.Status.SCHEDULED,
        "Une intervention est programmée dans les prochains jours.",
        "Work is scheduled in the coming days.",
    ),
    (
        "Intervention en cours",
        Report.Status.IN_PROGRESS,
        "Nos équipes sont en cours d'intervention.",
        "Our teams are on it.",
    ),
    (
        "Problème résolu",
        Report.Status.RESOLVED,
        "L'intervention a été réalisée. Merci pour votre vigilance.",
        "The work has been done. Thank you for your vigilance.",
    ),
    (
        "Signalement rejeté",
        Report.Status.REJECTED,
        "Ce signalement ne peut pas être traité par nos services.",
        "This report cannot be handled by our departments.",
    ),
    (
        "Transmis à un partenaire",
        Report.Status.TRANSFERRED,
        "Ce signalement a été transmis à l'organisme compétent.",
        "This report has been sent to the body in charge.",
    ),
]
# What the demo residents reported themselves: (category code, description, point).
RESIDENT_REPORTS = [
    (
        "objets-encombrants",
        "Un matelas et une armoire sont abandonnés devant le 8 de la rue.",
        (2.3522, 48.8566),
    ),
    ("eclairage-lampadaire", "Le lampadaire au coin du square reste éteint.", (2.3795, 48.8635)),
    ("voirie-chaussee", "Nid-de-poule profond sur la piste cyclable.", (2.3876, 48.8799)),
]


@transaction.atomic
def load_demo(context: DemoContext) -> None:
    """Idempotent: each part is skipped when it is already there."""
    administrator = context.administrator
    actions.load_taxonomy(acting_user=administrator)
    _managed_lists(administrator)
    if not Report.objects.filter(source=Report.Source.GENERATED).exists():
        actions.generate_reports(
            count=GENERATED_REPORTS,
            seed=GENERATOR_SEED,
            years=1,
            timelines=True,
            acting_user=administrator,
        )
    _resident_reports(context)
    _api_key()
    context.notes.append(
        f"Dans ma rue: Open311 at /open311/v2/ — demo API key for clients: {DEMO_API_KEY}"
    )


def _managed_lists(administrator) -> None:
    for label_fr, label_en in REJECTION_REASONS:
        if not RejectionReason.objects.filter(label_fr=label_fr).exists():
            reason = RejectionReason(label_fr=label_fr, label_en=label_en)
            actions.save_routing_item(item=reason, acting_user=administrator)
    for title, status, text_fr, text_en in RESPONSE_TEMPLATES:
        if not ResponseTemplate.objects.filter(title=title).exists():
            template = ResponseTemplate(
                title=title, status=status, text_fr=text_fr, text_en=text_en
            )
            actions.save_routing_item(item=template, acting_user=administrator)


def _resident_reports(context: DemoContext) -> None:
    """Reports filed by the demo residents ("My reports"), one answered by the agent."""
    for resident, (code, description, (longitude, latitude)) in zip(
        context.residents, RESIDENT_REPORTS, strict=False
    ):
        if Report.objects.filter(reporter=resident).exists():
            continue
        report = actions.submit_report(
            category=Category.objects.get(code=code),
            longitude=longitude,
            latitude=latitude,
            description=description,
            acting_user=resident,
        )
        agent = context.staff.get(report.department.code) if report.department else None
        if agent is not None:
            actions.change_status(
                report=report,
                status=Report.Status.ACKNOWLEDGED,
                public_response=RESPONSE_TEMPLATES[0][2],
                acting_user=agent,
            )


def _api_key() -> None:
    ApiKey.objects.get_or_create(
        prefix=prefix_of(DEMO_API_KEY),
        defaults={"name": "Dans ma rue — Open311 demo client", "key_hash": hash_key(DEMO_API_KEY)},
    )
