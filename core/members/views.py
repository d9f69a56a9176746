"""Members pages: the staff's list, creation and editing, and a member's record page.

Every member comes from `access_member`: another member, another organisation's id or a missing
one all answer the same 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access.selectors import access_member, membership_list
from core.errors import DomainError
from core.modules.registry import registry
from core.web.forms import form_show_refusal
from core.web.lists import results_only

from .forms import (
    ADDRESS_SLUGS,
    SLUG_OF_KIND,
    AddressForm,
    EstablishmentForm,
    MemberForm,
    MemberProfileForm,
    MemberSearchForm,
)
from .models import AddressKind, Member
from .selectors import access_establishment, establishment_list, member_addresses, member_search
from .services import (
    PROFILE_FIELDS,
    STAFF_FIELDS,
    address_remove,
    address_set,
    establishment_add,
    establishment_remove,
    establishment_update,
    member_create,
    member_update,
)

PAGE_SIZE = 25
MANAGE = "members.manage_members"
DOCUMENTS_TEMPLATE = "documents/_member_documents.html"
GENERIC_MODULE_CARD = "members/_module_card.html"


def _require_staff(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


def _record_url(request, member: Member) -> str:
    """Staff go back to the member's record, the member's own people to their profile."""
    if request.user.has_perm(MANAGE):
        return reverse("members:detail", args=[member.pk])
    return reverse("members:profile")


@login_required
def member_list_page(request):
    _require_staff(request)
    search = MemberSearchForm(request.GET)
    search.is_valid()
    query, status = search.cleaned_data.get("q", ""), search.cleaned_data.get("status", "")
    page = Paginator(member_search(actor=request.user, query=query, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"search": search, "page": page, "query_string": _query_string(query, status)}
    # The live search swaps only the results; a history restore needs the whole page.
    if results_only(request, "member-results"):
        return render(request, "members/_results.html", context)
    return render(request, "members/list.html", context)


def _query_string(query: str, status: str) -> str:
    return urlencode({key: value for key, value in (("q", query), ("status", status)) if value})


@login_required
def member_create_page(request):
    _require_staff(request)
    form = MemberForm(request.POST or None, initial={"status": "member"})
    if request.method == "POST" and form.is_valid():
        try:
            member = member_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Adhérent « %(name)s » créé.") % {"name": member.name})
            return redirect("members:detail", member_id=member.pk)
    return render(
        request,
        "members/form.html",
        {"form": form, "title": _("Nouvel adhérent"), "cancel_url": reverse("members:list")},
    )


@login_required
def member_edit_page(request, member_id: int):
    """Staff change everything; a member's people with `members.change_member` its profile only."""
    member = access_member(actor=request.user, member_id=member_id, perm="members.change_member")
    is_staff = request.user.has_perm(MANAGE)
    form_class = MemberForm if is_staff else MemberProfileForm
    initial = {field: getattr(member, field) for field in (*PROFILE_FIELDS, *STAFF_FIELDS)}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_update(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Fiche de « %(name)s » enregistrée.") % {"name": member.name})
            return redirect(_record_url(request, member))
    title = _("Modifier « %(name)s »") % {"name": member.name}
    return render(
        request, "members/form.html", {"form": form, "title": title, "cancel_url": _record_url(request, member)}
    )


@login_required
def member_detail_page(request, member_id: int):
    member = access_member(actor=request.user, member_id=member_id, perm=MANAGE)
    return render(request, "members/record.html", _record_context(request, member))


@login_required
def member_profile_page(request):
    """The record of the member the person acts for (see "changer d'adhérent")."""
    active = getattr(request, "active_member", None)
    if active is None:
        raise Http404
    member = access_member(actor=request.user, member_id=active.pk)
    return render(request, "members/record.html", _record_context(request, member))


def _documents_template() -> str | None:
    """The documents app's section of a record page, once that app provides it."""
    try:
        get_template(DOCUMENTS_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return DOCUMENTS_TEMPLATE


def _module_cards(request) -> list[dict]:
    cards = []
    for spec in registry.enabled(request.tenant.enabled_modules):
        entry = spec.menu[0] if spec.menu else None
        url = None
        if entry and (request.user.has_perm(MANAGE) or not entry.permission or request.user.has_perm(entry.permission)):
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                url = None
        cards.append({"spec": spec, "template": spec.member_card or GENERIC_MODULE_CARD, "url": url})
    return cards


def _record_context(request, member: Member) -> dict:
    user = request.user
    can_change = user.has_perm("members.change_member", member)
    return {
        "member": member,
        "is_staff": user.has_perm(MANAGE),
        "can_change": can_change,
        "addresses": [
            {"kind": kind, "label": AddressKind(kind).label, "slug": SLUG_OF_KIND[kind], "address": address}
            for kind, address in member_addresses(member=member).items()
        ],
        "establishments": establishment_list(member=member),
        "contacts": membership_list(member=member) if user.has_perm("access.view_contacts", member) else None,
        "documents_template": _documents_template() if user.has_perm("members.view_documents", member) else None,
        "module_cards": _module_cards(request),
    }


def _address_kind(slug: str) -> str:
    try:
        return ADDRESS_SLUGS[slug]
    except KeyError as exc:
        raise Http404 from exc


@login_required
def address_edit_page(request, member_id: int, kind: str):
    member = access_member(actor=request.user, member_id=member_id, perm="members.change_member")
    kind = _address_kind(kind)
    address = member_addresses(member=member)[kind]
    initial = {field: getattr(address, field) for field in AddressForm.base_fields} if address else None
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            address_set(actor=request.user, member=member, kind=kind, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("%(kind)s enregistrée.") % {"kind": AddressKind(kind).label})
            return redirect(_record_url(request, member))
    title = _("%(kind)s de « %(name)s »") % {"kind": AddressKind(kind).label, "name": member.name}
    return render(
        request, "members/form.html", {"form": form, "title": title, "cancel_url": _record_url(request, member)}
    )


@login_required
@require_POST
def address_remove_page(request, member_id: int, kind: str):
    member = access_member(actor=request.user, member_id=member_id, perm="members.change_member")
    kind = _address_kind(kind)
    address_remove(actor=request.user, member=member, kind=kind)
    messages.success(request, _("%(kind)s supprimée.") % {"kind": AddressKind(kind).label})
    return redirect(_record_url(request, member))


@login_required
def establishment_create_page(request, member_id: int):
    member = access_member(actor=request.user, member_id=member_id, perm=MANAGE)
    form = EstablishmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            establishment = establishment_add(actor=request.user, member=member, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Établissement « %(name)s » ajouté.") % {"name": establishment.name})
            return redirect("members:detail", member_id=member.pk)
    title = _("Nouvel établissement de « %(name)s »") % {"name": member.name}
    cancel_url = reverse("members:detail", args=[member.pk])
    return render(request, "members/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
def establishment_edit_page(request, establishment_id: int):
    establishment = access_establishment(actor=request.user, establishment_id=establishment_id, perm=MANAGE)
    member = establishment.member
    initial = {field: getattr(establishment, field) for field in EstablishmentForm.base_fields}
    form = EstablishmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            establishment_update(actor=request.user, establishment=establishment, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Établissement « %(name)s » enregistré.") % {"name": establishment.name})
            return redirect("members:detail", member_id=member.pk)
    title = _("Établissement « %(name)s »") % {"name": establishment.name}
    cancel_url = reverse("members:detail", args=[member.pk])
    return render(request, "members/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
@require_POST
def establishment_remove_page(request, establishment_id: int):
    establishment = access_establishment(actor=request.user, establishment_id=establishment_id, perm=MANAGE)
    member = establishment.member
    establishment_remove(actor=request.user, establishment=establishment)
    messages.success(request, _("Établissement « %(name)s » supprimé.") % {"name": establishment.name})
    return redirect("members:detail", member_id=member.pk)
