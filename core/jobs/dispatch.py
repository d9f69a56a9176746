"""Send tasks after commit, in the schema that was current when they were asked for.

`transaction.on_commit` callbacks run when the outermost block ends, possibly after the code has
left `tenant_context()`: the schema is captured now and restored for the send. A send that fails
(broker down) is logged and does not fail the request whose data is already committed: what
must not be lost has an outbox row that a periodic job relays.
"""

from django.db import connection, transaction
from django_tenants.utils import schema_context


def enqueue_on_commit(task, *args, **kwargs) -> None:
    schema_name = connection.schema_name

    def send() -> None:
        with schema_context(schema_name):
            task.delay(*args, **kwargs)

    transaction.on_commit(send, robust=True)
