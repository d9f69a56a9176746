"""The journal page: organisation administrators browse every entry, a member administrator
the entries about their active member."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .forms import JournalFilterForm
from .selectors import audit_entry_list, entry_diff, journal_member_id, member_names

PAGE_SIZE = 50
# What each family of actions is about, shown beside the action's code.
ACTION_DOMAINS = {
    "member": _("Adhérent"),
    "membership": _("Accès d'un utilisateur"),
    "user": _("Compte"),
    "document": _("Document"),
    "notification": _("Notifications"),
    "organisation": _("Organisation"),
    "privacy": _("Données personnelles"),
}


@login_required
def journal(request):
    member_id = journal_member_id(actor=request.user)
    organisation_wide = member_id is None
    form = JournalFilterForm(request.GET or None, organisation_wide=organisation_wide)
    filters = {}
    if form.is_bound:
        form.is_valid()  # an invalid filter is reported and left out; the valid ones still apply
        filters = form.filters()
    entries = audit_entry_list(actor=request.user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    names = member_names(page.object_list)
    rows = [
        {
            "entry": entry,
            "member_name": names.get(entry.member_id, ""),
            "domain": ACTION_DOMAINS.get(entry.action.split(".", 1)[0], ""),
            "diff": entry_diff(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "audit/journal.html",
        {"form": form, "page": page, "rows": rows, "organisation_wide": organisation_wide},
    )
