from django.urls import path

from lutetia.services.contact import views

urlpatterns = [
    path("", views.contact_form, name="form"),
    path("merci/", views.confirmation, name="confirmation"),
    path("demandes/<str:reference>/", views.request_detail, name="request_detail"),
]
