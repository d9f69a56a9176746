"""The main menu offers each person exactly the pages they may open (alpha: questions and billing on)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODULES = ("questions:home", "billing:home")
MEMBER_PAGES = ("members:profile", "access:contacts", "notifications:inbox")
EXPECTED = {
    "admin@alpha.test": ("members:list", "access:staff", "audit:journal", *MODULES, "modules:settings"),
    "jurist@alpha.test": ("members:list", *MODULES),
    "m1-admin@alpha.test": (*MEMBER_PAGES, "documents:list", "audit:journal", *MODULES),
    "m1-user@alpha.test": (*MEMBER_PAGES, *MODULES),
    "m1-delegate@alpha.test": (*MEMBER_PAGES, *MODULES),
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
