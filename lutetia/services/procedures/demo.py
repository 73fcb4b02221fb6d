"""Demo procedures, each with its workflow: a residential parking card, a tree to plant in
front of one's building, an unsafe building reported to the building inspection department.

Idempotent: workflows are found by name and forms by slug before anything is created.
"""

from django.db import transaction

from lutetia.core.demo import DemoContext
from lutetia.core.models import Department, Role
from lutetia.core.workflow import actions as workflow_actions
from lutetia.core.workflow.models import Action, State, Task, Workflow
from lutetia.services.procedures import actions
from lutetia.services.procedures.models import Audience, Form
from lutetia.services.procedures.workflow_tasks import INFORMATION_RECEIVED

INSPECTION = ("inspection-batiments", "Inspection des bâtiments")
NO_CONDITION = {"field": "", "operator": "equals", "value": ""}


def field(kind: str, code: str, label: str, required: bool = True, **options) -> dict:
    value = {
        "label": label,
        "code": code,
        "help_text": options.pop("help_text", ""),
        "required": required,
        "condition": NO_CONDITION,
        **options,
    }
    return {"type": kind, "value": value}


def step(title: str, *fields) -> dict:
    value = {"title": title, "description": "", "condition": NO_CONDITION, "fields": list(fields)}
    return {"type": "step", "value": value}


def notify(body_fr: str, body_en: str) -> tuple[str, dict]:
    return ("notify", {"body_fr": body_fr, "body_en": body_en})


def decision(title_fr: str, body_fr: str, title_en: str, body_en: str) -> tuple[str, dict]:
    return (
        "decision_pdf",
        {"title_fr": title_fr, "body_fr": body_fr, "title_en": title_en, "body_en": body_en},
    )


PARKING = {
    "slug": "carte-stationnement-residentiel",
    "title": "Carte de stationnement résidentiel",
    "department": "voirie",
    "audience": Audience.VERIFIED,
    "target": 15,
    "steps": [
        step(
            "Votre véhicule",
            field(
                "text",
                "plate",
                "Immatriculation",
                pattern=r"^[A-Z]{2}-?\d{3}-?[A-Z]{2}$",
                pattern_message="Une immatriculation comme AB-123-CD.",
                max_length=9,
            ),
            field("address", "home", "Adresse de votre domicile"),
        ),
        step(
            "Justificatif",
            field(
                "file",
                "proof",
                "Justificatif de domicile de moins de 3 mois",
                help_text="Facture d'énergie, quittance de loyer ou avis d'imposition.",
            ),
        ),
        step(
            "Engagement", field("terms", "terms", "J'accepte", terms="Le véhicule est à mon nom.")
        ),
    ],
    "workflow": {
        "name": "Carte de stationnement résidentiel",
        "states": [
            ("recue", "Reçue", "Received"),
            ("verification", "Justificatif en vérification", "Proof being checked"),
            ("attente", "En attente d'un justificatif", "Waiting for a document"),
            ("accordee", "Carte accordée", "Card granted"),
            ("refusee", "Refusée", "Refused"),
        ],
        "final": {"accordee", "refusee"},
        "actions": [
            (
                "verifier",
                "Vérifier le justificatif",
                ["recue"],
                "verification",
                {},
                [
                    ("assign", {"agent": "acting_user"}),
                ],
            ),
            (
                "demander",
                "Demander un autre justificatif",
                ["verification"],
                "attente",
                {"asks_comment": True},
                [("ask_information", {"documents": "Justificatif de domicile"})],
            ),
            (
                "recu",
                "Justificatif reçu",
                ["attente"],
                "verification",
                {"trigger": Action.Trigger.EVENT, "event": INFORMATION_RECEIVED},
                [],
            ),
            (
                "accorder",
                "Accorder la carte",
                ["verification"],
                "accordee",
                {},
                [
                    decision(
                        "Décision d'attribution",
                        "La carte de stationnement résidentiel est accordée pour la demande "
                        "{reference}.\nElle est valable un an.",
                        "Decision to grant",
                        "The residential parking card is granted for request {reference}.\n"
                        "It is valid for one year.",
                    ),
                    notify(
                        "Votre carte est accordée ({reference}) : la décision est dans votre "
                        "espace.",
                        "Your card is granted ({reference}): the decision is in your account.",
                    ),
                ],
            ),
            (
                "refuser",
                "Refuser",
                ["recue", "verification"],
                "refusee",
                {"asks_comment": True},
                [
                    decision(
                        "Décision de refus",
                        "La demande {reference} est refusée.\n{comment}",
                        "Decision to refuse",
                        "Request {reference} is refused.\n{comment}",
                    ),
                    notify(
                        "Votre demande {reference} est refusée : {comment}",
                        "Your request {reference} is refused: {comment}",
                    ),
                ],
            ),
            (
                "expirer",
                "Sans réponse depuis 30 jours",
                ["attente"],
                "refusee",
                {"trigger": Action.Trigger.AFTER_DELAY, "delay_hours": 30 * 24},
                [
                    notify(
                        "Sans justificatif reçu, votre demande {reference} est close.",
                        "Without the document, your request {reference} is closed.",
                    ),
                ],
            ),
        ],
    },
}

TREE = {
    "slug": "planter-un-arbre-devant-chez-moi",
    "title": "Planter un arbre devant mon immeuble",
    "department": "espaces-verts",
    "audience": Audience.SIGNED_IN,
    "target": 60,
    "steps": [
        step(
            "Le lieu",
            field("address", "place", "Où planter l'arbre ?"),
            field("single_choice", "spot", "Emplacement", choices=["Trottoir", "Cour", "Square"]),
        ),
        step(
            "Votre projet",
            field("long_text", "why", "Pourquoi cet arbre ?", max_length=1000),
            field("checkbox", "care", "Je peux arroser l'arbre l'été", required=False),
        ),
    ],
    "workflow": {
        "name": "Plantation d'arbre",
        "states": [
            ("recue", "Reçue", "Received"),
            ("etude", "À l'étude", "Being studied"),
            ("planifiee", "Plantation prévue", "Planting scheduled"),
            ("plantee", "Arbre planté", "Tree planted"),
            ("refusee", "Refusée", "Refused"),
        ],
        "final": {"plantee", "refusee"},
        "actions": [
            (
                "etudier",
                "Étudier la demande",
                ["recue"],
                "etude",
                {},
                [
                    ("assign", {"department": "espaces-verts", "agent": "acting_user"}),
                ],
            ),
            (
                "planifier",
                "Prévoir la plantation",
                ["etude"],
                "planifiee",
                {"asks_comment": True},
                [
                    notify(
                        "Bonne nouvelle : l'arbre sera planté ({comment}).",
                        "Good news: the tree will be planted ({comment}).",
                    ),
                ],
            ),
            (
                "planter",
                "Arbre planté",
                ["planifiee"],
                "plantee",
                {},
                [
                    notify(
                        "L'arbre de votre demande {reference} est planté !",
                        "The tree of your request {reference} is planted!",
                    ),
                    ("archive", {}),
                ],
            ),
            (
                "refuser",
                "Refuser",
                ["recue", "etude"],
                "refusee",
                {"asks_comment": True},
                [
                    notify(
                        "Votre demande {reference} ne peut aboutir : {comment}",
                        "Your request {reference} cannot go ahead: {comment}",
                    ),
                ],
            ),
        ],
    },
}

