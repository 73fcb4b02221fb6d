"""Dans ma rue in the back office: the triage queue, bulk actions and the staff report page.

The views validate input and call ``actions.py``, which checks the department and the
permission again and writes the audit entry; a refused action's message goes next to
its form (report page) or next to its report (bulk results).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia.core.backoffice import ObjectActionsView
from lutetia.core.models import Department
from lutetia.core.permissions import department_ids, is_city_administrator, may_act_on
from lutetia.services.reports import actions, selectors
from lutetia.services.reports.admin_forms import (
    AssignForm,
    BanForm,
    BulkForm,
    ConfirmForm,
    NoteForm,
    PhotoForm,
    PriorityForm,
    ReassignForm,
    RecategoriseForm,
    RedactForm,
    StatusForm,
    TriageFilterForm,
    VisibilityForm,
    chosen_response,
)
from lutetia.services.reports.models import BannedEmail, Report

TRIAGE = "reports.triage_report"
MODERATE = "reports.moderate_report"
INDEX_URL = "reports_triage:index"


def visible_department_ids(user) -> list[int] | None:
    """The departments whose reports the user sees (None: every department)."""
    return None if is_city_administrator(user) else sorted(department_ids(user))


def staff_of(user):
    """The staff a user may give reports to: members of the departments they see."""
    return selectors.department_staff(visible_department_ids(user))


def labels(choices) -> dict:
    """A choices enum's labels in the current language, translated once for a page's rows
    (``get_FOO_display`` rebuilds and hashes every lazy label on each call)."""
    return {value: str(label) for value, label in choices.choices}


class TriageAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(TRIAGE):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TriageView(TriageAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """The queue of the staff member's departments (administrators: all, with a filter)."""

    template_name = "reports/admin/triage.html"
    page_title = gettext_lazy("Reports to triage")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, now = self.request.user, timezone.now()
        ids = visible_department_ids(user)
        departments = list(Department.objects.filter(is_active=True))
        staff_queryset = staff_of(user)
        staff = list(staff_queryset)
        form = TriageFilterForm(
            self.request.GET or None,
            departments=[d for d in departments if ids is None or d.pk in ids],
            staff=staff,
        )
        values = form.values()
        reports = selectors.triage_reports(user, values, now=now)
        counts = selectors.status_counts(reports)
        total, exact = self.total(counts, values["status"])
        page = self.paginate(
            selectors.triage_rows(selectors.with_status(reports, values["status"]), values["sort"]),
            total=total,
            per_page=values["per_page"],
        )
        statuses, priorities = labels(Report.Status), labels(Report.Priority)
        rows = [
            (report, self.due(report, now), statuses[report.status], priorities[report.priority])
            for report in page.object_list
        ]
        tabs = self.status_tabs(counts)
        context.update(
            filter_form=form,
            status=values["status"],
            status_tabs=tabs,
            counts_capped=not all(tab["exact"] for tab in tabs),
            count_cap=number_format(selectors.CLOSED_COUNT_CAP, force_grouping=True),
            page_obj=page,
            total_label=self.count_label(total, exact),
            total_exact=exact,
            rows=rows,
            bulk_form=self.bulk_form(staff_queryset, departments),
            query=self.request.GET.urlencode(),
            show_department=ids is None or len(ids) > 1,
        )
        return context

    @staticmethod
    def bulk_form(staff, departments: list) -> BulkForm:
        """``staff``: the queryset already evaluated for the filters, so read once."""
        form = BulkForm(staff=staff, prefix="bulk")
        form.use_loaded(staff=list(staff), departments=departments)
        return form

    def paginate(self, rows, *, total: int, per_page: int):
        """A page of rows; the total comes from the status counts, so no second COUNT."""
        paginator = Paginator(rows, per_page)
        paginator.count = total
        try:
            return paginator.page(self.request.GET.get("p") or 1)
        except InvalidPage:
            return paginator.page(paginator.num_pages)

    @staticmethod
    def total(counts: dict[str, int], status: str) -> tuple[int, bool]:
        """How many reports a status or group has, and whether that is exact: a closed status
        counted past ``CLOSED_COUNT_CAP`` adds the cap, and the total is a lower bound."""
        group = selectors.STATUS_GROUPS.get(status)
        statuses = [status] if group is None else group or Report.Status.values
        cap = selectors.CLOSED_COUNT_CAP
        capped = {one for one in statuses if one in Report.CLOSED and counts.get(one, 0) > cap}
        return sum(cap if one in capped else counts.get(one, 0) for one in statuses), not capped

    @staticmethod
    def count_label(total: int, exact: bool) -> str:
        """``1,234``, or ``10,000+`` when the count stopped at the cap."""
        return number_format(total, force_grouping=True) + ("" if exact else "+")

    def status_tabs(self, counts: dict[str, int]) -> list[dict]:
        """One link per status with its count, keeping the other filters."""
        query = self.request.GET.copy()
        query.pop("p", None)
        tabs = []
        for value, label in [
            ("open", _("Open")),
            *Report.Status.choices,
            ("closed", _("Closed")),
            ("all", _("All")),
        ]:
            query["status"] = value
            total, exact = self.total(counts, value)
            tabs.append(
                {
                    "value": value,
                    "label": label,
                    "count": self.count_label(total, exact),
                    "exact": exact,
                    "url": f"?{query.urlencode()}",
                }
            )
        return tabs

    @staticmethod
    def due(report: Report, now) -> dict:
        """The report's age against its category's target: overdue while still open."""
        due_at = report.due_at
        return {
            "age_days": (now - report.created_at).days,
            "target_days": report.category.target_days,
            "overdue": bool(due_at and report.is_open and due_at < now),
        }


