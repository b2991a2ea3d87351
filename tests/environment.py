"""A pytest plugin (``-p tests.environment``) loaded before Django's settings.

Tests run with the development settings (plain-HTTP test client, no collectstatic manifest);
the production settings are checked by ``tests/core/test_settings.py``.
"""

import os

os.environ.setdefault("ONESTOP_DEV", "1")
os.environ.setdefault("ONESTOP_DEBUG", "0")
