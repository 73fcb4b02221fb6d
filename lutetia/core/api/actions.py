"""Writes on API keys, each with its audit entry."""

from django.db import transaction
from django.utils import timezone

from lutetia.core import audit
from lutetia.core.api.keys import hash_key, new_key
from lutetia.core.api.models import ApiKey


@transaction.atomic
def create_api_key(
    *, name: str, acting_user, rate_limit_per_minute: int | None = None
) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned once and never stored."""
    prefix, plaintext = new_key()
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        key_hash=hash_key(plaintext),
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    audit.log(
        key,
        "lutetia.apikey_created",
        user=acting_user,
        data={"name": name, "prefix": prefix, "rate_limit_per_minute": rate_limit_per_minute},
    )
    return key, plaintext


@transaction.atomic
def revoke_api_key(*, key: ApiKey, acting_user) -> ApiKey:
    """Refuse the key from now on; revoking twice keeps the first date."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.log(key, "lutetia.apikey_revoked", user=acting_user, data={"prefix": key.prefix})
    return key
