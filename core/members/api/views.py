"""Members API: members, their establishments and addresses, as the rules let the caller see them.

Members come from `member_list` / `access_member`, so a member user sees only the members they act
for, and another member's or organisation's id answers the same 404 as a missing one. Changes go
through the services; their refusals become the structured 400 of `core.web.api_errors`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from core.access.selectors import access_member

from ..models import Address, AddressKind, Establishment, Member, MembershipStatus
from ..selectors import access_establishment, establishment_list, member_addresses, member_search
from ..services import (
    address_remove,
    address_set,
    establishment_add,
    establishment_remove,
    establishment_update,
    member_create,
    member_update,
)
from .serializers import AddressSerializer, EstablishmentSerializer, MemberProfileSerializer, MemberSerializer

MANAGE = "members.manage_members"


def _require(request, perm: str, member: Member | None = None) -> None:
    if not request.user.has_perm(perm, member):
        raise PermissionDenied


class MemberMixin:
    """Resolves the URL's member through `access_member` (404 when not the caller's)."""

    def member(self, perm: str = "members.view_member") -> Member:
        return access_member(actor=self.request.user, member_id=self.kwargs["member_id"], perm=perm)


@extend_schema_view(
    get=extend_schema(
        summary="Adhérents visibles par l'appelant",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Raison sociale, SIRET/SIREN, numéro, e-mail."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=MembershipStatus.values),
        ],
    ),
    post=extend_schema(summary="Créer un adhérent (équipe de l'organisation)"),
)
class MemberListView(ListModelMixin, GenericAPIView):
    serializer_class = MemberSerializer
    queryset = Member.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return member_search(actor=self.request.user, query=params.get("q", ""), status=params.get("status", ""))

    def get(self, request):
        return self.list(request)

    def post(self, request):
        _require(request, MANAGE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Un adhérent"),
    put=extend_schema(summary="Modifier un adhérent (le profil seulement pour ses propres utilisateurs)"),
    patch=extend_schema(summary="Modifier en partie un adhérent"),
)
class MemberDetailView(MemberMixin, GenericAPIView):
    serializer_class = MemberSerializer
    queryset = Member.objects.none()

    def get_serializer_class(self):
        if self.request.method in ("PUT", "PATCH") and not self.request.user.has_perm(MANAGE):
            return MemberProfileSerializer
        return MemberSerializer

    def get(self, request, member_id: int):
        return Response(self.get_serializer(self.member()).data)

    def put(self, request, member_id: int):
        return self._update(request, partial=False)

    def patch(self, request, member_id: int):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        member = self.member(perm="members.change_member")
        serializer = self.get_serializer(member, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        member = member_update(actor=request.user, member=member, **serializer.validated_data)
        return Response(MemberSerializer(member).data)


@extend_schema_view(
    get=extend_schema(summary="Établissements d'un adhérent"),
    post=extend_schema(summary="Ajouter un établissement (équipe de l'organisation)"),
)
class EstablishmentListView(MemberMixin, ListModelMixin, GenericAPIView):
    serializer_class = EstablishmentSerializer
    queryset = Establishment.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no member
            return Establishment.objects.none()
        return establishment_list(member=self.member())

    def get(self, request, member_id: int):
        return self.list(request)

    def post(self, request, member_id: int):
        member = self.member()
        _require(request, MANAGE)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        establishment = establishment_add(actor=request.user, member=member, **serializer.validated_data)
        return Response(self.get_serializer(establishment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Un établissement"),
    put=extend_schema(summary="Modifier un établissement (équipe de l'organisation)"),
    patch=extend_schema(summary="Modifier en partie un établissement (équipe de l'organisation)"),
    delete=extend_schema(summary="Supprimer un établissement (équipe de l'organisation)"),
)
class EstablishmentDetailView(GenericAPIView):
    serializer_class = EstablishmentSerializer
    queryset = Establishment.objects.none()

    def establishment(self, perm: str = "members.view_member") -> Establishment:
        return access_establishment(
            actor=self.request.user, establishment_id=self.kwargs["establishment_id"], perm=perm
        )

    def get(self, request, establishment_id: int):
        return Response(self.get_serializer(self.establishment()).data)

    def put(self, request, establishment_id: int):
        return self._update(request, partial=False)

    def patch(self, request, establishment_id: int):
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        establishment = self.establishment()
        _require(request, MANAGE)
        serializer = self.get_serializer(establishment, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        establishment = establishment_update(
            actor=request.user, establishment=establishment, **serializer.validated_data
        )
        return Response(self.get_serializer(establishment).data)

    def delete(self, request, establishment_id: int):
        establishment = self.establishment()
        _require(request, MANAGE)
        establishment_remove(actor=request.user, establishment=establishment)
        return Response(status=status.HTTP_204_NO_CONTENT)


KIND_PARAMETER = OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=AddressKind.values)


@extend_schema_view(get=extend_schema(summary="Adresses d'un adhérent (siège, correspondance, facturation)"))
class AddressListView(MemberMixin, ListModelMixin, GenericAPIView):
    serializer_class = AddressSerializer
    queryset = Address.objects.none()
    pagination_class = None  # three at most

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Address.objects.none()
        return [address for address in member_addresses(member=self.member()).values() if address]

    def get(self, request, member_id: int):
        return self.list(request)


@extend_schema_view(
    get=extend_schema(summary="L'adresse d'un type", parameters=[KIND_PARAMETER]),
    put=extend_schema(summary="Définir l'adresse d'un type", parameters=[KIND_PARAMETER]),
    delete=extend_schema(summary="Supprimer l'adresse d'un type", parameters=[KIND_PARAMETER]),
)
class AddressDetailView(MemberMixin, GenericAPIView):
    serializer_class = AddressSerializer
    queryset = Address.objects.none()

    def _kind(self) -> str:
        if self.kwargs["kind"] not in AddressKind.values:
            raise Http404
        return self.kwargs["kind"]

    def get(self, request, member_id: int, kind: str):
        address = member_addresses(member=self.member())[self._kind()]
        if address is None:
            raise Http404
        return Response(self.get_serializer(address).data)

    def put(self, request, member_id: int, kind: str):
        member = self.member(perm="members.change_member")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = address_set(actor=request.user, member=member, kind=self._kind(), **serializer.validated_data)
        return Response(self.get_serializer(address).data)

    def delete(self, request, member_id: int, kind: str):
        member = self.member(perm="members.change_member")
        address_remove(actor=request.user, member=member, kind=self._kind())
        return Response(status=status.HTTP_204_NO_CONTENT)
