from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
