"""A live platform (threaded WSGI server on the test database) and Debian's Chromium via Playwright.

Without Chromium the browser tests are skipped with a visible reason, unless
ADHERA_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails the run.
"""

import os
import shutil
import threading

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from tests.browser import steps


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium): browser tests skipped"
        if os.environ.get("ADHERA_REQUIRE_BROWSER") == "1":
            pytest.fail(message.replace("skipped", "required here"), pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def live_platform(organisations, django_db_blocker):
    """Serve the whole platform on 127.0.0.1; hosts are <slug>.localhost:<port> as in development."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    port = server.server_address[1]
    previous = settings.PLATFORM_SCHEME, settings.PLATFORM_PORT
    settings.PLATFORM_SCHEME, settings.PLATFORM_PORT = "http", str(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        yield port
        server.shutdown()
        server.server_close()
    settings.PLATFORM_SCHEME, settings.PLATFORM_PORT = previous


@pytest.fixture
def browser_page(chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


@pytest.fixture
def written_rows_cleanup(organisations):
    """Delete, after the test, every question, notification, e-mail and journal entry the live
    server committed in alpha during it (rows above the marks taken before), and their files."""
    from core.audit.models import AuditEntry
    from core.mail.models import OutgoingEmail
    from core.notifications.models import Notification
    from modules.questions.models import Question

    alpha = organisations["alpha"]
    models = (Question, Notification, OutgoingEmail, AuditEntry)

    def marks():
        return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in models}

    before = steps.committed(alpha, marks)
    yield

    def delete():
        for question in Question.objects.filter(pk__gt=before[Question]):
            for attachment in question.attachments.all():
                attachment.file.delete(save=False)
            if question.pdf:
                question.pdf.delete(save=False)
        for model, last in before.items():
            model.objects.filter(pk__gt=last).delete()

    steps.committed(alpha, delete)


def _billing_models():
    from modules.billing import models

    # Children first: the database refuses an invoice deleted before its lines or payments.
    return (
        models.PaymentAllocation,
        models.Payment,
        models.CheckoutAttempt,
        models.StripeEvent,
        models.InvoiceDocument,
        models.InvoiceLine,
        models.Invoice,
        models.RunSkip,
        models.InvoicingRun,
        models.ReminderSent,
        models.AnnualDeclaration,
        models.ContributionBracket,
        models.ContributionRule,
        models.DeclarationCampaign,
        models.PaymentAccount,
    )


@pytest.fixture
def billing_rows_cleanup(organisations, written_rows_cleanup):
    """Delete, after the test, every billing row the live server committed in alpha during it (rows
    above the marks taken before), the PDFs printed, and give the number series and the module's
    settings their values back (other tests expect an organisation that has not set them).

    Issued invoices are final (a trigger refuses to delete them): the cleanup switches triggers off
    for its own transaction only (`session_replication_role`), as a restore would."""
    from django.db import connection, transaction

    from core.modules.models import ModuleSettings
    from modules.billing.models import InvoiceDocument, NumberSeries

    alpha = organisations["alpha"]

    def marks():
        last = {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in models}
        stored = ModuleSettings.objects.filter(key="billing").values_list("values", flat=True).first()
        return last, dict(NumberSeries.objects.values_list("kind", "next_value")), stored

    models = _billing_models()
    before, series, settings_stored = steps.committed(alpha, marks)
    yield

    def delete():
        for document in InvoiceDocument.objects.filter(pk__gt=before[InvoiceDocument]):
            document.file.delete(save=False)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for model in models:
                rows = model.objects.filter(pk__gt=before[model])
                if model.__name__ == "Invoice":
                    rows.filter(corrects__isnull=False).delete()  # credit notes before what they correct
                rows.delete()
            for kind, next_value in series.items():
                NumberSeries.objects.filter(kind=kind).update(next_value=next_value)
            if settings_stored is None:
                ModuleSettings.objects.filter(key="billing").delete()
            else:
                ModuleSettings.objects.filter(key="billing").update(values=settings_stored)

    steps.committed(alpha, delete)
