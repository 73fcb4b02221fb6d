"""Dans ma rue's back-office screens: the triage queue and report page, and the routing
settings (categories with their attributes, routing rules, rejection reasons, response
templates) that managers edit for their departments' categories.

Every write goes through ``actions.py``; the lists are scoped to the staff member's
departments.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from lutetia.core.backoffice import ActionErrorsMixin, DeleteErrorsMixin
from lutetia.core.models import Department
from lutetia.core.permissions import department_ids, is_city_administrator
from lutetia.services.reports import actions
from lutetia.services.reports.admin_views import BulkView, ReportDetailView, TriageView
from lutetia.services.reports.models import (
    BannedEmail,
    Category,
    RejectionReason,
    ResponseTemplate,
    RoutingRule,
)


class TriageViewSet(ViewSet):
    name = "reports_triage"
    url_prefix = "dans-ma-rue/reports"
    icon = "warning"

    def get_urlpatterns(self):
        return [
            path("", TriageView.as_view(), name="index"),
            path("bulk/", BulkView.as_view(), name="bulk"),
            path("<int:pk>/", ReportDetailView.as_view(), name="edit"),
        ]


# --- routing settings ---------------------------------------------------------------------------


class PermissionPolicy(BasePermissionPolicy):
    """Every screen of a settings viewset needs one permission (its actions check the rest)."""

    def __init__(self, model, permission: str):
        super().__init__(model)
        self.permission = permission

    def user_has_permission(self, user, action):
        return user.is_active and user.has_perm(self.permission)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.may_change(user, instance)

    def may_change(self, user, instance) -> bool:
        return True


class RoutingPolicy(PermissionPolicy):
    """Managers change the settings of the categories of their departments."""

    def __init__(self, model):
        super().__init__(model, "reports.manage_routing")

    def may_change(self, user, instance) -> bool:
        return actions.may_edit_routing(user, instance)


def managed_categories(user):
    """Categories whose settings the user may edit (their own or their family's department)."""
    categories = Category.objects.select_related("parent", "department")
    if is_city_administrator(user):
        return categories
    ids = department_ids(user)
    return categories.filter(
        Q(department__in=ids) | Q(department__isnull=True, parent__department__in=ids)
    )


class RoutingForm(WagtailAdminModelForm):
    """Managers choose among the departments and categories they manage."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None:
            return
        if "department" in self.fields and not is_city_administrator(for_user):
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=department_ids(for_user)
            )
        if "category" in self.fields:
            self.fields["category"].queryset = managed_categories(for_user)
        if "parent" in self.fields:
            self.fields["parent"].queryset = Category.objects.filter(parent__isnull=True)


class SaveThroughAction:
    """Create/edit views whose save is ``actions.save_routing_item``."""

    def save_instance(self):
        item = self.form.save(commit=False)
        return actions.save_routing_item(item=item, acting_user=self.request.user)


class ManagedOnly:
    """Edit and delete views: only a setting of the manager's departments (or city-wide)."""

    def get_object(self, queryset=None):
        item = super().get_object(queryset)
        if not actions.may_edit_routing(self.request.user, item):
            raise PermissionDenied
        return item


class RoutingCreateView(ActionErrorsMixin, SaveThroughAction, generic.CreateView):
    pass


class RoutingEditView(ManagedOnly, ActionErrorsMixin, SaveThroughAction, generic.EditView):
    pass


class RoutingDeleteView(ManagedOnly, DeleteErrorsMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_routing_item(item=self.object, acting_user=self.request.user)


class RoutingViewSet(ModelViewSet):
    """A routing setting: scoped list, create and edit through actions, no copy."""

    add_view_class = RoutingCreateView
    edit_view_class = RoutingEditView
    delete_view_class = RoutingDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    deletable = True

    def get_common_view_kwargs(self, **kwargs):
        if not self.deletable:
            kwargs["delete_url_name"] = None
        return super().get_common_view_kwargs(**kwargs)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        return patterns if self.deletable else [p for p in patterns if p.name != "delete"]


class CategoryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return managed_categories(self.request.user)


ATTRIBUTE_PANELS = [
    FieldPanel(name)
    for name in (
        "code",
        "description",
        "datatype",
        "required",
        "variable",
        "datatype_description",
        "values",
        "order",
    )
]


class CategoryViewSet(RoutingViewSet):
    # Reports keep their category: categories are deactivated, never deleted.
    model = Category
    name = "reports_categories"
    url_prefix = "dans-ma-rue/categories"
    icon = "tag"
    menu_label = gettext_lazy("Report categories")
    deletable = False
    index_view_class = CategoryIndexView
    edit_handler = ObjectList(
        [
            *(
                FieldPanel(name)
                for name in (
                    "parent",
                    "code",
                    "name_fr",
                    "name_en",
                    "description_fr",
                    "description_en",
                    "keywords",
                    "department",
                    "target_days",
                    "open311_moderated",
                    "order",
                    "active",
                )
            ),
            InlinePanel(
                "attributes", panels=ATTRIBUTE_PANELS, heading=gettext_lazy("Questions asked")
            ),
        ],
        base_form_class=RoutingForm,
    )
    list_display = [
        "name_fr",
        "code",
        Column("parent", label=gettext_lazy("Family")),
        Column("department", label=gettext_lazy("Department")),
        "target_days",
        "active",
    ]
    list_filter = ["active", "department"]
    search_fields = ["name_fr", "name_en", "code"]


class RoutingRuleIndexView(generic.IndexView):
    def get_base_queryset(self):
        categories = managed_categories(self.request.user)
        return RoutingRule.objects.filter(category__in=categories).select_related(
            "category__parent", "district", "department"
        )


class RoutingRuleViewSet(RoutingViewSet):
    model = RoutingRule
    name = "reports_routing_rules"
    url_prefix = "dans-ma-rue/routing"
    icon = "redirect"
    menu_label = gettext_lazy("Report routing")
    index_view_class = RoutingRuleIndexView
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("category", "district", "department")],
        base_form_class=RoutingForm,
    )
    list_display = [
        Column("category", label=gettext_lazy("Category")),
        Column("district", label=gettext_lazy("District")),
        Column("department", label=gettext_lazy("Department")),
    ]
    list_filter = ["district", "department"]


