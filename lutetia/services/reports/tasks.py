"""Background work of Dans ma rue: confirmation e-mails and telling followers and alert subscribers.

Fan-out runs here, not in the request: a report with many followers answers as fast as one
without. Residents with an account get an in-app notification (and its e-mail); followers
known only by their address get a plain e-mail in the site's language.
"""

import math
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django_tasks import task

from lutetia.core.notifications.actions import notify
from lutetia.core.notifications.rendering import render_text
from lutetia.services.reports.models import Alert, Follower, Report, ReportUpdate

EARTH_RADIUS_M = 6_371_000


def report_path(report: Report) -> str:
    return reverse("reports:detail", kwargs={"reference": report.reference})


@task()
def send_confirmation_email(report_id: int) -> None:
    """E-mail an anonymous reporter the link that publishes the report."""
    report = Report.objects.select_related("category").get(pk=report_id)
    if report.published_at is not None or not report.email:
        return
    path = reverse("reports:confirm", kwargs={"token": report.confirmation_token})
    _email(report.email, "report_confirm", {"report": report, "link": _absolute(path)})


@task()
def send_follow_confirmation(follower_id: int) -> None:
    """E-mail a visitor who asked to follow a report the link that confirms their address."""
    follower = Follower.objects.select_related("report__category").get(pk=follower_id)
    if follower.confirmed_at is not None or not follower.email:
        return
    path = reverse("reports:confirm_follow", kwargs={"token": follower.confirmation_token})
    context = {"report": follower.report, "link": _absolute(path)}
    _email(follower.email, "report_follow_confirm", context)


@task()
def announce_update(update_id: int) -> None:
    """Tell the reporter and every follower of a public change to a report."""
    update = ReportUpdate.objects.select_related("report__category").get(pk=update_id)
    report = update.report
    if not report.is_public:
        return
    context = {"report": report, "update": update}
    for follower in report.followers.exclude(user=None, confirmed_at=None).select_related("user"):
        if follower.user is not None:
            if follower.user.is_active:
                notify(
                    recipient=follower.user,
                    kind="report_update",
                    context=context,
                    url=report_path(report),
                )
        else:
            _email(
                follower.email,
                "report_update",
                {**context, "link": _absolute(report_path(report))},
            )


@task()
def announce_new_report(report_id: int) -> None:
    """Notify the residents whose alerts (district or circle, optionally a category) match."""
    report = Report.objects.select_related("category", "district").get(pk=report_id)
    if not report.is_public:
        return
    for alert in matching_alerts(report):
        notify(
            recipient=alert.user,
            kind="report_alert",
            context={"report": report},
            url=report_path(report),
        )


def matching_alerts(report: Report) -> list[Alert]:
    """One alert per resident (their first matching one); never the reporter's own."""
    category_ids = [report.category_id, report.category.parent_id]
    candidates = (
        Alert.objects.filter(Q(category__isnull=True) | Q(category_id__in=category_ids))
        .filter(Q(district=report.district) | Q(district__isnull=True))
        .exclude(user_id=report.reporter_id)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    chosen: dict[int, Alert] = {}
    for alert in candidates:
        if alert.user_id in chosen:
            continue
        if alert.district_id is not None or _within(alert, report):
            chosen[alert.user_id] = alert
    return list(chosen.values())


def _within(alert: Alert, report: Report) -> bool:
    return distance_m(alert.longitude, alert.latitude, report.longitude, report.latitude) <= (
        alert.radius_m
    )


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _email(address: str, kind: str, context: dict) -> None:
    language = settings.LANGUAGE_CODE
    subject = render_text(f"notifications/{kind}/subject.txt", context, language=language)
    body = render_text(f"notifications/{kind}/body.txt", context, language=language)
    send_mail(" ".join(subject.split()), body.strip(), settings.DEFAULT_FROM_EMAIL, [address])


def _absolute(path: str) -> str:
    return urljoin(settings.WAGTAILADMIN_BASE_URL, path)
