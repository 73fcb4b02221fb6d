"""Input forms of the contact service; validation only, the writes are in actions.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lutetia.core.models import Department
from lutetia.services.contact.models import ContactRequest
from lutetia.services.contact.selectors import active_topics


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ContactForm(forms.Form):
    """The public form; name and e-mail are asked only of visitors who are not signed in."""

    topic = TopicChoiceField(label=_("Topic"), queryset=active_topics(), empty_label=_("Choose…"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea)
    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The answer will be sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["contact_name"]
            del self.fields["contact_email"]

    def submission(self) -> dict:
        """Keyword arguments for ``actions.submit_request``."""
        return {
            "topic": self.cleaned_data["topic"],
            "subject": self.cleaned_data["subject"],
            "message": self.cleaned_data["message"],
            "contact_name": self.cleaned_data.get("contact_name", ""),
            "contact_email": self.cleaned_data.get("contact_email", ""),
        }


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea)


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(
        label=_("Internal note"),
        required=False,
        help_text=_("Only staff see internal notes; the requester is not told."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ContactRequest.Status.choices)


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
