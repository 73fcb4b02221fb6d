"""Public pages of Dans ma rue: they validate input and call actions or selectors."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lutetia.services.reports import actions, selectors


def detail(request, reference: str):
    """A report's public page: never the reporter's contact, only public timeline entries."""
    report = selectors.public_report(reference)
    if report is None:
        raise Http404
    return render(
        request,
        "reports/detail.html",
        {"report": report, "timeline": selectors.public_timeline(report)},
    )


def confirm(request, token: str):
    """The link e-mailed to an anonymous reporter: publishes the report."""
    try:
        report = actions.confirm_report(token=token)
    except ValidationError as error:
        return render(request, "reports/confirm_failed.html", {"error": error}, status=404)
    messages.success(request, _("Thank you: your report is published."))
    return redirect("reports:detail", reference=report.reference)
