"""Verification levels: census import and match, counter verification, the decorator."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lutetia.accounts import actions
from lutetia.accounts.census import census_digest
from lutetia.accounts.decorators import level_required, user_has_level
from lutetia.accounts.models import CensusRecord, VerificationLevel
from lutetia.core.models import Role
from tests.factories import UserFactory, create_staff

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1985, 3, 14)
ROWS = [("AB123456", BIRTH), ("CD 654 321", "02/01/1990")]


def import_rows(rows=ROWS, **kwargs):
    return actions.import_census(rows=rows, acting_user=None, **kwargs)


def test_census_stores_only_digests():
    assert import_rows() == 2
    digests = set(CensusRecord.objects.values_list("digest", flat=True))
    assert digests == {census_digest("ab123456", BIRTH), census_digest("CD654321", "1990-01-02")}
    assert not any("AB123456" in digest for digest in digests)
    assert ModelLogEntry.objects.filter(action="lutetia.account.census_imported").count() == 1


def test_census_append_skips_duplicates_and_replace_keeps_used_records(resident):
    import_rows()
    assert import_rows(rows=[("AB123456", BIRTH), ("EF1", BIRTH)]) == 1
    actions.verify_by_census(user=resident, identifier="ab 123456", birth_date=BIRTH)
    assert import_rows(rows=[("GH2", BIRTH)], replace=True) == 1
    remaining = CensusRecord.objects.order_by("pk")
    assert [record.used_by for record in remaining] == [resident, None]


def test_census_match_verifies_once(resident):
    import_rows()
    actions.verify_by_census(user=resident, identifier=" ab123456 ", birth_date="14/03/1985")
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.RESIDENT
    assert resident.resident_verification_method == "census"
    assert CensusRecord.objects.get(used_by=resident)
    entry = ModelLogEntry.objects.get(action="lutetia.account.resident_verified")
    assert entry.data == {"method": "census"}

    other = UserFactory()
    with pytest.raises(actions.VerificationError):
        actions.verify_by_census(user=other, identifier="AB123456", birth_date=BIRTH)
    other.refresh_from_db()
    assert other.verification_level == VerificationLevel.EMAIL


def test_wrong_identifier_is_refused_and_attempts_are_limited(resident):
    import_rows()
    for _attempt in range(actions.CENSUS_MAX_FAILURES):
        with pytest.raises(actions.VerificationError, match="ne correspondent"):
            actions.verify_by_census(user=resident, identifier="ZZ000000", birth_date=BIRTH)
    with pytest.raises(actions.VerificationError, match="Trop de tentatives"):
        actions.verify_by_census(user=resident, identifier="AB123456", birth_date=BIRTH)
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.EMAIL


def test_verification_page_verifies_and_returns_to_next(logged_in, resident):
    import_rows()
    url = reverse("accounts:verification") + "?next=/vote/"
    response = logged_in.post(url, {"identifier": "AB123456", "birth_date": "1985-03-14"})
    assert response.status_code == 302 and response["Location"] == "/vote/"
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.RESIDENT


def test_verification_page_shows_a_mismatch_and_ignores_outside_next(logged_in, resident):
    import_rows()
    url = reverse("accounts:verification") + "?next=https://evil.example/"
    response = logged_in.post(url, {"identifier": "WRONG", "birth_date": "1985-03-14"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'href="https://evil.example/"' not in response.content.decode()
    response = logged_in.post(url, {"identifier": "AB123456", "birth_date": "1985-03-14"})
    assert response["Location"] == reverse("accounts:dashboard")


def test_counter_verification_requires_the_permission(resident, department):
    agent = create_staff(department, Role.AGENT)
    with pytest.raises(PermissionDenied):
        actions.verify_resident_at_counter(user=resident, acting_user=agent)
    administrator = create_staff(department, Role.ADMINISTRATOR)
    actions.verify_resident_at_counter(user=resident, acting_user=administrator)
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.RESIDENT
    assert resident.resident_verification_method == "counter"
    entry = ModelLogEntry.objects.get(action="lutetia.account.resident_verified")
    assert entry.user_id == administrator.pk


def test_counter_admin_view(client, resident, department):
    url = reverse("lutetia_verify_resident")
    client.force_login(create_staff(department, Role.AGENT))
    assert client.get(url).status_code in (302, 403)

    client.force_login(create_staff(department, Role.ADMINISTRATOR))
    page = client.get(url, {"email": resident.email.upper()})
    assert page.status_code == 200 and page.context["resident"] == resident
    response = client.post(url, {"user": resident.pk})
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.verification_level == VerificationLevel.RESIDENT
    assert client.get(url, {"email": "nobody@example.org"}).context["resident"] is None


def protected(request):
    return HttpResponse("ok")


def test_level_required_redirects_by_case(resident):
    view = level_required(VerificationLevel.RESIDENT)(protected)
    factory = RequestFactory()

    anonymous = factory.get("/vote/")
    anonymous.user = AnonymousUser()
    assert reverse("account_login") in view(anonymous)["Location"]

    low = factory.get("/vote/")
    low.user = resident
    low.session, low._messages = {}, _Messages()
    response = view(low)
    assert response["Location"] == reverse("accounts:verification") + "?next=%2Fvote%2F"
    assert low._messages.stored

    resident.verification_level = VerificationLevel.RESIDENT
    assert view(low).content == b"ok"
    assert user_has_level(resident, VerificationLevel.RESIDENT)
    assert not user_has_level(AnonymousUser(), VerificationLevel.NONE)


class _Messages:
    """A minimal message storage for a request built by RequestFactory."""

    def __init__(self):
        self.stored = []

    def add(self, level, message, extra_tags=""):
        self.stored.append(message)


def test_counter_admin_view_rejects_an_unknown_account(client, department):
    client.force_login(create_staff(department, Role.ADMINISTRATOR))
    response = client.post(reverse("lutetia_verify_resident"), {"user": "not-an-id"})
    assert response.status_code == 302
    assert not ModelLogEntry.objects.filter(action="lutetia.account.resident_verified").exists()
