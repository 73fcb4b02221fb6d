"""Dans ma rue's part of "Mon Compte": the resident's reports and alerts, personal data."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lutetia.core.registry import AccountItem
from lutetia.services.reports import actions, selectors

# Mon Compte shows the newest reports; "My reports" lists them all.
LATEST_REPORTS = 5


def account_items(user) -> list[AccountItem]:
    """The newest reports, then "My reports" (with the followed ones) and the alerts."""
    reports = selectors.reports_of(user)
    latest = [
        AccountItem(
            title=f"{report.reference} — {report.category.name}",
            url=_report_url(report),
            status=report.get_status_display()
            if report.published_at
            else _("Waiting for your confirmation"),
            date=report.created_at,
        )
        for report in reports[:LATEST_REPORTS]
    ]
    count = reports.count()
    alerts = selectors.alerts_of(user).count()
    return [
        *latest,
        AccountItem(
            title=_("My reports and the reports I follow"),
            url=reverse("reports:my_reports"),
            status=ngettext("%(count)d report", "%(count)d reports", count) % {"count": count},
        ),
        AccountItem(
            title=_("My alerts on new reports"),
            url=reverse("reports:alerts"),
            status=ngettext("%(count)d alert", "%(count)d alerts", alerts) % {"count": alerts},
        ),
    ]


def _report_url(report) -> str:
    if report.is_public:
        return reverse("reports:detail", args=[report.reference])
    return reverse("reports:my_reports")


def export(user) -> dict:
    """The reports holding the resident's contact (also those filed without an account under
    their address), the reports they follow and their alerts."""
    return {
        "reports": [
            {
                "reference": report.reference,
                "category": report.category.name_fr,
                "description": report.description,
                "address": report.address,
                "longitude": report.longitude,
                "latitude": report.latitude,
                "district": report.district.name if report.district else None,
                "status": report.status,
                "email": report.email,
                "first_name": report.first_name,
                "last_name": report.last_name,
                "phone": report.phone,
                "first_name_shown": report.reporter_public,
                "attributes": report.attributes,
                "reported_at": report.created_at.isoformat(),
                "published_at": report.published_at.isoformat() if report.published_at else None,
            }
            for report in selectors.reports_with_contact_of(user).select_related(
                "category", "district"
            )
        ],
        "followed_reports": [
            {"reference": follow.report.reference, "since": follow.created_at.isoformat()}
            for follow in selectors.followed_by(user)
        ],
        "alerts": [
            {
                "district": alert.district.name if alert.district else None,
                "longitude": alert.longitude,
                "latitude": alert.latitude,
                "radius_m": alert.radius_m,
                "category": alert.category.name_fr if alert.category else None,
                "created_at": alert.created_at.isoformat(),
            }
            for alert in selectors.alerts_of(user)
        ],
    }


def erase(user) -> None:
    actions.erase_reporter(user=user, acting_user=user)
