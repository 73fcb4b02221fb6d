from django.urls import path

from lutetia.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profil/", views.profile, name="profile"),
    path("verification/", views.verification, name="verification"),
    path("notifications/", views.notifications, name="notifications"),
    path("donnees/", views.personal_data, name="personal_data"),
    path("donnees/export/", views.export_data, name="export_data"),
    path("donnees/supprimer/", views.delete_account, name="delete_account"),
]
