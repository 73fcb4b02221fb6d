from django.urls import path

from lutetia.services.appointments import views

urlpatterns = [
    path("", views.index, name="index"),
    path("gerer/<str:token>/", views.manage, name="manage"),
    path("gerer/<str:token>/rendez-vous.ics", views.manage_ics, name="manage_ics"),
    path("agenda/<uuid:token>.ics", views.location_feed, name="feed"),
    path("<slug:slug>/", views.service_detail, name="service"),
    path("<slug:slug>/reserver/<int:slot_id>/", views.book, name="book"),
]
