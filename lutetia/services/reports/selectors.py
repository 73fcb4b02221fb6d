"""Reads of Dans ma rue that span relations."""

from django.db.models import Prefetch, Q

from lutetia.services.reports.models import Report, ReportPhoto, ReportUpdate


def public_reports():
    """Reports anyone may see: published and not hidden by moderation."""
    return Report.objects.filter(published_at__isnull=False, hidden=False)


def public_report(reference: str) -> Report | None:
    return (
        public_reports()
        .select_related("category__parent", "district", "duplicate_of", "rejection_reason")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.filter(hidden=False), to_attr="shown")
        )
        .filter(reference=reference)
        .first()
    )


def public_timeline(report: Report) -> list[ReportUpdate]:
    """The entries the public sees: creation, status changes and public responses."""
    return list(
        report.updates.filter(
            Q(kind__in=[ReportUpdate.Kind.CREATED, ReportUpdate.Kind.STATUS])
            | ~Q(public_response="")
        ).only("kind", "from_status", "to_status", "public_response", "created_at")
    )
