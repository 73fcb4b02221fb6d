"""Demo data: ID card and passport appointments at three district town halls (15-minute
slots; a family's appointment lasts 45 minutes and takes three), tennis courts.

Idempotent: everything is looked up by its slug or name before being created.
"""

from datetime import time

from django.utils import timezone

from lutetia.accounts.models import VerificationLevel
from lutetia.core.demo import DemoContext
from lutetia.services.appointments import actions
from lutetia.services.appointments.models import (
    AppointmentService,
    AppointmentType,
    Location,
    WeeklyTemplate,
)

TOWN_HALLS = [  # (name, address, latitude, longitude): the district follows from the point
    ("Mairie du 3e arrondissement", "2 rue Eugène Spuller, 75003 Paris", 48.8637, 2.3615),
    ("Mairie du 11e arrondissement", "12 place Léon Blum, 75011 Paris", 48.8574, 2.3800),
    ("Mairie du 15e arrondissement", "31 rue Péclet, 75015 Paris", 48.8412, 2.3004),
]
COURTS = [
    ("Tennis Elisabeth — court 1", "7-15 avenue Paul Appell, 75014 Paris", 48.8225, 2.3275),
    ("Tennis Elisabeth — court 2", "7-15 avenue Paul Appell, 75014 Paris", 48.8225, 2.3275),
]
WORKING_DAYS = 5
TITLE_TYPES = [  # (French, English, minutes) on 15-minute slots: the family one takes three
    ("Carte d'identité", "ID card", 15),
    ("Passeport", "Passport", 15),
    ("Titres pour une famille (jusqu'à 4 demandes)", "Documents for a family (up to 4)", 45),
]


def load_demo(context: DemoContext) -> None:
    admin = context.administrator
    titles = _service(
        context,
        slug="cartes-identite-passeports",
        department=("citoyennete", "Citoyenneté et état civil"),
        names=("Carte d'identité et passeport", "ID card and passport"),
        description=(
            "Déposez votre demande de carte nationale d'identité ou de passeport en mairie.",
            "Apply for a national ID card or a passport at a town hall.",
        ),
        limit_count=2,
        max_persons=4,
        booking_fields=[
            field("phone", "telephone", "Téléphone", help_text="Pour vous prévenir d'un report."),
            field(
                "number",
                "passeports",
                "Nombre de passeports demandés",
                help_text="0 si vous ne demandez que des cartes d'identité.",
                min_value=0,
                max_value=4,
            ),
            field(
                "text",
                "predemande",
                "Numéro de pré-demande ANTS",
                required=False,
                help_text="Les 10 caractères reçus après la pré-demande sur ants.gouv.fr.",
                pattern=r"^[A-Za-z0-9]{10}$",
                pattern_message="Un numéro de pré-demande a 10 lettres ou chiffres.",
            ),
        ],
    )
    for name_fr, name_en, minutes in TITLE_TYPES:
        if not titles.types.filter(name_fr=name_fr).exists():
            actions.save_config(
                obj=AppointmentType(
                    service=titles, name_fr=name_fr, name_en=name_en, duration_minutes=minutes
                ),
                acting_user=admin,
            )
    for place in TOWN_HALLS:
        location = _location(context, titles, place)
        _weekly(location, admin, opens=time(9), closes=time(12), minutes=15, capacity=2)
        _weekly(location, admin, opens=time(13, 30), closes=time(17), minutes=15, capacity=2)
    tennis = _service(
        context,
        slug="courts-de-tennis",
        department=("sports", "Sports"),
        names=("Courts de tennis", "Tennis courts"),
        description=(
            "Réservez une heure sur un court municipal.",
            "Book an hour on a city tennis court.",
        ),
        limit_count=3,
        max_persons=4,
        required_level=VerificationLevel.EMAIL,
        booking_fields=[
            field(
                "single_choice",
                "niveau",
                "Votre niveau",
                choices=["Débutant", "Intermédiaire", "Confirmé", "Compétition"],
            ),
            field(
                "terms",
                "reglement",
                "Règlement des courts",
                terms="Je viens en tenue et chaussures de tennis et je libère le court à l'heure.",
            ),
        ],
    )
    for place in COURTS:
        location = _location(context, tennis, place)
        _weekly(location, admin, opens=time(8), closes=time(22), minutes=60, capacity=1, days=7)


def field(kind: str, code: str, label: str, required: bool = True, **options) -> dict:
    """A booking question as the form builder's block data."""
    value = {"label": label, "code": code, "help_text": options.pop("help_text", "")}
    return {"type": kind, "value": {**value, "required": required, **options}}


def _service(context, *, slug, department, names, description, **fields) -> AppointmentService:
    existing = AppointmentService.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    code, department_name = department
    owner = context.service_department(code, department_name, staffed_by="voirie")
    service = AppointmentService(
        slug=slug,
        department=owner,
        name_fr=names[0],
        name_en=names[1],
        description_fr=description[0],
        description_en=description[1],
        **fields,
    )
    return actions.save_config(obj=service, acting_user=context.administrator)


def _location(context, service, place) -> Location:
    name, address, latitude, longitude = place
    existing = service.locations.filter(name=name).first()
    if existing is not None:
        return existing
    location = Location(
        service=service, name=name, address=address, latitude=latitude, longitude=longitude
    )
    return actions.save_config(obj=location, acting_user=context.administrator)


def _weekly(location, admin, *, opens, closes, minutes, capacity, days=WORKING_DAYS) -> None:
    for weekday in range(days):
        if location.templates.filter(weekday=weekday, opens_at=opens).exists():
            continue
        actions.save_config(
            obj=WeeklyTemplate(
                location=location,
                weekday=weekday,
                opens_at=opens,
                closes_at=closes,
                slot_minutes=minutes,
                capacity=capacity,
                valid_from=timezone.localdate(),
            ),
            acting_user=admin,
        )
