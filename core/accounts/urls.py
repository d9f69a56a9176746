from django.urls import path

from .views import account, codes, login, recovery, strength

app_name = "accounts"
urlpatterns = [
    path("", account.account, name="account"),
    path("connexion/", login.LoginView.as_view(), name="login"),
    path("deconnexion/", login.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", login.invitation_accept, name="invitation_accept"),
    path("mot-de-passe-oublie/", recovery.password_reset_request, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", recovery.password_reset_sent, name="password_reset_sent"),
    path("reinitialisation/<str:token>/", recovery.password_reset_confirm, name="password_reset_confirm"),
    path("premiere-connexion/", recovery.first_connection_request, name="first_connection"),
    path("premiere-connexion/envoye/", recovery.first_connection_sent, name="first_connection_sent"),
    path("premiere-connexion/<str:token>/", recovery.first_connection_accept, name="first_connection_accept"),
    path("code/", codes.code_request, name="code_request"),
    path("code/verification/", codes.code_verify, name="code_verify"),
    path("mot-de-passe/force/", strength.password_strength_meter, name="password_strength"),
    path("mot-de-passe/", account.password_change, name="password_change"),
    path("sessions/fin/", account.sessions_end, name="sessions_end"),
    path("jeton/", account.api_token, name="api_token"),
]
