"""An answer and its e-mail are sent once even if the worker dies in the middle of sending it.

A real `celery worker` process picks the delivery up and talks to an SMTP server that stalls
before answering DATA; the test kills it with SIGKILL there, starts a new worker (short broker
visibility timeout, so Redis hands the unacknowledged task out again), and checks the mail sink.
The data must be committed for the worker processes to see it: the test writes in alpha through a
connection of its own (in a thread, autocommit) and deletes what it wrote at the end.
"""

import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction
from django_tenants.utils import tenant_context
from kombu import Exchange, Queue

from config.celery_app import app
from core.audit.models import AuditEntry
from core.mail.models import OutgoingEmail
from core.notifications.models import Notification
from modules.questions.models import Message, MessageKind, Question
from modules.questions.services import question_answer, question_assign
from tests.modules.questions.conftest import ask, user

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 20  # seconds; generous for a loaded machine, the test usually takes a few seconds
SUBJECT = "Licenciement économique (test du redémarrage)"
CLEANED = (OutgoingEmail, Notification, AuditEntry)  # rows the answer writes besides the question's

# A worker started through the app, so that a test can give it broker options of its own.
WORKER = """
import json, os, sys
from config.celery_app import app
app.conf.update(broker_transport_options={
    **app.conf.broker_transport_options, **json.loads(os.environ["TEST_BROKER_OPTIONS"])
})
app.worker_main(sys.argv[1:])
"""


def _database_url() -> str:
    db = connection.settings_dict
    host = "" if db["HOST"].startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db.get("PORT") and host else ""
    query = f"?host={db['HOST']}" if db["HOST"].startswith("/") else ""
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{host}{port}/{db['NAME']}{query}"


def start_worker(queue: str, *, email_port: int, broker_options: dict) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ADHERA_CELERY_EAGER": "0",
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(email_port),
        "TEST_BROKER_OPTIONS": json.dumps(broker_options),
    }
    command = [sys.executable, "-c", WORKER, "worker", "--pool=solo", "-Q", queue]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_for(condition, what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"Timed out waiting for {what}.")


def row_unlocked(email_id: int) -> bool:
    try:
        with transaction.atomic():
            OutgoingEmail.objects.select_for_update(nowait=True).get(pk=email_id)
    except OperationalError:
        return False
    return True


class _StallingHandler(socketserver.StreamRequestHandler):
    """Speaks SMTP up to DATA, then never answers."""

    def handle(self):
        self.wfile.write(b"220 stalling.test ESMTP\r\n")
        for line in self.rfile:
            command = line.strip().upper()
            if command.startswith(b"DATA"):
                self.server.reached_data.set()
                self.server.release.wait(DEADLINE)
                return
            if command.startswith(b"QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            self.wfile.write(b"250 stalling.test\r\n" if command.startswith((b"EHLO", b"HELO")) else b"250 OK\r\n")


class StallingSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _StallingHandler)
        self.reached_data = threading.Event()
        self.release = threading.Event()

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.shutdown()
        self.server_close()


class Committed:
    """Runs code in alpha on a connection of its own, in autocommit: what it writes is committed
    and visible to worker processes, while the test itself keeps pytest-django's transaction."""

    def __init__(self, organisation):
        self.organisation = organisation
        self.executor = ThreadPoolExecutor(max_workers=1)

    def __call__(self, function, *args, **kwargs):
        def run():
            with tenant_context(self.organisation):
                return function(*args, **kwargs)

        return self.executor.submit(run).result(timeout=DEADLINE)

    def close(self):
        self.executor.submit(lambda: connection.close()).result()  # the thread's own connection
        self.executor.shutdown()


@pytest.fixture
def committed(in_alpha):
    """Alpha on an autocommit connection; the rows this test writes there are deleted after it."""
    run = Committed(in_alpha)

    def marks():
        return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for model in CLEANED}

    def clean(last):
        Question.objects.filter(subject=SUBJECT).delete()
        for model, pk in last.items():
            model.objects.filter(pk__gt=pk).delete()

    last = run(marks)
    try:
        yield run
    finally:
        run(clean, last)
        run.close()


