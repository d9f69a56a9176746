"""Serializers of the members API: they type the input; the services check and write it.

A member's own people may change its profile only: a request of theirs that names an identity or
membership field is refused (400), never silently applied or dropped.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import AddressKind, MembershipStatus
from ..services import STAFF_FIELDS


class AddressSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AddressKind.choices, read_only=True)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2, required=False, default="FR")


class EstablishmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    siret = serializers.CharField(max_length=20)
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_head_office = serializers.BooleanField(required=False)


class MemberSerializer(serializers.Serializer):
    """A member as staff see and change it; `identifier` is the SIRET or the member number."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    identifier = serializers.CharField(
        max_length=40, help_text=gettext_lazy("SIRET ou numéro d'adhérent, selon l'organisation.")
    )
    siret = serializers.CharField(read_only=True)
    siren = serializers.CharField(read_only=True)
    member_number = serializers.CharField(read_only=True)
    legal_form = serializers.CharField(max_length=100, required=False, allow_blank=True)
    naf_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=MembershipStatus.choices, required=False)
    member_since = serializers.DateField(required=False, allow_null=True)
    member_until = serializers.DateField(required=False, allow_null=True)
    addresses = AddressSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class MemberProfileSerializer(MemberSerializer):
    """A member as its own people change it: identity and membership are read-only, and refused
    when sent."""

    identifier = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=MembershipStatus.choices, read_only=True)
    member_since = serializers.DateField(read_only=True)
    member_until = serializers.DateField(read_only=True)

    def validate(self, attrs):
        sent = set(getattr(self, "initial_data", {}) or {})
        reserved = sorted(sent & {*STAFF_FIELDS, "siret", "member_number"})
        if reserved:
            raise serializers.ValidationError(
                {field: [_("Seule l'équipe de l'organisation peut modifier ce champ.")] for field in reserved}
            )
        return attrs
