"""The WSGI application gunicorn serves (``onestop.wsgi:application``).

Once Django and every app are loaded, the objects loaded so far (modules, classes, settings,
URL patterns: a couple of hundred thousand, alive for the process's life) are moved out of the
garbage collector's sight with ``gc.freeze()``, as CPython's documentation suggests for a server
process.  A full collection otherwise walks all of them again: about a tenth of a second, every
hundred or so pages, on whichever request happens to trigger it.  Objects made by requests are
collected as before.
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

application = get_wsgi_application()


def settle() -> None:
    """Collect what loading left behind, then freeze the rest (see the module's docstring)."""
    gc.collect()
    gc.freeze()


settle()
