"""Pages of documents."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list_page, name="list"),
    path("adherent/<int:member_id>/ajouter/", views.document_upload, name="upload"),
    path("<int:document_id>/telecharger/", views.document_download, name="download"),
    path("<int:document_id>/supprimer/", views.document_delete, name="delete"),
]
