"""People who log in: platform operators (public schema) and each organisation's users (its schema)."""
