"""Outgoing e-mail through an outbox: written in the caller's transaction, relayed by a task."""
