"""Pages of members: the staff's list, creation, import and records; a member's own profile."""

from django.urls import path

from . import import_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list_page, name="list"),
    path("nouveau/", views.member_create_page, name="create"),
    path("import/", import_views.member_import_page, name="import"),
    path("import/confirmer/", import_views.member_import_confirm, name="import_confirm"),
    path("fiche/", views.member_profile_page, name="profile"),
    path("<int:member_id>/", views.member_detail_page, name="detail"),
    path("<int:member_id>/modifier/", views.member_edit_page, name="edit"),
    path("<int:member_id>/adresses/<slug:kind>/", views.address_edit_page, name="address"),
    path("<int:member_id>/adresses/<slug:kind>/supprimer/", views.address_remove_page, name="address_remove"),
    path("<int:member_id>/etablissements/nouveau/", views.establishment_create_page, name="establishment_create"),
    # An establishment carries its member: its own pages need no member id (shallow nesting).
    path("etablissements/<int:establishment_id>/", views.establishment_edit_page, name="establishment_edit"),
    path(
        "etablissements/<int:establishment_id>/supprimer/",
        views.establishment_remove_page,
        name="establishment_remove",
    ),
]
