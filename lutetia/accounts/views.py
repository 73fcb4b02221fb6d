from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lutetia.core.registry import services


@login_required
def dashboard(request):
    return render(
        request,
        "accounts/dashboard.html",
        {"sections": services.account_items(request.user)},
    )
