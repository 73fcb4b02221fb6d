"""Residents' pages: open procedures, filling in step by step, summary, "My procedures".

Everything works without JavaScript: conditions are decided on the server from the
answers of earlier steps, and each step is an ordinary form post.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lutetia.accounts.decorators import level_required
from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import client_ip, count_event
from lutetia.core.formbuilder.definition import visible_fields
from lutetia.core.formbuilder.fields import display
from lutetia.core.workflow.selectors import attach_instances
from lutetia.services.procedures import actions, selectors
from lutetia.services.procedures.definition import visible_steps
from lutetia.services.procedures.fields import StepForm
from lutetia.services.procedures.forms import ContactEmailForm, InformationAnswerForm
from lutetia.services.procedures.models import Audience, Demand, Form

# Residents rarely send more than a few procedures an hour: more is spam (per account or IP).
SUBMISSIONS_PER_HOUR = 10
SESSION_KEY = "procedures_last_reference"


def form_list(request):
    context = {
        "forms": selectors.open_forms(),
        "drafts": selectors.drafts_of(request.user, request.session.session_key),
    }
    return render(request, "procedures/form_list.html", context)


@require_http_methods(["GET", "POST"])
def form_start(request, slug):
    """The procedure's introduction; starting creates a draft (after the audience check)."""
    form = get_object_or_404(Form, slug=slug, published_version__isnull=False)
    level = Audience(form.audience).level
    if level is not None:
        return level_required(level)(_form_start)(request, form)
    return _form_start(request, form)


def _form_start(request, form):
    refused = selectors.refusal(form, request.user)
    if request.method == "POST" and refused is None:
        if _rate_limited(request, "start"):
            refused = ValidationError(_("Too many attempts. Please try again in an hour."))
        else:
            draft = actions.start_draft(
                form=form, acting_user=request.user, session_key=_session_key(request)
            )
            return redirect(_step_url(draft, visible_steps(draft.form_version.definition, {})[0]))
    drafts = selectors.drafts_of(request.user, request.session.session_key).filter(
        form_version__form=form
    )
    context = {"form": form, "refused": refused, "drafts": drafts}
    return render(request, "procedures/form_start.html", context)


