"""The organisation administrator's pages for the questions' themes and sub-themes.

Themes are ordered, renamed and switched off, never deleted: past questions keep their theme.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.web.forms import form_show_refusal

from .. import selectors, services
from ..staff_forms import ThemeForm, ThemeNameForm

MANAGE = "questions.manage_themes"
OFFSETS = {"up": -1, "down": 1}


def _require_admin(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


def _list_url(anchor: str = "") -> str:
    return reverse("questions:themes") + (f"#{anchor}" if anchor else "")


def _posted(request):
    """The form's data: the POST's (empty ones too, so that they are refused), None on a GET."""
    return request.POST if request.method == "POST" else None


def _saved(request, form, save):
    """What `save(**form.cleaned_data)` saved from a valid POST; None otherwise, the service's
    refusal then shown on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(**form.cleaned_data)
    except DomainError as error:
        form_show_refusal(form, error)
        return None


def _back_to_list(request, text: str, theme_id: int):
    """Back to the list, at the theme just changed (or the theme of the sub-theme), saying what was done."""
    messages.success(request, text)
    return redirect(_list_url(f"theme-{theme_id}"))


def _form_page(request, form, *, title: str, intro: str = ""):
    return render(
        request,
        "questions/theme_form.html",
        {"form": form, "title": title, "intro": intro, "cancel_url": _list_url()},
    )


@login_required
def theme_list(request):
    """The themes in order with their sub-themes, and the form adding a theme."""
    _require_admin(request)
    form = ThemeNameForm(_posted(request), auto_id="new_theme_%s")
    theme = _saved(request, form, partial(services.theme_save, actor=request.user))
    if theme:
        return _back_to_list(request, _("Thème « %(name)s » ajouté.") % {"name": theme.name}, theme.pk)
    themes = list(selectors.theme_overview())
    return render(request, "questions/themes.html", {"themes": themes, "form": form})


@login_required
def theme_edit(request, theme_id: int):
    """Rename a theme or switch it off (no longer offered to members, its questions kept)."""
    _require_admin(request)
    theme = selectors.access_theme(actor=request.user, theme_id=theme_id)
    form = ThemeForm(_posted(request), initial={"name": theme.name, "is_active": theme.is_active})
    saved = _saved(request, form, partial(services.theme_save, actor=request.user, theme=theme))
    if saved:
        return _back_to_list(request, _("Thème « %(name)s » enregistré.") % {"name": saved.name}, theme.pk)
    return _form_page(request, form, title=_("Modifier le thème « %(name)s »") % {"name": theme.name})


@login_required
def sub_theme_create(request, theme_id: int):
    """Add a sub-theme to a theme (placed last)."""
    _require_admin(request)
    theme = selectors.access_theme(actor=request.user, theme_id=theme_id)
    form = ThemeNameForm(_posted(request))
    sub_theme = _saved(request, form, partial(services.sub_theme_save, actor=request.user, theme=theme))
    if sub_theme:
        text = _("Sous-thème « %(name)s » ajouté à « %(theme)s ».") % {"name": sub_theme.name, "theme": theme.name}
        return _back_to_list(request, text, theme.pk)
    return _form_page(request, form, title=_("Nouveau sous-thème de « %(name)s »") % {"name": theme.name})


@login_required
def sub_theme_edit(request, sub_theme_id: int):
    """Rename a sub-theme or switch it off."""
    _require_admin(request)
    sub_theme = selectors.access_sub_theme(actor=request.user, sub_theme_id=sub_theme_id)
    theme = sub_theme.theme
    form = ThemeForm(_posted(request), initial={"name": sub_theme.name, "is_active": sub_theme.is_active})
    save = partial(services.sub_theme_save, actor=request.user, theme=theme, sub_theme=sub_theme)
    saved = _saved(request, form, save)
    if saved:
        return _back_to_list(request, _("Sous-thème « %(name)s » enregistré.") % {"name": saved.name}, theme.pk)
    title = _("Modifier le sous-thème « %(name)s »") % {"name": sub_theme.name}
    return _form_page(request, form, title=title, intro=_("Thème : %(theme)s") % {"theme": theme.name})


def _move(request, item, anchor: str):
    """Move a theme or a sub-theme one place up or down, then back to it in the list."""
    offset = OFFSETS.get(request.POST.get("direction", ""))
    if offset is None:
        messages.error(request, _("Indiquez s'il faut monter ou descendre."))
    else:
        services.theme_move(actor=request.user, item=item, offset=offset)
    return redirect(_list_url(anchor))


@login_required
@require_POST
def theme_move(request, theme_id: int):
    """Move a theme one place up or down."""
    _require_admin(request)
    theme = selectors.access_theme(actor=request.user, theme_id=theme_id)
    return _move(request, theme, f"theme-{theme.pk}")


@login_required
@require_POST
def sub_theme_move(request, sub_theme_id: int):
    """Move a sub-theme one place up or down among its theme's."""
    _require_admin(request)
    sub_theme = selectors.access_sub_theme(actor=request.user, sub_theme_id=sub_theme_id)
    return _move(request, sub_theme, f"sub-theme-{sub_theme.pk}")
