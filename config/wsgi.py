import os

from django.core.wsgi import get_wsgi_application
from django.urls import Resolver404, resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Django imports the URLconf (and with it every app's API and its schemas) on the first request
# a worker serves; do it at boot so no caller waits for it.
try:
    resolve("/")
except Resolver404:
    pass
