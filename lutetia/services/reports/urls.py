"""Public pages of Dans ma rue, mounted at /dans-ma-rue/ (and /en/dans-ma-rue/)."""

from django.urls import path

from lutetia.services.reports import views

app_name = "reports"

urlpatterns = [
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("<str:reference>/", views.detail, name="detail"),
]
