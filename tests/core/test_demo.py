"""`lutetia demo` builds the demo city, and running it twice changes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, Site

from lutetia.accounts.models import User, VerificationLevel
from lutetia.core.districts.models import District
from lutetia.core.models import Department, StaffMembership

pytestmark = pytest.mark.django_db


def counts():
    return (
        Page.objects.count(),
        Site.objects.count(),
        User.objects.count(),
        District.objects.count(),
        Department.objects.count(),
        StaffMembership.objects.count(),
    )


def test_demo_city_is_complete_and_idempotent(capsys):
    call_command("demo")
    output = capsys.readouterr().out
    first = counts()
    call_command("demo")
    assert counts() == first

    assert District.objects.count() == 20
    # The city's five departments, plus those the services' demos add for their own work.
    assert set(Department.objects.values_list("code", flat=True)) == {
        "proprete",
        "voirie",
        "espaces-verts",
        "eclairage",
        "eau",
        "citoyennete",
        "sports",
        "inspection-batiments",
    }
    for department in Department.objects.all():
        assert department.memberships.filter(role="agent").exists()
    assert User.objects.filter(is_superuser=True).exists()
    levels = set(User.objects.filter(is_staff=False).values_list("verification_level", flat=True))
    assert levels == {level.value for level in VerificationLevel}
    assert Group.objects.get(name="Agents").user_set.count() == 5

    sites = Site.objects.all()
    assert len(sites) == 2
    assert sites.filter(is_default_site=True).count() == 1
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()
    assert "admin@paris.example" in output and "password" in output


def test_demo_sites_serve_their_own_home_page(client):
    call_command("demo")
    city = client.get("/", HTTP_HOST="127.0.0.1:8000")
    participation = client.get("/", HTTP_HOST="localhost:8000")
    assert city.status_code == participation.status_code == 200
    assert "Paris (démo)" in city.content.decode()
    assert "Paris participe (démo)" in participation.content.decode()
    english = client.get("/en/", HTTP_HOST="127.0.0.1:8000")
    assert english.status_code == 200
    assert "Paris (demo)" in english.content.decode()
