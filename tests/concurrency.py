"""Work run on connections of their own, so that it commits at once and can race.

The test's own connection sits in a transaction rolled back at the end, which other threads
(racers, a live server, a worker) never see; Django's connections are per thread, so a short
thread gives a separate, autocommitting one.
"""

import threading

from django.db import connections
from django_tenants.utils import tenant_context


def in_own_connection(organisation, work, *, timeout: float = 60) -> dict:
    """Run `work()` in the organisation's schema on a connection of its own, committed; returns
    {"value": ...} or {"error": ...}."""
    outcome: dict = {}

    def target():
        try:
            with tenant_context(organisation):
                outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=timeout)
    return outcome


def race(organisation, monkeypatch, *, module, meeting_point: str, works, when=lambda *args, **kwargs: True):
    """Run `works` at the same time. Each one, on reaching `module.<meeting_point>` (where `when`
    holds), waits for the others (2 s at most) before going on: with a row lock the second is
    still waiting for the lock, so they never meet; without it, both would pass their checks
    before either writes. Returns each work's outcome, in order."""
    barrier = threading.Barrier(len(works))
    real = getattr(module, meeting_point)

    def after_a_meeting(*args, **kwargs):
        if when(*args, **kwargs):
            try:
                barrier.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass
        return real(*args, **kwargs)

    monkeypatch.setattr(module, meeting_point, after_a_meeting)
    outcomes: list[dict] = [{} for _ in works]

    def run(index, work):
        outcomes[index] = in_own_connection(organisation, work, timeout=90)

    threads = [threading.Thread(target=run, args=(index, work)) for index, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes
