"""The GOV.UK pagination component's links for a page of a Django ``Paginator``.

Rendered by ``core/includes/pagination.html``; used by every paginated staff page (the audit
trail, a customer's history) so the component's markup and its links live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page


def page_links(
    page: Page[Any], href: Callable[[int], str], *, on_each_side: int = 1
) -> dict[str, Any]:
    """Previous and next links (``""`` when there is none) and the page numbers to show, with
    ``None`` numbers' ``href`` empty where pages are elided (the component's ellipses)."""
    numbers = page.paginator.get_elided_page_range(
        page.number, on_each_side=on_each_side, on_ends=1
    )
    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else "",
        "next": href(page.next_page_number()) if page.has_next() else "",
        "items": [
            {"number": number, "href": href(number) if isinstance(number, int) else ""}
            for number in numbers
        ],
    }
