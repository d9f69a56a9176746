"""An invoicing batch survives its worker being killed in the middle: every member ends with exactly
one invoice and the numbers have no gap.

A real `celery worker` process runs the batch. The test holds the invoice series' row lock once
the worker has issued a few invoices, so that the worker waits inside its next invoice; it is then
killed with SIGKILL. A new worker (short broker visibility timeout, so Redis hands the
unacknowledged batch out again) runs the whole batch again and finishes the run. The data must be
committed for the worker processes to see it: it lives in a scratch organisation dropped after
the module (issued invoices cannot be deleted).
"""

import os
import signal
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django_tenants.utils import tenant_context
from kombu import Exchange, Queue

from config.celery_app import app
from core.audit.models import AuditEntry
from core.members.services import member_create
from modules.billing.models import Invoice, InvoiceKind, InvoicingRun, NumberSeries, RunStatus
from modules.billing.services.runs import invoicing_run_start
from tests.concurrency import in_own_connection
from tests.modules.questions.test_worker_restart import start_worker, wait_for
from tests.world import siret_for

from .conftest import admin, open_campaign
from .scratch import scratch_organisation

pytestmark = pytest.mark.django_db

DEADLINE = 60  # seconds; generous for a loaded machine, the test usually takes about ten
MEMBERS = 120  # besides Société Un and Société Deux: one batch, long enough to be stopped midway
INVOICED_BEFORE_THE_KILL = 5


@pytest.fixture(scope="module")
def scratch(organisations, django_db_blocker):
    with scratch_organisation(django_db_blocker, "billing-restart") as organisation:
        yield organisation


@pytest.fixture
def broker():
    """Batches go to a queue only this test's workers read; PDFs and e-mails to one nobody reads."""
    tag = uuid.uuid4().hex[:8]
    queue, discard = f"test-billing-restart-{tag}", f"test-billing-discard-{tag}"
    options = {f"unacked_{key}": f"test-billing-restart-{tag}-{key}" for key in ("key", "index_key", "mutex_key")}
    previous = app.conf.task_routes
    app.conf.update(
        task_always_eager=False,
        task_routes={"billing.invoicing_batch": {"queue": queue}, "*": {"queue": discard}},
    )
    try:
        yield queue, options
    finally:
        app.conf.update(task_always_eager=True, task_routes=previous)
        with app.connection_for_write() as conn:
            for name in (queue, discard):
                bound = Queue(name, Exchange(name, "direct"), routing_key=name)(conn.default_channel)
                bound.declare()
                bound.delete()
            conn.default_channel.client.delete(*options.values())


class SeriesLock:
    """Holds the invoice series' row lock on a connection of its own until released."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.held, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        try:
            with tenant_context(self.organisation), transaction.atomic():
                NumberSeries.objects.select_for_update().get(kind=InvoiceKind.INVOICE)
                self.held.set()
                self.release.wait(DEADLINE)
        finally:
            connections.close_all()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(DEADLINE), "the series lock was not taken"
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(DEADLINE)


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def series_unlocked() -> bool:
    from django.db import OperationalError

    try:
        with transaction.atomic():
            NumberSeries.objects.select_for_update(nowait=True).get(kind=InvoiceKind.INVOICE)
    except OperationalError:
        return False
    return True


def invoice_count() -> int:
    return Invoice.objects.filter(kind=InvoiceKind.INVOICE).count()


def test_a_batch_finishes_once_when_its_worker_is_killed_midway(scratch, broker, mail_sink):
    queue, options = broker

    def prepare():
        for index in range(MEMBERS):
            member_create(actor=admin(), name=f"Adhérent {index:03d}", identifier=siret_for(1000 + index))
        # A cotisation of 100 € for every member, declared or not.
        campaign = open_campaign(brackets=[], per_head_amount="0", fixed_amount="100", minimum="0", maximum="")
        return campaign.pk

    prepared = in_own_connection(scratch, prepare)
    assert "error" not in prepared, prepared
    members = MEMBERS + 2

    workers = []
    try:
        # Production's broker options: a dead worker's task would come back after an hour.
        workers.append(start_worker(queue, email_port=mail_sink.port, broker_options=options))

        def start():
            from modules.billing.models import DeclarationCampaign

            return invoicing_run_start(actor=admin(), campaign=DeclarationCampaign.objects.get(pk=prepared["value"])).pk

        started = in_own_connection(scratch, start)
        assert "error" not in started, started
        with tenant_context(scratch):
            deadline = time.monotonic() + DEADLINE
            while invoice_count() < INVOICED_BEFORE_THE_KILL and time.monotonic() < deadline:
                time.sleep(0.005)
            with SeriesLock(scratch):
                wait_for(someone_waits_for_a_lock, "the worker to wait for the series", timeout=DEADLINE)
                before_kill = dict(Invoice.objects.values_list("member_id", "number"))
                assert INVOICED_BEFORE_THE_KILL <= len(before_kill) < members, len(before_kill)
                os.kill(workers[0].pid, signal.SIGKILL)
                assert workers[0].wait(timeout=DEADLINE) == -signal.SIGKILL
            # The dead worker's transaction is rolled back once PostgreSQL sees its connection gone.
            wait_for(lambda: in_own_connection(scratch, series_unlocked).get("value"), "the dead worker's lock to go")
            assert invoice_count() == len(before_kill)
            assert InvoicingRun.objects.get(pk=started["value"]).status == RunStatus.RUNNING

            workers.append(
                start_worker(
                    queue,
                    email_port=mail_sink.port,
                    broker_options={
                        **options,
                        "visibility_timeout": 1,
                        "unacked_restore_interval": 1,
                        "unacked_restore_throttle": 1,
                    },
                )
            )
            wait_for(
                lambda: InvoicingRun.objects.filter(pk=started["value"], status=RunStatus.DONE).exists(),
                "the new worker to finish the run",
                timeout=DEADLINE,
            )
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=DEADLINE)

    with tenant_context(scratch):
        per_member = Invoice.objects.filter(kind=InvoiceKind.INVOICE).values("member").annotate(count=Count("id"))
        assert len(per_member) == members and {row["count"] for row in per_member} == {1}
        assert sorted(Invoice.objects.values_list("number", flat=True)) == [
            f"FAC-{value:06d}" for value in range(1, members + 1)
        ]
        assert NumberSeries.objects.get(kind=InvoiceKind.INVOICE).next_value == members + 1
        # What the first worker had issued is untouched.
        after = dict(Invoice.objects.values_list("member_id", "number"))
        assert {member_id: after[member_id] for member_id in before_kill} == before_kill
        assert AuditEntry.objects.filter(action="billing.run_done").count() == 1
