"""Fixed input forms of the resident pages (a procedure's own steps are built in fields.py)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lutetia.core.uploads import DocumentUploadField

MAX_DOCUMENTS = 5


class ContactEmailForm(forms.Form):
    """Asked of visitors without an account, where the receipt and news are sent."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The receipt and news about your demand will be sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(DocumentUploadField):
    """Several documents, each checked by the core validator; the value is a list."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(), required=False, **kwargs)

    def clean(self, data, initial=None):
        uploaded = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploaded) > MAX_DOCUMENTS:
            raise ValidationError(
                _("Send %(max)s files at most."), code="too_many", params={"max": MAX_DOCUMENTS}
            )
        return [super(DocumentsField, self).clean(item, initial) for item in uploaded]


class InformationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=5000, required=False, widget=forms.Textarea
    )
    documents = DocumentsField(
        label=_("Documents"),
        help_text=_("PDF, images or office documents; up to 5 files."),
    )

    def uploads(self) -> list:
        return self.cleaned_data["documents"]
