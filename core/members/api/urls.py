"""API routes of members: /api/members/, with each member's establishments and addresses."""

from django.urls import path

from . import views

app_name = "api-members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="member-list"),
    path("<int:member_id>/", views.MemberDetailView.as_view(), name="member-detail"),
    path("<int:member_id>/establishments/", views.EstablishmentListView.as_view(), name="establishment-list"),
    # An establishment carries its member: its own route needs no member id (shallow nesting).
    path(
        "establishments/<int:establishment_id>/", views.EstablishmentDetailView.as_view(), name="establishment-detail"
    ),
    path("<int:member_id>/addresses/", views.AddressListView.as_view(), name="address-list"),
    path("<int:member_id>/addresses/<str:kind>/", views.AddressDetailView.as_view(), name="address-detail"),
]
