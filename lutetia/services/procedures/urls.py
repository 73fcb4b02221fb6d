from django.urls import path

from lutetia.services.procedures import views

urlpatterns = [
    path("", views.form_list, name="index"),
    path("envoyee/", views.confirmation, name="confirmation"),
    path("mes-demarches/", views.my_demands, name="my_demands"),
    path("mes-demarches/<str:reference>/", views.demand_detail, name="demand_detail"),
    path(
        "mes-demarches/<str:reference>/fichiers/<int:pk>/",
        views.demand_file,
        name="demand_file",
    ),
    path("<slug:slug>/", views.form_start, name="start"),
    path("<slug:slug>/<uuid:token>/etape-<int:step>/", views.fill_step, name="step"),
    path("<slug:slug>/<uuid:token>/recapitulatif/", views.summary, name="summary"),
    path("<slug:slug>/<uuid:token>/supprimer/", views.discard, name="discard"),
]
