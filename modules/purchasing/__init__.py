"""Module purchasing: achats."""
