"""Shared pieces of the services' back-office screens (Wagtail admin views).

A service's detail screen shows one department-scoped object with several small forms,
each calling one action; a refused action shows its message on the form and saves nothing.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from lutetia.core.permissions import may_act_on


def show_action_error(form, error: ValidationError) -> None:
    """Put an action's error on the form: on its field when the form has one, else on top."""
    fields = set(getattr(error, "error_dict", {}))
    if not fields <= {*form.fields, NON_FIELD_ERRORS}:
        error = ValidationError(error.messages)
    form.add_error(None, error)


class ActionErrorsMixin:
    """For generic create/edit views whose ``save_instance`` calls an action."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            show_action_error(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class DeleteErrorsMixin:
    """For generic delete views whose ``delete_action`` calls an action: a refusal (e.g. the
    object is still in use) shows as a message on the edit page and deletes nothing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.edit_url_name, self.object.pk)


class ObjectActionsView(WagtailAdminTemplateMixin, TemplateView):
    """One object of a department, with a form per action the staff member may take.

    Subclasses set ``queryset``, ``view_permission`` and ``FORMS`` ({name: form class}),
    define ``_<name>(cleaned_data)`` calling the action, and may narrow ``allowed_forms``
    and give ``initial_for(name)``. A POST names its form in the ``form`` field.
    """

    index_url_name = None
    queryset = None
    view_permission = ""
    FORMS: dict = {}

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.queryset, pk=kwargs["pk"])
        if not self.may_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_view(self, user) -> bool:
        """Department scoping; objects that belong to no department override this."""
        return may_act_on(user, self.object, permission=self.view_permission)

    @cached_property
    def allowed_forms(self) -> set[str]:
        return set(self.FORMS)

    def initial_for(self, name: str) -> dict:
        return {}

    def form_kwargs(self, name: str) -> dict:
        """Extra arguments for a form, e.g. choices that depend on the object."""
        return {}

    def post(self, request, *args, **kwargs):
        name = request.POST.get("form")
        if name not in self.allowed_forms:
            raise PermissionDenied
        form = self.FORMS[name](request.POST, request.FILES, prefix=name, **self.form_kwargs(name))
        if form.is_valid():
            try:
                getattr(self, f"_{name}")(form.cleaned_data)
            except ValidationError as error:
                show_action_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(**{f"{name}_form": form}))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for name in self.allowed_forms:
            context.setdefault(
                f"{name}_form",
                self.FORMS[name](
                    prefix=name, initial=self.initial_for(name), **self.form_kwargs(name)
                ),
            )
        return context


class ObjectActionsViewSet(ModelViewSet):
    """A scoped list whose rows open an ``ObjectActionsView`` (``detail_view_class``).

    The objects arrive from residents or imports, so the back office neither adds,
    copies nor deletes them here; nothing links to them, so no reference index.
    """

    detail_view_class: type[ObjectActionsView]
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(add_url_name=None, delete_url_name=None, **kwargs)

    @property
    def edit_view(self):
        return self.construct_view(self.detail_view_class)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.edit_view, name="edit"),
        ]
