"""The registry of permission-matrix tests (issue 12 item 6).

A permission-matrix test (anonymous, another organisation, the same organisation without the
permission, and the allowed role with the effect checked) declares the URL names it covers:

    @covers("cases:case-extend", "cases:case-publish")
    @pytest.mark.parametrize(...)
    def test_...

``tests/invariants/test_permission_coverage.py`` imports every test module and fails for any URL
pattern that is neither ``@public`` nor declared here, so a new page cannot go untested.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T", bound=Callable[..., Any])

# URL name -> the tests that declare they cover it ("module::function").
COVERED: dict[str, list[str]] = {}


def covers(*url_names: str) -> Callable[[_T], _T]:
    """Declare that the decorated matrix test covers ``url_names``."""

    def declare(test: _T) -> _T:
        for name in url_names:
            COVERED.setdefault(name, []).append(f"{test.__module__}::{test.__name__}")
        return test

    return declare
