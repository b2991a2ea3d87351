"""Dates and times in GOV.UK style: "1 December 2026", "1 December 2026 at 2:05pm".

The GOV.UK style guide writes dates without a leading zero or ordinal, months in full, and
times on the 12-hour clock with "am" and "pm" (no ":00" on the hour, "midday" and "midnight"
for 12pm and 12am).  The ``govuk_date`` and ``govuk_datetime`` template filters
(``core/templatetags/govuk.py``) use these on every page; times are shown in the local time
(Europe/London).  A time in the hour the clocks go back, which happens twice, carries the zone
it was in ("25 October 2026 at 1:30am BST", then "... 1:30am GMT"); no other time needs one.

In Welsh the same clock reads "9yb", "2:05yh", "canol dydd" and "canol nos" (the catalogue's
``am``, ``pm``, ``midday`` and ``midnight``), and "1 Rhagfyr 2026 am 2:05yh".
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateformat import format as django_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def govuk_date(value: datetime.date | datetime.datetime | None) -> str:
    """``1 December 2026`` (a datetime is shown as its local date); ``""`` for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return django_format(value, "j F Y")


def repeated_hour_zone(value: datetime.datetime) -> str:
    """The local zone's abbreviation ("BST", "GMT") when the aware ``value`` falls in the hour
    the clocks go back, whose wall-clock times happen twice (01:00 to 01:59 on the last Sunday
    of October in Europe/London); ``""`` for every other time, which needs no marker."""
    if not timezone.is_aware(value):
        return ""
    return _zone_if_repeated(timezone.localtime(value))


def _zone_if_repeated(local: datetime.datetime) -> str:
    """``repeated_hour_zone`` of a time already in the local zone."""
    if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():
        return ""
    return local.tzname() or ""


def govuk_time(value: datetime.datetime | datetime.time) -> str:
    """``2:05pm``, ``10am``, ``midday``, ``midnight``; a time in the hour that happens twice
    when the clocks go back says which it is, ``1:30am BST`` then ``1:30am GMT``."""
    zone = ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # once, for the clock and for the zone
        zone = _zone_if_repeated(value)
    shown = _clock(value)
    return f"{shown} {zone}" if zone else shown


def _clock(value: datetime.datetime | datetime.time) -> str:
    if (value.hour, value.minute) == (12, 0):
        return _("midday")
    if (value.hour, value.minute) == (0, 0):
        return _("midnight")
    hour = value.hour % 12 or 12
    # Welsh writes "9yb" and "2:05yh" (docs/portal.md, "Welsh").
    suffix = pgettext("time of day", "am" if value.hour < 12 else "pm")
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def govuk_datetime(value: datetime.datetime | None) -> str:
    """``1 December 2026 at 2:05pm`` in local time; ``""`` for none."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return _("%(date)s at %(time)s") % {"date": govuk_date(value), "time": govuk_time(value)}
