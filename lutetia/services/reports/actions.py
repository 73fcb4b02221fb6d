"""Writes of Dans ma rue: submitting and confirming reports, following them, staff triage.

Every function is atomic, takes a keyword-only ``acting_user`` (None for an anonymous
resident or an API client, whose key is recorded on the report instead), writes one audit
entry and leaves e-mails and notifications to ``transaction.on_commit``.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lutetia.core import audit
from lutetia.core.districts.lookup import district_at
from lutetia.core.models import Department
from lutetia.core.permissions import may_act_on, may_manage, scope_to_departments
from lutetia.core.references import next_reference
from lutetia.core.uploads import CleanImage, files_removed_on_error, make_thumbnail
from lutetia.pages import cache as page_cache
from lutetia.services.reports import generating, importing, routing, selectors, tasks, taxonomy
from lutetia.services.reports.models import (
    Alert,
    BannedEmail,
    Category,
    CategoryAttribute,
    Follower,
    Open311Token,
    RejectionReason,
    Report,
    ReportPhoto,
    ReportUpdate,
    ResponseTemplate,
    RoutingRule,
)
from lutetia.services.reports.routing import responsible_department_id
from lutetia.services.reports.serialisation import PAGE_CACHE_NAMESPACE

REFERENCE_PREFIX = "DMR"
Status = Report.Status


def _public_reads_change() -> None:
    """This transaction changes what the public map and Open311 show (a report published or
    changed, a category or reason edited): their cached answers go once it commits. Every
    action that changes what the public sees calls this."""
    transaction.on_commit(partial(page_cache.invalidate, PAGE_CACHE_NAMESPACE))


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
    """Record a report; publish it at once unless it waits for its e-mail confirmation or
    a moderator.

    Signed-in residents, staff and API clients holding a valid key are trusted and
    published at once, except an API client's report in a category held for moderation
    (``Category.open311_moderated``): it stays unpublished with an ``Open311Token`` until
    ``publish_held_report``. An anonymous web report gets a confirmation link by e-mail and
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
        department_id=responsible_department_id(category, district.pk),
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
    held = api_key is not None and category.open311_moderated
    if trusted and not held:
        report.published_at = now
    elif not trusted:
        report.confirmation_token = secrets.token_urlsafe(32)
    report.save()
    if held:
        Open311Token.objects.create(token=secrets.token_urlsafe(24), report=report)
    with files_removed_on_error() as stored:
        for clean in photos:
            _store_photo(report, clean, ReportPhoto.Kind.BEFORE, stored)
    ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.CREATED, to_status=Status.NEW, created_at=now
    )
    _follow(report, user=user, email=email, new=True)
    audit.log(report, "lutetia.reports.submitted", user=user, data={"source": source, "held": held})
    if report.published_at is not None:
        _public_reads_change()
        transaction.on_commit(partial(tasks.announce_new_report.enqueue, report.pk))
    elif not trusted:
        transaction.on_commit(partial(tasks.send_confirmation_email.enqueue, report.pk))
    return report


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
        _publish(report, "lutetia.reports.confirmed", acting_user=None)
    return report


def _publish(report: Report, action: str, *, acting_user) -> None:
    """Put a waiting report online: its timeline entry, the audit entry, the public reads
    and, once committed, the announcement to the residents whose alerts match."""
    report.published_at = timezone.now()
    report.save(update_fields=["published_at"])
    ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.PUBLISHED, created_at=report.published_at
    )
    audit.log(report, action, user=acting_user)
    _public_reads_change()
    transaction.on_commit(partial(tasks.announce_new_report.enqueue, report.pk))


