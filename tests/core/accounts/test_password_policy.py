"""Password policy (CNIL 2022-100, ASVS 2.1) and the live strength meter."""

import logging

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.accounts.services import user_password_set
from core.errors import DomainError
from tests.conftest import host_of

UNICODE_PASSPHRASE = "nous partirons en vacances à la mer 🌊🐚 avec les enfants et le chien, 2027 ! " * 2


def refusal(password: str, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


def test_eleven_characters_are_refused_twelve_of_a_strong_phrase_accepted():
    assert any("trop court" in message and "12 caractères" in message for message in refusal("qz7!vk2#pl9"))
    assert refusal("qz7 vk2 pl9 w") == []


def test_a_common_password_is_refused_even_when_zxcvbn_likes_it():
    # In Django's list of common passwords; zxcvbn alone would score it 3.
    assert "Ce mot de passe est trop courant." in refusal("telechargement")


@pytest.mark.parametrize("password", ["azertyuiopqs", "motdepasse12", "123456789012", "aaaaaaaaaaaaaaaa"])
def test_weak_passwords_are_refused_in_french(password):
    messages = refusal(password)
    assert any("trop facile à deviner" in message for message in messages), messages


def test_long_unicode_passphrase_is_accepted_and_no_composition_rule_applies():
    assert len(UNICODE_PASSPHRASE) > 128
    assert refusal(UNICODE_PASSPHRASE) == []
    assert refusal("une phrase toute en minuscules sans chiffre") == []  # no digit, capital or symbol needed


def test_absurd_length_is_refused_politely():
    assert any("trop long" in message for message in refusal("une phrase " * 40))


def test_the_person_s_own_words_weaken_a_password(organisations, alpha):
    with tenant_context(alpha):
        user = User(email="dominique.martin@alpha.test", full_name="Dominique Martin")
    assert any("trop facile" in message or "ressemble" in message for message in refusal("dominiquemartin", user))


@pytest.mark.django_db
def test_services_refuse_weak_passwords_with_field_messages(organisations, alpha):
    with tenant_context(alpha):
        user = User.objects.get(email="m1-user@alpha.test")
        with pytest.raises(DomainError) as refused:
            user_password_set(actor=user, user=user, password="motdepasse12")
        assert "password" in refused.value.errors
        user_password_set(actor=user, user=user, password=UNICODE_PASSPHRASE)
        assert User.objects.get(pk=user.pk).check_password(UNICODE_PASSPHRASE)


# The meter


def meter_client(organisation) -> Client:
    return Client(HTTP_HOST=host_of(organisation), enforce_csrf_checks=True)


def csrf_token_of(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_meter_scores_in_french_and_is_announced_politely(organisations, alpha):
    client = meter_client(alpha)
    token = csrf_token_of(client, "/compte/mot-de-passe-oublie/")
    weak = client.post("/compte/mot-de-passe/force/", {"password": "azertyuiop"}, HTTP_X_CSRFTOKEN=token)
    assert weak.status_code == 200
    text = weak.content.decode()
    assert 'value="' in text and "Force :" in text
    assert "Encore 2 caractères au minimum." in text
    assert "Très faible" in text or "Faible" in text
    strong = client.post("/compte/mot-de-passe/force/", {"password": UNICODE_PASSPHRASE}, HTTP_X_CSRFTOKEN=token)
    assert "Très fort" in strong.content.decode() and "Ce mot de passe convient." in strong.content.decode()
    common = client.post("/compte/mot-de-passe/force/", {"password": "motdepasse123"}, HTTP_X_CSRFTOKEN=token)
    assert "Il ressemble à un mot de passe courant." in common.content.decode()  # zxcvbn's advice, in French


@pytest.mark.django_db
def test_meter_wants_post_and_csrf(organisations, alpha):
    client = meter_client(alpha)
    assert client.get("/compte/mot-de-passe/force/?password=azertyuiop").status_code == 405
    assert client.post("/compte/mot-de-passe/force/", {"password": "azertyuiop"}).status_code == 403


@pytest.mark.django_db
def test_meter_is_rate_limited_per_client(organisations, alpha, settings):
    from core.accounts import throttling

    client = meter_client(alpha)
    token = csrf_token_of(client, "/compte/mot-de-passe-oublie/")
    limit = throttling.METER_PER_CLIENT.count
    for _ in range(limit):
        assert client.post("/compte/mot-de-passe/force/", {"password": "x"}, HTTP_X_CSRFTOKEN=token).status_code == 200
    throttled = client.post("/compte/mot-de-passe/force/", {"password": "x"}, HTTP_X_CSRFTOKEN=token)
    assert throttled.status_code == 429 and "momentanément indisponible" in throttled.content.decode()
    other = client.post(
        "/compte/mot-de-passe/force/", {"password": "x"}, HTTP_X_CSRFTOKEN=token, REMOTE_ADDR="192.0.2.9"
    )
    assert other.status_code == 200


@pytest.mark.django_db
def test_meter_never_logs_the_password(organisations, alpha, caplog):
    client = meter_client(alpha)
    token = csrf_token_of(client, "/compte/mot-de-passe-oublie/")
    secret = "ma phrase tres secrete du meter"
    with caplog.at_level(logging.DEBUG):
        client.post("/compte/mot-de-passe/force/", {"password": secret}, HTTP_X_CSRFTOKEN=token)
        client.post("/compte/mot-de-passe/force/", {"password": secret})  # refused by CSRF, logged as 403
    assert secret not in caplog.text


@pytest.mark.django_db
def test_every_password_form_carries_the_meter(organisations, alpha, client_for):
    page = client_for(alpha, "m1-user@alpha.test").get("/compte/").content.decode()
    assert 'hx-post="/compte/mot-de-passe/force/"' in page
    assert 'hx-trigger="input changed delay:300ms"' in page
    assert 'hx-params="password"' in page  # never the current password
    assert 'id="password-meter"' in page and 'aria-live="polite"' in page
