"""Module billing: cotisations et factures."""