@transaction.atomic
def follow_report(*, report: Report, email: str = "", acting_user=None) -> Follower:
    """Follow a public report: a signed-in resident, or an e-mail address."""
    user = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if not report.is_public:
        raise ValidationError(_("This report cannot be followed."), code="not_public")
    if user is None and not email:
        raise ValidationError(_("Give an e-mail address to follow this report."), code="email")
    follower = _follow(report, user=user, email=email.strip().lower(), confirmed=False)
    if follower.confirmed_at is None and not follower.confirmation_token:
        follower.confirmation_token = secrets.token_urlsafe(32)
        follower.save(update_fields=["confirmation_token"])
        transaction.on_commit(partial(tasks.send_follow_confirmation.enqueue, follower.pk))
    audit.log(report, "lutetia.reports.followed", user=user)
    return follower


@transaction.atomic
def confirm_follow(*, token: str) -> Follower:
    """An address's owner followed the e-mailed link: they now hear of changes (idempotent)."""
    follower = Follower.objects.select_for_update().filter(confirmation_token=token).first()
    if not token or follower is None:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid_token")
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
        audit.log(follower.report, "lutetia.reports.follow_confirmed", user=None)
    return follower


@transaction.atomic
def unfollow_report(*, report: Report, acting_user) -> None:
    Follower.objects.filter(report=report, user=acting_user).delete()
    audit.log(report, "lutetia.reports.unfollowed", user=acting_user)


def _follow(
    report: Report, *, user, email: str, confirmed: bool = True, new: bool = False
) -> Follower | None:
    """A resident follows at once; an address only once confirmed (the reporter's own address
    is proven by the report's confirmation, which comes before any public change).

    ``new``: the report was just created, so there is no follower to look up first.
    """
    if user is not None:
        fields, defaults = {"user": user}, {}
    elif email:
        fields = {"user": None, "email": email}
        defaults = {"confirmed_at": timezone.now() if confirmed else None}
    else:
        return None
    if new:
        return Follower.objects.create(report=report, **fields, **defaults)
    return Follower.objects.get_or_create(report=report, **fields, defaults=defaults)[0]


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
    _public_reads_change()
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
    if report is not None:
        report = Report.objects.filter(pk=report.pk).first()  # the caller's copy may be stale
    seen = set()
    while report is not None and report.duplicate_of_id and report.pk not in seen:
        seen.add(report.pk)
        report = report.duplicate_of
    return report


def _move_followers(duplicate: Report, original: Report) -> None:
    for follower in duplicate.followers.exclude(user=None, confirmed_at=None):
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


# --- Residents: alerts and erasing a resident's personal data ------------------------------

# The circles a resident may watch around a point, in metres.
ALERT_RADII = (100, 250, 500, 1000)
MAX_ALERTS_PER_USER = 20


@transaction.atomic
def create_alert(
    *,
    district=None,
    longitude: float | None = None,
    latitude: float | None = None,
    radius_m: int | None = None,
    category: Category | None = None,
    acting_user,
) -> Alert:
    """Subscribe a signed-in resident to new reports in a district or around a point."""
    if not acting_user.is_authenticated:
        raise PermissionDenied
    if Alert.objects.filter(user=acting_user).count() >= MAX_ALERTS_PER_USER:
        raise ValidationError(
            _("You already have %(max)d alerts: delete one first.") % {"max": MAX_ALERTS_PER_USER},
            code="too_many_alerts",
        )
    if district is None:
        _check_alert_circle(longitude, latitude, radius_m)
        fields = {"longitude": longitude, "latitude": latitude, "radius_m": radius_m}
    else:
        fields = {"district": district}
    if category is not None and not category.active:
        raise ValidationError(_("Choose one of the active problem types."), code="category")
    alert = Alert.objects.create(user=acting_user, category=category, **fields)
    audit.log(alert, "lutetia.reports.alert_created", user=acting_user)
    return alert


def _check_alert_circle(longitude, latitude, radius_m) -> None:
    if longitude is None or latitude is None:
        raise ValidationError(_("Choose a district or a point on the map."), code="where")
    if radius_m not in ALERT_RADII:
        raise ValidationError(_("Choose one of the proposed distances."), code="radius")
    if district_at(longitude, latitude) is None:
        raise ValidationError(
            _("This point is outside the city: place the marker on a street of the city."),
            code="outside_city",
        )


