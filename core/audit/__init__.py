"""Append-only log of every change made through a service."""
