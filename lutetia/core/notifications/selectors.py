"""Reads of a user's notifications, for "Mon Compte" and the header badge."""

from django.db.models import QuerySet

from lutetia.core.notifications.models import Notification


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous visitor)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient=user)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(user) -> int:
    return notifications_for(user, unread_only=True).count()


def receives_email(user) -> bool:
    """Deleted or deactivated accounts, and accounts without an address, get no e-mail."""
    return bool(user.email) and user.is_active and user.deleted_at is None
