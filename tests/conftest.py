"""Personas, shared fixtures and the per-database summary line.

Personas: ``advisor`` and ``team_leader`` at the demo council, ``partner_advisor`` at a partner
agency, ``administrator``, ``auditor``; each is a signed-in, two-factor-verified member of staff
when used through ``client_for``.
"""

from __future__ import annotations

import datetime
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from onestop.core.models import Organisation, RoleCode, User
from tests import factories, template_db
from tests.shared import shared_fixture


def pytest_configure(config: pytest.Config) -> None:
    # One migration a run, copied by every worker (tests/template_db.py).
    template_db.prepare_controller(config)
    template_db.install(config)
    # Tests do not need collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # No scheduled report files from the workers the tests run (in this process or started as
    # commands): the tests of the schedule turn it on.
    os.environ["ONESTOP_SCHEDULED_REPORTS"] = "0"
    settings.ONESTOP_SCHEDULED_REPORTS = False
    # Documents written by tests go to a folder of their own, removed when the run ends.
    documents = Path(tempfile.mkdtemp(prefix="onestop-documents-"))
    settings.ONESTOP_DOCUMENTS_DIR = documents
    config.add_cleanup(functools.partial(shutil.rmtree, documents, ignore_errors=True))
    config.addinivalue_line("markers", "slow: takes many seconds (a kill test, a benchmark)")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Write ``<database>: N passed, N failed`` for scripts/run_tests.py to print at the end."""
    if hasattr(config, "workerinput"):
        return
    label = (
        os.environ.get("ONESTOP_TEST_LABEL")
        or settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    )
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped = len(stats.get("skipped", []))
    line = f"{label}: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    target = os.environ.get("ONESTOP_TEST_SUMMARY")
    if target:
        Path(target).write_text(line + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_calendar_of_an_earlier_test() -> None:
    """Each test starts without the organisation calendars earlier tests cached
    (``cases.deadlines``, keyed by organisation id, nation and calendar version): a rolled-back
    test's ids are given again on SQLite, so an earlier test's organisation with the same id and
    version, but other closure days, would lend its calendar (found by the compliance story's
    closure day, run after another test's)."""
    from onestop.cases import deadlines

    deadlines._calendars.clear()


@pytest.fixture(autouse=True)
def _no_public_page_read_of_an_earlier_test() -> None:
    """Each test starts with Django's cache empty: the residents' pages keep their reads there
    (``portal.queries``, keyed by organisation id and public version), and a rolled-back test's
    ids are given again on SQLite with the version back at 0, so an earlier test's directory
    would be found under the same key."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _in_the_default_language() -> Iterator[None]:
    """Each test starts in the site's default language and leaves it so: a request for a Welsh
    page activates Welsh for the thread, which a later test's gettext would otherwise use."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class LoadedDemo:
    """``onestop demo`` as it ran for a module's tests: what it printed, and the time after."""

    output: str
    loaded_at: datetime.datetime


@pytest.fixture(scope="module")
def _demo_for_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadedDemo]:
    """The demo council loaded once for a module, inside a transaction its tests' own
    transactions nest in (each test is rolled back to the loaded demo), rolled back after the
    module's last test, as Django's ``TestCase.setUpTestData`` does for a class.  Loading the
    demo replays weeks of history: once a module (and test worker) instead of once a test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("demo", stdout=out)
            yield LoadedDemo(output=out.getvalue(), loaded_at=timezone.now())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def loaded_demo(_demo_for_module: LoadedDemo, db: None) -> LoadedDemo:
    """The demo council, loaded once for the module (``_demo_for_module``); for tests using the
    ordinary ``db`` (a transactional test flushes the database and cannot share it)."""
    return _demo_for_module


@shared_fixture
def council() -> Organisation:
    return factories.organisation(slug="test-council", name="Test District Council")


@shared_fixture
def partner() -> Organisation:
    return factories.organisation(
        slug="test-housing", name="Test Housing Association", type="housing-association"
    )


@shared_fixture
def advisor(council: Organisation) -> User:
    return factories.staff(council, RoleCode.ADVISOR, username="advisor")


@shared_fixture
def team_leader(council: Organisation) -> User:
    return factories.staff(council, RoleCode.TEAM_LEADER, username="team.leader")


@shared_fixture
def administrator(council: Organisation) -> User:
    return factories.staff(council, RoleCode.ADMINISTRATOR, username="administrator")


@shared_fixture
def auditor(council: Organisation) -> User:
    return factories.staff(council, RoleCode.AUDITOR, username="auditor")


@shared_fixture
def partner_advisor(partner: Organisation) -> User:
    return factories.staff(partner, RoleCode.PARTNER_ADVISOR, username="partner.advisor")


@shared_fixture
def partner_administrator(partner: Organisation) -> User:
    return factories.staff(partner, RoleCode.ADMINISTRATOR, username="partner.administrator")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A test client signed in as ``user`` with the second factor already verified."""

    def make(user: User) -> Client:
        client = Client()
        factories.sign_in_verified(client, user)
        return client

    return make