@require_http_methods(["GET", "POST"])
def fill_step(request, slug, token, step):
    draft = _draft(request, slug, token)
    definition = draft.form_version.definition
    index = step - 1
    shown = visible_steps(definition, draft.answers)
    if index not in shown or index > draft.step:
        return redirect(_current_url(draft))
    if request.method == "POST" and "previous" in request.POST:
        earlier = [i for i in shown if i < index]
        return redirect(_step_url(draft, earlier[-1]) if earlier else _start_url(draft))
    form = StepForm.for_step(
        definition["steps"][index],
        draft.answers,
        stored_files={draft_file.field_code for draft_file in draft.files.all()},
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        actions.save_step(
            draft=draft,
            step=index,
            answers=form.answers(),
            uploads=form.uploads(),
            acting_user=request.user,
        )
        if "save" in request.POST and request.user.is_authenticated:
            messages.success(request, _("Your draft is saved. Come back to it from this page."))
            return redirect("procedures:my_demands")
        following = [i for i in visible_steps(definition, draft.answers) if i > index]
        return redirect(_step_url(draft, following[0]) if following else _summary_url(draft))
    context = {
        "draft": draft,
        "definition": definition,
        "step": definition["steps"][index],
        "number": shown.index(index) + 1,
        "total": len(shown),
        "form": form,
        "has_map": any(spec["type"] == "address" for spec in form.specs.values()),
    }
    return render(request, "procedures/step.html", context)


@require_http_methods(["GET", "POST"])
def summary(request, slug, token):
    """Every answer before sending, with links back to each step; sending makes the demand."""
    draft = _draft(request, slug, token)
    definition = draft.form_version.definition
    if draft.step < len(definition["steps"]):
        return redirect(_current_url(draft))  # steps left to fill in
    email_form = None
    if not request.user.is_authenticated:
        email_form = ContactEmailForm(request.POST if request.method == "POST" else None)
    errors = []
    if request.method == "POST" and (email_form is None or email_form.is_valid()):
        if _rate_limited(request, "submit"):
            errors = [_("You have sent several procedures in a short time. Try again in an hour.")]
        else:
            try:
                demand = actions.submit_demand(
                    draft=draft,
                    acting_user=request.user,
                    contact_email=email_form.cleaned_data["email"] if email_form else "",
                )
            except ValidationError as error:
                errors = error.messages
            else:
                request.session[SESSION_KEY] = demand.reference
                return redirect("procedures:confirmation")
    context = {
        "draft": draft,
        "definition": definition,
        "sections": _summary_sections(draft),
        "email_form": email_form,
        "errors": errors,
    }
    return render(request, "procedures/summary.html", context, status=429 if errors else 200)


@require_POST
def discard(request, slug, token):
    draft = _draft(request, slug, token)
    actions.discard_draft(draft=draft, acting_user=request.user)
    messages.success(request, _("The draft was deleted."))
    return redirect("procedures:index")


def confirmation(request):
    reference = request.session.get(SESSION_KEY)
    if reference is None:
        return redirect("procedures:index")
    demand = get_object_or_404(Demand.objects.select_related("form"), reference=reference)
    return render(request, "procedures/confirmation.html", {"demand": demand})


@login_required
def my_demands(request):
    context = {
        "demands": attach_instances(
            selectors.demands_of(request.user).prefetch_related("information_requests")
        ),
        "drafts": selectors.drafts_of(request.user, ""),
    }
    return render(request, "procedures/my_demands.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def demand_detail(request, reference):
    """One demand: answers, status, the city's messages and its requests for information."""
    try:
        demand = selectors.demand_for_applicant(request.user, reference)
    except Demand.DoesNotExist as error:
        raise Http404 from error
    attach_instances([demand])  # its workflow state, shown as its status
    answer_forms = {
        item.pk: InformationAnswerForm(prefix=f"request-{item.pk}")
        for item in demand.information_requests.all()
        if item.is_open
    }
    if request.method == "POST":
        pk = _int(request.POST.get("information_request"))
        if pk not in answer_forms:
            raise Http404
        form = answer_forms[pk] = InformationAnswerForm(
            request.POST, request.FILES, prefix=f"request-{pk}"
        )
        if form.is_valid():
            try:
                actions.answer_information_request(
                    information_request=demand.information_requests.get(pk=pk),
                    answer=form.cleaned_data["answer"],
                    uploads=form.uploads(),
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your answer was sent."))
                return redirect("procedures:demand_detail", reference=reference)
    context = {
        "demand": demand,
        "answers": _answer_rows(demand.form_version.definition, demand.answers, demand.files.all()),
        "answer_forms": answer_forms,
    }
    return render(request, "procedures/demand_detail.html", context)


@login_required
def demand_file(request, reference, pk):
    """A file of the resident's own demand (media files are never public)."""
    demand = get_object_or_404(selectors.demands_of(request.user), reference=reference)
    demand_file = get_object_or_404(demand.files, pk=pk)
    return FileResponse(
        demand_file.file.open("rb"),
        content_type=demand_file.content_type,
        as_attachment=True,
        filename=demand_file.file.name.rsplit("/", 1)[-1],
    )


def _draft(request, slug, token):
    drafts = selectors.drafts_of(request.user, request.session.session_key)
    return get_object_or_404(drafts, token=token, form_version__form__slug=slug)


def _summary_sections(draft) -> list[dict]:
    definition = draft.form_version.definition
    files = list(draft.files.all())
    return [
        {
            "title": definition["steps"][index]["title"],
            "url": _step_url(draft, index),
            "rows": _answer_rows(
                {"steps": [definition["steps"][index]]}, draft.answers, files, draft.answers
            ),
        }
        for index in visible_steps(definition, draft.answers)
    ]


def _answer_rows(definition, answers, files, shown_for=None) -> list[tuple[str, str]]:
    """(question, answer) for each shown field; a file reads as its type and size."""
    by_code = {item.field_code: item for item in files}
    rows = []
    for step in definition["steps"]:
        for spec in visible_fields(step["fields"], shown_for if shown_for is not None else answers):
            if spec["type"] == "file":
                stored = by_code.get(spec["code"])
                value = (
                    _("File attached (%(size)s bytes)") % {"size": stored.size} if stored else ""
                )
            else:
                value = display(spec, answers.get(spec["code"]))
            rows.append((spec["label"], value))
    return rows


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _step_url(draft, index: int) -> str:
    return reverse("procedures:step", args=[draft.form_version.form.slug, draft.token, index + 1])


def _start_url(draft) -> str:
    return reverse("procedures:start", args=[draft.form_version.form.slug])


def _summary_url(draft) -> str:
    return reverse("procedures:summary", args=[draft.form_version.form.slug, draft.token])


def _current_url(draft) -> str:
    """Where the resident left off: the first shown step not filled in, else the summary."""
    shown = visible_steps(draft.form_version.definition, draft.answers)
    pending = [index for index in shown if index >= draft.step]
    return _step_url(draft, pending[0]) if pending else _summary_url(draft)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rate_limited(request, scope: str) -> bool:
    """Count an attempt against the account, or the client's address when signed out."""
    who = f"user:{request.user.pk}" if request.user.is_authenticated else f"ip:{client_ip(request)}"
    try:
        count_event(f"procedures-{scope}:{who}", limit=SUBMISSIONS_PER_HOUR, window_seconds=3600)
    except RateLimited:
        return True
    return False