UNSAFE_BUILDING = {
    "slug": "signaler-un-immeuble-dangereux",
    "title": "Signaler un immeuble dangereux",
    "department": INSPECTION[0],
    "audience": Audience.ANYONE,
    "target": 10,
    "steps": [
        step(
            "L'immeuble",
            field("address", "building", "Adresse de l'immeuble"),
            field(
                "multiple_choice",
                "dangers",
                "Ce que vous avez constaté",
                choices=["Fissures", "Balcon ou façade instable", "Chute de matériaux", "Autre"],
            ),
            field("date", "seen_on", "Depuis quand ?", required=False),
        ),
        step(
            "Détails",
            field("long_text", "details", "Décrivez la situation", max_length=2000),
            field("file", "photo", "Une photo", required=False),
            field("phone", "phone", "Téléphone pour la visite", required=False),
        ),
    ],
    "workflow": {
        "name": "Immeuble dangereux",
        "states": [
            ("signale", "Signalé", "Reported"),
            ("a-visiter", "Visite à programmer", "Inspection to schedule"),
            ("visite", "Visite programmée", "Inspection scheduled"),
            ("arrete", "Mise en sécurité ordonnée", "Safety order issued"),
            ("securise", "Immeuble sécurisé", "Building made safe"),
            ("sans-suite", "Classé sans suite", "Closed without action"),
        ],
        "final": {"securise", "sans-suite"},
        "actions": [
            (
                "router",
                "Transmis à l'inspection",
                ["signale"],
                "a-visiter",
                {"trigger": Action.Trigger.ON_ENTRY},
                [
                    ("assign", {"department": INSPECTION[0]}),
                ],
            ),
            (
                "programmer",
                "Programmer la visite",
                ["a-visiter"],
                "visite",
                {},
                [
                    ("assign", {"agent": "acting_user"}),
                    ("comment", {"text": "Visite programmée pour {reference}"}),
                ],
            ),
            (
                "ordonner",
                "Ordonner la mise en sécurité",
                ["visite"],
                "arrete",
                {"asks_comment": True, "required_role": Role.MANAGER},
                [
                    decision(
                        "Arrêté de mise en sécurité",
                        "Suite à la visite des services de la ville (signalement {reference}), "
                        "la mise en sécurité de l'immeuble est ordonnée.\n{comment}",
                        "Safety order",
                        "Following the city's inspection (report {reference}), the building must "
                        "be made safe.\n{comment}",
                    ),
                    notify(
                        "Merci : une mise en sécurité est ordonnée pour l'immeuble signalé.",
                        "Thank you: the building you reported must be made safe.",
                    ),
                ],
            ),
            ("securiser", "Travaux réalisés", ["arrete"], "securise", {}, [("archive", {})]),
            (
                "classer",
                "Classer sans suite",
                ["a-visiter", "visite"],
                "sans-suite",
                {"asks_comment": True},
                [
                    notify(
                        "Après examen, votre signalement {reference} est classé : {comment}",
                        "After review, your report {reference} is closed: {comment}",
                    ),
                ],
            ),
        ],
    },
}

PROCEDURES = (PARKING, TREE, UNSAFE_BUILDING)


@transaction.atomic
def load_demo(context: DemoContext) -> None:
    context.service_department(*INSPECTION, staffed_by="voirie")  # the roads agent works there too
    for spec in PROCEDURES:
        if spec["department"] in context.departments:
            _procedure(context, spec, context.departments[spec["department"]])


def _procedure(context: DemoContext, spec: dict, department: Department) -> Form:
    existing = Form.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    form = Form(
        title=spec["title"],
        slug=spec["slug"],
        department=department,
        audience=spec["audience"],
        processing_target_days=spec["target"],
        max_answers_per_user=None,
        workflow=_workflow(context, spec["workflow"]),
    )
    form.steps = spec["steps"]
    actions.save_form(form=form, acting_user=context.administrator)
    actions.publish_form(form=form, acting_user=context.administrator)
    return form


def _workflow(context: DemoContext, spec: dict) -> Workflow:
    existing = Workflow.objects.filter(name=spec["name"]).first()
    if existing is not None:
        return existing
    workflow = Workflow(name=spec["name"])
    for order, (code, name_fr, name_en) in enumerate(spec["states"]):
        workflow.states.add(
            State(
                code=code,
                name_fr=name_fr,
                name_en=name_en,
                is_initial=order == 0,
                is_final=code in spec["final"],
                sort_order=order,
            )
        )
    workflow_actions.save_definition(obj=workflow, acting_user=context.administrator)
    states = {state.code: state for state in workflow.states.all()}
    for order, (code, label, sources, target, options, tasks) in enumerate(spec["actions"]):
        action = Action(
            workflow=workflow,
            code=code,
            label_fr=label,
            to_state=states[target],
            order=order,
            **options,
        )
        action.from_states = [states[source] for source in sources]
        action.tasks = [
            Task(kind=kind, config=config, sort_order=index)
            for index, (kind, config) in enumerate(tasks)
        ]
        workflow_actions.save_definition(obj=action, acting_user=context.administrator)
    return workflow
