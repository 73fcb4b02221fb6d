"""Reads of the procedures service: open forms, who may answer, a resident's demands, stats."""

import statistics
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.accounts.decorators import user_has_level
from lutetia.core.permissions import scope_to_departments
from lutetia.services.procedures.models import (
    Audience,
    Demand,
    DemandFile,
    Draft,
    Form,
    InformationRequest,
    Message,
)


def open_forms(at=None) -> QuerySet[Form]:
    """Forms residents can answer now: published and within their dates."""
    at = at or timezone.now()
    return (
        Form.objects.filter(published_version__isnull=False)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=at))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=at))
        .select_related("department")
    )


def forms_for_staff(user) -> QuerySet[Form]:
    return scope_to_departments(
        user, Form.objects.select_related("department", "published_version")
    )


def refusal(form: Form, user) -> ValidationError | None:
    """Why ``user`` may not answer ``form`` now, or None.

    Codes: ``closed``, ``login`` (sign in first), ``verification`` (a higher level is
    needed) and ``limit`` (the resident already sent the answers allowed).
    """
    if not form.is_open():
        return ValidationError(_("This procedure is not open."), code="closed")
    level = Audience(form.audience).level
    if level is not None and not user.is_authenticated:
        return ValidationError(_("Sign in to fill in this procedure."), code="login")
    if not user.is_authenticated:
        return None
    if level is not None and not user_has_level(user, level):
        return ValidationError(
            _("This procedure is for residents whose account is verified."), code="verification"
        )
    if form.max_answers_per_user and (
        form.demands.filter(applicant=user).count() >= form.max_answers_per_user
    ):
        return ValidationError(
            _("You have already sent this procedure as many times as allowed."), code="limit"
        )
    return None


def drafts_of(user, session_key: str) -> QuerySet[Draft]:
    """A signed-in resident's drafts, or an anonymous visitor's drafts of this session."""
    drafts = Draft.objects.select_related("form_version__form")
    if user.is_authenticated:
        return drafts.filter(user=user)
    if not session_key:
        return Draft.objects.none()
    return drafts.filter(user__isnull=True, session_key=session_key)


def demands_of(user) -> QuerySet[Demand]:
    if not user.is_authenticated:
        return Demand.objects.none()
    return Demand.objects.filter(applicant=user).select_related("form")


def demand_for_applicant(user, reference: str) -> Demand:
    """One of the resident's demands with what they may see: public messages, requests, files."""
    return (
        demands_of(user)
        .select_related("form_version", "district")
        .prefetch_related(
            Prefetch("messages", queryset=Message.objects.filter(is_internal=False)),
            Prefetch(
                "information_requests",
                queryset=InformationRequest.objects.prefetch_related("files"),
            ),
            Prefetch("files", queryset=DemandFile.objects.filter(information_request=None)),
        )
        .get(reference=reference)
    )


def monthly_statistics() -> list[dict]:
    """Demands per month and procedure, and how many were closed within the procedure's target."""
    rows = (
        Demand.objects.annotate(month=TruncMonth("submitted_at"))
        .values("month", "form__slug", "form__title", "form__processing_target_days")
        .annotate(count=Count("pk"), closed=Count("pk", filter=Q(closed_at__isnull=False)))
        .order_by("month", "form__slug")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "procedure": row["form__slug"],
            "title": row["form__title"],
            "count": row["count"],
            "closed": row["closed"],
        }
        for row in rows
    ]


def demands_per_month(months: int = 12) -> list[tuple[str, int]]:
    since = timezone.now() - timedelta(days=31 * months)
    rows = (
        Demand.objects.filter(submitted_at__gte=since)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return [(row["month"].strftime("%Y-%m"), row["count"]) for row in rows]


def _closed_delays(days: int):
    """(form title, processing days, target days) of demands closed in the last ``days``."""
    since = timezone.now() - timedelta(days=days)
    for title, submitted, closed, target in Demand.objects.filter(closed_at__gte=since).values_list(
        "form__title", "submitted_at", "closed_at", "form__processing_target_days"
    ):
        yield title, (closed - submitted).total_seconds() / 86400, target


def median_processing_days(days: int = 365) -> list[tuple[str, float]]:
    """Per procedure, the median number of days between sending and closing."""
    delays: dict[str, list[float]] = {}
    for title, delay, _target in _closed_delays(days):
        delays.setdefault(title, []).append(delay)
    return [
        (title, round(statistics.median(values), 1)) for title, values in sorted(delays.items())
    ]


def share_within_target(days: int = 365) -> float | None:
    """Percentage of closed demands (of procedures with a target) closed within their target."""
    outcomes = [delay <= target for _title, delay, target in _closed_delays(days) if target]
    return round(100 * sum(outcomes) / len(outcomes), 1) if outcomes else None
