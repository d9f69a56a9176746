"""The main menu offers each person exactly the pages they may open (alpha: questions and billing on)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ("members:profile", "access:contacts", "notifications:inbox")
# Questions: "Questions juridiques" (questions:list) for people holding a questions right on their
# active member, "Questions à traiter" (questions:queue) for staff who work the questions.
EXPECTED = {
    "admin@alpha.test": (
        "members:list",
        "access:staff",
        "audit:journal",
        "questions:queue",
        "billing:home",
        "modules:settings",
    ),
    "jurist@alpha.test": ("members:list", "questions:queue", "billing:home"),
    "m1-admin@alpha.test": (*MEMBER_PAGES, "documents:list", "audit:journal", "questions:list", "billing:home"),
    # No right on M1: no questions entry at all; the delegate holds only members.change_member.
    "m1-user@alpha.test": (*MEMBER_PAGES, "billing:home"),
    "m1-delegate@alpha.test": (*MEMBER_PAGES, "billing:home"),
}


def menu_hrefs(html: str) -> set[str]:
    menu = re.search(r'<ul class="menu" id="main-menu".*?</ul>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', menu.group(0))) if menu else set()


@pytest.mark.parametrize("email", EXPECTED)
def test_the_menu_offers_exactly_the_pages_the_person_may_open(organisations, alpha, client_for, email):
    client = client_for(alpha, email)
    shown = menu_hrefs(client.get("/").content.decode())
    assert shown == {reverse(name) for name in EXPECTED[email]}
    for href in shown:
        assert client.get(href).status_code == 200, href


def test_no_menu_before_signing_in(organisations, alpha, client_for):
    assert menu_hrefs(client_for(alpha).get("/compte/connexion/").content.decode()) == set()


def menu_labels(html: str) -> list[str]:
    menu = re.search(r'<ul class="menu" id="main-menu".*?</ul>', html, re.S)
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", menu.group(0))] if menu else []


@pytest.mark.parametrize(
    ("email", "shown", "hidden"),
    [
        ("m1-admin@alpha.test", "Questions juridiques", "Questions à traiter"),
        ("jurist@alpha.test", "Questions à traiter", "Questions juridiques"),
        ("admin@alpha.test", "Questions à traiter", "Questions juridiques"),
    ],
)
def test_the_questions_entries_are_labelled_for_their_side(organisations, alpha, client_for, email, shown, hidden):
    labels = menu_labels(client_for(alpha, email).get("/").content.decode())
    assert shown in labels and hidden not in labels


def test_a_right_granted_shows_the_questions_entry(organisations, alpha, client_for):
    from django_tenants.utils import tenant_context

    from core.access.models import Membership

    client = client_for(alpha, "m1-user@alpha.test")
    assert reverse("questions:list") not in menu_hrefs(client.get("/").content.decode())
    with tenant_context(alpha):
        Membership.objects.filter(user__email="m1-user@alpha.test").update(rights=["questions.ask_question"])
    assert reverse("questions:list") in menu_hrefs(client.get("/").content.decode())
    assert client.get(reverse("questions:list")).status_code == 200


@pytest.mark.parametrize("email", ["admin@alpha.test", "jurist@alpha.test", "m1-admin@alpha.test"])
def test_a_module_switched_off_leaves_the_menu(organisations, alpha, client_for, email):
    from django_tenants.utils import tenant_context

    from tenants.services import organisation_module_set

    client = client_for(alpha, email)
    with tenant_context(alpha):
        organisation_module_set(actor=None, organisation=alpha, key="questions", enabled=False)
    html = client.get("/").content.decode()
    assert not {reverse("questions:list"), reverse("questions:queue")} & menu_hrefs(html)
    assert not {"Questions juridiques", "Questions à traiter"} & set(menu_labels(html))