class BulkView(TriageAccessMixin, View):
    """POST from the queue: one action on every selected report, a result message for each."""

    http_method_names = ["post"]

    def post(self, request):
        form = BulkForm(request.POST, staff=staff_of(request.user), prefix="bulk")
        back = self.back_url()
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        results = self.apply(form)
        for result in results:
            if result.done:
                messages.success(request, _("%(ref)s: done.") % {"ref": result.report.reference})
            else:
                messages.error(
                    request,
                    _("%(ref)s: not changed, %(reason)s")
                    % {"ref": result.report.reference, "reason": result.message},
                )
        return redirect(back)

    def apply(self, form) -> list[actions.ItemResult]:
        data, user = form.cleaned_data, self.request.user
        reports = sorted(data["reports"], key=lambda report: report.created_at)
        if data["action"] == "status":
            return actions.for_each_report(
                reports,
                actions.change_status,
                acting_user=user,
                status=data["status"],
                public_response=chosen_response(data),
            )
        if data["action"] == "reassign":
            return actions.for_each_report(
                reports, actions.reassign, acting_user=user, department=data["department"]
            )
        return actions.for_each_report(
            reports, actions.assign_agent, acting_user=user, agent=data["agent"]
        )

    def back_url(self) -> str:
        """The queue with the filters it was sent from (only ever a query string)."""
        query = self.request.POST.get("query", "")
        return reverse(INDEX_URL) + (f"?{query}" if query else "")


