"""Fixtures of the Dans ma rue back-office tests (imported by test_backoffice, test_triage and
test_moderation): staff at each role in two departments, reports made in bulk, helpers."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from wagtail.models import ModelLogEntry

from lutetia.core.districts.models import District
from lutetia.services.reports.models import Category, Report, cell_of
from tests.conftest import INSIDE_PARIS

TRIAGE = "/admin/dans-ma-rue/reports/"


@pytest.fixture
def road_category(other_department):
    """A sub-type of the other department's family (potholes, 30 days target)."""
    family = Category.objects.create(
        code="voirie", name_fr="Voirie", name_en="Roads", department=other_department
    )
    return Category.objects.create(
        parent=family, code="nid-de-poule", name_fr="Nid de poule", name_en="Pothole"
    )


@pytest.fixture
def bulk_reports(districts, category):
    """``bulk_reports(count, **fields)``: published reports written directly, for volume tests."""

    def make(count: int, **fields) -> list[Report]:
        now = timezone.now()
        start = Report.objects.count()
        created = fields.pop("created_at", now)
        values = {
            "category": category,
            "department": category.parent.department,
            "district": District.objects.order_by("code").first(),
            **INSIDE_PARIS,
            "source": Report.Source.WEB,
            "published_at": now,
            "updated_at": now,
            "email": "habitant@example.org",
            **fields,
        }
        reports = [
            Report(
                reference=f"DMR-2026-{start + index + 900000:06d}",
                created_at=created - timedelta(minutes=index),
                cell=cell_of(INSIDE_PARIS["longitude"], INSIDE_PARIS["latitude"]),
                **values,
            )
            for index in range(count)
        ]
        return Report.objects.bulk_create(reports)

    return make


def detail_url(report: Report) -> str:
    return reverse("reports_triage:edit", args=[report.pk])


def assert_refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with an error."""
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


def audited(instance, action: str):
    return ModelLogEntry.objects.filter(object_id=str(instance.pk), action=action).first()


def photo_upload(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