@transaction.atomic
def delete_alert(*, alert: Alert, acting_user) -> None:
    """Only the resident who created an alert deletes it."""
    if alert.user_id != acting_user.pk:
        raise PermissionDenied
    audit.log(alert, "lutetia.reports.alert_deleted", user=acting_user)
    alert.delete()


@transaction.atomic
def erase_reporter(*, user, acting_user) -> int:
    """Forget a resident: their reports stay public but lose every contact field (also those
    filed before signing in with the same address); their follows and alerts go. Returns the
    number of reports anonymised."""
    email = (user.email or "").strip().lower()
    count = selectors.reports_with_contact_of(user).update(
        email="", first_name="", last_name="", phone="", reporter_public=False
    )
    followed = Q(user=user) | Q(user__isnull=True, email=email) if email else Q(user=user)
    Follower.objects.filter(followed).delete()
    Alert.objects.filter(user=user).delete()
    audit.log(user, "lutetia.reports.reporter_erased", user=acting_user, data={"reports": count})
    return count


# --- Staff: routing, assignment, moderation and bulk triage (back office) ----------------------
#
# Agents triage their departments' reports: status, notes, priority, assignment, and sending a
# misrouted report to the right department or category. Managers also edit the routing
# (categories, rules, reasons, templates); moderation (redaction, hiding, bans) is separate.


@transaction.atomic
def reassign(*, report: Report, department, note: str = "", acting_user) -> ReportUpdate:
    """Send a report to another department; its agent belonged to the old one, so unassign."""
    report = _locked_for_staff(report, acting_user)
    if department.pk == report.department_id:
        raise ValidationError(_("The report is already with this department."), code="unchanged")
    before = report.department_id
    report.department = department
    report.assignee = None
    report.updated_at = timezone.now()
    report.save(update_fields=["department", "assignee", "updated_at"])
    update = _staff_entry(report, ReportUpdate.Kind.ROUTED, note, acting_user)
    _public_reads_change()  # Open311's agency_responsible
    audit.log(
        report,
        "lutetia.reports.reassigned",
        user=acting_user,
        data={"from": before, "to": department.pk},
    )
    return update


@transaction.atomic
def recategorise(*, report: Report, category: Category, note: str = "", acting_user):
    """Give a report its right category; the routing for that category picks the department."""
    report = _locked_for_staff(report, acting_user)
    if category.is_family or not category.active:
        raise ValidationError(_("Choose one of the active problem types."), code="category")
    if category.pk == report.category_id:
        raise ValidationError(_("The report already has this category."), code="unchanged")
    before = {"category": report.category_id, "department": report.department_id}
    report.category = category
    department_id = responsible_department_id(category, report.district_id)
    if department_id is not None and department_id != report.department_id:
        report.department_id = department_id
        report.assignee = None
    report.updated_at = timezone.now()
    report.save(update_fields=["category", "department", "assignee", "updated_at"])
    update = _staff_entry(report, ReportUpdate.Kind.RECATEGORISED, note, acting_user)
    _public_reads_change()
    after = {"category": category.pk, "department": report.department_id}
    audit.log(
        report, "lutetia.reports.recategorised", user=acting_user, data=audit.changes(before, after)
    )
    return update


@transaction.atomic
def set_priority(*, report: Report, priority: int, acting_user) -> Report:
    report = _locked_for_staff(report, acting_user)
    priority = Report.Priority(int(priority))
    if priority == report.priority:
        raise ValidationError(_("The report already has this priority."), code="unchanged")
    before = report.priority
    report.priority = priority
    report.updated_at = timezone.now()
    report.save(update_fields=["priority", "updated_at"])
    audit.log(
        report,
        "lutetia.reports.prioritised",
        user=acting_user,
        data={"from": before, "to": int(priority)},
    )
    return report


