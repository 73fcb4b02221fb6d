"""The service registry: what each city service declares, and what the core mounts.

A service is one Django app whose AppConfig carries a ``manifest``. The core never
imports a service; it only reads the manifests of the installed apps, so removing
an app from ``LUTETIA_SERVICES`` switches the service off everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.urls import LocalePrefixPattern
from django.utils.module_loading import import_string
from django.utils.translation import get_language

if TYPE_CHECKING:
    from lutetia.accounts.models import User


@dataclass(frozen=True)
class MenuEntry:
    """A back-office menu entry, shown to staff holding ``permission``."""

    label: dict[str, str]
    url_name: str
    icon: str = "list-ul"
    permission: str | None = None
    order: int = 500

    @property
    def localized_label(self) -> str:
        return localized(self.label)


@dataclass(frozen=True)
class AccountItem:
    """One thing a resident has in a service, listed in "Mon Compte"."""

    title: str
    url: str
    status: str = ""
    date: Any = None


@dataclass(frozen=True)
class OpenDataExport:
    """A dataset a service publishes: ``producer(format)`` yields the file's chunks."""

    slug: str
    title: dict[str, str]
    formats: tuple[str, ...]
    producer: str  # dotted path to ``callable(format: str) -> Iterable[bytes | str]``


@dataclass(frozen=True)
class Indicator:
    """A dashboard figure: ``compute()`` returns a number or a list of (label, value)."""

    slug: str
    title: dict[str, str]
    unit: str
    compute: str  # dotted path


@dataclass(frozen=True)
class PersonalDataProvider:
    """What a service holds about a resident: ``export(user) -> dict`` and ``erase(user)``.

    ``erase`` removes private data and anonymises public contributions; it must leave
    nothing that points at a deleted identity.
    """

    export: str  # dotted path to ``callable(user) -> dict``
    erase: str  # dotted path to ``callable(user) -> None``


@dataclass(frozen=True)
class ServiceManifest:
    """Everything a city service tells the core about itself."""

    slug: str
    name: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    urls: str | None = None  # urlconf module mounted at ``/<url_prefix>/``
    url_prefix: str | None = None  # defaults to the slug
    extra_urls: dict[str, str] = field(default_factory=dict)  # prefix -> urlconf (standard APIs)
    api_router: str | None = None  # dotted path to a ninja Router, mounted at /api/<slug>/
    admin_menu: tuple[MenuEntry, ...] = ()
    admin_viewsets: tuple[str, ...] = ()  # dotted paths to Wagtail ViewSet instances
    role_permissions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    account_items: str | None = None  # dotted path to ``callable(user) -> list[AccountItem]``
    personal_data: PersonalDataProvider | None = None
    open_data: tuple[OpenDataExport, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    demo_loader: str | None = None  # dotted path to ``callable(context) -> None``
    worker_check: str | None = None  # dotted path to ``callable()``, run by ``lutetia worker``
    enabled_by_default: bool = True

    @property
    def localized_name(self) -> str:
        return localized(self.name)

    @property
    def localized_description(self) -> str:
        return localized(self.description)

    @property
    def prefix(self) -> str:
        return (self.url_prefix if self.url_prefix is not None else self.slug).strip("/")

    @property
    def url(self) -> str:
        """The service's public home in the current language (``/en/…`` in English)."""
        return (
            f"/{LocalePrefixPattern(prefix_default_language=False).language_prefix}{self.prefix}/"
        )

    def path_prefixes(self) -> tuple[str, ...]:
        """Every URL path that belongs to this service (used to gate it per site)."""
        prefixes = [f"/api/{self.slug}/"]
        if self.urls:
            prefixes.append(f"/{self.prefix}/")
        prefixes.extend(f"/{p.strip('/')}/" for p in self.extra_urls)
        return tuple(prefixes)

    def unavailable_view(self, path: str) -> Callable[..., Any] | None:
        """The view that answers for a switched-off service under one of its ``extra_urls``.

        A standard API answers in its own error format: its urlconf module may define
        ``service_unavailable(request)``; without one the core's 404 page answers.
        """
        for prefix, urlconf in self.extra_urls.items():
            if path.startswith(f"/{prefix.strip('/')}/"):
                return getattr(import_module(urlconf), "service_unavailable", None)
        return None

    def resolve(self, dotted: str | None) -> Callable[..., Any] | None:
        return import_string(dotted) if dotted else None


def localized(names: dict[str, str]) -> str:
    """Pick the current language's text, falling back to French then any."""
    if not names:
        return ""
    language = (get_language() or "fr").split("-")[0]
    return names.get(language) or names.get("fr") or next(iter(names.values()))


class ServiceRegistry:
    """The manifests of the installed service apps, in INSTALLED_APPS order."""

    @cached_property
    def _manifests(self) -> dict[str, ServiceManifest]:
        found: dict[str, ServiceManifest] = {}
        for config in apps.get_app_configs():
            manifest = getattr(config, "manifest", None)
            if manifest is None:
                continue
            if manifest.slug in found:
                raise ValueError(f"Two services declare the slug {manifest.slug!r}.")
            found[manifest.slug] = manifest
        return found

    def all(self) -> list[ServiceManifest]:
        return list(self._manifests.values())

    def get(self, slug: str) -> ServiceManifest:
        return self._manifests[slug]

    def __contains__(self, slug: str) -> bool:
        return slug in self._manifests

    def service_for_path(self, path: str) -> ServiceManifest | None:
        for manifest in self.all():
            if path.startswith(manifest.path_prefixes()):
                return manifest
        return None

    def callables(self, attribute: str) -> Iterable[tuple[ServiceManifest, Callable[..., Any]]]:
        """Yield (manifest, resolved callable) for each service that declares ``attribute``."""
        for manifest in self.all():
            target = manifest.resolve(getattr(manifest, attribute))
            if target is not None:
                yield manifest, target

    def account_items(self, user: User) -> list[tuple[ServiceManifest, list[AccountItem]]]:
        return [
            (manifest, provider(user)) for manifest, provider in self.callables("account_items")
        ]

    def reset(self) -> None:
        """Forget the cached manifests (tests that change INSTALLED_APPS)."""
        self.__dict__.pop("_manifests", None)


services = ServiceRegistry()
