"""Member services: identity by the organisation's scheme, profile checks, addresses, establishments."""

from datetime import date

import pytest

from core.audit.models import AuditEntry
from core.errors import DomainError
from core.members import services
from core.members.models import Address, AddressKind, Establishment, Member
from core.members.services import (
    address_remove,
    address_set,
    establishment_add,
    establishment_remove,
    establishment_update,
    member_create,
    member_update,
)
from tests.world import siret_for

pytestmark = pytest.mark.django_db

LA_POSTE = "35600000000048"
VALID = "73282932000074"
# Another establishment of the company above (same SIREN 732829320), Luhn-valid.
SAME_SIREN = "73282932000025"


def refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        call(**kwargs)
    return refusal.value


@pytest.mark.parametrize(
    "identifier, stored",
    [(LA_POSTE, LA_POSTE), ("732 829 320 00074", VALID), ("732.829.320.00074", VALID)],
)
def test_siret_members_accept_la_poste_and_spaces(in_alpha, identifier, stored):
    member = member_create(actor=None, name="Entreprise", identifier=identifier)
    assert Member.objects.get(pk=member.pk).siret == stored


@pytest.mark.parametrize(
    "identifier, says",
    [
        ("73282932000075", "clé de contrôle incorrecte"),
        ("7328293200007", "14 chiffres (13 saisis)"),
        ("7328293200007A", "que des chiffres"),
        ("", "obligatoire"),
    ],
)
def test_bad_siret_is_refused_in_french_and_writes_nothing(in_alpha, identifier, says):
    before = Member.objects.count()
    refusal = refused(member_create, actor=None, name="Entreprise", identifier=identifier)
    assert says in refusal.message
    assert "identifier" in refusal.errors
    assert Member.objects.count() == before


@pytest.mark.parametrize(
    "identifier, ok", [("0012345", True), (" 0012345 ", True), ("12345", False), ("00123A5", False)]
)
def test_member_numbers_follow_the_organisation_pattern(in_beta, identifier, ok):
    if ok:
        assert member_create(actor=None, name="Garage", identifier=identifier).member_number == "0012345"
    else:
        assert "format attendu" in refused(member_create, actor=None, name="Garage", identifier=identifier).message


@pytest.mark.parametrize("raw, stored", [("6201Z", "62.01Z"), ("62.01z", "62.01Z"), (" 62 01 Z ", "62.01Z"), ("", "")])
def test_naf_code_is_normalised(in_alpha, raw, stored):
    member = member_create(actor=None, name="Entreprise", identifier=VALID, naf_code=raw)
    assert member.naf_code == stored


@pytest.mark.parametrize("raw", ["620Z", "62.01", "6201ZZ", "AB.CDZ", "62-01Z"])
def test_bad_naf_code_is_refused(in_alpha, raw):
    refusal = refused(member_create, actor=None, name="Entreprise", identifier=VALID, naf_code=raw)
    assert refusal.errors["naf_code"] == ["Code NAF/APE invalide (format attendu : 62.01Z)."]


def test_every_bad_field_is_reported_at_once(in_alpha):
    refusal = refused(
        member_create,
        actor=None,
        name="  ",
        identifier="123",
        email="pas-une-adresse",
        phone="appelez-moi",
        status="sympathisant",
        member_since="31/02/2024",
    )
    assert set(refusal.errors) == {"name", "identifier", "email", "phone", "status", "member_since"}
    assert "Statut inconnu" in refusal.message


def test_create_takes_the_profile_and_audits_it(in_alpha):
    member = member_create(
        actor=None,
        name=" Boulangerie  Martin ",
        identifier=VALID,
        legal_form="SARL",
        naf_code="1071C",
        email="Contact@Boulangerie.FR",
        phone="04 78 00 00 00",
        status="Non adhérent",
        member_since="01/01/2024",
        member_until=date(2025, 12, 31),
    )
    member.refresh_from_db()
    assert (member.name, member.legal_form, member.naf_code) == ("Boulangerie Martin", "SARL", "10.71C")
    assert (member.email, member.status) == ("contact@boulangerie.fr", "prospect")
    assert (member.member_since, member.member_until) == (date(2024, 1, 1), date(2025, 12, 31))
    entry = AuditEntry.objects.get(action="member.create", target_id=str(member.pk))
    assert entry.member_id == member.pk and entry.after["siret"] == VALID


def test_membership_cannot_end_before_it_starts(in_alpha):
    refusal = refused(
        member_create, actor=None, name="E", identifier=VALID, member_since="2024-06-01", member_until="2024-01-01"
    )
    assert "précéder" in refusal.message
    member = member_create(actor=None, name="E", identifier=VALID, member_since="2024-06-01")
    assert "précéder" in refused(member_update, actor=None, member=member, member_until="2024-01-01").message


def test_update_changes_only_what_differs_and_audits_before_and_after(in_alpha):
    member = member_create(actor=None, name="Ancien nom", identifier=VALID, naf_code="6201Z")
    updated = member_update(actor=None, member=member, name="Nouveau nom", naf_code="62.01Z")
    assert updated.name == "Nouveau nom"
    entry = AuditEntry.objects.get(action="member.update", target_id=str(member.pk))
    assert entry.before == {"name": "Ancien nom"} and entry.after == {"name": "Nouveau nom"}
    member_update(actor=None, member=member, name="Nouveau nom")
    assert AuditEntry.objects.filter(action="member.update").count() == 1


