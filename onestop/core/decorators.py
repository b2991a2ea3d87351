"""Marking views public.  Every other view needs a signed-in, two-factor-verified member of staff.

The check happens once, in ``core.middleware.OrganisationMiddleware.process_view``, so a view
someone forgets to decorate is protected rather than exposed (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_F = TypeVar("_F", bound=Callable[..., object])

PUBLIC_ATTRIBUTE = "onestop_public"


def public(view: _F) -> _F:
    """Residents' pages, sign-in, the health check and APIs with their own authentication."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view
