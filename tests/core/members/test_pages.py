"""Members pages: the staff's list, search, creation and editing; a member's record and profile."""

import html
import re

import pytest
from django.urls import reverse
from django_tenants.utils import tenant_context

from core.access.models import Membership
from core.accounts.models import User
from core.members.models import Address, Establishment, Member
from core.members.services import member_create
from tests.world import person, siret_for

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def without_csrf(response) -> str:
    """The page less its CSRF token, which is masked anew on every answer."""
    body = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_staff_list_and_search(staff_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    page = text(staff_client.get(reverse("members:list")))
    assert "Société Un" in page and "Société Deux" in page and "2 adhérents" in page
    by_name = text(staff_client.get(reverse("members:list"), {"q": "deux"}))
    assert "Société Deux" in by_name and "Société Un" not in by_name
    by_siret = text(staff_client.get(reverse("members:list"), {"q": m1.siret}))
    assert "Société Un" in by_siret and "Société Deux" not in by_siret
    with tenant_context(alpha):
        member_create(actor=None, name="Boulangerie", identifier="73282932000074")
    by_siren = text(staff_client.get(reverse("members:list"), {"q": "732 829 320"}))
    assert "Boulangerie" in by_siren and "Société Un" not in by_siren
    by_email = text(staff_client.get(reverse("members:list"), {"q": "m2-contact@"}))
    assert "Société Deux" in by_email and "Société Un" not in by_email
    by_status = text(staff_client.get(reverse("members:list"), {"status": "former"}))
    assert "Aucun adhérent ne correspond" in by_status


def test_live_search_answers_only_the_results(staff_client):
    response = staff_client.get(
        reverse("members:list"), {"q": "Un"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-results"
    )
    body = text(response)
    assert "<html" not in body and "Société Un" in body and "Société Deux" not in body


def test_list_is_paginated(staff_client, alpha):
    with tenant_context(alpha):
        for number in range(30):
            member_create(actor=None, name=f"Lot {number:02d}", identifier=siret_for(700 + number))
    first = text(staff_client.get(reverse("members:list"), {"q": "Lot"}))
    assert "30 adhérents" in first and "Page 1 sur 2" in first and "Lot 24" in first and "Lot 25" not in first
    second = text(staff_client.get(reverse("members:list"), {"q": "Lot", "page": 2}))
    assert "Lot 25" in second and "q=Lot&page=1" in second


def test_member_people_cannot_use_the_staff_pages(person_client, alpha, member_of):
    client = person_client("m1_admin")
    m1 = member_of(alpha, "m1")
    assert client.get(reverse("members:list")).status_code == 403
    assert client.get(reverse("members:create")).status_code == 403
    assert client.get(reverse("members:detail", args=[m1.pk])).status_code == 404


def test_staff_create_a_member(staff_client, alpha):
    data = {"name": "Boulangerie Martin", "identifier": "732 829 320 00074", "naf_code": "1071c", "status": "member"}
    response = staff_client.post(reverse("members:create"), data, follow=True)
    body = text(response)
    assert "Adhérent « Boulangerie Martin » créé." in body
    assert "73282932000074" in body and "732829320" in body and "10.71C" in body
    with tenant_context(alpha):
        assert Member.objects.filter(siret="73282932000074").exists()


def test_a_refused_creation_says_why_beside_the_field(staff_client, alpha):
    data = {"name": "Boulangerie", "identifier": "73282932000075", "status": "member", "email": "non"}
    response = staff_client.post(reverse("members:create"), data)
    body = text(response)
    assert response.status_code == 200
    assert 'id="id_identifier_error"' in body and "SIRET invalide." in body
    assert "Adresse e-mail invalide." in body
    with tenant_context(alpha):
        assert not Member.objects.filter(name="Boulangerie").exists()


def test_staff_edit_identity_and_status(staff_client, alpha, member_of):
    m2 = member_of(alpha, "m2")
    form = staff_client.get(reverse("members:edit", args=[m2.pk]))
    assert 'name="identifier"' in text(form) and m2.siret in text(form)
    data = {"name": "Société Deux", "identifier": "35600000000048", "status": "former", "member_since": "2020-01-01"}
    response = staff_client.post(reverse("members:edit", args=[m2.pk]), data, follow=True)
    assert "Fiche de « Société Deux » enregistrée." in text(response)
    with tenant_context(alpha):
        m2.refresh_from_db()
    assert (m2.siret, m2.status, str(m2.member_since)) == ("35600000000048", "former", "2020-01-01")


def test_member_admin_edits_the_profile_but_not_identity_or_status(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    client = person_client("m1_admin")
    form = text(client.get(reverse("members:edit", args=[m1.pk])))
    assert 'name="identifier"' not in form and 'name="status"' not in form
    data = {"name": "Société Un SAS", "naf_code": "6201Z", "identifier": "35600000000048", "status": "former"}
    response = client.post(reverse("members:edit", args=[m1.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("members:profile")
    with tenant_context(alpha):
        m1.refresh_from_db()
    assert (m1.name, m1.naf_code, m1.siret, m1.status) == ("Société Un SAS", "62.01Z", siret_for(101), "member")


def test_editing_needs_the_change_right(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    assert person_client("m1_user").get(reverse("members:edit", args=[m1.pk])).status_code == 404
    assert person_client("m1_delegate").get(reverse("members:edit", args=[m1.pk])).status_code == 200


def test_profile_shows_the_active_members_record(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    with tenant_context(alpha):
        pending = User.objects.create_user("nouveau@alpha.test", None, full_name="Nouveau Venu")
        Membership.objects.create(user=pending, member=m1, rights=["members.view_documents"])
        Address.objects.create(member=m1, kind="head_office", line1="1 place Bellecour", postcode="69002", city="Lyon")
    body = text(person_client("m1_user").get(reverse("members:profile")))
    assert "<h1>Société Un" in body and siret_for(101) in body and siret_for(101)[:9] in body
    assert "1 place Bellecour" in body and "Adresse de facturation" in body
    assert "Nouveau Venu" in body and "En attente de validation" in body and "1 droit" in body
    assert person("alpha", "m1_delegate") in body and "Tous les droits" in body
    assert "Aucun droit" in body  # m1_user's own row
    assert "Société Deux" not in body and "Modifier la fiche" not in body  # m1_user holds no right


def test_profile_without_an_active_member_is_404(staff_client):
    assert staff_client.get(reverse("members:profile")).status_code == 404


def test_record_shows_each_enabled_modules_card(staff_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    body = text(staff_client.get(reverse("members:detail", args=[m1.pk])))
    # alpha runs questions and billing; health is off
    assert "Questions juridiques" in body and f'href="{reverse("questions:queue")}' in body
    assert "Santé au travail" not in body


def test_documents_section_appears_only_when_the_documents_app_provides_it(staff_client, alpha, member_of):
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template("documents/_member_documents.html")
        provided = True
    except TemplateDoesNotExist:
        provided = False
    m1 = member_of(alpha, "m1")
    body = text(staff_client.get(reverse("members:detail", args=[m1.pk])))
    assert ('id="documents-title"' in body) is provided


def test_other_members_records_are_404_like_absent_ones(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    client = person_client("m2_admin")
    for name in ("members:detail", "members:edit"):
        foreign = client.get(reverse(name, args=[m1.pk]))
        absent = client.get(reverse(name, args=[987654]))
        assert foreign.status_code == absent.status_code == 404
        assert without_csrf(foreign) == without_csrf(absent)
    address = client.post(reverse("members:address", args=[m1.pk, "siege"]), {"line1": "x"})
    assert address.status_code == 404


def test_another_organisations_staff_cannot_reach_alphas_member_ids(client_for, alpha, beta):
    with tenant_context(alpha):
        ids = set(Member.objects.values_list("pk", flat=True))
    with tenant_context(beta):
        beta_ids = set(Member.objects.values_list("pk", flat=True))
    with tenant_context(alpha):
        while True:  # an alpha member whose id does not exist in beta
            member = member_create(actor=None, name="Seulement alpha", identifier=siret_for(800 + len(ids)))
            ids.add(member.pk)
            if member.pk not in beta_ids:
                break
    client = client_for(beta, "admin@beta.test")
    foreign = client.get(reverse("members:detail", args=[member.pk]))
    absent = client.get(reverse("members:detail", args=[987654]))
    assert foreign.status_code == absent.status_code == 404 and without_csrf(foreign) == without_csrf(absent)
    assert "Seulement alpha" not in text(foreign)


def test_addresses_from_the_record(staff_client, person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    url = reverse("members:address", args=[m1.pk, "siege"])
    refused = staff_client.post(url, {"line1": "1 rue A", "postcode": "690", "city": "Lyon", "country": "FR"})
    assert "Code postal invalide (5 chiffres)." in text(refused)
    staff_client.post(url, {"line1": "1 rue A", "postcode": "69001", "city": "Lyon", "country": "FR"})
    billing = reverse("members:address", args=[m1.pk, "facturation"])
    done = person_client("m1_admin").post(
        billing, {"line1": "BP 4", "postcode": "75001", "city": "Paris", "country": "FR"}, follow=True
    )
    assert "Adresse de facturation enregistrée." in text(done)
    assert person_client("m1_user").post(billing, {"line1": "x"}).status_code == 404
    assert staff_client.get(reverse("members:address", args=[m1.pk, "vacances"])).status_code == 404
    with tenant_context(alpha):
        assert dict(Address.objects.filter(member=m1).values_list("kind", "city")) == {
            "head_office": "Lyon",
            "billing": "Paris",
        }
    staff_client.post(reverse("members:address_remove", args=[m1.pk, "facturation"]))
    with tenant_context(alpha):
        assert not Address.objects.filter(member=m1, kind="billing").exists()


def test_establishments_from_the_record_are_staff_only(staff_client, person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    create = reverse("members:establishment_create", args=[m1.pk])
    from stdnum import luhn

    same_siren = m1.siret[:9] + "0002" + luhn.calc_check_digit(m1.siret[:9] + "0002")
    assert person_client("m1_admin").get(create).status_code == 404
    refused = staff_client.post(create, {"name": "Dépôt", "siret": "73282932000074"})
    assert "SIREN différent de celui de l'adhérent." in text(refused)
    staff_client.post(create, {"name": "Dépôt", "siret": same_siren, "city": "Vénissieux"})
    with tenant_context(alpha):
        establishment = Establishment.objects.get(member=m1)
    body = text(staff_client.get(reverse("members:detail", args=[m1.pk])))
    assert "Dépôt" in body and same_siren in body
    edit = reverse("members:establishment_edit", args=[establishment.pk])
    assert person_client("m1_admin").get(edit).status_code == 404
    staff_client.post(edit, {"name": "Dépôt Sud", "siret": same_siren, "is_head_office": "on"})
    with tenant_context(alpha):
        establishment.refresh_from_db()
    assert (establishment.name, establishment.is_head_office) == ("Dépôt Sud", True)
    assert staff_client.get(reverse("members:establishment_edit", args=[987654])).status_code == 404
    staff_client.post(reverse("members:establishment_remove", args=[establishment.pk]))
    with tenant_context(alpha):
        assert not Establishment.objects.filter(member=m1).exists()
