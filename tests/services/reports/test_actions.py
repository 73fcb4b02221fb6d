"""Submitting, confirming, following and triaging reports through actions.py."""

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lutetia.core.notifications.models import Notification
from lutetia.core.uploads import validate_image
from lutetia.services.reports import actions
from lutetia.services.reports.models import (
    BannedEmail,
    Follower,
    RejectionReason,
    Report,
    ReportPhoto,
    ReportUpdate,
    RoutingRule,
)
from tests.conftest import INSIDE_PARIS, OUTSIDE_PARIS
from tests.factories import DepartmentFactory, UserFactory, create_staff

Status = Report.Status


def photo(name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return validate_image(SimpleUploadedFile(name, buffer.getvalue()))


def test_a_signed_in_resident_publishes_at_once(make_report, resident, department):
    report = make_report(photos=[photo(), photo()])
    assert report.reference.startswith("DMR-") and report.reference.endswith("-000001")
    assert report.published_at is not None and report.is_public
    assert report.district.code == "4"
    assert report.department == department  # routed through the family's department
    assert report.email == resident.email
    assert report.photos.count() == 2 and all(p.thumbnail for p in report.photos.all())
    assert Follower.objects.filter(report=report, user=resident).exists()
    assert report.updates.get().kind == ReportUpdate.Kind.CREATED


def test_an_anonymous_report_waits_for_its_email_confirmation(
    districts, category, anonymous_reporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.submit_report(
            category=category, reporter=anonymous_reporter, **INSIDE_PARIS
        )
    assert report.published_at is None and not report.is_public
    assert report.email == "passant@example.org"
    [message] = mail.outbox
    assert report.confirmation_token in message.body
    assert message.to == ["passant@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = actions.confirm_report(token=report.confirmation_token)
    assert confirmed.is_public
    again = actions.confirm_report(token=report.confirmation_token)
    assert again.published_at == confirmed.published_at


def test_a_wrong_confirmation_token_is_refused(db):
    for token in ("", "nope"):
        with pytest.raises(ValidationError):
            actions.confirm_report(token=token)


@pytest.mark.parametrize(
    "fields, code",
    [
        ({**OUTSIDE_PARIS}, "outside_city"),
        ({"description": "x" * 4001}, "description_too_long"),
        ({"photos": [photo(), photo(), photo(), photo()]}, "too_many_photos"),
    ],
)
def test_bad_input_leaves_nothing_behind(make_report, fields, code, settings):
    with pytest.raises(ValidationError) as error:
        make_report(**fields)
    assert error.value.code == code
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_family_cannot_be_reported_directly(make_report, family):
    with pytest.raises(ValidationError):
        make_report(category=family)


def test_an_anonymous_report_needs_an_email(districts, category):
    with pytest.raises(ValidationError) as error:
        actions.submit_report(category=category, **INSIDE_PARIS)
    assert error.value.code == "email_required"


def test_a_banned_address_is_refused(districts, category, anonymous_reporter):
    BannedEmail.objects.create(email="passant@example.org", reason="insults")
    with pytest.raises(ValidationError) as error:
        actions.submit_report(category=category, reporter=anonymous_reporter, **INSIDE_PARIS)
    assert error.value.code == "banned"


def test_a_routing_rule_sends_a_district_elsewhere(make_report, category, districts):
    from lutetia.core.districts.models import District

    fourth = District.objects.get(code="4")
    other = DepartmentFactory(code="mairie-4", name="Mairie du 4e")
    RoutingRule.objects.create(category=category, district=fourth, department=other)
    assert make_report().department == other


def test_a_photo_failing_part_way_removes_the_stored_files(make_report, monkeypatch, settings):
    calls = {"n": 0}
    real = actions.make_thumbnail

    def second_fails(clean):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(clean)

    monkeypatch.setattr(actions, "make_thumbnail", second_fails)
    with pytest.raises(OSError):
        make_report(photos=[photo(), photo()])
    assert not Report.objects.exists()
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_staff_move_a_report_and_followers_hear_of_it(
    make_report, agent, resident, django_capture_on_commit_callbacks
):
    report = make_report()
    follower = UserFactory()
    actions.follow_report(report=report, acting_user=follower)
    with django_capture_on_commit_callbacks(execute=True):
        neighbour = actions.follow_report(report=report, email="Voisin@example.org")
        stranger = actions.follow_report(report=report, email="never-confirms@example.org")
    assert neighbour.confirmation_token in mail.outbox[-2].body
    actions.confirm_follow(token=neighbour.confirmation_token)
    assert stranger.confirmed_at is None
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.change_status(
            report=report,
            status=Status.SCHEDULED,
            public_response="Passage prévu jeudi.",
            internal_note="Équipe B",
            acting_user=agent,
        )
    report.refresh_from_db()
    assert report.status == Status.SCHEDULED and report.status_notes == "Passage prévu jeudi."
    notified = set(
        Notification.objects.filter(kind="report_update").values_list("recipient", flat=True)
    )
    assert notified == {resident.pk, follower.pk}
    recipients = [m.to[0] for m in mail.outbox]
    assert "voisin@example.org" in recipients
    assert "never-confirms@example.org" not in recipients
    assert any("Passage prévu jeudi." in m.body for m in mail.outbox)


def test_a_wrong_follow_confirmation_is_refused(db):
    with pytest.raises(ValidationError):
        actions.confirm_follow(token="")


def test_closing_needs_its_details_and_sets_closed_at(make_report, agent):
    report = make_report()
    with pytest.raises(ValidationError):
        actions.change_status(report=report, status=Status.REJECTED, acting_user=agent)
    with pytest.raises(ValidationError):
        actions.change_status(report=report, status=Status.TRANSFERRED, acting_user=agent)
    reason = RejectionReason.objects.create(label_fr="Domaine privé", label_en="Private land")
    actions.change_status(
        report=report, status=Status.REJECTED, rejection_reason=reason, acting_user=agent
    )
    report.refresh_from_db()
    assert report.closed_at is not None and report.rejection_reason == reason
    actions.change_status(report=report, status=Status.ACKNOWLEDGED, acting_user=agent)
    report.refresh_from_db()
    assert report.closed_at is None and report.rejection_reason is None


def test_a_duplicate_points_at_the_original_and_carries_followers(make_report, agent):
    original, first_copy, second_copy = make_report(), make_report(), make_report()
    neighbour = UserFactory()
    actions.follow_report(report=second_copy, acting_user=neighbour)
    actions.change_status(
        report=first_copy, status=Status.DUPLICATE, duplicate_of=original, acting_user=agent
    )
    actions.change_status(
        report=second_copy, status=Status.DUPLICATE, duplicate_of=first_copy, acting_user=agent
    )
    second_copy.refresh_from_db()
    assert second_copy.duplicate_of == original
    assert original.followers.filter(user=neighbour).exists()
    with pytest.raises(ValidationError):
        actions.change_status(
            report=original, status=Status.DUPLICATE, duplicate_of=original, acting_user=agent
        )


def test_staff_of_another_department_cannot_act(make_report):
    report = make_report()
    outsider = create_staff(DepartmentFactory(code="voirie", name="Voirie"))
    with pytest.raises(PermissionDenied):
        actions.change_status(report=report, status=Status.ACKNOWLEDGED, acting_user=outsider)
    with pytest.raises(PermissionDenied):
        actions.add_note(report=report, note="…", acting_user=outsider)
    report.refresh_from_db()
    assert report.status == Status.NEW


def test_an_internal_note_notifies_nobody(make_report, agent, django_capture_on_commit_callbacks):
    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(report=report, note="Voir avec la DPE", acting_user=agent)
    assert not Notification.objects.filter(kind="report_update").exists()


def test_alerts_reach_residents_of_the_district_or_circle(
    make_report, districts, category, django_capture_on_commit_callbacks
):
    from lutetia.core.districts.models import District
    from lutetia.services.reports.models import Alert

    in_district = UserFactory()
    Alert.objects.create(user=in_district, district=District.objects.get(code="4"))
    nearby = UserFactory()
    Alert.objects.create(user=nearby, radius_m=300, longitude=2.3510, latitude=48.8535)
    far = UserFactory()
    Alert.objects.create(user=far, radius_m=300, longitude=2.2950, latitude=48.8738)
    other_district = UserFactory()
    Alert.objects.create(user=other_district, district=District.objects.get(code="11"))

    make_report()
    alerted = set(
        Notification.objects.filter(kind="report_alert").values_list("recipient", flat=True)
    )
    assert alerted == {in_district.pk, nearby.pk}
