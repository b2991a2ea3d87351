"""The public performance page ``/performance/<organisation>/`` (no sign-in): the council's
published standards and how it did last month and last quarter, in plain English.

The figures are the managers' (``queries.compliance``, corporate rows), never personal data; a
count from 1 to 4 is shown as "fewer than 5" and a rate worked out from it is withheld; so is a
count that would tell one by difference ("we met 8 of 10" tells 2 were not met: such a sentence
says "all but fewer than 5", without the met count or the rate).  The figures are kept for ten
minutes once worked out, and the page says when they were."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop.cases.queries import public_organisation
from onestop.core import public_rows, reporting
from onestop.core.decorators import public
from onestop.core.models import Organisation
from onestop.performance.queries import compliance

SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class Line:
    heading: str
    sentence: str
    target: str


# A title holding one of these words already says its time limit (English and Welsh).
OWN_LIMIT_WORDS = ("within", "o fewn")


def heading(title: str, time_limit: str) -> str:
    """The standard as a resident reads it, its time limit said once: the title alone when it
    already names the limit ("Acknowledge complaints within 5 working days"), or names one in its
    own words ("Answer subject access requests within one month", "... o fewn mis"), otherwise
    the title and the limit ("Answer letters (within 10 working days)")."""
    words = f" {title.casefold()} "
    if (
        not time_limit
        or time_limit.casefold() in words
        or any(f" {within} " in words for within in OWN_LIMIT_WORDS)
    ):
        return title
    return _("%(title)s (within %(limit)s)") % {"title": title, "limit": time_limit}


def _count(value: int) -> str:
    if 0 < value < SUPPRESS_BELOW:
        return _("fewer than 5")
    return f"{value:,}"


def _percent(share: Decimal | None) -> str:
    """A whole percentage, rounded half up once from the exact share (``reporting.Share``)."""
    exact = reporting.exact_of(share)
    if exact is None:
        return ""
    return str(reporting.round_half_up(exact * 100, Decimal(1)))


def sentence(row: compliance.ComplianceRow, time_limit: str) -> str:
    """ "We met 412 of 450 within 10 working days (92%)." with small counts suppressed."""
    counts = row.counts
    if counts.decided == 0:
        return _("Nothing fell due.")
    if counts.decided < SUPPRESS_BELOW:
        return _("Fewer than 5 fell due: too few to say how we did.")
    suppressed = 0 < counts.met < SUPPRESS_BELOW
    values = {
        "met": _count(counts.met),
        "decided": _count(counts.decided),
        "limit": time_limit,
        "percent": _percent(counts.compliance),
    }
    if suppressed:
        return _("We met %(met)s of %(decided)s within %(limit)s.") % values
    if 0 < counts.decided - counts.met < SUPPRESS_BELOW:
        # "We met 8 of 10" would tell 2 were missed: the met count and the rate are withheld.
        return (
            _("Of %(decided)s that fell due, we met all but fewer than 5 within %(limit)s.")
            % values
        )
    return _("We met %(met)s of %(decided)s within %(limit)s (%(percent)s%%).") % values


def lines_for(organisation: Organisation, period: reporting.Period) -> list[Line]:
    rows = compliance.compliance(organisation, period, now=timezone.now())
    standards = compliance.standards_of(organisation, period.first.year)
    found: list[Line] = []
    for code, row in compliance.corporate(rows).items():
        info = standards.get(code)
        if info is None:
            continue
        target = (
            _("Our target is %(percent)s%%.") % {"percent": _percent(row.target)}
            if row.target is not None
            else ""
        )
        found.append(
            Line(heading(info.title, info.time_limit), sentence(row, info.time_limit), target)
        )
    return found


# How long the page's figures are kept once worked out (the page says when that was): working
# out two periods' compliance takes a tenth of a second or more, for figures of periods that
# have ended.
FIGURES_SECONDS = 10 * 60


@dataclass(frozen=True)
class Figures:
    worked_out_at: datetime.datetime
    last_month: list[Line]
    last_quarter: list[Line]


def figures(
    organisation: Organisation, last_month: reporting.Period, last_quarter: reporting.Period
) -> Figures:
    """The page's lines for the two periods, in the page's language, as worked out at most
    ``FIGURES_SECONDS`` ago (kept in Django's cache, by organisation, periods and language)."""
    key = ":".join(
        [
            "onestop-public-performance",
            str(organisation.pk),
            last_month.first.isoformat(),
            last_quarter.first.isoformat(),
            translation.get_language(),
        ]
    )
    found = public_rows.kept(
        key,
        lambda: Figures(
            worked_out_at=timezone.now(),
            last_month=lines_for(organisation, last_month),
            last_quarter=lines_for(organisation, last_quarter),
        ),
        FIGURES_SECONDS,
    )
    assert found is not None  # noqa: S101  (the read always answers)
    return found


@public
@require_GET
def public_page(request: HttpRequest, organisation: str) -> HttpResponse:
    # The active organisation only (a closed one's page is 404, as every public page), the
    # row the language middleware read for this address.
    found = public_organisation(organisation, request)
    today = timezone.localdate()
    last_month = reporting.previous(reporting.month_of(today))
    last_quarter = reporting.previous(reporting.quarter_of(today))
    worked_out = figures(found, last_month, last_quarter)
    return render(
        request,
        "performance/standards/public.html",
        {
            "organisation": found,
            "worked_out_at": worked_out.worked_out_at,
            "periods": [
                (_("Last month"), last_month, worked_out.last_month),
                (_("Last quarter"), last_quarter, worked_out.last_quarter),
            ],
        },
    )
