"""The resident account: one identity for every service, with a verification level."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationLevel(models.IntegerChoices):
    """How sure the city is of who a resident is; services require a level for actions."""

    NONE = 0, _("Not verified")
    EMAIL = 1, _("E-mail verified")
    RESIDENT = 2, _("Resident verified")


class EmailUserManager(UserManager):
    """Users log in with their e-mail address; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English")],
        default="fr",
    )
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    verification_level = models.PositiveSmallIntegerField(
        _("verification level"), choices=VerificationLevel.choices, default=VerificationLevel.NONE
    )
    resident_verified_at = models.DateTimeField(_("resident verified at"), null=True, blank=True)
    resident_verification_method = models.CharField(
        _("resident verification method"),
        max_length=20,
        blank=True,
        choices=[("counter", _("At a counter")), ("census", _("Census match"))],
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("verify_resident", "Can verify a resident's identity")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def public_name(self) -> str:
        """What others see next to a contribution: first name and initial, never the e-mail."""
        if self.deleted_at:
            return str(_("Former resident"))
        if self.first_name:
            initial = f" {self.last_name[0]}." if self.last_name else ""
            return f"{self.first_name}{initial}"
        return str(_("A resident"))

    def has_level(self, level: int) -> bool:
        return self.is_authenticated and self.is_active and self.verification_level >= level


class CensusRecord(models.Model):
    """A hashed identifier from the city's census file; matching one verifies a resident.

    Like Decidim's csv_census: only HMAC digests are stored, never the identifiers.
    """

    digest = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    used_by = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="census_record"
    )

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")

    def __str__(self) -> str:
        return f"{self.digest[:8]}…"
