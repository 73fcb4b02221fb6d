"""Public pages of Dans ma rue: they validate input and call actions or selectors.

Every page works without JavaScript: reporting takes two steps (what and where, then the
nearby open reports and the details), the map page lists the same reports in a table.
The scripts under static/reports/ only add the map, "use my location" and live lookups.
"""

import json
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lutetia.core.api.errors import RateLimited, problem
from lutetia.core.api.ratelimit import check_rate_limit, client_ip, count_event
from lutetia.core.backoffice import show_action_error
from lutetia.pages.cache import cached_for_anonymous
from lutetia.services.reports import actions, geocoding, selectors
from lutetia.services.reports.forms import (
    AddressSearchForm,
    AlertForm,
    FollowForm,
    MapFilterForm,
    ReportForm,
    WhereForm,
)
from lutetia.services.reports.models import Report
from lutetia.services.reports.serialisation import (
    PAGE_CACHE_NAMESPACE,
    current_language,
    status_labels,
)

# Form spam defence on top of the e-mail confirmation. An address is often shared by a
# whole building or a mobile carrier, so its allowance is larger than an account's.
SUBMISSIONS_PER_IP_PER_HOUR = 20
SUBMISSIONS_PER_USER_PER_HOUR = 10
FOLLOWS_PER_IP_PER_HOUR = 30
SESSION_KEY = "reports_submitted"
LIST_PAGE_SIZE = 50


def index(request):
    """The landing page: what to report, the button, the map link and recent reports."""
    context = {
        "families": selectors.report_categories(),
        "recent": selectors.recent_reports(),
    }
    return render(request, "reports/index.html", context)


# --- reporting ---------------------------------------------------------------------------


@require_GET
def report_where(request):
    """Step 1: the type of problem and the point (map, location or typed coordinates)."""
    form = WhereForm(initial=request.GET.dict())
    return _where_page(request, form)


def _where_page(request, form: WhereForm, status: int = 200):
    search = AddressSearchForm(request.GET or None) if geocoding.enabled() else None
    places = _search(request, search.cleaned_data["q"]) if search and search.is_valid() else []
    context = {
        "form": form,
        "search": search,
        "places": [(place, _with_place(request, place)) for place in places],
    }
    return render(request, "reports/report_where.html", context, status=status)


def _search(request, query: str) -> list[geocoding.Place]:
    """The geocoder's places, counted against the client's address (it may be a paid service)."""
    if not query.strip():
        return []
    try:
        check_rate_limit(request, "reports-geocoder")
    except RateLimited:
        return []
    return geocoding.search(query)


def _with_place(request, place) -> str:
    """Step 1 again, with the place's point and label filled in."""
    values = {key: request.GET.get(key, "") for key in ("category",)}
    values.update(longitude=place.longitude, latitude=place.latitude, address=place.label)
    return f"{reverse('reports:report')}?{urlencode(values)}"


@require_http_methods(["GET", "POST"])
def report_details(request):
    """Step 2: nearby open reports of the same type (follow one instead), then the details.

    The step-1 answers come in the query string; a refused submission re-shows this step
    with its messages and saves nothing.
    """
    where = WhereForm(request.GET)
    if not where.is_valid():
        return _where_page(request, where, status=400)
    category = where.cleaned_data["category"]
    initial = {
        key: where.cleaned_data[key] for key in ("category", "longitude", "latitude", "address")
    }
    initial["category"] = category.code
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        category=category,
        user=request.user,
    )
    status = 200
    if request.method == "POST":
        status = _submit(request, form)
        if status == 302:
            return redirect("reports:submitted")
    nearby = selectors.nearby_open_reports(
        category, where.cleaned_data["longitude"], where.cleaned_data["latitude"]
    )
    context = {
        "where": where.cleaned_data,
        "category": category,
        "form": form,
        "nearby": [
            (report, FollowForm(user=request.user, auto_id=f"id_follow{index}_%s"))
            for index, report in enumerate(nearby)
        ],
        "change_url": f"{reverse('reports:report')}?{request.GET.urlencode()}",
    }
    return render(request, "reports/report_details.html", context, status=status)


