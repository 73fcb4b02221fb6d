"""Everything the platform holds about one resident, gathered for export or erasure.

The core parts are read here; each service contributes through the ``personal_data``
provider of its manifest, so a new service is covered without touching this module.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from lutetia.accounts.models import CensusRecord, User
from lutetia.core.notifications.models import Notification
from lutetia.core.registry import services

EXPORT_FILENAME = "mes-donnees-lutetia.json"


def export_personal_data(user: User) -> dict[str, Any]:
    """A JSON-ready dict of the account, its addresses, logins, notifications and services."""
    return {
        "exported_at": timezone.now(),
        "account": _account(user),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        ),
        "social_accounts": list(
            SocialAccount.objects.filter(user=user)
            .order_by("pk")
            .values("provider", "uid", "date_joined", "last_login")
        ),
        "notifications": list(
            Notification.objects.filter(recipient=user).values(
                "kind", "subject", "body", "url", "created_at", "read_at", "emailed_at"
            )
        ),
        "census_verification": {
            "verification_level": user.verification_level,
            "resident_verified_at": user.resident_verified_at,
            "resident_verification_method": user.resident_verification_method,
            "census_record_used": CensusRecord.objects.filter(used_by=user).exists(),
        },
        "services": {
            manifest.slug: manifest.resolve(manifest.personal_data.export)(user)
            for manifest in _providing_services()
        },
    }


def erase_service_data(user: User) -> None:
    """Ask every service to erase or anonymise what it holds about ``user``."""
    for manifest in _providing_services():
        manifest.resolve(manifest.personal_data.erase)(user)


def _providing_services():
    return [manifest for manifest in services.all() if manifest.personal_data is not None]


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "street_address": user.street_address,
        "postal_code": user.postal_code,
        "city": user.city,
        "preferred_language": user.preferred_language,
        "district": user.district.name if user.district else None,
        "latitude": user.latitude,
        "longitude": user.longitude,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
