"""Reads of Dans ma rue that span relations."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, TruncDate, TruncMonth
from django.utils import timezone

from lutetia.core.permissions import scope_to_departments
from lutetia.core.registry import localized
from lutetia.services.reports import routing
from lutetia.services.reports.models import (
    CELLS_PER_DEGREE,
    Alert,
    Category,
    CategoryAttribute,
    Follower,
    Report,
    ReportPhoto,
    ReportUpdate,
    ResponseTemplate,
    cell_of,
)
from lutetia.services.reports.tasks import distance_m


def public_reports():
    """Reports anyone may see: published and not hidden by moderation."""
    return Report.objects.filter(published_at__isnull=False, hidden=False)


def public_report(reference: str) -> Report | None:
    return (
        public_reports()
        .select_related("category__parent", "district", "duplicate_of", "rejection_reason")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.filter(hidden=False), to_attr="shown")
        )
        .filter(reference=reference)
        .first()
    )


def public_timeline(report: Report) -> list[ReportUpdate]:
    """The entries the public sees: creation, status changes and public responses."""
    return list(
        report.updates.filter(
            Q(kind__in=[ReportUpdate.Kind.CREATED, ReportUpdate.Kind.STATUS])
            | ~Q(public_response="")
        ).only("kind", "from_status", "to_status", "public_response", "created_at")
    )


# --- Residents: nearby reports, the public map and list, "My reports", alerts --------------

# The map shows at most this many reports per viewport (the newest); the GeoJSON says so.
MAP_MAX_FEATURES = 2000
# A box over more grid cells than this (a whole city is ~1,500) is filtered on coordinates alone.
_MAX_CELLS = 2500
_CELLS_PER_ROW = 360 * CELLS_PER_DEGREE
METRES_PER_DEGREE_LATITUDE = 111_320


def within_box(queryset, min_lon: float, min_lat: float, max_lon: float, max_lat: float):
    """Reports inside the box: the list of its grid cells picks the candidates through the
    ``cell`` indexes (on PostgreSQL from the covering index alone), the coordinates keep
    the exact ones."""
    box = Q(longitude__range=(min_lon, max_lon), latitude__range=(min_lat, max_lat))
    first, last = cell_of(min_lon, min_lat), cell_of(max_lon, max_lat)
    rows = range(first // _CELLS_PER_ROW, last // _CELLS_PER_ROW + 1)
    columns = range(first % _CELLS_PER_ROW, last % _CELLS_PER_ROW + 1)
    if len(rows) * len(columns) <= _MAX_CELLS:
        box &= Q(cell__in=[row * _CELLS_PER_ROW + column for row in rows for column in columns])
    return queryset.filter(box)


def nearby_open_reports(
    category: Category, longitude: float, latitude: float, radius_m: int | None = None
) -> list[Report]:
    """Open public reports of ``category`` within the radius, nearest first, each with its
    ``distance`` in metres: what a resident may follow instead of filing a duplicate."""
    radius = radius_m or settings.LUTETIA_REPORTS_NEARBY_RADIUS_M
    delta_lat = radius / METRES_PER_DEGREE_LATITUDE
    delta_lon = delta_lat / max(math.cos(math.radians(latitude)), 0.01)
    candidates = within_box(
        public_reports().filter(category=category, status__in=Report.OPEN),
        longitude - delta_lon,
        latitude - delta_lat,
        longitude + delta_lon,
        latitude + delta_lat,
    ).only("reference", "longitude", "latitude", "status", "description", "created_at")
    found = []
    for report in candidates[:200]:
        report.distance = distance_m(longitude, latitude, report.longitude, report.latitude)
        if report.distance <= radius:
            found.append(report)
    return sorted(found, key=lambda report: report.distance)


def filtered_reports(*, category=None, status="", district=None, since=None, until=None):
    """Public reports matching the map and list filters, newest first.

    ``category`` may be a family (its sub-types match); ``status`` is "open", "closed" or
    one status; ``since``/``until`` are datetimes (``until`` excluded).
    """
    reports = public_reports()
    if category is not None:
        family = list(category.children.values_list("pk", flat=True)) if category.is_family else []
        reports = reports.filter(category_id__in=[category.pk, *family])
    if status == "open":
        reports = reports.filter(status__in=Report.OPEN)
    elif status == "closed":
        reports = reports.filter(status__in=Report.CLOSED)
    elif status:
        reports = reports.filter(status=status)
    if district is not None:
        reports = reports.filter(district=district)
    if since is not None:
        reports = reports.filter(created_at__gte=since)
    if until is not None:
        reports = reports.filter(created_at__lt=until)
    return reports


def map_points(reports, bbox: tuple[float, float, float, float]) -> tuple[list[tuple], bool]:
    """The newest ``MAP_MAX_FEATURES`` reports of the queryset inside ``bbox``, as tuples
    (reference, longitude, latitude, status, category id, "YYYY-MM-DD" reported), and
    whether more were left out. No personal field is read; the day comes as text, which
    saves parsing thousands of timestamps."""
    rows = list(
        within_box(reports, *bbox)
        .order_by("-created_at")
        .annotate(reported=Cast(TruncDate("created_at"), output_field=CharField()))
        .values_list("reference", "longitude", "latitude", "status", "category_id", "reported")[
            : MAP_MAX_FEATURES + 1
        ]
    )
    return rows[:MAP_MAX_FEATURES], len(rows) > MAP_MAX_FEATURES


def report_categories() -> list[Category]:
    """Active families, each with its active sub-types in ``subtypes`` (two queries)."""
    return list(
        Category.objects.filter(parent__isnull=True, active=True).prefetch_related(
            Prefetch("children", queryset=Category.objects.filter(active=True), to_attr="subtypes")
        )
    )


def recent_reports(limit: int = 10) -> list[Report]:
    return list(public_reports().select_related("category", "district")[:limit])


def reports_of(user):
    """Every report the resident filed while signed in, published or not, newest first."""
    return Report.objects.filter(reporter=user).select_related("category", "district")


def reports_with_contact_of(user):
    """The reports holding the resident's contact: filed signed in, or under their address
    before they had an account."""
    email = (user.email or "").strip().lower()
    return Report.objects.filter(Q(reporter=user) | Q(email=email) if email else Q(reporter=user))


def followed_by(user):
    """The public reports the resident follows, other than their own, newest first."""
    return (
        Follower.objects.filter(user=user, report__published_at__isnull=False, report__hidden=False)
        .exclude(report__reporter=user)
        .select_related("report__category", "report__district")
        .order_by("-report__created_at")
    )


def alerts_of(user):
    return Alert.objects.filter(user=user).select_related("district", "category").order_by("pk")


# --- Staff: the triage queue and the report page (back office) --------------------------------
#
# The queue must stay fast at a million reports: filters map onto the (department, status,
# created_at), (category, created_at) and (district, created_at) indexes, counts per status
# come from one query (exact for open statuses, capped for closed ones), and the page's rows
# from one query with their relations.

TRIAGE_SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "priority": ("-priority", "created_at", "pk"),
}
STATUS_GROUPS = {"open": Report.OPEN, "closed": Report.CLOSED, "all": ()}
# Closed statuses are counted up to this many reports (see ``status_counts``).
CLOSED_COUNT_CAP = 1_000
# What a row of the queue shows: the description, contact and answers are left unread.
TRIAGE_ROW_FIELDS = (
    "reference",
    "status",
    "priority",
    "published_at",
    "confirmation_token",
    "hidden",
    "created_at",
    "category__name_fr",
    "category__name_en",
    "category__target_days",
    "district__name",
    "department__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
)


def triage_reports(user, filters: dict, *, now=None):
    """Reports of the staff member's departments, filtered on all but the status.

    Reports still waiting for their e-mail confirmation are included (and marked): a filter
    on ``published_at`` would keep the counts per status from being index-only scans.
    """
    now = now or timezone.now()
    reports = scope_to_departments(user, Report.objects.all())
    for field in ("department", "district", "priority"):
        if filters.get(field) not in (None, ""):
            reports = reports.filter(**{field: filters[field]})
    category = filters.get("category")
    if category:
        reports = reports.filter(category__in=[category, *category.children.all()])
    assignee = filters.get("assignee")
    if assignee == "none":
        reports = reports.filter(assignee__isnull=True)
    elif assignee == "me":
        reports = reports.filter(assignee=user)
    elif assignee:
        reports = reports.filter(assignee_id=assignee)
    age = filters.get("age")
    if age == "overdue":
        reports = reports.filter(overdue_q(now))
    elif age:
        reports = reports.filter(created_at__lt=now - timedelta(days=int(age)))
    text = (filters.get("q") or "").strip()
    if text:
        reports = reports.filter(Q(reference__iexact=text) | Q(description__icontains=text))
    return reports


def overdue_q(now) -> Q:
    """Open reports older than their category's target, as one index-friendly condition."""
    by_target: dict[int, list[int]] = {}
    for pk, days in Category.objects.filter(target_days__gt=0).values_list("pk", "target_days"):
        by_target.setdefault(days, []).append(pk)
    condition = Q(pk__in=[])
    for days, category_ids in by_target.items():
        condition |= Q(category__in=category_ids, created_at__lt=now - timedelta(days=days))
    return condition & Q(status__in=Report.OPEN)


