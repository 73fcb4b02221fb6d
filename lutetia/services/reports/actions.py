"""Writes of Dans ma rue: submitting and confirming reports, following them, staff triage.

Every function is atomic, takes a keyword-only ``acting_user`` (None for an anonymous
resident or an API client, whose key is recorded on the report instead), writes one audit
entry and leaves e-mails and notifications to ``transaction.on_commit``.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.core import audit
from lutetia.core.districts.lookup import district_at
from lutetia.core.permissions import may_act_on
from lutetia.core.references import next_reference
from lutetia.core.uploads import CleanImage, files_removed_on_error, make_thumbnail
from lutetia.services.reports import tasks
from lutetia.services.reports.models import (
    BannedEmail,
    Category,
    Follower,
    RejectionReason,
    Report,
    ReportPhoto,
    ReportUpdate,
    RoutingRule,
)

REFERENCE_PREFIX = "DMR"
Status = Report.Status


@dataclass(frozen=True)
class Reporter:
    """Who is reporting, as given on the form or by the Open311 client (never published)."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    public: bool = False


@transaction.atomic
def submit_report(
    *,
    category: Category,
    longitude: float,
    latitude: float,
    description: str = "",
    address: str = "",
    photos: Sequence[CleanImage] = (),
    attributes: dict | None = None,
    media_url: str = "",
    reporter: Reporter = Reporter(),
    source: str = Report.Source.WEB,
    api_key=None,
    acting_user=None,
) -> Report:
    """Record a report; publish it at once unless it waits for its e-mail confirmation.

    Signed-in residents, staff and API clients holding a valid key are trusted and
    published at once. An anonymous web report gets a confirmation link by e-mail and
    stays unpublished until it is followed. Refused input raises ValidationError and
    leaves nothing behind, photos included.
    """
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    email = (reporter.email or (user.email if user else "")).strip().lower()
    _check_submission(category, description, photos, email, trusted=user is not None or api_key)
    district = district_at(longitude, latitude)
    if district is None:
        raise ValidationError(
            _("This point is outside the city: place the marker on a street of the city."),
            code="outside_city",
        )
    now = timezone.now()
    report = Report(
        reference=next_reference(REFERENCE_PREFIX, timezone.localdate(now).year),
        category=category,
        description=description.strip(),
        address=address.strip(),
        longitude=longitude,
        latitude=latitude,
        district=district,
        department=responsible_department(category, district),
        attributes=attributes or {},
        media_url=media_url,
        reporter=user,
        email=email,
        first_name=reporter.first_name or (user.first_name if user else ""),
        last_name=reporter.last_name or (user.last_name if user else ""),
        phone=reporter.phone,
        reporter_public=reporter.public,
        source=source,
        api_key=api_key,
        created_at=now,
        updated_at=now,
    )
    trusted = user is not None or api_key is not None
    if trusted:
        report.published_at = now
    else:
        report.confirmation_token = secrets.token_urlsafe(32)
    report.save()
    with files_removed_on_error() as stored:
        for clean in photos:
            _store_photo(report, clean, ReportPhoto.Kind.BEFORE, stored)
    ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.CREATED, to_status=Status.NEW, created_at=now
    )
    _follow(report, user=user, email=email)
    audit.log(report, "lutetia.reports.submitted", user=user, data={"source": source})
    if trusted:
        transaction.on_commit(partial(tasks.announce_new_report.enqueue, report.pk))
    else:
        transaction.on_commit(partial(tasks.send_confirmation_email.enqueue, report.pk))
    return report


def responsible_department(category: Category, district):
    """The routing rule for the category in that district, else the category's department."""
    rule = RoutingRule.objects.filter(category=category, district=district).first()
    if rule is not None:
        return rule.department
    return category.department or (category.parent.department if category.parent else None)


def _check_submission(category, description, photos, email, *, trusted) -> None:
    if category.is_family or not category.active:
        raise ValidationError(_("Choose one of the active problem types."), code="category")
    if len(description) > settings.LUTETIA_REPORTS_DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            _("The description is too long (at most %(max)d characters).")
            % {"max": settings.LUTETIA_REPORTS_DESCRIPTION_MAX_LENGTH},
            code="description_too_long",
        )
    if len(photos) > settings.LUTETIA_REPORTS_MAX_PHOTOS:
        raise ValidationError(
            _("At most %(max)d photos per report.") % {"max": settings.LUTETIA_REPORTS_MAX_PHOTOS},
            code="too_many_photos",
        )
    if not trusted and not email:
        raise ValidationError(
            _("Give your e-mail address: we send you a link to confirm the report."),
            code="email_required",
        )
    if email and BannedEmail.objects.filter(email=email).exists():
        raise ValidationError(
            _("Reports from this e-mail address are no longer accepted."), code="banned"
        )


def _store_photo(report: Report, clean: CleanImage, kind: str, stored: list[str]) -> ReportPhoto:
    photo = ReportPhoto(report=report, kind=kind)
    photo.image.save(clean.content.name, clean.content, save=False)
    stored.append(photo.image.name)
    photo.thumbnail.save(clean.content.name, make_thumbnail(clean), save=False)
    stored.append(photo.thumbnail.name)
    photo.save()
    return photo