def _submit(request, form: ReportForm) -> int:
    """Submit the report; the response's status (302 once it is recorded)."""
    if not form.is_valid():
        return 400
    if _over_limit(request, "reports-submit", SUBMISSIONS_PER_IP_PER_HOUR):
        form.add_error(
            None, _("You have sent several reports in a short time. Please try again later.")
        )
        return 429
    try:
        report = actions.submit_report(acting_user=request.user, **form.submission())
    except ValidationError as error:
        show_action_error(form, error)
        return 400
    request.session[SESSION_KEY] = {
        "reference": report.reference,
        "published": report.published_at is not None,
    }
    return 302


def _over_limit(request, scope: str, per_ip: int) -> bool:
    """Count one submission against the client's address and, when signed in, the account."""
    try:
        count_event(f"{scope}:ip:{client_ip(request)}", limit=per_ip, window_seconds=3600)
        if request.user.is_authenticated:
            count_event(
                f"{scope}:user:{request.user.pk}",
                limit=SUBMISSIONS_PER_USER_PER_HOUR,
                window_seconds=3600,
            )
    except RateLimited:
        return True
    return False


def submitted(request):
    """The confirmation: published at once, or waiting for the e-mailed link."""
    outcome = request.session.get(SESSION_KEY)
    if outcome is None:
        return redirect("reports:report")
    return render(request, "reports/submitted.html", outcome)


@require_GET
def nearby(request):
    """The live lookup of step 1 (JSON): open reports of the type near the point."""
    where = WhereForm(request.GET)
    if not where.is_valid():
        return problem(400, detail=_("Give a type of problem and a point inside the city."))
    found = selectors.nearby_open_reports(
        where.cleaned_data["category"],
        where.cleaned_data["longitude"],
        where.cleaned_data["latitude"],
    )
    return JsonResponse(
        {
            "reports": [
                {
                    "reference": report.reference,
                    "url": reverse("reports:detail", args=[report.reference]),
                    "distance_m": round(report.distance),
                    "status": report.get_status_display(),
                    "reported": report.created_at.date().isoformat(),
                    "description": report.description[:200],
                }
                for report in found
            ]
        }
    )


@require_GET
def places(request):
    """The live address search (JSON), when a geocoder is configured."""
    if not geocoding.enabled():
        raise Http404
    found = _search(request, request.GET.get("q", "")[:200])
    return JsonResponse(
        {"places": [{"label": p.label, "lon": p.longitude, "lat": p.latitude} for p in found]}
    )


# --- a report's page ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def detail(request, reference: str):
    """A report's public page: never the reporter's contact, only public timeline entries.

    POST ``action`` "follow" (e-mail asked of visitors) or "unfollow" (signed in).
    """
    report = selectors.public_report(reference)
    if report is None:
        raise Http404
    follow_form = FollowForm(user=request.user)
    status = 200
    if request.method == "POST":
        follow_form, status = _follow_or_unfollow(request, report)
        if status == 302:
            return redirect("reports:detail", reference=report.reference)
    photos = report.shown
    context = {
        "report": report,
        "timeline": selectors.public_timeline(report),
        "before_photos": [photo for photo in photos if photo.kind == photo.Kind.BEFORE],
        "after_photos": [photo for photo in photos if photo.kind == photo.Kind.AFTER],
        "following": selectors.is_following(request.user, report),
        "follow_form": follow_form,
    }
    return render(request, "reports/detail.html", context, status=status)


def _follow_or_unfollow(request, report: Report) -> tuple[FollowForm, int]:
    action = request.POST.get("action")
    form = FollowForm(request.POST, user=request.user)
    if action == "unfollow" and request.user.is_authenticated:
        actions.unfollow_report(report=report, acting_user=request.user)
        messages.success(request, _("You no longer follow this report."))
        return form, 302
    if action != "follow":
        return FollowForm(user=request.user), 400
    if not form.is_valid():
        return form, 400
    if _over_limit(request, "reports-follow", FOLLOWS_PER_IP_PER_HOUR):
        form.add_error(None, _("Too many requests in a short time. Please try again later."))
        return form, 429
    try:
        actions.follow_report(
            report=report, email=form.cleaned_data.get("email", ""), acting_user=request.user
        )
    except ValidationError as error:
        show_action_error(form, error)
        return form, 400
    if request.user.is_authenticated:
        messages.success(request, _("You follow this report: we will tell you of each change."))
    else:
        messages.success(
            request, _("Check your e-mail: follow the link we sent to confirm your address.")
        )
    return form, 302


