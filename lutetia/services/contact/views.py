"""Public pages of the contact service: the form, its confirmation and the resident's request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lutetia.core.api.errors import RateLimited
from lutetia.core.api.ratelimit import client_ip, count_event
from lutetia.services.contact import actions, selectors
from lutetia.services.contact.forms import ContactForm, ReplyForm

# A person rarely writes more than a few times an hour; the API's per-minute limits
# (lutetia.core.api.ratelimit) are too generous against form spam, so the form has its own.
SUBMISSIONS_PER_HOUR = 5
SESSION_KEY = "contact_last_reference"


@require_http_methods(["GET", "POST"])
def contact_form(request):
    form = ContactForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if _rate_limited(request):
            form.add_error(
                None,
                _("You have sent several requests in a short time. Please try again in an hour."),
            )
            return render(request, "contact/form.html", {"form": form}, status=429)
        try:
            submitted = actions.submit_request(acting_user=request.user, **form.submission())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[SESSION_KEY] = submitted.reference
            return redirect("contact:confirmation")
    return render(request, "contact/form.html", {"form": form})


def confirmation(request):
    reference = request.session.get(SESSION_KEY)
    if reference is None:
        return redirect("contact:form")
    return render(request, "contact/confirmation.html", {"reference": reference})


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, reference):
    """The requester's own view: the public conversation and a reply form."""
    contact_request = get_object_or_404(selectors.requests_of(request.user), reference=reference)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reply(
                request=contact_request, acting_user=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("contact:request_detail", reference=reference)
    context = {
        "contact_request": contact_request,
        "conversation": selectors.conversation(contact_request, include_internal=False),
        "form": form,
    }
    return render(request, "contact/request_detail.html", context)


def _rate_limited(request) -> bool:
    """Count a valid submission against the client's address."""
    try:
        count_event(
            f"contact-submission:ip:{client_ip(request)}",
            limit=SUBMISSIONS_PER_HOUR,
            window_seconds=3600,
        )
    except RateLimited:
        return True
    return False