@dataclass
class Broker:
    queue: str
    # The test's workers keep their unacknowledged messages under keys of their own, so that the
    # short visibility timeout of the second one never hands out another process's tasks.
    options: dict


@pytest.fixture
def broker():
    """Send deliveries to a queue only this test's workers read; PDF prints to one nobody reads."""
    tag = uuid.uuid4().hex[:8]
    queue, discard = f"test-restart-{tag}", f"test-discard-{tag}"
    options = {f"unacked_{key}": f"test-restart-{tag}-{key}" for key in ("key", "index_key", "mutex_key")}
    previous = app.conf.task_routes
    app.conf.update(
        task_always_eager=False,
        task_routes={"mail.deliver": {"queue": queue}, "questions.pdf_render": {"queue": discard}},
    )
    try:
        yield Broker(queue=queue, options=options)
    finally:
        app.conf.update(task_always_eager=True, task_routes=previous)
        # Kombu's Redis transport deletes a queue through the bindings its channel declared.
        with app.connection_for_write() as conn:
            for name in (queue, discard):
                bound = Queue(name, Exchange(name, "direct"), routing_key=name)(conn.default_channel)
                bound.declare()
                bound.delete()
            conn.default_channel.client.delete(*options.values())


def test_an_answer_and_its_email_are_sent_once_when_the_worker_is_killed_while_sending(committed, broker, mail_sink):
    jurist = user("jurist@alpha.test")
    question = committed(ask, subject=SUBJECT)
    question = committed(question_assign, actor=jurist, question=question, assignee=jurist)
    mail_sink.clear()
    workers = []
    try:
        with StallingSmtp() as stalling:
            # Production's broker options: a dead worker's task comes back after an hour.
            workers.append(
                start_worker(broker.queue, email_port=stalling.server_address[1], broker_options=broker.options)
            )
            committed(question_answer, actor=jurist, question=question, body="<p>La procédure est la suivante.</p>")
            email = OutgoingEmail.objects.get(to="m1-admin@alpha.test", subject__contains=question.number)
            assert wait_for(lambda: stalling.reached_data.wait(0.1), "the worker to reach DATA")
            os.kill(workers[0].pid, signal.SIGKILL)
            assert workers[0].wait(timeout=DEADLINE) == -signal.SIGKILL
        # The dead worker's transaction is rolled back: the row is unsent, untouched and unlocked
        # (PostgreSQL ends the session once it sees the connection closed).
        wait_for(lambda: committed(row_unlocked, email.pk), "the dead worker's row lock to go")
        email.refresh_from_db()
        assert email.sent_at is None and email.attempts == 0
        assert mail_sink.messages == []

        workers.append(
            start_worker(
                broker.queue,
                email_port=mail_sink.port,
                broker_options={
                    **broker.options,
                    "visibility_timeout": 1,
                    "unacked_restore_interval": 1,
                    "unacked_restore_throttle": 1,
                },
            )
        )
        wait_for(lambda: OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists(), "the e-mail")
        # The relay job, run by the new worker after the redelivered task, finds nothing to resend.
        committed(
            lambda: OutgoingEmail.objects.filter(pk=email.pk).update(created_at=email.created_at.replace(year=2000))
        )
        from core.mail.tasks import email_relay_pending

        assert email_relay_pending.apply_async(queue=broker.queue).get(timeout=DEADLINE) == 0
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=DEADLINE)

    received = [m for m in mail_sink.messages if question.number in m.subject]
    assert len(received) == 1
    assert received[0].recipients == ("m1-admin@alpha.test",)
    assert "Nos juristes ont répondu à la question" in received[0].body
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    assert Message.objects.filter(question=question, kind=MessageKind.ANSWER).count() == 1
    assert Question.objects.get(pk=question.pk).status == "answered"
