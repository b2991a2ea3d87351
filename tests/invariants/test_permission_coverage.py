"""Walker test: every page is public or covered by a permission-matrix test (issue 12 item 6).

If this fails for your new URL: write its permission matrix (anonymous sent to sign in, another
organisation's staff get 404, a role without the permission gets 403 and nothing changes, the
allowed role gets the effect, not just a status) and decorate it with
``@tests.matrix.covers("<namespace>:<url-name>")``; or mark the view ``@public`` if it is meant
for anyone.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import tests
from tests.invariants import walking
from tests.matrix import COVERED

TESTS = Path(tests.__file__).parent


def _import_every_test_module() -> None:
    for module in pkgutil.walk_packages([str(TESTS)], prefix="tests."):
        leaf = module.name.rsplit(".", 1)[-1]
        if leaf.startswith("test_"):
            importlib.import_module(module.name)


_import_every_test_module()
PAGES = walking.pages()


def test_every_page_is_public_or_covered_by_a_permission_matrix() -> None:
    uncovered = [page.name for page in PAGES if not page.public and page.name not in COVERED]
    assert uncovered == [], (
        f"No permission-matrix test covers {uncovered}: write one and decorate it with "
        "@tests.matrix.covers(<URL name>), or mark the view @public."
    )


def test_every_declared_url_name_exists() -> None:
    names = {page.name for page in PAGES}
    assert sorted(set(COVERED) - names) == []
