"""Members API: who sees which members, who may change what, structured French errors, schema."""

import pytest
from django_tenants.utils import tenant_context
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.authtoken.models import Token

from core.accounts.models import User
from core.members.models import Address, Establishment, Member
from tests.world import person

pytestmark = pytest.mark.django_db

LIST = "/api/members/"


def names(response) -> list[str]:
    return sorted(member["name"] for member in response.json()["results"])


@pytest.mark.parametrize(
    "who, visible",
    [
        ("m1_admin", ["Société Un"]),
        ("m1_user", ["Société Un"]),
        ("m1_delegate", ["Société Un"]),
        ("m2_admin", ["Société Deux"]),
    ],
)
def test_member_people_list_only_the_members_they_act_for(person_client, who, visible):
    response = person_client(who).get(LIST)
    assert response.status_code == 200 and names(response) == visible


def test_staff_list_every_member_and_search(staff_client):
    assert names(staff_client.get(LIST)) == ["Société Deux", "Société Un"]
    assert names(staff_client.get(LIST, {"q": "deux"})) == ["Société Deux"]


def test_token_authentication_is_scoped_the_same_way(client_for, alpha):
    with tenant_context(alpha):
        token = Token.objects.create(user=User.objects.get(email=person("alpha", "m2_admin"))).key
    client = client_for(alpha)
    response = client.get(LIST, HTTP_AUTHORIZATION=f"Token {token}")
    assert names(response) == ["Société Deux"]
    assert client.get(LIST).status_code == 401


