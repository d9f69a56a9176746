"""API routes of access: /api/access/ (who am I, the active member, rights, a member's people)."""

from django.urls import path

from . import views

app_name = "api-access"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("active-member/", views.ActiveMemberView.as_view(), name="active-member"),
    path("rights/", views.RightsView.as_view(), name="rights"),
    path("members/<int:member_id>/contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/resend/", views.ContactResendView.as_view(), name="contact-resend"),
]
