"""Module questions: questions juridiques."""
