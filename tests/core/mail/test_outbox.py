"""E-mails leave through the outbox over real SMTP (to a local sink), once, after commit."""

import re

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from core.accounts.models import StaffRole, User
from core.accounts.services import user_invite
from core.mail.models import OutgoingEmail
from core.mail.tasks import email_relay_pending

pytestmark = pytest.mark.django_db


def invite(organisation, email="new.admin@alpha.test"):
    return user_invite(
        actor=None,
        email=email,
        staff_role=StaffRole.ADMIN,
        accept_url_template=f"http://{organisation.slug}.localhost/compte/invitation/{{token}}/",
    )


def test_invitation_is_sent_after_commit_over_smtp(organisations, alpha, mail_sink, django_capture_on_commit_callbacks):
    mail_sink.clear()
    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(alpha)
        assert mail_sink.messages == []  # nothing leaves before the commit
    with tenant_context(alpha):
        for callback in callbacks:
            callback()
        assert OutgoingEmail.objects.get(to="new.admin@alpha.test").sent_at is not None
    [message] = mail_sink.messages
    assert message.recipients == ("new.admin@alpha.test",)
    assert "Alpha Union" in message.body and "/compte/invitation/" in message.body


def test_rolled_back_transaction_sends_nothing(organisations, alpha, mail_sink, django_capture_on_commit_callbacks):
    from django.db import transaction

    mail_sink.clear()
    with tenant_context(alpha):
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    invite(alpha, "ghost@alpha.test")
                    raise RuntimeError("abort")
            except RuntimeError:
                pass
        assert not OutgoingEmail.objects.filter(to="ghost@alpha.test").exists()
    assert mail_sink.messages == []


def test_relay_sends_what_a_failed_attempt_left_and_only_once(
    organisations, alpha, mail_sink, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    mail_sink.clear()
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the first attempt fails
    try:
        with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
            invite(alpha, "late@alpha.test")
    finally:
        settings.EMAIL_PORT = port
    with tenant_context(alpha):
        email = OutgoingEmail.objects.get(to="late@alpha.test")
        assert email.sent_at is None and email.attempts == 1 and email.last_error
        OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        assert email_relay_pending.delay().get() == 1
        assert email_relay_pending.delay().get() == 0
    assert [m.recipients for m in mail_sink.messages] == [("late@alpha.test",)]


def test_invitation_link_sets_the_password_once(
    organisations, alpha, client_for, mail_sink, django_capture_on_commit_callbacks
):
    mail_sink.clear()
    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
        invite(alpha, "chosen@alpha.test")
    link = re.search(r"http://[^/]+(/compte/invitation/[^/]+/)", mail_sink.messages[-1].body).group(1)
    client = client_for(alpha)
    assert client.get(link).status_code == 200
    weak = client.post(link, {"password": "short", "password_confirm": "short"})
    assert weak.status_code == 200 and "trop court" in weak.content.decode()
    strong = "une phrase de passe solide"
    response = client.post(link, {"password": strong, "password_confirm": strong})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # logged in
    assert client_for(alpha).get(link).status_code == 404  # spent
    with tenant_context(alpha):
        assert User.objects.get(email="chosen@alpha.test").check_password(strong)


def test_a_newer_invitation_voids_the_older_link(
    organisations, alpha, client_for, mail_sink, django_capture_on_commit_callbacks
):
    mail_sink.clear()
    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
        invite(alpha, "twice@alpha.test")
        invite(alpha, "twice@alpha.test")
    first, second = (re.search(r"(/compte/invitation/[^/]+/)", m.body).group(1) for m in mail_sink.messages)
    client = client_for(alpha)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_alpha_invitation_link_does_not_work_on_beta(
    organisations, alpha, beta, client_for, mail_sink, django_capture_on_commit_callbacks
):
    mail_sink.clear()
    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
        invite(alpha, "crosser@alpha.test")
    link = re.search(r"(/compte/invitation/[^/]+/)", mail_sink.messages[-1].body).group(1)
    assert client_for(beta).get(link).status_code == 404


def test_broker_down_does_not_fail_the_request_and_the_outbox_keeps_the_mail(
    organisations, alpha, django_capture_on_commit_callbacks
):
    from config.celery_app import app

    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    app._after_fork()  # drop connection pools made for the real broker, as Celery does after a fork
    try:
        with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
            invite(alpha, "broker.down@alpha.test")  # the send after commit fails: logged, not raised
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
        app._after_fork()
    with tenant_context(alpha):
        assert OutgoingEmail.objects.get(to="broker.down@alpha.test").sent_at is None  # relayed later
