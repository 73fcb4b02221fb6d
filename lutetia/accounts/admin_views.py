"""Back-office screen: find a resident by e-mail and verify them at a city counter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lutetia.accounts import actions, selectors
from lutetia.accounts.forms import CounterVerificationForm, ResidentSearchForm
from lutetia.accounts.models import VerificationLevel

VERIFY_PERMISSION = "accounts.verify_resident"


class CounterVerificationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "accounts/admin/counter_verification.html"
    page_title = _("Verify a resident")
    header_icon = "user"
    breadcrumbs_items = [
        {"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")},
        {"url": "", "label": _("Verify a resident")},
    ]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VERIFY_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ResidentSearchForm(self.request.GET or None)
        context["form"] = form
        context["levels"] = VerificationLevel
        if form.is_valid():
            context["searched"] = True
            context["resident"] = selectors.find_resident(form.cleaned_data["email"])
        return context

    def post(self, request, *args, **kwargs):
        form = CounterVerificationForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("This account does not exist."))
            return redirect("lutetia_verify_resident")
        resident = form.cleaned_data["user"]
        actions.verify_resident_at_counter(user=resident, acting_user=request.user)
        messages.success(
            request,
            gettext("%(email)s is now verified as a resident.") % {"email": resident.email},
        )
        return redirect(
            f"{reverse('lutetia_verify_resident')}?{urlencode({'email': resident.email})}"
        )