def status_counts(reports) -> dict[str, int]:
    """How many reports have each status, in one query.

    Exact for the open statuses, the queue's work. Closed reports pile up for ever (most of
    a million after a few years): counting them would read them all on every page load, so
    each closed status is counted up to ``CLOSED_COUNT_CAP + 1`` index entries; a count
    above the cap means "more than the cap".
    """
    parts, params = [], []
    for number, status in enumerate(Report.Status.values):
        rows = reports.filter(status=status).order_by().values("pk")
        if status in Report.CLOSED:
            rows = rows[: CLOSED_COUNT_CAP + 1]
        sql, row_params = rows.query.get_compiler(using=rows.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS status_{number})")  # noqa: S608 (ORM SQL)
        params.extend(row_params)
    with connections[reports.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return {
        status: count for status, count in zip(Report.Status.values, counts, strict=True) if count
    }


def with_status(reports, status: str):
    """``status`` is one status or a group (open, closed, all)."""
    if status in STATUS_GROUPS:
        group = STATUS_GROUPS[status]
        return reports.filter(status__in=group) if group else reports
    return reports.filter(status=status)


def triage_rows(reports, sort: str):
    return (
        reports.select_related("category", "district", "department", "assignee")
        .only(*TRIAGE_ROW_FIELDS)
        .order_by(*TRIAGE_SORTS[sort])
    )


def department_staff(department_ids=None):
    """Staff who may be given reports: members of these departments (all staff if None)."""
    users = get_user_model().objects.filter(is_active=True, memberships__isnull=False)
    if department_ids is not None:
        users = users.filter(memberships__department__in=department_ids)
    return users.distinct().order_by("last_name", "first_name", "email")


def staff_report_queryset():
    """A report with everything its back-office page shows about it, contact included."""
    return Report.objects.select_related(
        "category__parent",
        "district",
        "department",
        "assignee",
        "reporter",
        "duplicate_of",
        "rejection_reason",
        "api_key",
    )


def staff_timeline(report: Report) -> list[ReportUpdate]:
    """Every entry, internal notes and moderation included, with its author."""
    return list(report.updates.select_related("author"))


def response_templates_for(report: Report):
    """The ready-made responses for this report's category, and those for every category."""
    return ResponseTemplate.objects.filter(
        Q(category__isnull=True) | Q(category__in=[report.category_id, report.category.parent_id])
    )


# --- Open311: the services and requests the API publishes ------------------------------------

# What GET requests reads of a report and its relations: no personal data is even loaded.
OPEN311_REQUEST_FIELDS = (
    "reference",
    "status",
    "status_notes",
    "description",
    "address",
    "longitude",
    "latitude",
    "created_at",
    "updated_at",
    "media_url",
    "transferred_to",
    "category__code",
    "category__name_fr",
    "category__name_en",
    "category__target_days",
    "department__name",
    "rejection_reason__label_fr",
    "rejection_reason__label_en",
    "duplicate_of__reference",
)


def open311_services():
    """The sub-types an Open311 client may use: active, in an active family.

    ``has_attributes`` says whether the service definition has questions (``metadata``).
    """
    return (
        Category.objects.filter(parent__isnull=False, active=True, parent__active=True)
        .select_related("parent")
        .annotate(has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))
        .order_by("parent__order", "parent__name_fr", "order", "name_fr")
    )


