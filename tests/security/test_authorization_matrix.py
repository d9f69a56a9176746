"""Every route × every actor × objects of M1, M2 and another organisation (SECURITY-MATRIX 1-4).

Forbidden cells answer 302 to the login page (anonymous), 401, 403 or 404, and never show the
object; no answer of any cell shows data of a member or organisation the actor has no part in.
A route of the resolver without an entry in `matrix.ROUTES` fails `test_every_route_has_an_entry`.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import host_of
from tests.modules.billing.conftest import in_alpha  # noqa: F401 - fixtures named by Route.fixtures
from tests.modules.billing.stripe_server import localpay, payments_on  # noqa: F401
from tests.security.matrix import ACTORS, ANONYMOUS, OTHER_STAFF, ROUTES, STAFF, Route
from tests.security.scene import FOREIGN_MARKERS, Scene
from tests.world import PASSWORD, person

FORBIDDEN = {401, 403, 404}


def route_names(urlconf: str) -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")

    return set(walk(get_resolver(urlconf).url_patterns))


def test_every_route_has_an_entry():
    routes = route_names(settings.ROOT_URLCONF)
    entries = {route.name for route in ROUTES}
    assert routes - entries == set(), "routes without an authorization matrix entry"
    assert entries - routes == set(), "matrix entries for routes that no longer exist"


def _cells():
    for route in ROUTES:
        for owner in route.allowed:
            for actor in ACTORS:
                yield pytest.param(route, owner, actor, id=f"{route.name}|{owner}|{actor}")


def _login(client: Client, email: str) -> None:
    response = client.post("/compte/connexion/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, f"login of {email} failed"


def client_as(actor: str, alpha, beta) -> Client:
    client = Client(HTTP_HOST=host_of(alpha))
    if actor == ANONYMOUS:
        return client
    if actor == OTHER_STAFF:  # beta's administrator replays their beta session on alpha's host
        beta_client = Client(HTTP_HOST=host_of(beta))
        _login(beta_client, "admin@beta.test")
        client.cookies["sessionid"] = beta_client.cookies["sessionid"].value
        return client
    _login(client, "admin@alpha.test" if actor == STAFF else person("alpha", actor))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "owner", "actor"), list(_cells()))
def test_cell(route: Route, owner, actor, alpha, beta, request):
    for name in route.fixtures:
        request.getfixturevalue(name)
    kwargs, query, marker = dict(route.extra_kwargs), {}, None
    if route.object_kind:
        object_id, marker = Scene(alpha, beta).object(route.object_kind, owner)
        (query if route.in_query else kwargs)[route.kwarg] = object_id
    url = reverse(route.name, kwargs=kwargs or None) + (f"?{urlencode(query)}" if query else "")
    client = client_as(actor, alpha, beta)
    data = route.data() if route.data else {}
    response = client.post(url, data) if route.method == "POST" else client.generic(route.method, url)

    assert response.status_code < 500
    content = b"".join(response.streaming_content) if response.streaming else response.content
    body = content.decode(errors="replace")
    for foreign in FOREIGN_MARKERS[actor]:
        assert foreign not in body, f"{actor} sees {foreign!r} on {url}"
    if route.open_to_all:
        return
    if actor in route.allowed[owner]:
        assert response.status_code < 400, f"{actor} refused on {url}: {response.status_code}"
        return
    if response.status_code == 302:
        assert actor in (ANONYMOUS, OTHER_STAFF), f"{actor} redirected from {url}"
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code in FORBIDDEN, f"{actor} got {response.status_code} on {url}"
    if marker:
        assert marker not in body
