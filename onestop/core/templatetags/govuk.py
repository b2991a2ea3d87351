"""Template helpers for GOV.UK Design System form markup."""

from __future__ import annotations

import datetime
import decimal
import html
from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from onestop.core import dates, language, reporting
from onestop.core import public_links as registry

register = template.Library()

_ERROR_MODIFIERS = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
}


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    """Render the widget linked to its hint and error message, marked when it has an error.

    ``aria-describedby`` names the hint (``<id>-hint``) and the error (``<id>-error``) that
    ``core/includes/field.html`` prints, so screen readers announce both with the input.
    """
    widget_id = field.id_for_label
    attrs: dict[str, str | bool] = {}
    described_by = []
    if field.help_text:
        described_by.append(f"{widget_id}-hint")
    if field.errors:
        described_by.append(f"{widget_id}-error")
        classes = str(field.field.widget.attrs.get("class", "")).split()
        modifiers = [_ERROR_MODIFIERS[name] for name in classes if name in _ERROR_MODIFIERS]
        attrs["class"] = " ".join([*classes, *modifiers])
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter(name="govuk_date")
def govuk_date_filter(value: datetime.date | datetime.datetime | None) -> str:
    """``{{ case.received_at|govuk_date }}``: "1 December 2026"."""
    return dates.govuk_date(value)


@register.filter(name="govuk_datetime")
def govuk_datetime_filter(value: datetime.datetime | None) -> str:
    """``{{ entry.at|govuk_datetime }}``: "1 December 2026 at 2:05pm"."""
    return dates.govuk_datetime(value)


@register.filter(name="govuk_time")
def govuk_time_filter(value: datetime.datetime | datetime.time | None) -> str:
    """``{{ session.opens|govuk_time }}``: "9am", "2:05pm"."""
    return dates.govuk_time(value) if value is not None else ""


def percent(share: object) -> str:
    """A share (``0.95``, ``Decimal("0.9500")``) as a percentage to one place, "95.0%" (half up);
    ``""`` for nothing.  Pages show rates so; the files keep their decimals.  A
    ``reporting.Share`` is rounded from the exact counts it keeps, once (7 of 13 is "53.8%",
    not the "53.9%" of its 4-place decimal 0.5385 rounded again)."""
    if share is None or share == "" or isinstance(share, bool):
        return ""
    shown = reporting.percent_of(share)
    if shown is None:
        try:
            shown = reporting.percent_of(decimal.Decimal(str(share)))
        except decimal.InvalidOperation:
            return str(share)
    return "" if shown is None else f"{shown}%"


@register.filter(name="govuk_percent")
def govuk_percent_filter(share: object) -> str:
    """``{{ row.counts.compliance|govuk_percent }}``: "95.0%"."""
    return percent(share)


@register.filter
def select_options(optgroups: Iterable[tuple[Any, Iterable[Mapping[str, Any]], int]]) -> SafeString:
    """A select's ``<option>`` and ``<optgroup>`` elements from its widget's ``optgroups``,
    exactly as Django's ``select.html`` and ``select_option.html`` write them, in one pass of
    Python instead of a template loop per option (a team select has hundreds of options, and
    the loop cost more than the rest of the queue page's form).  Escaped as the templates
    escape: values and attribute values as text, labels as ``{{ }}`` prints them."""
    parts: list[str] = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_printed(group_name)}">')
        for option in options:
            attrs = "".join(
                f" {_printed(name)}" if value is True else f' {_printed(name)}="{_text(value)}"'
                for name, value in option["attrs"].items()
                if value is not False
            )
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{attrs}>'
                f"{_printed(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every part escaped


def option_elements(
    choices: Iterable[tuple[Any, Any]], values: list[str], *, multiple: bool
) -> str:
    """The ``<option>`` and ``<optgroup>`` elements of a plain ``forms.Select`` (or
    ``SelectMultiple``) straight from its choices: what ``select_options`` writes from the
    widget's ``optgroups``, without building a dictionary of eleven keys per option first.
    ``values`` are the selected values as the widget's ``format_value`` gives them; as Django
    does, only the first matching option is selected unless the select takes several."""
    parts: list[str] = []
    has_selected = False
    for option_value, option_label in choices:
        if isinstance(option_label, (list, tuple)):
            parts.append(f'\n  <optgroup label="{_printed(option_value)}">')
            group: Iterable[tuple[Any, Any]] = option_label
        else:
            group = ((option_value, option_label),)
        for value, label in group:
            value = "" if value is None else value
            selected = (multiple or not has_selected) and str(value) in values
            has_selected |= selected
            parts.append(
                f'\n  <option value="{_text(value)}"{" selected" if selected else ""}>'
                f"{_printed(label)}</option>\n"
            )
        if isinstance(option_label, (list, tuple)):
            parts.append("\n  </optgroup>")
    return "".join(parts)


def _text(value: Any) -> str:
    """As ``{{ value|stringformat:'s' }}`` prints it (``conditional_escape`` of its text)."""
    if isinstance(value, Promise):
        value = str(value)
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def _printed(value: Any) -> str:
    """As ``{{ value }}`` prints it: local time, localised, escaped unless marked safe (plain
    text, most labels, straight to the escape)."""
    if type(value) is str:
        return html.escape(value)
    local = timezone.template_localtime(value)  # type: ignore[attr-defined]  # not in the stubs
    return _text(formats.localize(local))


@register.simple_tag
def public_links(organisation: Any, place: str) -> list[Any]:
    """The residents' links registered for ``place`` (``core.public_links``) on
    ``organisation``'s pages; none without an organisation (the site-wide error pages)."""
    slug = getattr(organisation, "slug", "")
    if not slug:
        return []
    return list(registry.links_for(str(slug), place))


@register.simple_tag
def public_home(organisation: Any) -> str:
    """The address of ``organisation``'s home page on the residents' site (the first link
    registered for ``core.public_links.HOME``); the site's root without one."""
    homes = public_links(organisation, registry.HOME)
    return str(homes[0].href) if homes else "/"


@register.filter
def opening_hours(sessions: Iterable[tuple[datetime.time, datetime.time]]) -> str:
    """``9am to 1pm and 2pm to 4:30pm``; ``Closed`` without sessions."""
    parts = [
        _("%(opens)s to %(closes)s")
        % {"opens": dates.govuk_time(opens), "closes": dates.govuk_time(closes)}
        for opens, closes in sessions
    ]
    if not parts:
        return str(_("Closed"))
    if len(parts) == 1:
        return parts[0]
    return _("%(earlier)s and %(last)s") % {"earlier": ", ".join(parts[:-1]), "last": parts[-1]}


@register.simple_tag(takes_context=True)
def language_url(context: Mapping[str, Any], code: str) -> str:
    """``{% language_url "cy" %}``: this page in Welsh (the toggle's link), its query kept."""
    request = context.get("request")
    if request is None:
        return "?lang=cy" if code == language.WELSH else "?lang=en"
    return language.toggle_url(request, code)
