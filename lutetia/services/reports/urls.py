"""Public pages of Dans ma rue, mounted at /dans-ma-rue/ (and /en/dans-ma-rue/)."""

from django.urls import path

from lutetia.services.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("signaler/", views.report_where, name="report"),
    path("signaler/details/", views.report_details, name="report_details"),
    path("signaler/merci/", views.submitted, name="submitted"),
    path("a-proximite.json", views.nearby, name="nearby"),
    path("adresses.json", views.places, name="places"),
    path("carte/", views.map_view, name="map"),
    path("reports.geojson", views.geojson, name="geojson"),
    path("mes-signalements/", views.my_reports, name="my_reports"),
    path("alertes/", views.alerts, name="alerts"),
    path("alertes/<int:pk>/supprimer/", views.delete_alert, name="delete_alert"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("suivre/confirmer/<str:token>/", views.confirm_follow, name="confirm_follow"),
    path("<str:reference>/", views.detail, name="detail"),
]
