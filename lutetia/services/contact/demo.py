"""Demo data of the contact service: a topic per demo department and a few conversations."""

from lutetia.core.demo import DemoContext
from lutetia.services.contact import actions
from lutetia.services.contact.models import ContactRequest, Topic

TOPICS = {
    "proprete": ("Propreté et déchets", "Cleanliness and waste"),
    "voirie": ("Voirie et trottoirs", "Roads and pavements"),
    "espaces-verts": ("Parcs et jardins", "Parks and gardens"),
    "eclairage": ("Éclairage public", "Street lighting"),
    "eau": ("Eau et fontaines", "Water and fountains"),
}

# (department code, subject, message, the department's answer or "" for a pending request)
REQUESTS = [
    (
        "proprete",
        "Encombrants rue de Rivoli",
        "Un canapé est abandonné sur le trottoir depuis une semaine devant le numéro 12.",
        "Merci pour votre signalement : l'enlèvement est programmé pour jeudi matin.",
    ),
    (
        "eclairage",
        "Lampadaire éteint",
        "Le lampadaire à l'angle de la rue et du square ne s'allume plus depuis lundi.",
        "Une équipe interviendra dans la semaine pour remplacer la lampe.",
    ),
    (
        "espaces-verts",
        "Horaires d'été du square",
        "À quelle heure le square ferme-t-il en juillet ?",
        "",
    ),
]
ANONYMOUS_EMAIL = "visiteuse@example.org"


def load_demo(context: DemoContext) -> None:
    """Idempotent: topics and requests are looked up before being created."""
    topics = {
        code: _topic(context, code, *TOPICS[code]) for code in TOPICS if code in context.departments
    }
    for index, (code, subject, message, answer) in enumerate(REQUESTS):
        if code not in topics or not context.residents:
            continue
        resident = context.residents[index % len(context.residents)]
        _conversation(context, topics[code], resident, subject, message, answer)
    if "voirie" in topics:
        _anonymous_request(topics["voirie"])


def _topic(context: DemoContext, code: str, name_fr: str, name_en: str) -> Topic:
    department = context.departments[code]
    existing = Topic.objects.filter(department=department, name_fr=name_fr).first()
    if existing is not None:
        return existing
    topic = Topic(
        department=department, name_fr=name_fr, name_en=name_en, order=list(TOPICS).index(code)
    )
    return actions.save_topic(topic=topic, acting_user=context.administrator)


def _conversation(context, topic, resident, subject, message, answer) -> None:
    if ContactRequest.objects.filter(requester=resident, subject=subject).exists():
        return
    request = actions.submit_request(
        acting_user=resident,
        topic=topic,
        subject=subject,
        message=message,
        contact_name="",
        contact_email="",
    )
    staff = context.staff.get(topic.department.code)
    if answer and staff is not None:
        actions.reply(request=request, acting_user=staff, body=answer)


def _anonymous_request(topic: Topic) -> None:
    subject = "Nid-de-poule avenue de la République"
    if ContactRequest.objects.filter(contact_email=ANONYMOUS_EMAIL, subject=subject).exists():
        return
    actions.submit_request(
        acting_user=None,
        topic=topic,
        subject=subject,
        message="Un trou profond s'est formé sur la chaussée, dangereux pour les vélos.",
        contact_name="Claire Petit",
        contact_email=ANONYMOUS_EMAIL,
    )
