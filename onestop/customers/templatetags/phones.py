"""``{{ number|phone }}``: a stored (E.164) phone number as people read it."""

from __future__ import annotations

from django import template

from onestop.customers import queries as customer_queries

register = template.Library()


@register.filter
def phone(number: str | None) -> str:
    """``+447700900001`` as ``07700 900001`` (national format for a UK number, international
    for others, as ``phonenumbers`` formats them); anything else unchanged."""
    if not number or not number.startswith("+"):
        return number or ""
    return customer_queries.shown_phone(number)
