"""Serializers of the access API: they type the input; the services check and write it.

A body naming a field the caller may not set (`user`, `member`, `state`, `is_staff`, `staff_role`,
or any unknown name) is refused with a 400, never silently applied or dropped.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import MemberRole, MembershipKind, MembershipState
from ..rights import rights_catalogue


class StrictInputMixin:
    """Refuse any body key that is not a writable field of the serializer."""

    def validate(self, attrs):
        writable = {name for name, field in self.fields.items() if not field.read_only}
        refused = sorted(key for key in getattr(self, "initial_data", {}) if key not in writable)
        if refused:
            raise serializers.ValidationError({key: [_("Champ non modifiable.")] for key in refused})
        return super().validate(attrs)


class RightsField(serializers.ListField):
    """Codenames among the rights of the organisation's enabled modules."""

    child = serializers.CharField(max_length=60)

    def to_internal_value(self, data):
        codenames = super().to_internal_value(data)
        enabled = self.context["request"].tenant.enabled_modules
        offered = {right.codename for right in rights_catalogue(enabled)}
        unknown = sorted(set(codenames) - offered)
        if unknown:
            raise serializers.ValidationError(
                _("Autorisation inconnue ou d'un module non activé : %(rights)s.") % {"rights": ", ".join(unknown)}
            )
        return sorted(set(codenames))


class MemberBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    identifier = serializers.CharField(read_only=True)


class ContactSerializer(StrictInputMixin, serializers.Serializer):
    """A person attached to a member (a membership); `email`, `full_name` and `kind` are set at invitation."""

    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    email = serializers.EmailField(source="user.email", max_length=254)
    full_name = serializers.CharField(source="user.full_name", max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=MembershipKind.choices, required=False, default=MembershipKind.CONTACT)
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False, default=MemberRole.USER)
    rights = RightsField(required=False, default=list)
    state = serializers.ChoiceField(choices=MembershipState.choices, read_only=True)
    expires_on = serializers.DateField(source="user.expires_on", read_only=True)


class ContactUpdateSerializer(StrictInputMixin, serializers.Serializer):
    """What a member administrator changes on a person: role and rights."""

    role = serializers.ChoiceField(choices=MemberRole.choices, required=False)
    rights = RightsField(required=False)


class ContactRemoveSerializer(StrictInputMixin, serializers.Serializer):
    successor = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Rattachement qui devient administrateur à la place du dernier."),
    )


class MembershipBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = MemberBriefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=MemberRole.choices, read_only=True)
    kind = serializers.ChoiceField(choices=MembershipKind.choices, read_only=True)
    rights = serializers.ListField(child=serializers.CharField(), read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    staff_role = serializers.CharField(read_only=True, help_text=gettext_lazy("Vide pour un utilisateur d'adhérent."))
    expires_on = serializers.DateField(read_only=True, allow_null=True)
    memberships = MembershipBriefSerializer(many=True, read_only=True)
    active_member = MemberBriefSerializer(read_only=True, allow_null=True)


class ActiveMemberSerializer(StrictInputMixin, serializers.Serializer):
    member = serializers.IntegerField(help_text=gettext_lazy("Identifiant de l'adhérent pour lequel agir."))


class ActiveMemberStateSerializer(serializers.Serializer):
    member = MemberBriefSerializer(read_only=True, allow_null=True)


class RightSerializer(serializers.Serializer):
    codename = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class RightGroupSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    rights = RightSerializer(many=True, read_only=True)


class RolePresetSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    rights = serializers.ListField(child=serializers.CharField(), read_only=True)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)


class RightsCatalogueSerializer(serializers.Serializer):
    roles = ChoiceSerializer(many=True, read_only=True)
    groups = RightGroupSerializer(many=True, read_only=True)
    presets = RolePresetSerializer(many=True, read_only=True)
