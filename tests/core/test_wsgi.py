"""The long-running processes settle the heap once everything is loaded (``core.heap``,
``gc.freeze``): the WSGI module gunicorn serves, and ``onestop worker`` before it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a Python of its own in the project, as a fresh process is."""
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
    return done


def test_loading_the_wsgi_application_freezes_what_was_loaded() -> None:
    script = (
        "import gc; before = gc.get_freeze_count(); import onestop.wsgi as w; "
        "print(before, gc.get_freeze_count(), callable(w.application))"
    )
    done = _run(script)
    before, after, is_callable = done.stdout.split()
    assert before == "0"
    # Django and every app: tens of thousands of objects the collector no longer walks.
    assert int(after) > 20_000
    assert is_callable == "True"


def test_the_worker_freezes_what_was_loaded_before_it_runs() -> None:
    """The worker's loop is replaced by one that reports the heap as the loop would find it
    (and returns at once): what Django, the apps and the steps' commands loaded is frozen."""
    script = (
        "import gc, django; django.setup(); "
        "from django.core.management import call_command; "
        "from onestop.core.management.commands import worker; "
        "before = gc.get_freeze_count(); "
        "worker.StepWorker.run = lambda self: print(before, gc.get_freeze_count(), "
        "'onestop.channels.services.imap' in __import__('sys').modules); "
        "call_command('worker', '--steps-interval', '60', verbosity=0)"
    )
    done = _run(script)
    before, after, imap_loaded = done.stdout.split()
    assert before == "0"
    assert int(after) > 20_000
    # The steps' modules (the IMAP poller's among them) were loaded before the freeze.
    assert imap_loaded == "True"
