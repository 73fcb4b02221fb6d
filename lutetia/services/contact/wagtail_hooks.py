"""Audit action names of the contact service, shown in the back office's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LOG_ACTIONS = {
    "lutetia.contact.request_submitted": _("Contact request submitted"),
    "lutetia.contact.replied": _("Contact request answered"),
    "lutetia.contact.note_added": _("Internal note added"),
    "lutetia.contact.requester_replied": _("Requester replied"),
    "lutetia.contact.status_changed": _("Contact request status changed"),
    "lutetia.contact.reassigned": _("Contact request reassigned"),
    "lutetia.contact.topic_created": _("Contact topic created"),
    "lutetia.contact.topic_changed": _("Contact topic changed"),
    "lutetia.contact.topic_deleted": _("Contact topic deleted"),
    "lutetia.contact.requester_erased": _("Contact requests anonymised"),
}


@hooks.register("register_log_actions")
def register_contact_log_actions(actions):
    for action, label in LOG_ACTIONS.items():
        actions.register_action(action, label, label)
