"""Module health: santé au travail."""
