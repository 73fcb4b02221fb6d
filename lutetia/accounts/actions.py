"""Every write on a resident account: verification, profile, census, deletion."""

from collections.abc import Iterable
from itertools import islice
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from lutetia.accounts.census import census_digest
from lutetia.accounts.models import CensusRecord, User, VerificationLevel
from lutetia.accounts.personal_data import erase_service_data
from lutetia.core import audit
from lutetia.core.districts.lookup import district_at
from lutetia.core.notifications.models import Notification

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "preferred_language",
    "district",
    "latitude",
    "longitude",
)
CENSUS_BATCH_SIZE = 1000
CENSUS_MAX_FAILURES = 5
CENSUS_FAILURE_WINDOW = 3600  # seconds
CENSUS_FAILURES_KEY = "lutetia:census-failures:{user_id}"


class VerificationError(Exception):
    """A resident's verification attempt was refused; the message says why."""


@transaction.atomic
def mark_email_verified(*, user: User, acting_user) -> User:
    """Raise the account to at least EMAIL once one of its addresses is verified.

    Called on confirmation and on sign-up (an identity provider may vouch for the address).
    """
    if user.verification_level >= VerificationLevel.EMAIL:
        return user
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return user
    user.verification_level = VerificationLevel.EMAIL
    user.save(update_fields=["verification_level"])
    audit.log(user, "lutetia.account.email_verified", user=acting_user)
    return user


@transaction.atomic
def update_profile(*, user: User, changes: dict[str, Any], acting_user) -> User:
    """Save the profile fields; a map point decides the district and must lie in the city.

    Only the names of changed fields are audited: the log must not keep personal data.
    """
    values = {name: changes[name] for name in PROFILE_FIELDS if name in changes}
    if values.get("latitude") is not None and values.get("longitude") is not None:
        district = district_at(values["longitude"], values["latitude"])
        if district is None:
            raise ValidationError(
                {"latitude": _("This point is outside the city. Choose a point within it.")}
            )
        values["district"] = district
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if changed:
        user.save(update_fields=changed)
        audit.log(
            user, "lutetia.account.profile_updated", user=acting_user, data={"fields": changed}
        )
    return user


@transaction.atomic
def verify_resident_at_counter(*, user: User, acting_user) -> User:
    """A staff member saw the resident's papers at a city counter."""
    if not acting_user.has_perm("accounts.verify_resident"):
        raise PermissionDenied("Verifying residents requires accounts.verify_resident.")
    if user.deleted_at is not None:
        raise VerificationError(_("This account has been deleted."))
    _set_resident(user, method="counter", acting_user=acting_user)
    return user


@transaction.atomic
def verify_by_census(*, user: User, identifier: str, birth_date) -> User:
    """Verify a resident whose identifier matches an unused census record (one account each).

    Failed attempts are counted so identifiers cannot be guessed by trying many.
    """
    if user.verification_level >= VerificationLevel.RESIDENT:
        raise VerificationError(_("Your account is already verified as a resident."))
    failures_key = CENSUS_FAILURES_KEY.format(user_id=user.pk)
    if cache.get(failures_key, 0) >= CENSUS_MAX_FAILURES:
        raise VerificationError(_("Too many attempts. Please try again in an hour."))
    record = (
        CensusRecord.objects.select_for_update()
        .filter(digest=census_digest(identifier, birth_date), used_by__isnull=True)
        .first()
    )
    if record is None:
        cache.set(failures_key, cache.get(failures_key, 0) + 1, CENSUS_FAILURE_WINDOW)
        raise VerificationError(
            _(
                "These details do not match an available census record. Check them, "
                "or have your identity verified at a city counter."
            )
        )
    record.used_by = user
    record.save(update_fields=["used_by"])
    _set_resident(user, method="census", acting_user=user)
    return user


def _set_resident(user: User, *, method: str, acting_user) -> None:
    user.verification_level = VerificationLevel.RESIDENT
    user.resident_verified_at = timezone.now()
    user.resident_verification_method = method
    user.save(
        update_fields=[
            "verification_level",
            "resident_verified_at",
            "resident_verification_method",
        ]
    )
    audit.log(user, "lutetia.account.resident_verified", user=acting_user, data={"method": method})


@transaction.atomic
def import_census(*, rows: Iterable[tuple[str, Any]], acting_user, replace: bool = False) -> int:
    """Store the digests of (identifier, birth date) rows; return how many records were added.

    ``replace`` first drops the unused records; used ones stay so that a record that
    has verified an account can never verify a second one.
    """
    if replace:
        CensusRecord.objects.filter(used_by__isnull=True).delete()
    before = CensusRecord.objects.count()
    iterator = iter(rows)
    while batch := list(islice(iterator, CENSUS_BATCH_SIZE)):
        records = [CensusRecord(digest=census_digest(*row)) for row in batch]
        CensusRecord.objects.bulk_create(records, ignore_conflicts=True)
    added = CensusRecord.objects.count() - before
    audit.log(
        ContentType.objects.get_for_model(CensusRecord),
        "lutetia.account.census_imported",
        user=acting_user,
        data={"added": added, "replace": replace},
    )
    return added


@transaction.atomic
def delete_account(*, user: User, acting_user) -> User:
    """Erase a resident: services first, then the identity; the row stays as a tombstone.

    Contributions keep their foreign key and show ``public_name`` "Former resident".
    Changing the password hash ends every session of the account.
    """
    erase_service_data(user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    UserProfile.objects.filter(user=user).delete()
    CensusRecord.objects.filter(used_by=user).update(used_by=None)
    user.memberships.all().delete()
    user.groups.clear()
    user.user_permissions.clear()
    _anonymise(user)
    ModelLogEntry.objects.for_instance(user).update(label=str(user))
    audit.log(user, "lutetia.account.deleted", user=acting_user)
    return user


def _anonymise(user: User) -> None:
    user.email = f"deleted-{user.pk}@invalid"
    for name in ("first_name", "last_name", "phone", "street_address", "postal_code", "city"):
        setattr(user, name, "")
    user.district = None
    user.latitude = user.longitude = None
    user.verification_level = VerificationLevel.NONE
    user.resident_verified_at = None
    user.resident_verification_method = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