@transaction.atomic
def confirm_report(*, token: str) -> Report:
    """Publish an anonymous report whose e-mail link was followed (idempotent)."""
    report = Report.objects.select_for_update().filter(confirmation_token=token).first()
    if not token or report is None:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid_token")
    if report.published_at is None:
        report.published_at = timezone.now()
        report.save(update_fields=["published_at"])
        ReportUpdate.objects.create(
            report=report, kind=ReportUpdate.Kind.PUBLISHED, created_at=report.published_at
        )
        audit.log(report, "lutetia.reports.confirmed", user=None)
        transaction.on_commit(partial(tasks.announce_new_report.enqueue, report.pk))
    return report


@transaction.atomic
def follow_report(*, report: Report, email: str = "", acting_user=None) -> Follower:
    """Follow a public report: a signed-in resident, or an e-mail address."""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if not report.is_public:
        raise ValidationError(_("This report cannot be followed."), code="not_public")
    if user is None and not email:
        raise ValidationError(_("Give an e-mail address to follow this report."), code="email")
    follower = _follow(report, user=user, email=email.strip().lower())
    audit.log(report, "lutetia.reports.followed", user=user)
    return follower


@transaction.atomic
def unfollow_report(*, report: Report, acting_user) -> None:
    Follower.objects.filter(report=report, user=acting_user).delete()
    audit.log(report, "lutetia.reports.unfollowed", user=acting_user)


def _follow(report: Report, *, user, email: str) -> Follower | None:
    if user is not None:
        return Follower.objects.get_or_create(report=report, user=user)[0]
    if email:
        return Follower.objects.get_or_create(report=report, user=None, email=email)[0]
    return None


@transaction.atomic
def change_status(
    *,
    report: Report,
    status: str,
    public_response: str = "",
    internal_note: str = "",
    rejection_reason: RejectionReason | None = None,
    duplicate_of: Report | None = None,
    transferred_to: str = "",
    after_photos: Sequence[CleanImage] = (),
    acting_user,
) -> ReportUpdate:
    """Move a report to ``status`` with a public response and/or an internal note.

    Rejection needs a reason from the managed list, a duplicate the report it repeats
    (its followers move there), a transfer the outside body. Reporter and followers are
    told of every public change once the change is committed.
    """
    report = _locked_for_staff(report, acting_user)
    status = Status(status)
    if status == report.status and not public_response and not internal_note:
        raise ValidationError(_("The report already has this status."), code="unchanged")
    before = report.status
    _apply_closing_details(report, status, rejection_reason, duplicate_of, transferred_to)
    now = timezone.now()
    report.status = status
    report.closed_at = (report.closed_at or now) if status in Report.CLOSED else None
    report.updated_at = now
    if public_response:
        report.status_notes = public_response
    report.save()
    with files_removed_on_error() as stored:
        for clean in after_photos:
            _store_photo(report, clean, ReportPhoto.Kind.AFTER, stored)
    update = ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.STATUS if status != before else ReportUpdate.Kind.RESPONSE,
        from_status=before,
        to_status=status,
        public_response=public_response,
        internal_note=internal_note,
        author=acting_user,
        created_at=now,
    )
    if status == Status.DUPLICATE:
        _move_followers(report, report.duplicate_of)
    audit.log(
        report,
        "lutetia.reports.status_changed",
        user=acting_user,
        data={"from": before, "to": status, "public_response": bool(public_response)},
    )
    transaction.on_commit(partial(tasks.announce_update.enqueue, update.pk))
    return update


def _apply_closing_details(report, status, rejection_reason, duplicate_of, transferred_to):
    report.rejection_reason = None
    report.duplicate_of = None
    report.transferred_to = ""
    if status == Status.REJECTED:
        if rejection_reason is None or not rejection_reason.active:
            raise ValidationError(_("Choose the reason for the rejection."), code="reason")
        report.rejection_reason = rejection_reason
    elif status == Status.DUPLICATE:
        original = _original_of(duplicate_of)
        if original is None or original.pk == report.pk:
            raise ValidationError(_("Give the report this one repeats."), code="duplicate_of")
        report.duplicate_of = original
    elif status == Status.TRANSFERRED:
        if not transferred_to.strip():
            raise ValidationError(_("Say which body the report is sent to."), code="transfer")
        report.transferred_to = transferred_to.strip()


def _original_of(report: Report | None) -> Report | None:
    """Follow a chain of duplicates to the report that is not one, so followers land there."""
    seen = set()
    while report is not None and report.duplicate_of_id and report.pk not in seen:
        seen.add(report.pk)
        report = report.duplicate_of
    return report


def _move_followers(duplicate: Report, original: Report) -> None:
    for follower in duplicate.followers.all():
        _follow(original, user=follower.user, email=follower.email)


@transaction.atomic
def add_note(*, report: Report, note: str, acting_user) -> ReportUpdate:
    """An internal note for staff only: nobody is notified."""
    report = _locked_for_staff(report, acting_user)
    if not note.strip():
        raise ValidationError(_("Write the note."), code="empty")
    update = ReportUpdate.objects.create(
        report=report,
        kind=ReportUpdate.Kind.NOTE,
        internal_note=note.strip(),
        author=acting_user,
        created_at=timezone.now(),
    )
    audit.log(report, "lutetia.reports.noted", user=acting_user)
    return update


def _locked_for_staff(report: Report, acting_user) -> Report:
    """The report's row, locked for this change, if the staff member may triage it."""
    if not may_act_on(acting_user, report, permission="reports.triage_report"):
        raise PermissionDenied
    return Report.objects.select_for_update().select_related("category").get(pk=report.pk)
