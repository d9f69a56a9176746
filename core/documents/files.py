"""Storing checked uploads, and stored files that must not outlive a failed write."""

import uuid
from contextlib import contextmanager

from .checks import CheckedUpload


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


def upload_store(record, upload: CheckedUpload, *, written: list) -> None:
    """Fill `record`'s `file`, `original_name`, `content_type` and `size` from a checked upload,
    the file stored under a server-generated name and listed in `written` (see above)."""
    record.original_name = upload.name
    record.content_type = upload.type.content_type
    record.size = upload.file.size
    record.file.save(f"{uuid.uuid4().hex}{upload.type.extension}", upload.file, save=False)
    written.append((record.file.storage, record.file.name))
