from django.urls import path

from lutetia.services.budget import views

urlpatterns = [
    path("", views.index, name="index"),
    path("campagnes/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("campagnes/<slug:slug>/idees/", views.ideas, name="ideas"),
    path("campagnes/<slug:slug>/idees/proposer/", views.propose_idea, name="propose_idea"),
    path("idees/<int:pk>/", views.idea_detail, name="idea"),
    path("enveloppes/<int:pk>/", views.envelope_detail, name="envelope"),
    path("enveloppes/<int:pk>/merci/", views.voted, name="voted"),
    path("enveloppes/<int:pk>/resultats/", views.results, name="results"),
    path("projets/<int:pk>/", views.project_detail, name="project"),
    path("suivi/", views.follow_up, name="follow_up"),
    path("suivi/projets.geojson", views.follow_up_geojson, name="follow_up_geojson"),
]
