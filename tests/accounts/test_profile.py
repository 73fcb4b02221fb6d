"""The profile: fields saved through the action, district from the list or a map point."""

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lutetia.core.districts.models import District
from tests.accounts.conftest import INSIDE_PARIS, OUTSIDE_PARIS

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "phone": "01 23 45 67 89",
        "street_address": "1 place de l'Hôtel de Ville",
        "postal_code": "75004",
        "city": "Paris",
        "preferred_language": "fr",
        "district": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


def test_profile_saves_and_activates_the_preferred_language(logged_in, resident, districts):
    response = logged_in.post(reverse("accounts:profile"), profile_data(preferred_language="en"))
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    resident.refresh_from_db()
    assert (resident.first_name, resident.phone, resident.preferred_language) == (
        "Camille",
        "01 23 45 67 89",
        "en",
    )
    entry = ModelLogEntry.objects.get(action="lutetia.account.profile_updated")
    assert "first_name" in entry.data["fields"]
    assert "Camille" not in str(entry.data)  # the audit trail keeps no personal data


def test_district_chosen_from_the_list(logged_in, resident, districts):
    eleventh = District.objects.get(code="11")
    logged_in.post(reverse("accounts:profile"), profile_data(district=eleventh.pk))
    resident.refresh_from_db()
    assert resident.district == eleventh


def test_point_inside_paris_sets_the_district(logged_in, resident, districts):
    eleventh = District.objects.get(code="11")
    response = logged_in.post(
        reverse("accounts:profile"),
        profile_data(district=eleventh.pk, **{k: str(v) for k, v in INSIDE_PARIS.items()}),
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.district.code == "4"  # the point wins over the list
    assert resident.latitude == INSIDE_PARIS["latitude"]


def test_point_outside_paris_is_refused_and_nothing_saved(logged_in, resident, districts):
    response = logged_in.post(
        reverse("accounts:profile"),
        profile_data(**{k: str(v) for k, v in OUTSIDE_PARIS.items()}),
    )
    assert response.status_code == 200
    assert "en dehors de la ville" in str(response.context["form"].errors)
    resident.refresh_from_db()
    assert resident.latitude is None and resident.first_name != "Camille"


def test_latitude_without_longitude_is_refused(logged_in, districts):
    response = logged_in.post(reverse("accounts:profile"), profile_data(latitude="48.85"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