def test_taking_another_members_identifier_is_a_clear_refusal(in_alpha):
    member = member_create(actor=None, name="Un", identifier=VALID)
    other = member_create(actor=None, name="Deux", identifier=LA_POSTE)
    assert refused(member_create, actor=None, name="Trois", identifier=VALID).code == "duplicate"
    refusal = refused(member_update, actor=None, member=other, identifier=VALID)
    assert refusal.message == "Un adhérent porte déjà cet identifiant."
    assert Member.objects.get(pk=other.pk).siret == LA_POSTE and member.siret == VALID


def test_a_concurrent_duplicate_still_gives_the_refusal_not_a_500(in_alpha, monkeypatch):
    """The pre-check can lose a race; the unique constraint then decides, with the same message."""
    member_create(actor=None, name="Un", identifier=VALID)
    monkeypatch.setattr(services, "_refuse_taken_identity", lambda *args, **kwargs: None)
    refusal = refused(member_create, actor=None, name="Deux", identifier=VALID)
    assert refusal.message == "Un adhérent porte déjà cet identifiant."
    assert Member.objects.filter(siret=VALID).count() == 1


def test_update_refuses_unknown_fields(in_alpha):
    member = member_create(actor=None, name="Un", identifier=VALID)
    with pytest.raises(TypeError):
        member_update(actor=None, member=member, id=999)


def test_one_address_per_kind(in_alpha):
    member = member_create(actor=None, name="Un", identifier=VALID)
    address_set(actor=None, member=member, kind=AddressKind.HEAD_OFFICE, line1="1 rue A", postcode="69001", city="Lyon")
    address_set(
        actor=None, member=member, kind=AddressKind.HEAD_OFFICE, line1="2 rue B", postcode="69 002", city="Lyon"
    )
    address_set(actor=None, member=member, kind=AddressKind.BILLING, line1="BP 12", postcode="75001", city="Paris")
    head_office = Address.objects.get(member=member, kind=AddressKind.HEAD_OFFICE)
    assert (head_office.line1, head_office.postcode) == ("2 rue B", "69002")
    assert Address.objects.filter(member=member).count() == 2
    entries = AuditEntry.objects.filter(action="member.address_set", member_id=member.pk).order_by("id")
    assert [entry.before.get("line1") for entry in entries] == [None, "1 rue A", None]
    address_remove(actor=None, member=member, kind=AddressKind.BILLING)
    assert not Address.objects.filter(member=member, kind=AddressKind.BILLING).exists()


def test_bad_address_is_refused_field_by_field(in_alpha):
    member = member_create(actor=None, name="Un", identifier=VALID)
    refusal = refused(address_set, actor=None, member=member, kind="head_office", line1="", postcode="6900", city="")
    assert set(refusal.errors) == {"line1", "postcode", "city"}
    assert "5 chiffres" in refusal.message
    assert (
        "Type d'adresse inconnu"
        in refused(
            address_set, actor=None, member=member, kind="holiday", line1="x", postcode="69001", city="Lyon"
        ).message
    )


def test_establishments_share_the_members_siren_and_have_one_head_office(in_alpha):
    member = member_create(actor=None, name="Un", identifier=VALID)
    head = establishment_add(actor=None, member=member, name="Siège", siret="732 829 320 00074", is_head_office=True)
    assert head.siret == VALID
    second = establishment_add(actor=None, member=member, name="Dépôt", siret=SAME_SIREN)
    assert "SIREN différent" in str(
        refused(establishment_add, actor=None, member=member, name="Autre", siret=siret_for(5)).errors
    )
    assert refused(establishment_add, actor=None, member=member, name="Bis", siret=VALID).code == "duplicate"
    refusal = refused(establishment_update, actor=None, establishment=second, is_head_office=True)
    assert refusal.message == "Siège est déjà le siège de l'adhérent : retirez-lui d'abord ce statut."
    assert (
        "clé de contrôle"
        in refused(establishment_update, actor=None, establishment=second, siret=VALID[:-1] + "5").message
    )
    establishment_update(actor=None, establishment=head, is_head_office=False)
    establishment_update(actor=None, establishment=second, is_head_office=True, city="Vénissieux")
    assert list(Establishment.objects.filter(member=member, is_head_office=True)) == [second]
    establishment_remove(actor=None, establishment=head)
    assert AuditEntry.objects.filter(action="member.establishment_remove", member_id=member.pk).exists()
    assert list(Establishment.objects.filter(member=member)) == [second]


def test_members_known_by_number_take_any_valid_siret_for_their_establishments(in_beta):
    member = member_create(actor=None, name="Garage", identifier="0012345")
    assert establishment_add(actor=None, member=member, name="Atelier", siret=LA_POSTE).siret == LA_POSTE
    assert "SIRET" in refused(establishment_add, actor=None, member=member, name="X", siret="123").message
