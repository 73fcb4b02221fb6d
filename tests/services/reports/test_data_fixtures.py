"""Fixtures of the data tests: the shipped taxonomy loaded, routed to the demo departments."""

import pytest

from lutetia.services.reports.actions import load_taxonomy
from tests.factories import DepartmentFactory

DEPARTMENT_CODES = ("proprete", "voirie", "espaces-verts", "eclairage", "eau")


@pytest.fixture
def demo_departments(db):
    return {code: DepartmentFactory(code=code, name=code.title()) for code in DEPARTMENT_CODES}


@pytest.fixture
def taxonomy(demo_departments, districts):
    """The shipped taxonomy over the real arrondissements."""
    load_taxonomy()
    return demo_departments
