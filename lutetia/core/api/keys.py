"""API key secrets: how plaintext keys look, are hashed and are checked.

A key reads ``lut_<prefix>_<secret>``. The prefix is stored in clear to find the row
(and to name the key in lists); only the SHA-256 of the whole key is kept.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from lutetia.core.api.models import ApiKey

KEY_SCHEME = "lut"
# last_used_at is informative: one write a minute per key is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Compared against when the prefix is unknown, so a miss takes as long as a hit.
_NO_MATCH_HASH = "0" * 64


def new_key() -> tuple[str, str]:
    """A fresh (prefix, plaintext) pair."""
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def prefix_of(plaintext: str) -> str | None:
    scheme, _, rest = plaintext.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        return None
    return prefix


def authenticate_key(plaintext: str | None) -> ApiKey | None:
    """The active key matching ``plaintext``, or None (unknown, wrong or revoked)."""
    prefix = prefix_of(plaintext or "")
    if prefix is None:
        return None
    key = ApiKey.objects.filter(prefix=prefix).first()
    expected = key.key_hash if key is not None else _NO_MATCH_HASH
    matches = hmac.compare_digest(hash_key(plaintext), expected)
    if key is None or not matches or not key.is_active:
        return None
    _record_use(key)
    return key


def _record_use(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
