"""Fixtures of the Dans ma rue tests: a small taxonomy routed to a department, and reports."""

import pytest

from lutetia.services.reports.actions import Reporter, submit_report
from lutetia.services.reports.models import Category
from tests.conftest import INSIDE_PARIS


@pytest.fixture
def family(department):
    return Category.objects.create(
        code="proprete", name_fr="Propreté", name_en="Cleanliness", department=department
    )


@pytest.fixture
def category(family):
    """A sub-type residents can pick, routed to its family's department, 7 days target."""
    return Category.objects.create(
        parent=family,
        code="depot-sauvage",
        name_fr="Dépôt sauvage",
        name_en="Fly-tipping",
        target_days=7,
    )


@pytest.fixture
def make_report(districts, category, resident, django_capture_on_commit_callbacks):
    """``make_report(**fields)``: a published report by the resident, at Notre-Dame by default."""

    def make(**fields):
        values = {
            "category": category,
            "description": "Un matelas abandonné sur le trottoir.",
            **INSIDE_PARIS,
            "acting_user": resident,
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return submit_report(**values)

    return make


@pytest.fixture
def anonymous_reporter():
    return Reporter(email="Passant@Example.org", first_name="Camille", last_name="Durand")