def open311_service(code: str) -> Category | None:
    """One service by its code, with its family and questions, from the routing cache."""

    def read():
        return (
            open311_services().prefetch_related("attributes").order_by().filter(code=code).first()
        )

    return routing.cached(f"open311-service:{code}", read)


def open311_requests(*, references=None, since=None, until=None, statuses=(), category_ids=None):
    """Public reports for Open311's GET requests, newest first, in one query, as dicts of
    ``OPEN311_REQUEST_FIELDS`` and ``first_photo`` (the file of the first photo the public
    may see): plain rows, since building 50 models with four relations costs more than
    the query.

    ``references`` (the service_request_id list) overrides every other filter, as the spec
    says. Otherwise the filters are the created_at range, statuses and category ids, which
    the (status, created_at) and (category, created_at) indexes serve.
    """
    first_photo = (
        ReportPhoto.objects.filter(report=OuterRef("pk"), hidden=False)
        .order_by("created_at", "pk")
        .values("image")[:1]
    )
    reports = public_reports().annotate(first_photo=Subquery(first_photo))
    if references is not None:
        reports = reports.filter(reference__in=references)
    else:
        reports = reports.filter(created_at__gte=since, created_at__lte=until)
        if statuses:
            reports = reports.filter(status__in=statuses)
        if category_ids is not None:
            reports = reports.filter(category_id__in=category_ids)
    return reports.order_by("-created_at", "-pk").values(*OPEN311_REQUEST_FIELDS, "first_photo")