def confirm(request, token: str):
    """The link e-mailed to an anonymous reporter: publishes the report."""
    try:
        report = actions.confirm_report(token=token)
    except ValidationError as error:
        return render(request, "reports/confirm_failed.html", {"error": error}, status=404)
    messages.success(request, _("Thank you: your report is published."))
    return redirect("reports:detail", reference=report.reference)


def confirm_follow(request, token: str):
    """The link e-mailed to a visitor who asked to follow a report by e-mail."""
    try:
        follower = actions.confirm_follow(token=token)
    except ValidationError as error:
        return render(request, "reports/confirm_failed.html", {"error": error}, status=404)
    messages.success(request, _("Your address is confirmed: we will tell you of each change."))
    return redirect("reports:detail", reference=follower.report.reference)


# --- the map, its list and its GeoJSON ---------------------------------------------------


def map_view(request):
    """The map (with JavaScript) and the paginated list of the same filtered reports."""
    filters = MapFilterForm(request.GET or None)
    found = selectors.filtered_reports(**filters.filters()).select_related("category", "district")
    context = {
        "filters": filters,
        "page": Paginator(found, LIST_PAGE_SIZE).get_page(request.GET.get("page")),
        "geojson_query": _filter_query(request),
    }
    status = 400 if filters.is_bound and not filters.is_valid() else 200
    return render(request, "reports/map.html", context, status=status)


def _filter_query(request) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", "bbox")])


@cached_for_anonymous(namespace=PAGE_CACHE_NAMESPACE)
@require_GET
def geojson(request):
    """Public reports in ``bbox`` (RFC 7946), newest first, at most MAP_MAX_FEATURES;
    ``truncated`` says some were left out. No personal data is read."""
    bbox = parse_bbox(request.GET.get("bbox", ""))
    if bbox is None:
        return problem(
            400,
            detail=_("bbox must be minlon,minlat,maxlon,maxlat in degrees (WGS 84)."),
        )
    filters = MapFilterForm(request.GET)
    if not filters.is_valid():
        return problem(400, detail=_("Invalid filters."), errors=filters.errors.get_json_data())
    rows, truncated = selectors.map_points(selectors.filtered_reports(**filters.filters()), bbox)
    names = selectors.category_names()
    labels = status_labels(current_language())
    url = reverse("reports:detail", args=["REFERENCE"])
    collection = {
        "type": "FeatureCollection",
        "truncated": truncated,
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {
                    "reference": reference,
                    "category": names.get(category_id, ""),
                    "status": status,
                    "status_label": labels[status],
                    "open": status in Report.OPEN,
                    "reported": reported,
                    "url": url.replace("REFERENCE", reference),
                },
            }
            for reference, longitude, latitude, status, category_id, reported in rows
        ],
    }
    return HttpResponse(json.dumps(collection), content_type="application/geo+json")


def parse_bbox(value: str) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` as floats, or None when it is not a valid box."""
    try:
        box = tuple(float(part) for part in value.split(","))
    except ValueError:
        return None
    if len(box) != 4 or not all(math.isfinite(number) for number in box):
        return None
    min_lon, min_lat, max_lon, max_lat = box
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        return None
    return box


# --- the resident's own pages ------------------------------------------------------------


@login_required
def my_reports(request):
    context = {
        "reports": selectors.reports_of(request.user),
        "followed": selectors.followed_by(request.user),
    }
    return render(request, "reports/my_reports.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def alerts(request):
    """The resident's alerts, and the form to add one."""
    form = AlertForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.create_alert(acting_user=request.user, **form.alert())
            except ValidationError as error:
                show_action_error(form, error)
            else:
                messages.success(request, _("Your alert is saved."))
                return redirect("reports:alerts")
    context = {"alerts": selectors.alerts_of(request.user), "form": form}
    return render(request, "reports/alerts.html", context, status=status)


@login_required
@require_POST
def delete_alert(request, pk: int):
    alert = get_object_or_404(selectors.alerts_of(request.user), pk=pk)
    actions.delete_alert(alert=alert, acting_user=request.user)
    messages.success(request, _("The alert is deleted."))
    return redirect("reports:alerts")
