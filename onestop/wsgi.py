"""The WSGI application gunicorn serves (``onestop.wsgi:application``).

Once Django and every app are loaded, the heap is settled (``core.heap.settle``: the objects
loaded so far moved out of the garbage collector's sight), so a full collection does not walk
them again on whichever request happens to trigger it.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

application = get_wsgi_application()

from onestop.core.heap import settle  # noqa: E402  (Django is set up by the line above)

settle()
