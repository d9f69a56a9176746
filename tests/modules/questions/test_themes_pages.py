"""The organisation administrator's themes pages: create, rename, reorder, switch off."""

import html
import re

import pytest
from django_tenants.utils import tenant_context

from modules.questions.models import SubTheme, Theme
from tests.modules.questions.conftest import ask, theme

pytestmark = pytest.mark.django_db

ADMIN, JURIST, CONTACT = "admin@alpha.test", "jurist@alpha.test", "m1-admin@alpha.test"
THEMES = "/questions/themes/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def theme_names(page: str) -> list[str]:
    return re.findall(r'<li class="card theme" id="theme-\d+">\s*<div class="module-row">\s*<h2>([^<]+)</h2>', page)


def theme_block(page: str, theme_id: int) -> str:
    return page.split(f'id="theme-{theme_id}"', 1)[1].split('<li class="card theme"', 1)[0]


def sub_theme_names(page: str, theme_id: int) -> list[str]:
    return re.findall(r'<span class="sub-theme-name">([^<]+)</span>', theme_block(page, theme_id))


def get_theme(alpha, name: str) -> Theme:
    with tenant_context(alpha):
        return theme(name)


@pytest.fixture
def admin(alpha, client_for):
    return client_for(alpha, ADMIN)


def test_only_organisation_administrators_manage_themes(alpha, client_for):
    contract = get_theme(alpha, "Contrat de travail")
    for email in (JURIST, CONTACT):
        client = client_for(alpha, email)
        assert client.get(THEMES).status_code == 403, email
        assert client.post(THEMES, {"name": "Intrus"}).status_code == 403, email
        assert client.get(f"{THEMES}{contract.pk}/").status_code == 403, email
        assert client.post(f"{THEMES}{contract.pk}/deplacer/", {"direction": "down"}).status_code == 403, email
    with tenant_context(alpha):
        assert not Theme.objects.filter(name="Intrus").exists()


def test_list_shows_themes_in_order_with_sub_themes_and_counts(alpha, admin):
    with tenant_context(alpha):
        ask()
        ask(subject="Encore")
    contract = get_theme(alpha, "Contrat de travail")
    page = text(admin.get(THEMES))
    names = theme_names(page)
    assert names[:3] == ["Contrat de travail", "Durée du travail", "Paie et rémunération"]
    assert sub_theme_names(page, contract.pk)[:2] == ["Embauche", "Période d'essai"]
    assert "2 questions" in theme_block(page, contract.pk)
    assert "0 questions" in theme_block(page, get_theme(alpha, "Durée du travail").pk)


def test_create_a_theme_placed_last_and_refusals_beside_the_field(alpha, admin):
    response = admin.post(THEMES, {"name": "Formation professionnelle"}, follow=True)
    page = text(response)
    assert "Thème « Formation professionnelle » ajouté." in page
    assert theme_names(page)[-1] == "Formation professionnelle"
    duplicate = text(admin.post(THEMES, {"name": "formation PROFESSIONNELLE"}))
    assert re.search(r'<p class="error" id="new_theme_name_error">Un thème porte déjà ce nom.</p>', duplicate)
    empty = text(admin.post(THEMES, {"name": "   "}))
    assert re.search(r'<p class="error" id="new_theme_name_error">Indiquez un nom.</p>', empty)
    with tenant_context(alpha):
        assert Theme.objects.filter(name__iexact="formation professionnelle").count() == 1


def test_rename_a_theme(alpha, admin):
    pay = get_theme(alpha, "Paie et rémunération")
    form = text(admin.get(f"{THEMES}{pay.pk}/"))
    assert 'value="Paie et rémunération"' in form and "Proposé aux adhérents" in form
    response = admin.post(f"{THEMES}{pay.pk}/", {"name": "Rémunération", "is_active": "on"}, follow=True)
    assert "Thème « Rémunération » enregistré." in text(response)
    assert "Rémunération" in theme_names(text(response))
    clash = text(admin.post(f"{THEMES}{pay.pk}/", {"name": "Contrat de travail", "is_active": "on"}))
    assert "Un thème porte déjà ce nom." in clash
    assert get_theme(alpha, "Rémunération").is_active


