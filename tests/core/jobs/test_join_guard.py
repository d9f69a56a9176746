"""Eager tasks in two threads at once must not leave Celery's join guard set for the whole session
(see `_celery_join_guard_per_thread` in tests/conftest.py)."""

import threading

import celery.result
from celery.result import denied_join_result


def test_interleaved_eager_runs_leave_the_guard_down():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with denied_join_result():  # what an eager task's run does
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with denied_join_result():
            second_in.set()
            first_out.wait(5)  # leaves after the first: with one global flag, it would restore "set"

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not celery.result.task_join_will_block()
    celery.result.assert_will_not_block()  # what `.get()` checks: no RuntimeError
