"""Back-office screens of the core: service switches per site, departments and staff.

Every write here goes through ``lutetia.core.activation`` or ``lutetia.core.actions``
so it is validated and audited the same way as anywhere else.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import Site

from lutetia.core import actions
from lutetia.core.activation import enabled_services, set_service_enabled
from lutetia.core.models import Department, StaffMembership
from lutetia.core.registry import services

SERVICES_PERMISSION = "core.change_servicesetting"


class ServiceToggleForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.all())
    service = forms.ChoiceField(choices=lambda: [(m.slug, m.slug) for m in services.all()])
    enabled = forms.BooleanField(required=False)


class ServicesView(WagtailAdminTemplateMixin, TemplateView):
    """A table of registered services × sites, each cell a switch (one POST per change)."""

    template_name = "wagtailadmin/lutetia/services.html"
    page_title = _("Services")
    header_icon = "cogs"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")},
        {"url": "", "label": _("Services")},
    ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(SERVICES_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sites = list(Site.objects.order_by("-is_default_site", "hostname", "port"))
        enabled = {site.pk: enabled_services(site) for site in sites}
        context["sites"] = sites
        context["rows"] = [
            (manifest, [(site, manifest.slug in enabled[site.pk]) for site in sites])
            for manifest in services.all()
        ]
        return context

    def post(self, request, *args, **kwargs):
        form = ServiceToggleForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("This service or site does not exist."))
            return redirect("lutetia_services")
        site, slug, enabled = (form.cleaned_data[k] for k in ("site", "service", "enabled"))
        set_service_enabled(site=site, slug=slug, enabled=enabled, acting_user=request.user)
        message = (
            gettext("%(service)s is now switched on for %(site)s.")
            if enabled
            else gettext("%(service)s is now switched off for %(site)s.")
        )
        messages.success(
            request,
            message % {"service": services.get(slug).localized_name, "site": site},
        )
        return redirect("lutetia_services")


class DepartmentCreateView(generic.CreateView):
    def save_instance(self):
        fields = {name: self.form.cleaned_data[name] for name in actions.DEPARTMENT_FIELDS}
        return actions.create_department(acting_user=self.request.user, **fields)


class DepartmentEditView(generic.EditView):
    def save_instance(self):
        fields = {name: self.form.cleaned_data[name] for name in actions.DEPARTMENT_FIELDS}
        return actions.update_department(self.object, acting_user=self.request.user, **fields)


class DepartmentViewSet(ModelViewSet):
    model = Department
    icon = "group"
    form_fields = actions.DEPARTMENT_FIELDS
    list_display = ["name", "code", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    add_view_class = DepartmentCreateView
    edit_view_class = DepartmentEditView
    copy_view_enabled = False


class MembershipRoleForm(forms.ModelForm):
    """Editing a membership changes only its role; user and department define it."""

    class Meta:
        model = StaffMembership
        fields = ["role"]


class MembershipCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return actions.add_membership(
            user=data["user"],
            department=data["department"],
            role=data["role"],
            acting_user=self.request.user,
        )


class MembershipEditView(generic.EditView):
    def save_instance(self):
        return actions.add_membership(
            user=self.object.user,
            department=self.object.department,
            role=self.form.cleaned_data["role"],
            acting_user=self.request.user,
        )


class MembershipDeleteView(generic.DeleteView):
    def delete_action(self):
        actions.remove_membership(self.object, acting_user=self.request.user)


class StaffMembershipViewSet(ModelViewSet):
    model = StaffMembership
    icon = "user"
    form_fields = ["user", "department", "role"]
    list_display = ["user", "department", "role"]
    list_filter = ["department", "role"]
    search_fields = ["user__email", "user__last_name", "department__name"]
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    delete_view_class = MembershipDeleteView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return MembershipRoleForm if for_update else super().get_form_class(for_update)


class OrganisationViewSetGroup(ViewSetGroup):
    """Departments and who works in them: for city administrators."""

    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 800
    items = (DepartmentViewSet("departments"), StaffMembershipViewSet("staff_memberships"))