def category_names() -> dict[int, str]:
    """Every category's name in the current language, by id (a small table, read once)."""
    rows = Category.objects.order_by().values_list("pk", "name_fr", "name_en")
    return {pk: localized({"fr": fr, "en": en}) for pk, fr, en in rows}


def is_following(user, report: Report) -> bool:
    return user.is_authenticated and Follower.objects.filter(report=report, user=user).exists()


# --- Data: open data and indicators (no personal field is ever read) --------------------------

# The open-data columns, read straight from the reports table; names are joined from small
# dictionaries so that a million rows stream through one plain query.
OPEN_DATA_FIELDS = (
    "reference",
    "category_id",
    "district_id",
    "status",
    "address",
    "longitude",
    "latitude",
    "created_at",
    "closed_at",
)


def open_data_rows(chunk_size: int = 5000):
    """Every public report as a tuple of ``OPEN_DATA_FIELDS``, oldest first, streamed
    (a server-side cursor on PostgreSQL)."""
    return (
        public_reports()
        .order_by("created_at", "pk")
        .values_list(*OPEN_DATA_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def reports_per_month() -> list[tuple[str, int]]:
    rows = (
        public_reports()
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    return [(month.strftime("%Y-%m"), count) for month, count in rows]


def reports_per_family() -> list[tuple[str, int]]:
    """Public reports per family of the taxonomy, most reported first."""
    rows = (
        public_reports().values_list("category__parent_id").annotate(count=Count("pk")).order_by()
    )
    names = {category.pk: category.name for category in Category.objects.filter(parent=None)}
    counts = [(names.get(family_id, ""), count) for family_id, count in rows]
    return sorted(counts, key=lambda item: -item[1])


def reports_per_district() -> list[tuple[str, int]]:
    """Public reports per district, in the districts' order (codes "1" to "20" in Paris)."""
    rows = (
        public_reports()
        .values_list("district__code", "district__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    ordered = sorted(rows, key=lambda row: (len(row[0] or ""), row[0] or ""))
    return [(name or "", count) for _, name, count in ordered]


def _resolution_time():
    return ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def resolved_reports():
    """Public resolved reports whose resolution date is known (imported history has none)."""
    return public_reports().filter(status=Report.Status.RESOLVED, closed_at__isnull=False)


def median_resolution_time() -> timedelta | None:
    resolved = resolved_reports().annotate(duration=_resolution_time())
    count = resolved.count()
    if not count:
        return None
    middle = resolved.order_by("duration").values_list("duration", flat=True)
    if count % 2:
        return middle[count // 2]
    low, high = middle[count // 2 - 1 : count // 2 + 1]
    return (low + high) / 2


def resolved_within_target() -> tuple[int, int]:
    """(resolved within their category's target, resolved with a target) for public reports."""
    targets = dict(
        Category.objects.filter(target_days__isnull=False).values_list("pk", "target_days")
    )
    resolved = (
        resolved_reports().filter(category_id__in=targets).annotate(duration=_resolution_time())
    )
    within = Q()
    for category_id, days in targets.items():
        within |= Q(category_id=category_id, duration__lte=timedelta(days=days))
    counts = resolved.aggregate(total=Count("pk"), within=Count("pk", filter=within))
    return counts["within"], counts["total"]
