"""Pages of access: a member's people, the validation link, "changer d'adhérent", the team."""

from django.urls import path

from .views import accept, contacts, staff, switch

app_name = "access"
urlpatterns = [
    path("utilisateurs/", contacts.contacts_page, name="contacts"),
    path("utilisateurs/<int:membership_id>/", contacts.contact_page, name="contact"),
    path("utilisateurs/<int:membership_id>/renvoyer/", contacts.contact_resend, name="contact_resend"),
    path("utilisateurs/<int:membership_id>/retirer/", contacts.contact_remove, name="contact_remove"),
    path("utilisateurs/<int:membership_id>/expiration/", contacts.contact_expiry, name="contact_expiry"),
    path("adherents/<int:member_id>/utilisateurs/", contacts.member_contacts_page, name="member_contacts"),
    path("changer-adherent/", switch.switch_page, name="switch"),
    path("validation/<str:token>/", accept.accept_page, name="accept"),
    path("equipe/", staff.staff_page, name="staff"),
    path("equipe/<int:user_id>/", staff.staff_member_page, name="staff_member"),
    path("equipe/<int:user_id>/expiration/", staff.staff_expiry, name="staff_expiry"),
    path("equipe/<int:user_id>/desactiver/", staff.staff_deactivate, name="staff_deactivate"),
]