class ReportDetailView(ObjectActionsView):
    """One report for staff: everything about it, contact included, and a form per action."""

    template_name = "reports/admin/detail.html"
    header_icon = "warning"
    index_url_name = INDEX_URL
    queryset = selectors.staff_report_queryset()
    view_permission = TRIAGE
    FORMS = {
        "status": StatusForm,
        "note": NoteForm,
        "reassign": ReassignForm,
        "recategorise": RecategoriseForm,
        "priority": PriorityForm,
        "assign": AssignForm,
        "redact": RedactForm,
        "hide": VisibilityForm,
        "show": ConfirmForm,
        "publish": ConfirmForm,
        "photo": PhotoForm,
        "ban": BanForm,
    }
    TRIAGE_FORMS = {"status", "note", "reassign", "recategorise", "priority", "assign"}

    def get_page_title(self):
        return self.object.reference

    def get_page_subtitle(self):
        return self.object.category.name

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(INDEX_URL), "label": _("Reports to triage")},
            {"url": "", "label": self.object.reference},
        ]

    @cached_property
    def photos(self):
        return list(self.object.photos.all())

    @cached_property
    def banned(self) -> bool:
        email = self.object.email
        return bool(email) and BannedEmail.objects.filter(email=email).exists()

    @cached_property
    def allowed_forms(self) -> set[str]:
        user, report = self.request.user, self.object
        allowed = set(self.TRIAGE_FORMS)
        if may_act_on(user, report, permission=MODERATE):
            allowed |= {"redact", "show" if report.hidden else "hide"}
            if report.awaiting_moderation:
                allowed.add("publish")
            if self.photos:
                allowed.add("photo")
            if report.email and not self.banned:
                allowed.add("ban")
        return allowed

    def form_kwargs(self, name):
        return {
            "status": {"templates": selectors.response_templates_for(self.object)},
            "assign": {"staff": selectors.department_staff([self.object.department_id])},
            "photo": {"photos": self.object.photos.all()},
        }.get(name, {})

    def initial_for(self, name):
        report = self.object
        return {
            "status": {"status": report.status},
            "reassign": {"department": report.department_id},
            "recategorise": {"category": report.category_id},
            "priority": {"priority": report.priority},
            "assign": {"agent": report.assignee_id},
            "redact": {"description": report.description},
        }.get(name, {})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, now = self.object, timezone.now()
        context.update(
            report=report,
            photos=self.photos,
            timeline=selectors.staff_timeline(report),
            due=TriageView.due(report, now),
            banned=self.banned,
            public_url=reverse("reports:detail", kwargs={"reference": report.reference})
            if report.is_public
            else "",
        )
        return context

    def _status(self, data):
        actions.change_status(
            report=self.object,
            status=data["status"],
            public_response=chosen_response(data),
            internal_note=data["internal_note"].strip(),
            rejection_reason=data["rejection_reason"],
            duplicate_of=data["duplicate_of"],
            transferred_to=data["transferred_to"],
            after_photos=data["after_photos"],
            acting_user=self.request.user,
        )

    def _note(self, data):
        actions.add_note(report=self.object, note=data["note"], acting_user=self.request.user)

    def _reassign(self, data):
        actions.reassign(
            report=self.object,
            department=data["department"],
            note=data["note"],
            acting_user=self.request.user,
        )

    def _recategorise(self, data):
        actions.recategorise(
            report=self.object,
            category=data["category"],
            note=data["note"],
            acting_user=self.request.user,
        )

    def _priority(self, data):
        actions.set_priority(
            report=self.object, priority=data["priority"], acting_user=self.request.user
        )

    def _assign(self, data):
        actions.assign_agent(report=self.object, agent=data["agent"], acting_user=self.request.user)

    def _redact(self, data):
        actions.redact_description(
            report=self.object,
            description=data["description"],
            reason=data["reason"],
            acting_user=self.request.user,
        )

    def _hide(self, data):
        actions.set_report_hidden(
            report=self.object, hidden=True, reason=data["reason"], acting_user=self.request.user
        )

    def _show(self, data):
        actions.set_report_hidden(report=self.object, hidden=False, acting_user=self.request.user)

    def _publish(self, data):
        actions.publish_held_report(report=self.object, acting_user=self.request.user)

    def _photo(self, data):
        actions.set_photo_hidden(
            photo=data["photo"], hidden=data["hidden"], acting_user=self.request.user
        )

    def _ban(self, data):
        _ban, hidden = actions.ban_email(
            email=self.object.email,
            reason=data["reason"],
            hide_reports=data["hide_reports"],
            acting_user=self.request.user,
        )
        if hidden:
            message = ngettext("%(count)d report hidden.", "%(count)d reports hidden.", hidden)
            messages.info(self.request, message % {"count": hidden})
