"""Pages of notifications: the inbox of the active member, and who receives which kind."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access.acting import active_membership_of
from core.access.selectors import access_membership
from core.errors import DomainError
from core.web.forms import form_show_refusal
from core.web.redirects import same_site_url

from . import services
from .forms import PreferencesForm
from .selectors import access_notification, notification_list, preference_rows

PAGE_SIZE = 20


@login_required
def inbox(request):
    member = request.active_member
    page = None
    if member is not None:
        page = Paginator(notification_list(actor=request.user, member=member), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "notifications/inbox.html", {"page": page, "member": member})


def _after_read(request, notification):
    if request.htmx:
        return render(request, "notifications/_read_response.html", {"notification": notification})
    return redirect("notifications:inbox")


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = access_notification(
        actor=request.user, member=request.active_member, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    return _after_read(request, notification)


@login_required
@require_POST
def notification_open(request, notification_id: int):
    """Mark read and follow the notification's link (only ever a path of this site)."""
    notification = access_notification(
        actor=request.user, member=request.active_member, notification_id=notification_id
    )
    services.notification_mark_read(actor=request.user, notification=notification)
    local = notification.url if notification.url.startswith("/") else ""
    return redirect(same_site_url(request, local) or "notifications:inbox")


@login_required
@require_POST
def notification_read_all(request):
    if request.active_member is not None:
        count = services.notification_mark_all_read(actor=request.user, member=request.active_member)
        if count:
            messages.success(request, _("Toutes les notifications sont marquées comme lues."))
    return redirect("notifications:inbox")


def _preferences_page(request, membership, *, own: bool):
    rows = preference_rows(membership=membership, enabled_modules=request.tenant.enabled_modules)
    form = PreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            # All the boxes or none: a refused one leaves every choice as it was.
            with transaction.atomic():
                for kind, enabled in form.changes():
                    try:
                        services.notification_preference_set(
                            actor=request.user, membership=membership, kind=kind, enabled=enabled
                        )
                    except DomainError as error:
                        error.errors = {kind: [error.message]}
                        raise
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Préférences de notification enregistrées."))
            return redirect(request.path)
    return render(request, "notifications/preferences.html", {"form": form, "membership": membership, "own": own})


@login_required
def preferences(request):
    """The person's own choices for their active member."""
    membership = active_membership_of(request.user)
    if membership is None:
        return render(request, "notifications/preferences.html", {"form": None, "membership": None, "own": True})
    return _preferences_page(request, membership, own=True)


@login_required
def member_preferences(request, membership_id: int):
    """A member administrator (or staff) sets the choices of one of the member's people."""
    # Within a request the rules only grant a person their active member's people.
    membership = access_membership(actor=request.user, membership_id=membership_id)
    return _preferences_page(request, membership, own=membership.user_id == request.user.pk)
