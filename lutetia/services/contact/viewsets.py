"""The contact service in the back office: the requests inbox and topic management.

Both listings are scoped to the staff member's departments; every write goes through
``actions.py`` (which checks the department again and writes the audit entry).
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from lutetia.core.backoffice import DeleteErrorsMixin, ObjectActionsView, ObjectActionsViewSet
from lutetia.core.models import Department
from lutetia.core.permissions import (
    department_ids,
    is_city_administrator,
    may_manage,
    scope_to_departments,
)
from lutetia.services.contact import actions, selectors
from lutetia.services.contact.forms import ReassignForm, StaffReplyForm, StatusForm
from lutetia.services.contact.models import ContactRequest, Topic


class ContactRequestIndexView(generic.IndexView):
    """The inbox: only the departments' requests; filters are applied by the selector."""

    def get_base_queryset(self):
        values = self.filters.form.cleaned_data if self.is_filtering else {}
        return selectors.requests_for_staff(self.request.user, values)

    def filter_queryset(self, queryset):
        return queryset  # already filtered in get_base_queryset


class ContactRequestDetailView(ObjectActionsView):
    """One request: the whole conversation, a reply form, status and routing."""

    template_name = "contact/admin/detail.html"
    header_icon = "mail"
    queryset = ContactRequest.objects.select_related("topic", "department", "requester")
    view_permission = "contact.view_contactrequest"
    FORMS = {"reply": StaffReplyForm, "status": StatusForm, "reassign": ReassignForm}

    def get_page_title(self):
        return self.object.reference

    def get_page_subtitle(self):
        return self.object.subject

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": reverse(self.index_url_name), "label": _("Contact requests")},
            {"url": "", "label": self.object.reference},
        ]

    @cached_property
    def allowed_forms(self) -> set[str]:
        allowed = {"reply", "status"}
        if may_manage(self.request.user, self.object):
            allowed.add("reassign")
        return allowed

    def initial_for(self, name):
        return {
            "reply": {},
            "status": {"status": self.object.status},
            "reassign": {"department": self.object.department},
        }[name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contact_request"] = self.object
        context["conversation"] = selectors.conversation(self.object, include_internal=True)
        return context

    def _reply(self, data):
        actions.reply(
            request=self.object,
            acting_user=self.request.user,
            body=data["body"],
            internal=data["internal"],
        )

    def _status(self, data):
        actions.change_status(
            request=self.object, status=data["status"], acting_user=self.request.user
        )

    def _reassign(self, data):
        actions.reassign(
            request=self.object, department=data["department"], acting_user=self.request.user
        )


class ContactRequestViewSet(ObjectActionsViewSet):
    # The inbox only reads: requests arrive from residents, never from the back office.
    model = ContactRequest
    name = "contact_requests"
    url_prefix = "contact/requests"
    icon = "mail"
    menu_label = gettext_lazy("Contact requests")
    index_view_class = ContactRequestIndexView
    list_display = [
        "reference",
        "subject",
        Column("topic", label=gettext_lazy("Topic")),
        Column("department", label=gettext_lazy("Department")),
        "status",
        DateColumn("created_at", label=gettext_lazy("Received")),
    ]
    list_filter = ["status", "topic", "department"]
    search_fields = ["reference"]
    detail_view_class = ContactRequestDetailView


class TopicForm(WagtailAdminModelForm):
    """Managers may only route topics to the departments they manage."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not is_city_administrator(for_user):
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=department_ids(for_user)
            )


class TopicPermissionMixin:
    def get_object(self, queryset=None):
        topic = super().get_object(queryset)
        if not may_manage(self.request.user, topic):
            raise PermissionDenied
        return topic


class TopicIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope_to_departments(self.request.user, Topic.objects.select_related("department"))


class TopicCreateView(generic.CreateView):
    def save_instance(self):
        return actions.save_topic(topic=self.form.instance, acting_user=self.request.user)


class TopicEditView(TopicPermissionMixin, generic.EditView):
    def save_instance(self):
        return actions.save_topic(topic=self.form.instance, acting_user=self.request.user)


class TopicDeleteView(TopicPermissionMixin, DeleteErrorsMixin, generic.DeleteView):
    def delete_action(self):
        actions.delete_topic(topic=self.object, acting_user=self.request.user)


class TopicViewSet(ModelViewSet):
    model = Topic
    name = "contact_topics"
    url_prefix = "contact/topics"
    icon = "tag"
    menu_label = gettext_lazy("Contact topics")
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("name_fr", "name_en", "department", "is_active", "order")],
        base_form_class=TopicForm,
    )
    list_display = ["name_fr", "name_en", "department", "is_active", "order"]
    list_filter = ["department", "is_active"]
    index_view_class = TopicIndexView
    add_view_class = TopicCreateView
    edit_view_class = TopicEditView
    delete_view_class = TopicDeleteView
    copy_view_enabled = False
    add_to_reference_index = False


contact_request_viewset = ContactRequestViewSet()
topic_viewset = TopicViewSet()