def test_another_members_record_is_the_same_404_as_a_missing_one(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    client = person_client("m2_admin")
    foreign, absent = client.get(f"{LIST}{m1.pk}/"), client.get(f"{LIST}987654/")
    assert foreign.status_code == absent.status_code == 404
    assert foreign.json() == absent.json() == {"code": "not_found", "message": "Introuvable.", "errors": {}}
    for path in (f"{LIST}{m1.pk}/establishments/", f"{LIST}{m1.pk}/addresses/"):
        assert client.get(path).json() == absent.json()


def test_staff_create_a_member(staff_client, alpha):
    data = {"name": "Boulangerie", "identifier": "732 829 320 00074", "naf_code": "1071C", "id": 999}
    response = staff_client.post(LIST, data, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["siret"], body["siren"], body["naf_code"], body["status"]) == (
        "73282932000074",
        "732829320",
        "10.71C",
        "member",
    )
    assert body["id"] != 999
    with tenant_context(alpha):
        assert Member.objects.filter(siret="73282932000074").exists()


def test_refusals_are_structured_400s_in_french(staff_client):
    bad_key = staff_client.post(LIST, {"name": "B", "identifier": "73282932000075"}, content_type="application/json")
    assert bad_key.status_code == 400
    assert bad_key.json() == {
        "code": "invalid",
        "message": "Ce SIRET n'existe pas : vérifiez les chiffres saisis (clé de contrôle incorrecte).",
        "errors": {"identifier": ["SIRET invalide."]},
    }
    bad_types = staff_client.post(
        LIST, {"name": "B", "identifier": "73282932000074", "member_since": "hier"}, content_type="application/json"
    )
    assert bad_types.status_code == 400
    body = bad_types.json()
    assert body["code"] == "invalid" and body["message"] == "Données invalides."
    assert "format" in body["errors"]["member_since"][0]
    missing = staff_client.post(LIST, {}, content_type="application/json").json()
    assert set(missing["errors"]) == {"name", "identifier"}


def test_member_people_cannot_create(person_client):
    response = person_client("m1_admin").post(
        LIST, {"name": "B", "identifier": "73282932000074"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_member_admin_changes_the_profile_only(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    client = person_client("m1_admin")
    url = f"{LIST}{m1.pk}/"
    done = client.patch(url, {"name": "Société Un SAS", "phone": "04 78 00 00 00"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["name"] == "Société Un SAS"
    refused = client.patch(url, {"status": "former", "identifier": "35600000000048"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "identifier": ["Seule l'équipe de l'organisation peut modifier ce champ."],
        "status": ["Seule l'équipe de l'organisation peut modifier ce champ."],
    }
    with tenant_context(alpha):
        m1.refresh_from_db()
    assert (m1.name, m1.status, m1.phone) == ("Société Un SAS", "member", "04 78 00 00 00")
    # Without the right, the member is not there to change.
    assert person_client("m1_user").patch(url, {"name": "X"}, content_type="application/json").status_code == 404


def test_staff_change_identity_and_status(staff_client, alpha, member_of):
    m2 = member_of(alpha, "m2")
    response = staff_client.patch(
        f"{LIST}{m2.pk}/", {"status": "former", "identifier": "35600000000048"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["siret"] == "35600000000048"
    taken = staff_client.patch(
        f"{LIST}{m2.pk}/", {"identifier": member_of(alpha, "m1").siret}, content_type="application/json"
    )
    assert taken.status_code == 400 and taken.json()["message"] == "Un adhérent porte déjà cet identifiant."


def test_establishments_nested_under_the_member(staff_client, person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    url = f"{LIST}{m1.pk}/establishments/"
    from stdnum import luhn

    siret = m1.siren + "0002" + luhn.calc_check_digit(m1.siren + "0002")
    created = staff_client.post(url, {"name": "Dépôt", "siret": siret}, content_type="application/json")
    assert created.status_code == 201
    establishment_id = created.json()["id"]
    assert [item["name"] for item in person_client("m1_user").get(url).json()["results"]] == ["Dépôt"]
    assert (
        person_client("m1_admin").post(url, {"name": "X", "siret": siret}, content_type="application/json").status_code
        == 403
    )
    duplicate = staff_client.post(url, {"name": "Bis", "siret": siret}, content_type="application/json")
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "duplicate"
    detail = f"{LIST}establishments/{establishment_id}/"
    assert staff_client.patch(detail, {"city": "Lyon"}, content_type="application/json").json()["city"] == "Lyon"
    assert person_client("m1_delegate").get(detail).json()["city"] == "Lyon"
    foreign, absent = (
        person_client("m2_admin").get(detail),
        person_client("m2_admin").get(f"{LIST}establishments/9876/"),
    )
    assert foreign.status_code == absent.status_code == 404 and foreign.json() == absent.json()
    assert person_client("m1_admin").delete(detail).status_code == 403
    assert staff_client.delete(detail).status_code == 204
    with tenant_context(alpha):
        assert not Establishment.objects.filter(pk=establishment_id).exists()


def test_addresses_by_kind(person_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    client = person_client("m1_admin")
    url = f"{LIST}{m1.pk}/addresses/"
    data = {"line1": "BP 4", "postcode": "75001", "city": "Paris"}
    assert client.put(f"{url}billing/", data, content_type="application/json").json()["kind"] == "billing"
    assert [address["kind"] for address in client.get(url).json()] == ["billing"]
    bad = client.put(f"{url}billing/", {**data, "postcode": "750"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"] == {"postcode": ["Code postal invalide (5 chiffres)."]}
    assert client.put(f"{url}holiday/", data, content_type="application/json").status_code == 404
    assert client.get(f"{url}mailing/").status_code == 404
    assert person_client("m1_user").put(f"{url}billing/", data, content_type="application/json").status_code == 404
    assert client.delete(f"{url}billing/").status_code == 204
    with tenant_context(alpha):
        assert not Address.objects.filter(member=m1).exists()


def test_schema_documents_the_members_api_without_warnings(staff_client):
    GENERATOR_STATS.reset()
    response = staff_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/members/",
        "/api/members/{member_id}/",
        "/api/members/{member_id}/establishments/",
        "/api/members/establishments/{establishment_id}/",
        "/api/members/{member_id}/addresses/",
        "/api/members/{member_id}/addresses/{kind}/",
    ):
        assert path in paths, path
    problems = [
        message for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache) if "members" in message
    ]
    assert problems == []
