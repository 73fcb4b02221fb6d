"""Which services are switched on for which site, cached and invalidated on change."""

from django.core.cache import cache
from django.db import transaction

from lutetia.core import audit
from lutetia.core.models import ServiceSetting
from lutetia.core.registry import services

CACHE_KEY = "lutetia:service-settings:{site_id}"


def enabled_services(site) -> set[str]:
    """Slugs of the registered services enabled on ``site`` (None: defaults)."""
    overrides = _overrides(site.pk) if site is not None else {}
    return {
        manifest.slug
        for manifest in services.all()
        if overrides.get(manifest.slug, manifest.enabled_by_default)
    }


def is_enabled(site, slug: str) -> bool:
    return slug in enabled_services(site)


@transaction.atomic
def set_service_enabled(*, site, slug: str, enabled: bool, acting_user) -> ServiceSetting:
    """Switch a service on or off for a site, with an audit entry."""
    if slug not in services:
        raise ValueError(f"Unknown service {slug!r}.")
    setting, created = ServiceSetting.objects.select_for_update().get_or_create(
        site=site, service=slug, defaults={"enabled": enabled}
    )
    before = services.get(slug).enabled_by_default if created else setting.enabled
    setting.enabled = enabled
    setting.save(update_fields=["enabled"])
    audit.log(
        setting,
        "lutetia.service_toggled",
        user=acting_user,
        data={"service": slug, "site": site.pk, "before": before, "after": enabled},
    )
    transaction.on_commit(lambda: cache.delete(CACHE_KEY.format(site_id=site.pk)))
    return setting


def _overrides(site_id: int) -> dict[str, bool]:
    key = CACHE_KEY.format(site_id=site_id)
    overrides = cache.get(key)
    if overrides is None:
        overrides = dict(
            ServiceSetting.objects.filter(site_id=site_id).values_list("service", "enabled")
        )
        cache.set(key, overrides, 300)
    return overrides
