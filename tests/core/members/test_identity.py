"""Member identity: SIRET checked by python-stdnum, member numbers in the organisation's format."""

import pytest
from django_tenants.utils import tenant_context

from core.errors import DomainError
from core.members.identity import member_number_clean, siret_clean
from core.members.services import member_create


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("73282932000074", "73282932000074"),
        ("732 829 320 00074", "73282932000074"),  # as printed on a Kbis
        ("35600000000048", "35600000000048"),  # La Poste's head office
        ("35600000049837", "35600000049837"),  # a La Poste establishment: no Luhn key, still valid
    ],
)
def test_valid_siret(raw, clean):
    assert siret_clean(raw) == clean


@pytest.mark.parametrize(
    "raw, message",
    [
        ("73282932000075", "clé de contrôle"),
        ("7328293200007", "14 chiffres (13 saisis)"),
        ("732829320000745", "14 chiffres (15 saisis)"),
        ("7328293200007A", "que des chiffres"),
        ("", "obligatoire"),
    ],
)
def test_invalid_siret_says_why_in_french(raw, message):
    with pytest.raises(DomainError) as refused:
        siret_clean(raw)
    assert message in refused.value.message


@pytest.mark.parametrize("raw, ok", [("0012345", True), ("012345", False), ("00123456", False), ("00A2345", False)])
def test_member_number_follows_the_organisation_format(raw, ok):
    if ok:
        assert member_number_clean(raw, r"\d{7}") == raw
    else:
        with pytest.raises(DomainError):
            member_number_clean(raw, r"\d{7}")


@pytest.mark.django_db
def test_each_organisation_identifies_members_its_own_way(organisations, alpha, beta):
    with tenant_context(alpha):  # SIRET
        member = member_create(actor=None, name="Boulangerie", identifier="732 829 320 00074")
        assert member.siret == "73282932000074" and member.siren == "732829320"
        with pytest.raises(DomainError):
            member_create(actor=None, name="Autre", identifier="0012345")
        with pytest.raises(DomainError) as duplicate:
            member_create(actor=None, name="Doublon", identifier="73282932000074")
        assert "déjà" in duplicate.value.message
    with tenant_context(beta):  # 7-digit member numbers; the same SIRET means nothing here
        assert member_create(actor=None, name="Garage", identifier="0012345").member_number == "0012345"
        with pytest.raises(DomainError):
            member_create(actor=None, name="Boulangerie", identifier="73282932000074")
