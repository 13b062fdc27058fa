import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convener.settings")
application = get_wsgi_application()

# Import every view now (the review's statistics libraries take a second), so that the
# first visitors after a start or a deploy do not wait for it, nor queue behind it.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