@transaction.atomic
def assign_agent(*, report: Report, agent, acting_user) -> Report:
    """Give the report to a staff member of its department (``agent=None`` unassigns)."""
    report = _locked_for_staff(report, acting_user)
    if agent is not None and not agent.memberships.filter(department=report.department_id).exists():
        raise ValidationError(
            _("%(agent)s is not a member of the report's department.") % {"agent": agent},
            code="not_member",
        )
    if (agent.pk if agent else None) == report.assignee_id:
        raise ValidationError(_("The report is already assigned this way."), code="unchanged")
    before = report.assignee_id
    report.assignee = agent
    report.updated_at = timezone.now()
    report.save(update_fields=["assignee", "updated_at"])
    audit.log(
        report,
        "lutetia.reports.assigned",
        user=acting_user,
        data={"from": before, "to": agent.pk if agent else None},
    )
    return report


@dataclass(frozen=True)
class ItemResult:
    """What a bulk action did to one report: done, or the reason it was refused."""

    report: Report
    done: bool
    message: str = ""


def for_each_report(reports, action, *, acting_user, **arguments) -> list[ItemResult]:
    """Apply one staff action to each report, each in its own transaction.

    Not atomic as a whole on purpose: one refused report (another department's, an
    unchanged status) must not undo the others; every report gets its own result.
    """
    results = []
    for report in reports:
        try:
            action(report=report, acting_user=acting_user, **arguments)
        except PermissionDenied:
            results.append(ItemResult(report, False, _("you may not act on this report")))
        except ValidationError as error:
            results.append(ItemResult(report, False, " ".join(error.messages)))
        else:
            results.append(ItemResult(report, True))
    return results


def _staff_entry(report: Report, kind: str, note: str, acting_user) -> ReportUpdate:
    """A staff-only timeline entry (routing, category, moderation): nobody is notified."""
    return ReportUpdate.objects.create(
        report=report,
        kind=kind,
        internal_note=note.strip(),
        author=acting_user,
        created_at=timezone.now(),
    )


# Moderation: permission ``reports.moderate_report`` on the report's department.


def _locked_for_moderation(report: Report, acting_user) -> Report:
    if not may_act_on(acting_user, report, permission="reports.moderate_report"):
        raise PermissionDenied
    return Report.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def redact_description(*, report: Report, description: str, reason: str, acting_user) -> Report:
    """Replace a report's text (personal data, insults); the original stays in the audit trail."""
    report = _locked_for_moderation(report, acting_user)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the text is edited.")}, code="reason")
    original = report.description
    report.description = description.strip()
    report.updated_at = timezone.now()
    report.save(update_fields=["description", "updated_at"])
    _staff_entry(
        report, ReportUpdate.Kind.MODERATED, _("Description edited: %s") % reason, acting_user
    )
    _public_reads_change()
    audit.log(
        report,
        "lutetia.reports.redacted",
        user=acting_user,
        data={"original": original, "reason": reason.strip()},
    )
    return report


@transaction.atomic
def set_report_hidden(*, report: Report, hidden: bool, reason: str = "", acting_user) -> Report:
    """Take a report off the public site (with a reason kept for staff), or put it back."""
    report = _locked_for_moderation(report, acting_user)
    if hidden == report.hidden:
        raise ValidationError(_("Nothing to change."), code="unchanged")
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Say why the report is hidden.")}, code="reason")
    report.hidden = hidden
    report.hidden_reason = reason.strip() if hidden else ""
    report.updated_at = timezone.now()
    report.save(update_fields=["hidden", "hidden_reason", "updated_at"])
    note = _("Report hidden: %s") % reason.strip() if hidden else _("Report shown again")
    _staff_entry(report, ReportUpdate.Kind.MODERATED, note, acting_user)
    _public_reads_change()
    audit.log(
        report,
        "lutetia.reports.hidden" if hidden else "lutetia.reports.shown",
        user=acting_user,
        data={"reason": report.hidden_reason},
    )
    return report


@transaction.atomic
def publish_held_report(*, report: Report, acting_user) -> Report:
    """Publish a report held for moderation (an Open311 application's, see ``submit_report``):
    its token then answers with the reference. Rejecting one is ``set_report_hidden`` or
    ``change_status``."""
    report = _locked_for_moderation(report, acting_user)
    if not report.awaiting_moderation:
        raise ValidationError(_("This report is not awaiting moderation."), code="not_held")
    _publish(report, "lutetia.reports.published", acting_user=acting_user)
    return report


