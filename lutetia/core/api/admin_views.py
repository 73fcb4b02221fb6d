"""Back-office screens for API keys: list, create (the key is shown once), revoke."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia.core.api.actions import create_api_key, revoke_api_key
from lutetia.core.api.models import ApiKey

API_KEYS_PERMISSION = "api.add_apikey"
HOME = {"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}
INDEX = {"url": reverse_lazy("lutetia_apikeys"), "label": _("API keys")}


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Who uses this key and for what, e.g. “Open data portal”."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Rate limit per minute"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for the platform default."),
    )


class ApiKeyAdminView(WagtailAdminTemplateMixin, TemplateView):
    """City administrators only (permission api.add_apikey)."""

    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(API_KEYS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ApiKeyIndexView(ApiKeyAdminView):
    template_name = "api/admin/index.html"
    page_title = _("API keys")
    breadcrumbs_items = [HOME, {"url": "", "label": _("API keys")}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            keys=ApiKey.objects.order_by("revoked_at", "name"), **kwargs
        )


class ApiKeyCreateView(ApiKeyAdminView):
    template_name = "api/admin/create.html"
    page_title = _("New API key")
    breadcrumbs_items = [HOME, INDEX, {"url": "", "label": _("New API key")}]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ApiKeyForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ApiKeyForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        key, plaintext = create_api_key(acting_user=request.user, **form.cleaned_data)
        # Answered to the POST itself, never stored: the key cannot be shown again.
        response = TemplateResponse(
            request,
            "api/admin/created.html",
            self.get_context_data(key=key, plaintext=plaintext),
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyRevokeView(ApiKeyAdminView):
    template_name = "api/admin/revoke.html"
    page_title = _("Revoke API key")
    breadcrumbs_items = [HOME, INDEX, {"url": "", "label": _("Revoke")}]

    def get_context_data(self, **kwargs):
        key = get_object_or_404(ApiKey, pk=self.kwargs["pk"], revoked_at__isnull=True)
        return super().get_context_data(key=key, **kwargs)

    def post(self, request, pk):
        key = get_object_or_404(ApiKey, pk=pk, revoked_at__isnull=True)
        revoke_api_key(key=key, acting_user=request.user)
        messages.success(request, gettext("The key “%(name)s” is revoked.") % {"name": key.name})
        return redirect("lutetia_apikeys")
