"""WSGI entry point. Adhera is served over WSGI only: django-tenants' schema is per thread."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