def test_reorder_themes_up_and_down(alpha, admin):
    hours = get_theme(alpha, "Durée du travail")
    admin.post(f"{THEMES}{hours.pk}/deplacer/", {"direction": "up"})
    assert theme_names(text(admin.get(THEMES)))[:2] == ["Durée du travail", "Contrat de travail"]
    admin.post(f"{THEMES}{hours.pk}/deplacer/", {"direction": "down"})
    admin.post(f"{THEMES}{hours.pk}/deplacer/", {"direction": "down"})
    assert theme_names(text(admin.get(THEMES)))[:3] == [
        "Contrat de travail",
        "Paie et rémunération",
        "Durée du travail",
    ]
    assert admin.get(f"{THEMES}{hours.pk}/deplacer/").status_code == 405
    odd = admin.post(f"{THEMES}{hours.pk}/deplacer/", {"direction": "sideways"}, follow=True)
    assert "Indiquez s'il faut monter ou descendre." in text(odd)


def test_sub_themes_created_renamed_and_reordered(alpha, admin):
    contract = get_theme(alpha, "Contrat de travail")
    response = admin.post(f"{THEMES}{contract.pk}/sous-themes/", {"name": "Clause de non-concurrence"}, follow=True)
    page = text(response)
    assert "Sous-thème « Clause de non-concurrence » ajouté à « Contrat de travail »." in page
    assert sub_theme_names(page, contract.pk)[-1] == "Clause de non-concurrence"
    clash = text(admin.post(f"{THEMES}{contract.pk}/sous-themes/", {"name": "embauche"}))
    assert "Ce thème a déjà un sous-thème de ce nom." in clash
    with tenant_context(alpha):
        clause = SubTheme.objects.get(name="Clause de non-concurrence")
    admin.post(f"/questions/sous-themes/{clause.pk}/deplacer/", {"direction": "up"})
    assert sub_theme_names(text(admin.get(THEMES)), contract.pk)[-2] == "Clause de non-concurrence"
    admin.post(f"/questions/sous-themes/{clause.pk}/", {"name": "Non-concurrence"})  # switched off: box unticked
    page = text(admin.get(THEMES))
    assert "Non-concurrence" in sub_theme_names(page, contract.pk)
    with tenant_context(alpha):
        clause.refresh_from_db()
        assert clause.name == "Non-concurrence" and not clause.is_active


def test_unknown_ids_answer_404(admin):
    assert admin.get(f"{THEMES}999999/").status_code == 404
    assert admin.post(f"{THEMES}999999/sous-themes/", {"name": "x"}).status_code == 404
    assert admin.get("/questions/sous-themes/999999/").status_code == 404
    assert admin.post("/questions/sous-themes/999999/deplacer/", {"direction": "up"}).status_code == 404


def test_a_switched_off_theme_leaves_the_ask_form_and_stays_on_past_questions(alpha, admin, client_for):
    with tenant_context(alpha):
        question = ask(subject="Question d'avant", theme_id=theme("Durée du travail").pk)
    hours = get_theme(alpha, "Durée du travail")
    contact = client_for(alpha, CONTACT)
    assert "Durée du travail" in text(contact.get("/questions/nouvelle/"))
    response = admin.post(f"{THEMES}{hours.pk}/", {"name": "Durée du travail"}, follow=True)  # box unticked
    page = text(response)
    block = theme_block(page, hours.pk)
    assert "Désactivé" in block and "1 question" in block
    ask_page = text(contact.get("/questions/nouvelle/"))
    assert "Durée du travail" not in ask_page and "Contrat de travail" in ask_page
    assert "Durée du travail" in text(contact.get(f"/questions/{question.pk}/"))
    assert "Durée du travail" in text(client_for(alpha, JURIST).get("/questions/a-traiter/"))
