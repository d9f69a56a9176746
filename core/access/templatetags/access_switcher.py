"""`{% member_switcher %}`: the header's "changer d'adhérent" and which member the person acts for."""

from django import template

from ..acting import memberships_of

register = template.Library()

# Past this many members the header links to the searchable "Mes adhérents" page instead.
SELECT_MAX = 15


@register.inclusion_tag("access/_switcher.html", takes_context=True)
def member_switcher(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"active_member": None}
    # Loaded once per request by the middleware: rendering the switcher costs no query.
    memberships = list(memberships_of(user).values())
    return {
        "memberships": memberships,
        "active_member": getattr(request, "active_member", None),
        "next": request.get_full_path(),
        "select_max": SELECT_MAX,
    }
