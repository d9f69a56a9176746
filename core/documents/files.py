"""Stored files that must not outlive a failed write."""

from contextlib import contextmanager


@contextmanager
def files_removed_on_failure():
    """Yields a list; append `(storage, name)` for each file saved inside the block. If the block
    raises (its transaction included, when opened inside), those files are deleted again.

    Put it outside `transaction.atomic()` so that a failed commit is seen too."""
    written: list[tuple] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
