"""The real pabulib instances in ../shared/data/pabulib, parsed once per test session."""

from functools import cache

import pytest

from lutetia.services.budget import pabulib
from tests.conftest import SHARED_DATA

PABULIB = SHARED_DATA / "pabulib"
INSTANCES = sorted(path.stem for path in PABULIB.glob("*.pb"))


@cache
def _read(name: str) -> pabulib.Instance:
    return pabulib.read(PABULIB / f"{name}.pb")


@pytest.fixture
def instance():
    """``instance(name)``: a parsed file, or the test is skipped if the data is missing."""
    if not PABULIB.is_dir():
        pytest.skip(f"the pabulib instances are missing: {PABULIB} (see ../shared/README.md)")
    return _read


def costs(instance: pabulib.Instance) -> dict[str, int]:
    return {project.id: project.cost for project in instance.projects.values()}


def official(instance: pabulib.Instance) -> set[str]:
    """The projects the city funded: ``selected`` 1 (2 marks a later, city-wide stage)."""
    return {p.id for p in instance.projects.values() if p.fields.get("selected") == "1"}
