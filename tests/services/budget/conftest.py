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


# --- campaigns in the database --------------------------------------------------------------


def make_campaign(slug="bp-test", rule="greedy", completion="", voting_open=True, **fields):
    """A campaign saved directly (its phases in the past, voting open or not yet)."""
    from datetime import timedelta

    from django.utils import timezone

    from lutetia.services.budget.models import Campaign

    now = timezone.now()
    start = now - timedelta(days=1) if voting_open else now + timedelta(days=1)
    return Campaign.objects.create(
        **{
            "name": f"Campaign {slug}",
            "slug": slug,
            "ideas_start": now - timedelta(days=90),
            "ideas_end": now - timedelta(days=60),
            "review_end": now - timedelta(days=30),
            "voting_start": start,
            "voting_end": start + timedelta(days=14),
            "rule": rule,
            "completion": completion,
            **fields,
        }
    )


def make_envelope(campaign, costs=(100, 200, 300), name="Tout Paris", **fields):
    """An envelope with feasible projects costing ``costs`` (saved directly)."""
    from lutetia.services.budget.models import Envelope, Project

    envelope = Envelope.objects.create(
        campaign=campaign, name=name, **{"amount": 500, "required_level": 2, **fields}
    )
    for index, cost in enumerate(costs, start=1):
        Project.objects.create(
            envelope=envelope, title=f"Project {index}", cost=cost, status="feasible"
        )
    return envelope


@pytest.fixture
def voter(db):
    from tests.factories import UserFactory

    return UserFactory(verification_level=2)