@transaction.atomic
def set_photo_hidden(*, photo: ReportPhoto, hidden: bool, acting_user) -> ReportPhoto:
    report = _locked_for_moderation(photo.report, acting_user)
    photo = ReportPhoto.objects.select_for_update().get(pk=photo.pk, report=report)
    if hidden == photo.hidden:
        raise ValidationError(_("Nothing to change."), code="unchanged")
    photo.hidden = hidden
    photo.save(update_fields=["hidden"])
    note = _("Photo hidden") if hidden else _("Photo shown again")
    _staff_entry(report, ReportUpdate.Kind.MODERATED, note, acting_user)
    _public_reads_change()  # Open311's media_url
    audit.log(
        report,
        "lutetia.reports.photo_hidden" if hidden else "lutetia.reports.photo_shown",
        user=acting_user,
        data={"photo": photo.pk},
    )
    return photo


@transaction.atomic
def ban_email(
    *, email: str, reason: str, hide_reports: bool = False, acting_user
) -> tuple[BannedEmail, int]:
    """Refuse every further report from an abusive address; optionally hide its reports.

    Only the reports the moderator may act on are hidden (department scoping); returns
    the ban and how many reports were hidden.
    """
    if not acting_user.has_perm("reports.moderate_report"):
        raise PermissionDenied
    email = email.strip().lower()
    if not email or not reason.strip():
        raise ValidationError({"reason": _("Say why the address is banned.")}, code="reason")
    if BannedEmail.objects.filter(email=email).exists():
        raise ValidationError(_("This address is already banned."), code="unchanged")
    ban = BannedEmail.objects.create(email=email, reason=reason.strip(), banned_by=acting_user)
    hidden = 0
    if hide_reports:
        reports = scope_to_departments(acting_user, Report.objects.filter(email=email))
        hidden = reports.filter(hidden=False).update(
            hidden=True, hidden_reason=reason.strip(), updated_at=timezone.now()
        )
        _public_reads_change()
    audit.log(ban, "lutetia.reports.email_banned", user=acting_user, data={"hidden": hidden})
    return ban, hidden


@transaction.atomic
def lift_ban(*, ban: BannedEmail, acting_user) -> None:
    if not acting_user.has_perm("reports.moderate_report"):
        raise PermissionDenied
    audit.log(ban, "lutetia.reports.ban_lifted", user=acting_user, data={"email": ban.email})
    ban.delete()


# Routing settings: categories (with their attributes), routing rules, rejection reasons and
# response templates. Managers edit those of the departments they manage; administrators all.


def routing_department_id(item) -> int | None:
    """The department whose managers own a routing setting (None: city-wide)."""
    category = item if isinstance(item, Category) else getattr(item, "category", None)
    if category is None:
        return None
    if category.department_id or category.parent_id is None:
        return category.department_id
    return category.parent.department_id


def may_edit_routing(user, item) -> bool:
    """Managers edit the settings of their departments' categories; city-wide ones too."""
    if not user.has_perm("reports.manage_routing"):
        return False
    if isinstance(item, RejectionReason | ResponseTemplate) and routing_department_id(item) is None:
        return True
    return may_manage(user, SimpleNamespace(department_id=routing_department_id(item)))


@transaction.atomic
def save_routing_item(*, item, acting_user):
    """Save a category (its attributes included), routing rule, reason or template."""
    if not may_edit_routing(acting_user, item):
        raise PermissionDenied
    created = item.pk is None
    item.save()
    if isinstance(item, Category | RoutingRule):
        routing.changed()
    if isinstance(item, Category | RejectionReason):  # Open311 services, status notes
        _public_reads_change()
    name = item._meta.model_name
    audit.log(
        item,
        f"lutetia.reports.{name}_{'created' if created else 'changed'}",
        user=acting_user,
    )
    return item


