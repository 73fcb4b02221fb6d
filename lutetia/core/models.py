"""Kernel models: city departments, staff membership and per-site service switches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles; residents are users without a role. Each maps onto a Django group."""

    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Department manager")
    ADMINISTRATOR = "administrator", _("City administrator")


class Department(models.Model):
    """A city department (Propreté, Voirie, …) that owns work in the services."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """A staff member's role in one department; several rows grant several departments."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="unique_membership"),
        ]
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.department} ({self.get_role_display()})"


class ServiceSetting(models.Model):
    """Whether a registered service is switched on for a site (absent: its default)."""

    site = models.ForeignKey("wagtailcore.Site", on_delete=models.CASCADE, related_name="+")
    service = models.SlugField(_("service"), max_length=50)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "service"], name="unique_service_per_site"),
        ]
        verbose_name = _("service setting")

    def __str__(self) -> str:
        return f"{self.service} on {self.site}: {'on' if self.enabled else 'off'}"


class ReferenceCounter(models.Model):
    """The last number handed out for a reference prefix in a year (see ``references.py``)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="unique_reference_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
