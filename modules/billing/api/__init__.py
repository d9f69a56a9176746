"""The billing API, mounted at /api/billing/ (routes in urls.py)."""
