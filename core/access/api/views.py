"""Access API: who am I, the active member, the rights catalogue, and a member's people.

A member's people are reached only for the member the caller acts for (or any member for staff):
another member's id, or a person of another member, answers the same 404 as a missing one.
Changes go through the services; their refusals become the structured errors of
`core.web.api_errors` (the last-administrator rule included).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError

from ..acting import memberships_of
from ..links import accept_url_template
from ..models import MemberRole, Membership
from ..rights import ROLE_PRESETS, preset_rights, rights_grouped, rights_merge
from ..selectors import access_member, access_membership, membership_list
from ..services import (
    active_member_choose,
    membership_invite,
    membership_link_resend,
    membership_remove,
    membership_update,
)
from .serializers import (
    ActiveMemberSerializer,
    ActiveMemberStateSerializer,
    ContactRemoveSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
    MeSerializer,
    RightsCatalogueSerializer,
)

VIEW = "access.view_contacts"
MANAGE = "access.manage_contacts"


def _active_member(request):
    return getattr(request._request, "active_member", None)


def _member_brief(member):
    return {"id": member.pk, "name": member.name, "identifier": member.identifier} if member else None


@extend_schema_view(
    get=extend_schema(
        operation_id="access_me", summary="Qui suis-je : rôle, adhérents pour lesquels j'agis, adhérent actif"
    )
)
class MeView(APIView):
    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        memberships = [
            {
                "id": membership.pk,
                "member": _member_brief(membership.member),
                "role": membership.role,
                "kind": membership.kind,
                "rights": membership.rights,
            }
            for membership in memberships_of(user).values()
        ]
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "staff_role": user.staff_role,
            "expires_on": user.expires_on,
            "memberships": memberships,
            "active_member": _member_brief(_active_member(request)),
        }
        return Response(MeSerializer(data).data)


@extend_schema_view(
    get=extend_schema(operation_id="access_active_member", summary="L'adhérent pour lequel j'agis"),
    put=extend_schema(
        operation_id="access_active_member_choose",
        summary="Changer d'adhérent (retenu pour les prochaines sessions et appels)",
        request=ActiveMemberSerializer,
        responses=ActiveMemberStateSerializer,
    ),
)
class ActiveMemberView(APIView):
    serializer_class = ActiveMemberStateSerializer

    def get(self, request):
        return Response({"member": _member_brief(_active_member(request))})

    def put(self, request):
        serializer = ActiveMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = active_member_choose(request=request._request, member_id=serializer.validated_data["member"])
        except DomainError as error:
            raise NotFound from error  # not one of theirs: the same answer as a missing member
        return Response({"member": _member_brief(membership.member)})


@extend_schema_view(
    get=extend_schema(
        operation_id="access_rights",
        summary="Autorisations qu'un administrateur d'adhérent peut accorder (modules activés) et profils types",
    )
)
class RightsView(APIView):
    serializer_class = RightsCatalogueSerializer

    def get(self, request):
        enabled = request.tenant.enabled_modules
        data = {
            "roles": [{"value": value, "label": label} for value, label in MemberRole.choices],
            "groups": [
                {
                    "key": group.key,
                    "label": group.label,
                    "rights": [{"codename": right.codename, "label": right.label} for right in group.rights],
                }
                for group in rights_grouped(enabled)
            ],
            "presets": [
                {"key": preset.key, "label": preset.label, "rights": preset_rights(preset.key, enabled)}
                for preset in ROLE_PRESETS
            ],
        }
        return Response(RightsCatalogueSerializer(data).data)


@extend_schema_view(
    get=extend_schema(operation_id="access_contacts_list", summary="Les personnes ayant accès à un adhérent"),
    post=extend_schema(
        operation_id="access_contacts_invite",
        summary="Inviter une personne (en attente de validation jusqu'au clic sur le lien e-mailé)",
    ),
)
class ContactListView(generics.ListCreateAPIView):
    serializer_class = ContactSerializer
    queryset = Membership.objects.none()

    def member(self):
        return access_member(actor=self.request.user, member_id=self.kwargs["member_id"], perm=VIEW)

    def get_queryset(self):
        return membership_list(member=self.member())

    def create(self, request, *args, **kwargs):
        member = self.member()
        if not request.user.has_perm(MANAGE, member):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = membership_invite(
            actor=request.user,
            member=member,
            email=data["user"]["email"],
            full_name=data.get("user", {}).get("full_name", ""),
            kind=data["kind"],
            role=data["role"],
            rights=data["rights"],
            accept_url_template=accept_url_template(request),
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)


SUCCESSOR = OpenApiParameter(
    "successor",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description="Rattachement qui devient administrateur quand la personne retirée est le dernier (ou dans le corps).",
)


class ContactMixin:
    serializer_class = ContactSerializer
    queryset = Membership.objects.none()

    def contact(self, *, manage: bool) -> Membership:
        """The person, visible to whoever may see the member's people; changes need the manage right."""
        membership = access_membership(actor=self.request.user, membership_id=self.kwargs["pk"], perm=VIEW)
        if manage and not self.request.user.has_perm(MANAGE, membership.member):
            raise PermissionDenied
        return membership


@extend_schema_view(
    get=extend_schema(operation_id="access_contact", summary="Une personne ayant accès à un adhérent"),
    patch=extend_schema(
        operation_id="access_contact_update",
        summary="Changer le rôle ou les autorisations (le dernier administrateur le reste)",
        request=ContactUpdateSerializer,
    ),
    delete=extend_schema(
        operation_id="access_contact_remove",
        summary="Retirer l'accès (un dernier administrateur nomme un successeur)",
        parameters=[SUCCESSOR],
        request=ContactRemoveSerializer,
        responses={204: None},
    ),
)
class ContactDetailView(ContactMixin, generics.GenericAPIView):
    def get(self, request, pk: int):
        return Response(self.get_serializer(self.contact(manage=False)).data)

    def patch(self, request, pk: int):
        membership = self.contact(manage=True)
        serializer = ContactUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rights = membership.rights
        if "rights" in data:
            rights = rights_merge(
                kept=membership.rights, chosen=data["rights"], enabled_modules=request.tenant.enabled_modules
            )
        membership = membership_update(
            actor=request.user, membership=membership, role=data.get("role", membership.role), rights=rights
        )
        return Response(self.get_serializer(membership).data)

    def delete(self, request, pk: int):
        membership = self.contact(manage=True)
        body = request.data if hasattr(request.data, "keys") and request.data else {}
        if not body and "successor" in request.query_params:
            body = {"successor": request.query_params["successor"]}
        serializer = ContactRemoveSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        successor = None
        if serializer.validated_data.get("successor"):
            try:
                successor = access_membership(
                    actor=request.user, membership_id=serializer.validated_data["successor"], perm=MANAGE
                )
            except Http404 as exc:
                raise DomainError(
                    _("Le successeur doit être un autre utilisateur de %(member)s.") % {"member": membership.member},
                    errors={"successor": [_("Successeur invalide.")]},
                ) from exc
        membership_remove(actor=request.user, membership=membership, successor=successor)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(
        operation_id="access_contact_resend",
        summary="Renvoyer le lien de validation à une personne en attente (le précédent cesse de fonctionner)",
        request=None,
    )
)
class ContactResendView(ContactMixin, generics.GenericAPIView):
    def post(self, request, pk: int):
        membership = self.contact(manage=True)
        membership = membership_link_resend(
            actor=request.user, membership=membership, accept_url_template=accept_url_template(request)
        )
        return Response(self.get_serializer(membership).data)