@transaction.atomic
def delete_routing_item(*, item, acting_user) -> None:
    """Delete a routing rule or response template (categories and reasons are deactivated)."""
    if not isinstance(item, RoutingRule | ResponseTemplate):
        raise ValidationError(_("Deactivate it instead: reports refer to it."), code="in_use")
    if not may_edit_routing(acting_user, item):
        raise PermissionDenied
    audit.log(item, f"lutetia.reports.{item._meta.model_name}_deleted", user=acting_user)
    item.delete()
    if isinstance(item, RoutingRule):
        routing.changed()


# --- Data: the taxonomy, imported history and generated reports (`lutetia reports …`) ------


@transaction.atomic
def load_taxonomy(*, path=None, acting_user=None) -> dict[str, int]:
    """Create or update the categories of the taxonomy file (idempotent).

    Names, keywords, target times, order and attributes follow the file; a family's
    department is set only while none is chosen, so routing decided in the back office
    survives an update. Returns how many categories were created and updated.
    """
    if acting_user is not None and not acting_user.has_perm("reports.manage_routing"):
        raise PermissionDenied
    families = taxonomy.read_taxonomy(path or taxonomy.TAXONOMY_FILE)
    departments = {department.code: department for department in Department.objects.all()}
    counts = {"created": 0, "updated": 0}
    first = None
    for order, spec in enumerate(families):
        family = _upsert_category(spec, None, order, departments, counts)
        first = first or family
        for child_order, child in enumerate(spec.children):
            _upsert_category(child, family, child_order, departments, counts)
    audit.log(first, "lutetia.reports.taxonomy_loaded", user=acting_user, data=counts)
    routing.changed()
    _public_reads_change()
    return counts


def _upsert_category(spec, parent, order, departments, counts) -> Category:
    category = Category.objects.filter(code=spec.code).first() or Category(code=spec.code)
    counts["created" if category.pk is None else "updated"] += 1
    category.parent = parent
    category.name_fr, category.name_en = spec.name_fr, spec.name_en
    category.keywords = spec.keywords
    category.target_days = spec.target_days
    category.order = order
    if parent is None and category.department_id is None:
        category.department = departments.get(spec.department)
    category.save()
    for attribute_order, attribute in enumerate(spec.attributes):
        CategoryAttribute.objects.update_or_create(
            category=category,
            code=attribute.code,
            defaults={
                "datatype": attribute.datatype,
                "description": attribute.description,
                "datatype_description": attribute.datatype_description,
                "required": attribute.required,
                "values": list(attribute.values),
                "order": attribute_order,
            },
        )
    return category


@transaction.atomic
def import_reports(
    *, lines, name: str = "", expected_rows: int = 0, acting_user=None
) -> importing.ImportResult:
    """Import a dans-ma-rue open-data CSV (see ``importing``): the good rows are written,
    the bad ones come back with their line numbers. One audit entry for the whole file."""
    result = importing.import_csv(lines, expected_rows=expected_rows)
    if result.imported:
        _public_reads_change()
        audit.log(
            Report.objects.get(reference=result.first_reference),
            "lutetia.reports.imported",
            user=acting_user,
            data={
                "file": name,
                "imported": result.imported,
                "rejected": len(result.errors),
                "references": [result.first_reference, result.last_reference],
            },
        )
    return result


@transaction.atomic
def generate_reports(
    *,
    count: int,
    seed: int | None = None,
    years: int = 3,
    timelines: bool = False,
    acting_user=None,
) -> generating.Generated:
    """Write ``count`` synthetic reports (see ``generating``), with one audit entry."""
    generated = generating.generate_reports(count, seed=seed, years=years, timelines=timelines)
    _public_reads_change()
    audit.log(
        Report.objects.get(reference=generated.first_reference),
        "lutetia.reports.generated",
        user=acting_user,
        data={
            "count": count,
            "seed": seed,
            "references": [generated.first_reference, generated.last_reference],
        },
    )
    return generated
