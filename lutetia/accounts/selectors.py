"""Reads for "Mon Compte" that span the services and the kernel."""

from wagtail.models import Site

from lutetia.accounts.models import User
from lutetia.core.activation import enabled_services
from lutetia.core.registry import AccountItem, ServiceManifest, services


def account_sections(
    user: User, site: Site | None
) -> list[tuple[ServiceManifest, list[AccountItem]]]:
    """The resident's items in each service switched on for ``site``."""
    enabled = enabled_services(site)
    return [
        (manifest, provider(user))
        for manifest, provider in services.callables("account_items")
        if manifest.slug in enabled
    ]


def find_resident(email: str) -> User | None:
    """The live account registered with ``email`` (case-insensitive), if any."""
    return User.objects.filter(email__iexact=email.strip(), deleted_at__isnull=True).first()
