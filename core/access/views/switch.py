""" "Changer d'adhérent": the list of the members a person acts for, and the switch itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.web.redirects import same_site_url

from ..forms import SwitchForm, SwitchSearchForm
from ..selectors import member_switch_list
from ..services import active_member_choose


@login_required
def switch_page(request):
    """GET: "Mes adhérents", searchable; POST: act for the chosen member from now on."""
    if request.method == "POST":
        form = SwitchForm(request.POST)
        if not form.is_valid():
            raise Http404
        try:
            membership = active_member_choose(request=request, member_id=form.cleaned_data["member"])
        except DomainError as error:
            raise Http404 from error  # not one of theirs: the same answer as a missing member
        messages.success(request, _("Vous agissez maintenant pour %(member)s.") % {"member": membership.member})
        return redirect(same_site_url(request, form.cleaned_data.get("next"), "/"))
    search = SwitchSearchForm(request.GET)
    search.is_valid()
    query = search.cleaned_data.get("q", "")
    context = {
        "search": search,
        "query": query,
        "memberships": member_switch_list(actor=request.user, query=query),
        "active_member": getattr(request, "active_member", None),
    }
    return render(request, "access/switch.html", context)
