"""Benchmarks route the tasks they cause to a queue no worker reads, then throw it away."""

from kombu import Exchange, Queue

from config.celery_app import app

DISCARD_QUEUE = "bench-discard"


def tasks_discarded() -> None:
    """Send every task to the discard queue (no worker of `make run` picks them up)."""
    app.conf.task_routes = {"*": {"queue": DISCARD_QUEUE}}


def discarded_tasks_drop() -> None:
    """Delete the discard queue and its messages. A queue is only known to a channel that
    declared it on kombu's Redis transport, so declare it before deleting it."""
    with app.connection_for_write() as conn:
        bound = Queue(DISCARD_QUEUE, Exchange(DISCARD_QUEUE, "direct"), routing_key=DISCARD_QUEUE)(conn.default_channel)
        bound.declare()
        bound.delete()