class RejectionReasonViewSet(RoutingViewSet):
    # Rejected reports point at their reason: reasons are deactivated, never deleted.
    model = RejectionReason
    name = "reports_rejection_reasons"
    url_prefix = "dans-ma-rue/rejection-reasons"
    icon = "cross"
    menu_label = gettext_lazy("Rejection reasons")
    deletable = False
    form_fields = ["label_fr", "label_en", "active"]
    list_display = ["label_fr", "label_en", "active"]


class ResponseTemplateIndexView(generic.IndexView):
    def get_base_queryset(self):
        categories = managed_categories(self.request.user)
        return ResponseTemplate.objects.filter(
            Q(category__isnull=True) | Q(category__in=categories)
        ).select_related("category__parent")


class ResponseTemplateViewSet(RoutingViewSet):
    model = ResponseTemplate
    name = "reports_response_templates"
    url_prefix = "dans-ma-rue/response-templates"
    icon = "doc-full"
    menu_label = gettext_lazy("Response templates")
    index_view_class = ResponseTemplateIndexView
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("title", "status", "category", "text_fr", "text_en")],
        base_form_class=RoutingForm,
    )
    list_display = ["title", "status", Column("category", label=gettext_lazy("Category"))]


# --- banned e-mails -----------------------------------------------------------------------------


class BanDeleteView(generic.DeleteView):
    def delete_action(self):
        actions.lift_ban(ban=self.object, acting_user=self.request.user)


class BannedEmailViewSet(ModelViewSet):
    """The list of banned addresses; a ban is made from a report's page, lifted here."""

    model = BannedEmail
    name = "reports_banned_emails"
    url_prefix = "dans-ma-rue/banned-emails"
    icon = "lock"
    menu_label = gettext_lazy("Banned e-mails")
    delete_view_class = BanDeleteView
    list_display = ["email", "reason", "created_at"]
    search_fields = ["email"]
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    form_fields = ["email", "reason"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=None, edit_url_name=None, **kwargs)

    def get_urlpatterns(self):
        kept = {"index", "index_results", "delete", "usage"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in kept]


for model in (Category, RoutingRule, RejectionReason, ResponseTemplate):
    register_permission_policy(model, RoutingPolicy(model))
register_permission_policy(BannedEmail, PermissionPolicy(BannedEmail, "reports.moderate_report"))

triage_viewset = TriageViewSet()
category_viewset = CategoryViewSet()
routing_rule_viewset = RoutingRuleViewSet()
rejection_reason_viewset = RejectionReasonViewSet()
response_template_viewset = ResponseTemplateViewSet()
banned_email_viewset = BannedEmailViewSet()
