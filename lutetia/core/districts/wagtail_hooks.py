"""The districts' part of the back office: audit actions and the district editor.

Districts come from GeoJSON imports (``lutetia districts import``): city
administrators may rename them and set their parent here, never add, delete or
redraw them, so the permission policy grants only "change" and "view".
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lutetia.core.districts.actions import EDITABLE_FIELDS, check_parent, update_district
from lutetia.core.districts.models import District

CITY_MENU_HOOK = "register_city_menu_item"


class DistrictPermissionPolicy(ModelPermissionPolicy):
    ALLOWED_ACTIONS = frozenset({"change", "view"})

    def user_has_permission(self, user, action):
        return action in self.ALLOWED_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action in self.ALLOWED_ACTIONS]
        return super().users_with_any_permission(allowed)


register_permission_policy(District, DistrictPermissionPolicy(District))


class DistrictForm(WagtailAdminModelForm):
    class Meta:
        model = District
        fields = list(EDITABLE_FIELDS)

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        check_parent(self.instance, parent)
        return parent


class DistrictEditView(EditView):
    def save_instance(self):
        # The form has already changed self.object; the action needs it as stored.
        district = District.objects.get(pk=self.object.pk)
        changes = {name: self.form.cleaned_data[name] for name in EDITABLE_FIELDS}
        return update_district(district=district, acting_user=self.request.user, **changes)


class DistrictViewSet(ModelViewSet):
    model = District
    icon = "globe"
    edit_view_class = DistrictEditView
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    # A district's only outbound reference is its parent: not worth a task per saved district.
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return DistrictForm


class CityViewSetGroup(ViewSetGroup):
    """The "City" menu. Other kernel apps join it with ``menu_hook = CITY_MENU_HOOK``."""

    menu_label = _("City")
    menu_icon = "site"
    menu_order = 250
    submenu_hook = CITY_MENU_HOOK
    items = (DistrictViewSet("districts"),)


@hooks.register("register_admin_viewset")
def register_city_viewsets():
    return CityViewSetGroup()


@hooks.register("register_log_actions")
def register_district_log_actions(actions):
    actions.register_action(
        "lutetia.district_imported", _("District imported"), _("District imported")
    )
    actions.register_action("lutetia.district_updated", _("District edited"), _("District edited"))
