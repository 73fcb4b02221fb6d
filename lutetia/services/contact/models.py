"""Contact the city: topics routed to departments, residents' requests and the conversation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lutetia.core.registry import localized


class Topic(models.Model):
    """What a resident can ask about; each topic routes new requests to one department."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="contact_topics",
        verbose_name=_("department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name_fr"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized({"fr": self.name_fr, "en": self.name_en})


class ContactRequest(models.Model):
    """One question or request sent to the city, by a signed-in or anonymous resident."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    # Empty only inside the creating transaction: the number comes from the primary key.
    reference = models.CharField(  # noqa: DJ001
        _("reference"), max_length=20, unique=True, null=True, editable=False
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="requests", verbose_name=_("topic")
    )
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="contact_requests",
        verbose_name=_("department"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_requests",
        verbose_name=_("requester"),
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"))
    district = models.ForeignKey(
        "districts.District",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def reply_email(self) -> str:
        """Where answers go: the account's address, else the one given on the form."""
        if self.requester_id and not self.requester.deleted_at:
            return self.requester.email
        return self.contact_email


class Message(models.Model):
    """One reply in a request's conversation; internal notes are only shown to staff."""

    request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.request.reference} #{self.pk}"

    @property
    def from_staff(self) -> bool:
        return self.author_id != self.request.requester_id
