"""The demo city, "Paris (démo)": real arrondissements, departments, staff, residents, sites.

``load_demo_city()`` is idempotent: running it twice leaves one copy of everything.
Each enabled service then adds its own demo data through its manifest's ``demo_loader``.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from lutetia.accounts.models import User, VerificationLevel
from lutetia.core.demo import DemoContext
from lutetia.core.districts.actions import import_districts
from lutetia.core.models import Department, Role, StaffMembership
from lutetia.core.registry import services
from lutetia.core.roles import GROUP_NAMES, sync_role_groups
from lutetia.pages.models import (
    HomePage,
    MenuItem,
    NewsIndexPage,
    NewsPage,
    ServiceLandingPage,
    SiteNavigation,
    SiteTheme,
    StandardPage,
)

DEMO_PASSWORD = "demo-lutetia-2026"  # noqa: S105 (printed by `lutetia demo`)
DEMO_DOMAIN = "paris.example"
PARIS_GEOJSON = Path(__file__).parent / "districts" / "data" / "paris-arrondissements.geojson"

DEPARTMENTS = [
    ("proprete", "Propreté"),
    ("voirie", "Voirie et déplacements"),
    ("espaces-verts", "Espaces verts et environnement"),
    ("eclairage", "Éclairage public"),
    ("eau", "Eau et assainissement"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


@dataclass(frozen=True)
class SiteSpec:
    key: str
    hostname: str
    title: str
    slug: str
    theme: tuple[str, str, str]  # primary, text on primary, accent
    tagline: str
    title_en: str
    tagline_en: str


SITES = [
    SiteSpec(
        "city",
        "127.0.0.1",
        "Paris (démo)",
        "paris",
        ("#1d4e89", "#ffffff", "#b5123a"),
        "Le site de la ville et de ses services en ligne",
        "Paris (demo)",
        "The city's website and online services",
    ),
    SiteSpec(
        "participation",
        "localhost",
        "Paris participe (démo)",
        "participer",
        ("#0f5c4a", "#ffffff", "#8a3b00"),
        "Budget participatif, consultations et pétitions",
        "Paris takes part (demo)",
        "Participatory budget, consultations and petitions",
    ),
]

NEWS = [
    (
        "Les services en ligne de la ville en un seul compte",
        "Un seul compte pour signaler un problème, prendre rendez-vous ou voter.",
    ),
    (
        "Le budget participatif ouvre ses dépôts d'idées",
        "Chaque habitante et habitant peut proposer un projet pour son arrondissement.",
    ),
    (
        "Travaux de voirie : le calendrier de l'hiver",
        "Les chantiers prévus dans les vingt arrondissements cet hiver.",
    ),
]

STANDARD_PAGES = [
    (
        "À propos",
        "a-propos",
        "Ce site est une démonstration de Lutetia, plateforme libre pour les villes.",
    ),
    (
        "Accessibilité",
        "accessibilite",
        "Lutetia vise la conformité au RGAA et aux WCAG 2.1 niveau AA. "
        "Signalez-nous toute difficulté.",
    ),
    (
        "Mentions légales",
        "mentions-legales",
        "Données des arrondissements : Ville de Paris, licence ODbL 1.0.",
    ),
]


@transaction.atomic
def load_demo_city() -> tuple[DemoContext, list[DemoLogin]]:
    sync_role_groups()
    districts = _load_districts()
    departments = {
        code: Department.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS
    }
    logins: list[DemoLogin] = []
    administrator = _user(
        "admin", "Camille", "Administratrice", VerificationLevel.RESIDENT, is_superuser=True
    )
    logins.append(DemoLogin(administrator.email, "city administrator (all departments)"))
    _grant(administrator, departments["proprete"], Role.ADMINISTRATOR)
    staff = {}
    for code, department in departments.items():
        agent = _user(f"agent.{code}", "Agent", department.name, VerificationLevel.EMAIL)
        _grant(agent, department, Role.AGENT)
        staff[code] = agent
        logins.append(DemoLogin(agent.email, f"agent, {department.name}"))
    manager = _user("responsable.proprete", "Sacha", "Responsable", VerificationLevel.EMAIL)
    _grant(manager, departments["proprete"], Role.MANAGER)
    logins.append(DemoLogin(manager.email, "department manager, Propreté"))
    residents = [
        _user(
            "habitant.non-verifie", "Lou", "Martin", VerificationLevel.NONE, district=districts[10]
        ),
        _user("habitante.email", "Inès", "Bernard", VerificationLevel.EMAIL, district=districts[0]),
        _user(
            "habitant.verifie",
            "Malik",
            "Durand",
            VerificationLevel.RESIDENT,
            district=districts[19],
        ),
    ]
    for resident in residents:
        level = VerificationLevel(resident.verification_level).label
        logins.append(DemoLogin(resident.email, f"resident ({level})"))

    sites, home_pages = _load_sites()
    context = DemoContext(
        administrator=administrator,
        departments=departments,
        staff=staff,
        residents=residents,
        districts=districts,
        sites=sites,
        home_pages=home_pages,
    )
    for _manifest, loader in services.callables("demo_loader"):
        loader(context)
    return context, logins


def _load_districts():
    from lutetia.core.districts.models import District

    features = json.loads(PARIS_GEOJSON.read_text(encoding="utf-8"))["features"]
    import_districts(features=features, name_field="l_aroff", code_field="c_ar", acting_user=None)
    return sorted(District.objects.all(), key=lambda d: int(d.code) if d.code.isdigit() else 0)


def _user(local_part, first_name, last_name, level, *, is_superuser=False, district=None) -> User:
    email = f"{local_part}@{DEMO_DOMAIN}"
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "verification_level": level,
            "is_staff": is_superuser,
            "is_superuser": is_superuser,
            "district": district,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        if level >= VerificationLevel.RESIDENT:
            user.resident_verified_at = timezone.now()
            user.resident_verification_method = "counter"
        user.save()
    EmailAddress.objects.update_or_create(
        user=user,
        email=email,
        defaults={"verified": level >= VerificationLevel.EMAIL, "primary": True},
    )
    return user


def _grant(user, department, role) -> None:
    from django.contrib.auth.models import Group

    StaffMembership.objects.update_or_create(
        user=user, department=department, defaults={"role": role}
    )
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def _load_sites():
    french = Locale.objects.get_or_create(language_code="fr")[0]
    english = Locale.objects.get_or_create(language_code="en")[0]
    # Wagtail's migrations create the tree's root; a flushed database has none.
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root", locale=french)
    sites, home_pages = {}, {}
    for spec in SITES:
        home = HomePage.objects.filter(slug=spec.slug, locale=french).first()
        if home is None:
            home = root.add_child(
                instance=HomePage(
                    title=spec.title,
                    slug=spec.slug,
                    locale=french,
                    intro=f"<p>{spec.tagline}.</p>",
                )
            )
        if spec.key == "city":
            Site.objects.exclude(hostname=spec.hostname).update(is_default_site=False)
        site, _ = Site.objects.update_or_create(
            hostname=spec.hostname,
            port=80,
            defaults={
                "root_page": home,
                "site_name": spec.title,
                "is_default_site": spec.key == "city",
            },
        )
        _load_pages(home, spec)
        _theme(site, spec)
        if not home.has_translation(english):
            translated = home.copy_for_translation(english)
            translated.title, translated.intro = spec.title_en, f"<p>{spec.tagline_en}.</p>"
            translated.save_revision().publish()
        sites[spec.key], home_pages[spec.key] = site, home
    _remove_wagtail_welcome_page()
    return sites, home_pages


def _load_pages(home, spec: SiteSpec) -> None:
    news_index = _child(home, NewsIndexPage, "actualites", title="Actualités")
    for days_ago, (title, summary) in enumerate(NEWS):
        _child(
            news_index,
            NewsPage,
            f"{spec.slug}-actualite-{days_ago + 1}",
            title=title,
            summary=summary,
            date=datetime.date.today() - datetime.timedelta(days=7 * days_ago),
        )
    for title, slug, intro in STANDARD_PAGES:
        _child(home, StandardPage, slug, title=title, intro=intro, show_in_menus=False)
    for manifest in (m for m in services.all() if m.urls):
        _child(
            home,
            ServiceLandingPage,
            manifest.slug,
            title=manifest.name.get("fr", manifest.slug),
            service=manifest.slug,
            intro=f"<p>{manifest.description.get('fr', '')}</p>",
        )


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = parent.add_child(instance=model(slug=slug, locale=parent.locale, **fields))
    page.save_revision().publish()
    return page


def _theme(site, spec: SiteSpec) -> None:
    primary, on_primary, accent = spec.theme
    SiteTheme.objects.update_or_create(
        site=site,
        defaults={
            "site_name": spec.title,
            "tagline": spec.tagline,
            "primary_colour": primary,
            "primary_text_colour": on_primary,
            "accent_colour": accent,
        },
    )
    navigation, _ = SiteNavigation.objects.update_or_create(
        site=site,
        defaults={
            "footer_text": (
                "Démonstration de Lutetia — données des arrondissements : Ville de Paris (ODbL)."
            ),
        },
    )
    if not navigation.menu_items.exists():
        home = site.root_page
        for order, page in enumerate(home.get_children().live().type(NewsIndexPage)):
            MenuItem.objects.create(
                navigation=navigation, title=page.title, page=page, sort_order=order
            )
        for order, page in enumerate(
            home.get_children().live().type(StandardPage).filter(slug="accessibilite")
        ):
            navigation.footer_links.create(title=page.title, page=page, sort_order=order)


def _remove_wagtail_welcome_page() -> None:
    """Wagtail's first migration creates a placeholder home page; the demo replaces it."""
    Page.objects.filter(
        depth=2, content_type__model="page", content_type__app_label="wagtailcore"
    ).delete()
