"""Reads of the contact service: staff lists scoped to departments, a resident's requests, stats."""

import statistics
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lutetia.core.permissions import scope_to_departments
from lutetia.services.contact.models import ContactRequest, Message, Topic

ANSWER_DELAY_TARGET = timedelta(days=5)


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True, department__is_active=True)


def requests_for_staff(user, filters: dict | None = None) -> QuerySet[ContactRequest]:
    """The requests a staff member may handle, optionally filtered, ready to list."""
    queryset = scope_to_departments(
        user, ContactRequest.objects.select_related("topic", "department", "requester")
    )
    filters = filters or {}
    for field in ("status", "topic", "department"):
        if filters.get(field):
            queryset = queryset.filter(**{field: filters[field]})
    if filters.get("reference"):
        queryset = queryset.filter(reference__icontains=filters["reference"].strip())
    return queryset


def requests_of(user) -> QuerySet[ContactRequest]:
    if not user.is_authenticated:
        return ContactRequest.objects.none()
    return ContactRequest.objects.filter(requester=user).select_related("topic")


def conversation(request: ContactRequest, *, include_internal: bool) -> QuerySet[Message]:
    """The request's messages, oldest first; residents never see internal notes."""
    messages = request.messages.select_related("author", "request")
    return messages if include_internal else messages.filter(is_internal=False)


def monthly_statistics() -> list[dict]:
    """Requests per month, topic and department, and how many were answered within 5 days."""
    rows = (
        ContactRequest.objects.annotate(month=TruncMonth("created_at"))
        .values("month", "topic__name_fr", "department__name")
        .annotate(
            count=Count("pk"),
            answered_in_time=Count(
                "pk",
                filter=Q(first_answered_at__lte=F("created_at") + ANSWER_DELAY_TARGET),
            ),
        )
        .order_by("month", "topic__name_fr", "department__name")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "topic": row["topic__name_fr"],
            "department": row["department__name"],
            "count": row["count"],
            "answered_within_5_days": row["answered_in_time"],
        }
        for row in rows
    ]


def requests_per_month(months: int = 12) -> list[tuple[str, int]]:
    since = timezone.now() - timedelta(days=31 * months)
    rows = (
        ContactRequest.objects.filter(created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return [(row["month"].strftime("%Y-%m"), row["count"]) for row in rows]


def median_hours_to_first_answer(days: int = 365) -> float | None:
    """Median delay between a request and its first public answer, over answered requests."""
    since = timezone.now() - timedelta(days=days)
    delays = [
        (answered - created).total_seconds() / 3600
        for created, answered in ContactRequest.objects.filter(
            created_at__gte=since, first_answered_at__isnull=False
        ).values_list("created_at", "first_answered_at")
    ]
    return round(statistics.median(delays), 1) if delays else None
