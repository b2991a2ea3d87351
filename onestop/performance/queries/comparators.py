"""Comparator authorities' figures an organisation entered, as data (``performance.Comparator``),
and which of the council's own measures each one sits beside.

A comparator row's ``measure`` is free text an administrator types; the codes below are the ones
the dashboard knows how to match with a measure of the council's own.  Contact volumes by channel
(Northampton's 2011 figures in the demo: ``calls``, ``emails``, ``visits``,
``online-transactions``; or the channel's own code, ``telephone``, ``email``, ...) sit beside
the council's contacts from customers on that channel.  Every other row (the MORI survey's
helpfulness, efficiency, ease of contact and satisfaction: OneStop surveys no sample of its
customers, so it has no figure to match) is shown in a table of its own, its measure named."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onestop.contacts.models import Channel
from onestop.core.models import Organisation
from onestop.performance.models import Comparator

# A comparator's measure code -> the channel whose inbound contacts it is compared with.
CHANNEL_MEASURES: dict[str, str] = {
    "calls": Channel.TELEPHONE,
    "emails": Channel.EMAIL,
    "visits": Channel.FACE_TO_FACE,
    "online-transactions": Channel.WEB_FORM,
    **{code: code for code in Channel.values},
}
# Names of the measure codes the demo loads that the council has no figure of its own for.
MEASURE_NAMES = {
    "mori-helpfulness": _("Staff were helpful (MORI, % of residents)"),
    "mori-efficiency": _("Staff were efficient (MORI, % of residents)"),
    "mori-ease-of-contact": _("Easy to contact the right person (MORI, % of residents)"),
    "mori-satisfaction": _("Satisfied with the final outcome (MORI, % of residents)"),
    "online-visits": _("Visits to the website"),
}


def comparators_of(organisation: Organisation) -> QuerySet[Comparator]:
    """The organisation's comparator rows, by measure and then the highest value first."""
    return Comparator.objects.for_organisation(organisation).order_by("measure", "-value")


def by_channel(organisation: Organisation) -> list[tuple[str, Comparator]]:
    """The rows that sit beside a channel's contacts, as (channel code, row): channels in the
    order of ``Channel``, then the highest value first, then by authority."""
    order = {code: index for index, code in enumerate(Channel.values)}
    rows = [
        (CHANNEL_MEASURES[row.measure], row)
        for row in comparators_of(organisation).filter(measure__in=list(CHANNEL_MEASURES))
    ]
    rows.sort(key=lambda pair: (order[pair[0]], -pair[1].value, pair[1].comparator))
    return rows


def unmatched(organisation: Organisation) -> QuerySet[Comparator]:
    """The rows with no measure of the council's own beside them: by measure, highest first."""
    return (
        comparators_of(organisation)
        .exclude(measure__in=list(CHANNEL_MEASURES))
        .order_by("measure", "-value", "comparator", "pk")
    )


def measure_name(code: str) -> str:
    """A comparator measure's name in words, or its code when it has none."""
    name = MEASURE_NAMES.get(code)
    return code if name is None else str(name)
