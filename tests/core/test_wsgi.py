"""The WSGI module gunicorn serves settles the heap once everything is loaded (``gc.freeze``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_application_freezes_what_was_loaded() -> None:
    script = (
        "import gc; before = gc.get_freeze_count(); import onestop.wsgi as w; "
        "print(before, gc.get_freeze_count(), callable(w.application))"
    )
    env = {**os.environ, "ONESTOP_DEV": "1", "DJANGO_SETTINGS_MODULE": "onestop.settings"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, after, is_callable = done.stdout.split()
    assert before == "0"
    # Django and every app: tens of thousands of objects the collector no longer walks.
    assert int(after) > 20_000
    assert is_callable == "True"
