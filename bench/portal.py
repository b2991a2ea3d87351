"""Benchmark: every public page of the residents' site, in English and in Welsh, server time
and bytes transferred (issue 18, "Fast and light").

Builds a throwaway database (``var/bench-portal.sqlite3``, or the PostgreSQL database
``onestop_bench_portal`` on the local socket, created if missing; ``--database-name`` or
``ONESTOP_BENCH_PORTAL_DB`` names another) holding one council that offers Welsh, with S
services, A offices (each with a week of opening hours, a closure this week and an out-of-hours
arrangement), an access point a partner shares with it, P published standards, and what the
other pages need, all made through the services as an administrator would: a missed-bin form
with a location question (one page, with the map), an abandoned-vehicle form of six questions
(so it is asked one thing per page, then "Check your answers"), both with Welsh words, and a
missed bin a resident reported with their e-mail address (a reference to track, a request in
"Your requests").  Kept between runs (``--rebuild`` builds again).

Then a resident's browser (the test ``Client``, its cookies kept) walks the site once in
English and once in Welsh (the toggle's ``?lang=cy`` on the start page sets the language cookie,
as ``core.language`` says), and each page is measured where the walk reaches it:

``root`` (the list of sites: it names no organisation, so it is English only), ``start``,
``contact``, ``accessibility``, ``privacy``, ``cookies``, ``report`` (the list of forms),
``report-form`` (the missed-bin form on one page, with the map), ``report-done`` (its
confirmation, the GET after the browser sent the form), ``report-start`` (the long form's start
page), ``report-question`` (its first question page, nothing answered yet), ``report-check``
("Check your answers", the GET after every page was answered by POST), ``track`` (the empty
form), ``tracked`` (the resident's case, the GET after the track POST proved its reference and
e-mail address), ``your-requests`` (the page asking for a sign-in link), ``your-requests-sent``
("Check your email", the GET after asking), ``your-requests-sign-in`` (the page the one-time
link opens, its token read from notify's outbox as the resident's e-mail has it),
``your-requests-list`` (the list, the GET after the sign-in POST), ``your-request`` (one request
from the list), ``your-requests-preferences``, ``feedback`` (the complaints route's start),
``feedback-question`` (the service question, the GET after the kind of feedback and what it is
about were answered), ``feedback-check`` (the GET after every question was answered),
``feedback-done`` (the confirmation, the GET after the check page sent the comment),
``performance`` (the public performance page) and ``not-found`` (the 404 page under the
council's address). Welsh pages are named with ``:cy`` (``start:cy``); each is checked to be
Welsh (``lang="cy"`` and the footer's "Dolenni cymorth"), each English page English, and each
answers 200 (the 404 page 404) on every request measured. Each walk sends one anonymous missed
bin and one anonymous comment, tracks the resident's case and signs in to "Your requests" once
(the database grows by those records each run).

* ``portal_page[<page>]``: server time, p95 in milliseconds (ours): Django's
  ``WSGIHandler`` called as a WSGI server calls it, with a WSGI environ carrying the browser's
  cookies for that address (the session, the language, "Your requests"), the response's body
  read and the response closed (every middleware, the view, its reads, its template, and the
  request signals that look after the database connection), against rendering the page's
  template with its context directly (baseline: ``render`` with a ``RequestFactory`` request in
  the page's language, the context read once beforehand, so the ratio is the price of the reads
  and the middleware).  The context of ``root`` to ``report`` and of ``feedback`` is rebuilt
  from the pages' ``queries`` functions; the other views' contexts (forms, session state) are
  captured from GETs of the page (``django.template.loader.render_to_string``, which
  ``render`` calls, wrapped for that one request: the dict the view passed, its template not
  rendered), one for each baseline render, so that no render reuses what an earlier one
  computed on its form (errors, bound fields, widgets); each is evaluated beforehand (a
  queryset's rows read into its cache, a deferred read such as the map's postcode centres
  called) so that a baseline render reads nothing: each page's baseline is checked to make no
  query, which also catches a template that reads (a deferred column).  Targets: under
  150 ms, and within 1.5x of the baseline.
* ``portal_bytes[<page>]``: what a first visit transfers without fonts (ours): the HTML as
  sent, plus every stylesheet, script and icon the page names and every non-font file those
  stylesheets name, each gzip-compressed as whitenoise serves it; the baseline is the budget,
  200 KB, so a ratio under 1 is within it.
* ``portal_cpu[<page>]`` (not a target): the same requests and renders by the CPU this process
  spent on them (``time.thread_time``), the mean per request: on a loaded machine a p95 of a
  few milliseconds is mostly the scheduler, and the CPU is not (it leaves out the database's
  own work and the time spent waiting on it).
* ``portal_parts[<page>]`` (not a target): where the requests' time goes, in a pass of a
  quarter as many requests after the timed ones (its timers cost time too), as means of wall
  time: the template's render inside the request (beside the baseline's mean render), the
  statements sent to the database and their time, and the rest (middleware, URL resolving,
  the view's own work).  A render inside the request slower than the baseline's is the caches
  the request's own work leaves cold (and, before ``core.stack``, the frame stack's chunks).

The script exits with status 1 when any page misses a target (over 150 ms at p95, over 1.5x its
baseline, or over 200 KB), after one line naming each page and target missed; 0 when all are met.

Scales: ``small`` 20 services, 5 offices, 20 standards, 200 requests a page (five to six
minutes on the shared 2-core machine); ``full`` 200 services, 40 offices, 100 standards, 1,000
requests a page.
Run: ``.venv/bin/python bench/portal.py --scale small --database postgresql``; ``--profile
tracked:cy`` (any page's name) then shows where that page's requests spend their time.
Figures: docs/portal.md, "Performance".
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import io
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": (20, 5, 20, 200), "full": (200, 40, 100, 1_000)}
SLUG = "bench-portal"
PARTNER = "bench-portal-partner"
# Recorded with the scale in the council's branding text: a database built by an earlier
# version of this script (without the forms, the Welsh and the resident's case) is refused.
BUILD = "portal pages 2"
BUDGET_KB = 200.0
TARGET_MS = 150.0
TARGET_RATIO = 1.5
FONTS = (".woff", ".woff2", ".ttf", ".otf", ".eot")
ENGLISH = "en-gb"
WELSH = "cy"
# "Support links", the footer's heading on every page of an organisation, in Welsh.
WELSH_WORDS = "Dolenni cymorth"
RESIDENT_EMAIL = "resident@bench.example"
RESIDENT_TITLE = "Blue bin missed (the bench resident's report)"
MAP_FORM = "missed-bin"
PAGED_FORM = "abandoned-vehicle"
# Every page measured, in the order the walk reaches them; each also in Welsh (``:cy``) but
# the root, the list of every organisation's site, which names no organisation.
PAGES = (
    "root",
    "start",
    "contact",
    "accessibility",
    "privacy",
    "cookies",
    "report",
    "report-form",
    "report-done",
    "report-start",
    "report-question",
    "report-check",
    "track",
    "tracked",
    "your-requests",
    "your-requests-sent",
    "your-requests-sign-in",
    "your-requests-list",
    "your-request",
    "your-requests-preferences",
    "feedback",
    "feedback-question",
    "feedback-check",
    "feedback-done",
    "performance",
    "not-found",
)
ENGLISH_ONLY = frozenset({"root"})


def page_names() -> list[str]:
    """Every page's name as the output names it, English first, then Welsh."""
    return [*PAGES, *(f"{page}:cy" for page in PAGES if page not in ENGLISH_ONLY)]


def _configure(database: str, name: str) -> None:
    configure(database, name, "bench-portal.sqlite3")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) * 1000


@dataclass(frozen=True)
class Result:
    page: str
    ours_ms: float
    baseline_ms: float
    kilobytes: float
    # The CPU this process spent (``time.thread_time``), mean per request: less moved by other
    # jobs' load than the p95, but without the database's own work or its round trips.
    ours_cpu_ms: float = 0.0
    baseline_cpu_ms: float = 0.0
    parts: Parts | None = None
    baseline_mean_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.baseline_ms


@dataclass(frozen=True)
class Parts:
    """Where a page's requests spend their time (not a target): means per request of wall
    time in milliseconds, measured in a pass of their own after the timed requests (the timers
    cost time too).  ``render_ms`` is the template's render inside the request (the outermost
    ``Template.render``, a read made while rendering included); ``reads`` the statements sent
    to the database, ``reads_ms`` their time outside the render; the rest is everything else
    (middleware, URL resolving, the view's own work, the response)."""

    total_ms: float
    render_ms: float
    reads: float
    reads_ms: float

    @property
    def rest_ms(self) -> float:
        return self.total_ms - self.render_ms - self.reads_ms


def parts(handler: Any, path: str, cookies: dict[str, str], requests: int) -> Parts:
    """``requests`` GETs of ``path`` served as ``serve`` serves them, split into ``Parts``."""
    from django.db import connection
    from django.template.backends.django import Template

    original = Template.render
    spent = {"depth": 0.0, "render": 0.0, "reads": 0.0, "reads_s": 0.0}

    def rendering(self: Any, context: Any = None, request: Any = None) -> Any:
        spent["depth"] += 1
        began = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            spent["depth"] -= 1
            if not spent["depth"]:  # a form's widgets render templates inside the page's
                spent["render"] += time.perf_counter() - began

    def reading(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["reads"] += 1
            if not spent["depth"]:
                spent["reads_s"] += time.perf_counter() - began

    environs = [_environ(path, cookies) for _round in range(requests)]
    Template.render = rendering  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(reading):
            began = time.perf_counter()
            for environ in environs:
                serve(handler, environ)
            total = time.perf_counter() - began
    finally:
        Template.render = original  # type: ignore[method-assign]
    return Parts(
        total_ms=total * 1000 / requests,
        render_ms=spent["render"] * 1000 / requests,
        reads=spent["reads"] / requests,
        reads_ms=spent["reads_s"] * 1000 / requests,
    )


def missed(results: list[Result]) -> list[str]:
    """One line for each page and target missed (none when every target is met)."""
    lines: list[str] = []
    for result in results:
        if result.ours_ms > TARGET_MS:
            lines.append(
                f"missed: portal_page[{result.page}] p95 {result.ours_ms:.2f} ms, over "
                f"{TARGET_MS:.0f} ms"
            )
        if result.ratio > TARGET_RATIO:
            lines.append(
                f"missed: portal_page[{result.page}] ratio {result.ratio:.2f}, over "
                f"{TARGET_RATIO}x the baseline"
            )
        if result.kilobytes > BUDGET_KB:
            lines.append(
                f"missed: portal_bytes[{result.page}] {result.kilobytes:.1f} KB, over "
                f"{BUDGET_KB:.0f} KB"
            )
    return lines


def _build(services_count: int, offices: int, standards_count: int, *, rebuild: bool) -> Any:
    """The council's directory, charter, forms and a resident's case, made through the services
    as an administrator (and a resident) would; kept between runs (the organisation's branding
    text records the scale and this script's build)."""
    from django.core.management import call_command
    from django.db import transaction

    from onestop.core.models import Organisation

    call_command("migrate", verbosity=0)
    marker = f"scale {services_count}/{offices}/{standards_count}, {BUILD}"
    found = Organisation.objects.filter(slug=SLUG).first()
    if found is not None and (found.branding_text != marker or rebuild):
        raise SystemExit(
            f"The bench database holds another scale or build ({found.branding_text}): delete "
            "it (var/bench-portal.sqlite3, or drop the PostgreSQL database) and run again."
        )
    if found is None:
        with transaction.atomic():
            found = populate(services_count, offices, standards_count, marker=marker)
    _statistics()
    return found


def _statistics() -> None:
    """The planner's statistics of every table, as autovacuum keeps them on a production
    database (each run adds the walk's records).  Without them (a server with autovacuum off,
    or a database just built) the planner guesses: for a resident's requests it scanned every
    case of the council, 0.3 ms where 0.09 ms does."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def populate(services_count: int, offices: int, standards_count: int, *, marker: str) -> Any:
    """Everything the pages show, in an empty database (``_build``; the tests call it too)."""
    from decimal import Decimal

    from django.utils import timezone

    from onestop.directory import services as directory
    from onestop.directory.models import AccessPointKind
    from onestop.standards import services as standards

    today = timezone.localdate()
    hours = datetime.time
    council = directory.create_organisation(
        by=None,
        slug=SLUG,
        name="Bench Portal Council",
        type="district-council",
        nation="england",
        branding_text=marker,
    )
    partner = directory.create_organisation(
        by=None,
        slug=PARTNER,
        name="Bench Portal Housing",
        type="housing-association",
        nation="england",
        branding_text="",
    )
    for number in range(services_count):
        directory.create_service(
            council,
            by=None,
            name=f"Service {number:04d}",
            description="Paying, discounts, changes of circumstances and moving home.",
            phone=f"01632 96{number % 10000:04d}",
            email=f"service{number}@bench.example",
        )
    kinds = [AccessPointKind.TELEPHONE] + [AccessPointKind.AREA_OFFICE] * offices
    standby = directory.OutOfHoursInput(
        title="Emergency standby",
        contact="The standby service",
        phone="01632 960999",
        details="Emergencies only.",
        starts_weekday=4,
        starts_at=hours(16, 45),
        ends_weekday=0,
        ends_at=hours(8, 45),
    )
    for number, kind in enumerate(kinds):
        point = directory.create_access_point(
            council,
            by=None,
            kind=kind,
            name=f"Office {number:03d}",
            address=f"{number} High Street\nBench Town",
            phone="01632 960000",
            email=f"office{number}@bench.example",
            has_hearing_loop=number % 2 == 0,
            has_step_free_access=True,
            interview_rooms=number % 4,
        )
        for weekday in range(5):
            directory.add_opening_session(
                point, by=None, weekday=weekday, opens=hours(9), closes=hours(13)
            )
            directory.add_opening_session(
                point, by=None, weekday=weekday, opens=hours(14), closes=hours(17)
            )
        directory.set_opening_exception(
            point, by=None, date=today + datetime.timedelta(days=2), reason="Staff training"
        )
        directory.save_out_of_hours(point, by=None, data=standby)
    shared = directory.create_access_point(
        partner, by=None, kind=AccessPointKind.ONE_STOP_SHOP, name="Shared shop"
    )
    directory.share_access_point(shared, by=None, organisation=council)
    for number in range(standards_count):
        standards.save_standard(
            council,
            by=None,
            code=f"standard-{number}",
            title=f"Answer letters about subject {number} within 10 working days",
            applies_to="letter",
            start_event="letter-received",
            stop_event="full-reply-sent",
            amount=10,
            unit="working_days",
            target_percent=Decimal("90"),
        )
    _forms_and_welsh(council)
    return council


# The long form's questions: six, so it is asked one thing per page (``portal.steps``).
VEHICLE = [
    {
        "code": "vehicle",
        "label": "What kind of vehicle is it",
        "kind": "choice",
        "required": True,
        "choices": ["Car", "Van", "Motorbike", "Caravan"],
    },
    {"code": "registration", "label": "Registration number", "kind": "text", "required": False},
    {"code": "colour", "label": "Colour", "kind": "text", "required": False},
    {"code": "seen", "label": "When did you first see it", "kind": "date", "required": False},
    {
        "code": "condition",
        "label": "What state is it in",
        "kind": "multiple-choice",
        "required": False,
        "choices": ["Burnt out", "Damaged", "Flat tyres", "No tax"],
    },
    {"code": "weeks", "label": "Roughly how many weeks", "kind": "number", "required": False},
]
VEHICLE_CY = {
    "vehicle": {
        "label": "Pa fath o gerbyd yw e",
        "choices": ["Car", "Fan", "Beic modur", "Carafán"],
    },
    "registration": {"label": "Rhif cofrestru", "choices": []},
    "colour": {"label": "Lliw", "choices": []},
    "seen": {"label": "Pryd welsoch chi e gyntaf", "choices": []},
    "condition": {
        "label": "Ym mha gyflwr mae e",
        "choices": ["Wedi llosgi", "Wedi'i ddifrodi", "Teiars fflat", "Dim treth"],
    },
    "weeks": {"label": "Tua faint o wythnosau", "choices": []},
}
BIN = [
    {
        "code": "bin",
        "label": "Which bin",
        "kind": "choice",
        "required": True,
        "choices": ["Blue (recycling)", "Green (garden)", "Black (general)"],
    },
    {"code": "where", "label": "Where is it", "kind": "location", "required": True},
]
BIN_CY = {
    "bin": {
        "label": "Pa fin",
        "choices": ["Glas (ailgylchu)", "Gwyrdd (gardd)", "Du (cyffredinol)"],
    },
    "where": {"label": "Ble mae e", "choices": []},
}


def _forms_and_welsh(council: Any) -> None:
    """Welsh offered; the two forms published with their Welsh words, as the demo's Welsh
    partner does (``portal.demo.load_welsh_demo``); a case-type standard for their deadline;
    and the missed bin a resident reported with an e-mail address."""
    from decimal import Decimal

    from onestop.cases import services as case_services
    from onestop.cases.models import CaseKind
    from onestop.directory import services as directory
    from onestop.portal import services as portal
    from onestop.portal.models import Layout
    from onestop.standards import services as standards

    directory.update_organisation(
        council,
        by=None,
        name=council.name,
        type=council.type,
        nation=council.nation,
        branding_text=council.branding_text,
        offers_welsh=True,
    )
    waste = directory.create_service(council, by=None, name="Waste and Recycling")
    crews = directory.create_team(waste, by=None, name="Collection crews")
    streets = directory.create_team(waste, by=None, name="Street cleansing")
    standards.save_standard(
        council,
        by=None,
        code="collect-missed-bin",
        title="Collect a missed bin within 2 working days",
        title_cy="Casglu bin a fethwyd o fewn 2 ddiwrnod gwaith",
        applies_to="any",
        start_event="request-received",
        stop_event="bin-collected",
        amount=2,
        unit="working_days",
        target_percent=Decimal("95"),
    )
    types = {}
    for code, name, name_cy, team, questions in (
        (MAP_FORM, "Missed bin collection", "Casgliad bin a fethwyd", crews, BIN),
        (PAGED_FORM, "Abandoned vehicle", "Cerbyd wedi'i adael", streets, VEHICLE),
    ):
        types[code] = case_services.save_case_type(
            council,
            by=None,
            data=case_services.CaseTypeInput(
                code=code,
                name=name,
                name_cy=name_cy,
                kind=CaseKind.SERVICE_REQUEST,
                service=waste,
                default_team=team,
                standard_codes=("collect-missed-bin",) if code == MAP_FORM else (),
                attributes=questions,
            ),
        )
    bins = portal.save_web_form(
        types[MAP_FORM],
        by=None,
        is_published=True,
        guidance="Report a missed collection by the end of the day after your collection day.",
        position=10,
        layout=Layout.AUTOMATIC,
        words=portal.WebFormWords(
            hint="A bin we did not empty on your collection day",
            hint_cy="Bin na wnaethom ei wagio ar eich diwrnod casglu",
            guidance_cy="Rhowch wybod am gasgliad a fethwyd erbyn diwedd y diwrnod ar ôl eich "
            "diwrnod casglu.",
            questions_cy=BIN_CY,
        ),
    )
    portal.save_web_form(
        types[PAGED_FORM],
        by=None,
        is_published=True,
        guidance="Tell us where the vehicle is and what it looks like.",
        position=20,
        layout=Layout.AUTOMATIC,
        words=portal.WebFormWords(
            hint="A vehicle left on the street or on council land",
            hint_cy="Cerbyd wedi'i adael ar y stryd neu ar dir y cyngor",
            guidance_cy="Dywedwch wrthym ble mae'r cerbyd a sut olwg sydd arno.",
            questions_cy=VEHICLE_CY,
        ),
    )
    portal.submit_report(
        bins,
        report=portal.Report(
            title=RESIDENT_TITLE,
            postcode="HP20 1AA",
            description="Left at the kerb since Monday",
            answers={"bin": "Blue (recycling)", "where": "Outside 4 High Street"},
            given_name="Robin",
            family_name="Resident",
            email=RESIDENT_EMAIL,
        ),
    )


def _contexts(council: Any, language: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """page -> (path, template, the context its view builds in ``language``), for the baseline
    of the pages whose context their ``queries`` give directly."""
    from django.utils import translation

    from onestop.portal import queries

    slug = council.slug
    with translation.override(language):
        start = queries.start_page(council)
        contact = queries.contact_page(council)
        cookies = queries.essential_cookies()
        pages: dict[str, tuple[str, str, dict[str, Any]]] = {
            "root": ("/", "portal/sites.html", {"sites": queries.public_sites()}),
            "start": (
                f"/o/{slug}/",
                "portal/start.html",
                {"organisation": council, "page": start},
            ),
            "contact": (
                f"/o/{slug}/contact/",
                "portal/contact.html",
                {"organisation": council, "page": contact},
            ),
            "accessibility": (
                f"/o/{slug}/accessibility/",
                "portal/accessibility.html",
                {"organisation": council, "page": contact, "statement": queries.ACCESSIBILITY},
            ),
            "privacy": (
                f"/o/{slug}/privacy/",
                "portal/privacy.html",
                {"organisation": council, "cookies": cookies},
            ),
            "cookies": (
                f"/o/{slug}/cookies/",
                "portal/cookies.html",
                {"organisation": council, "cookies": cookies},
            ),
            "report": (
                f"/report/{slug}/",
                "portal/report_index.html",
                {"organisation": council, "listed": queries.form_list(council, language=language)},
            ),
        }
    pages["feedback"] = (
        f"/feedback/o/{slug}/",
        "feedback/public/start.html",
        {"organisation": council, "start_url": f"/feedback/o/{slug}/kind/", "resume_url": ""},
    )
    return pages


# --- the resident's walk -------------------------------------------------------------------------
@dataclass
class Visit:
    """A page the walk has reached: the browser's next GET of ``path`` is measured (``built``:
    the template and context from ``_contexts``; otherwise captured from that GET)."""

    page: str
    path: str
    status: int = 200
    built: tuple[str, dict[str, Any]] | None = None


def _posted(client: Any, path: str, data: dict[str, Any]) -> str:
    """POST ``data`` as the resident's browser; the address it is sent on to."""
    response = client.post(path, {**data, "leave_blank": ""})
    if response.status_code != 302:
        raise SystemExit(f"POST {path} answered {response.status_code}, not a redirect")
    return str(response["Location"])


def walk(council: Any, client: Any, language: str) -> Iterator[Visit]:
    """Every public page in the order a resident reaches it, the state each needs made first
    through the site itself (a page is measured when it is yielded, before the walk goes on)."""
    from onestop.cases.models import Case
    from onestop.directory.models import Service
    from onestop.notify import sealing
    from onestop.notify.models import Event, Message

    slug = council.slug
    built = _contexts(council, language)
    if language == WELSH:  # the toggle on the start page: sets the language cookie
        client.get(f"/o/{slug}/?lang=cy")
    for page in ("root", "start", "contact", "accessibility", "privacy", "cookies", "report"):
        if language == WELSH and page in ENGLISH_ONLY:
            continue
        path, template, context = built[page]
        yield Visit(page, path, built=(template, context))
    # The one-page form with the map, then its confirmation.
    form = f"/report/{slug}/{MAP_FORM}/"
    yield Visit("report-form", form)
    done = _posted(
        client,
        form,
        {
            "attribute_bin": "Black (general)",
            "attribute_where": "By the post box",
            "latitude": "51.8167",
            "longitude": "-0.8124",
            "title": "Black bin not emptied",
            "description": "",
            "postcode": "HP20 1AA",
            "given_name": "",
            "family_name": "",
            "email": "",
            "phone": "",
        },
    )
    yield Visit("report-done", done)
    # The long form: its start page, its first question, then every page answered and checked.
    paged = f"/report/{slug}/{PAGED_FORM}/"
    yield Visit("report-start", paged)
    yield Visit("report-question", f"{paged}question-vehicle/")
    answers: list[tuple[str, dict[str, Any]]] = [
        ("question-vehicle", {"attribute_vehicle": "Van"}),
        ("question-registration", {"attribute_registration": "AB12 CDE"}),
        ("question-colour", {"attribute_colour": "White"}),
        (
            "question-seen",
            {"attribute_seen_day": "2", "attribute_seen_month": "3", "attribute_seen_year": "2026"},
        ),
        ("question-condition", {"attribute_condition": ["Damaged", "Flat tyres"]}),
        ("question-weeks", {"attribute_weeks": "3"}),
        ("problem", {"title": "White van left for weeks", "description": "Two flat tyres"}),
        ("where", {"postcode": "HP20 1AA", "location": "Outside 12 Mill Lane"}),
        ("you", {"given_name": "", "family_name": "", "email": "", "phone": ""}),
    ]
    for step, data in answers:
        _posted(client, f"{paged}{step}/", data)
    yield Visit("report-check", f"{paged}check/")
    # Track the resident's case by its reference and their e-mail address.
    case = Case.objects.for_organisation(council).filter(title=RESIDENT_TITLE).get()
    track = f"/o/{slug}/track/"
    yield Visit("track", track)
    tracked = _posted(client, track, {"reference": case.reference, "detail": RESIDENT_EMAIL})
    yield Visit("tracked", tracked)
    # "Your requests": ask for a link, open it from the e-mail, sign in.
    mine = f"/o/{slug}/your-requests/"
    yield Visit("your-requests", mine)
    sent = _posted(client, mine, {"email": RESIDENT_EMAIL})
    yield Visit("your-requests-sent", sent)
    message = (
        Message.objects.for_organisation(council)
        .filter(event=Event.SIGN_IN_LINK)
        .order_by("-pk")
        .first()
    )
    found = message and re.search(r"sign-in/\?token=([A-Za-z0-9_-]+)", sealing.opened(message).body)
    if not found:
        raise SystemExit("no sign-in link in notify's outbox")
    token = found.group(1)
    yield Visit("your-requests-sign-in", f"{mine}sign-in/?token={token}")
    listed = _posted(client, f"{mine}sign-in/", {"token": token})
    yield Visit("your-requests-list", listed)
    yield Visit("your-request", f"{mine}{case.reference}/")
    yield Visit("your-requests-preferences", f"{mine}preferences/")
    # The complaints route: start, a question, check, sent.
    feedback = f"/feedback/o/{slug}/"
    path, template, context = built["feedback"]
    yield Visit("feedback", path, built=(template, context))
    _posted(client, f"{feedback}kind/", {"kind": "comment"})
    _posted(client, f"{feedback}about/", {"about": "service"})
    yield Visit("feedback-question", f"{feedback}service/")
    service = Service.objects.for_organisation(council).order_by("name").first()
    for step, data in (
        ("service", {"service": str(service.pk if service else "")}),
        ("what-happened", {"what_happened": "The crews always leave the lids open."}),
        ("wanted", {"wanted": ""}),
        ("reply", {"email": "", "phone": ""}),
        ("name", {"given_name": "", "family_name": ""}),
    ):
        _posted(client, f"{feedback}{step}/", data)
    yield Visit("feedback-check", f"{feedback}check/")
    yield Visit("feedback-done", _posted(client, f"{feedback}check/", {}))
    yield Visit("performance", f"/performance/{slug}/")
    yield Visit("not-found", f"/o/{slug}/no-such-page/", status=404)


# --- measuring -----------------------------------------------------------------------------------
def _cookies_for(client: Any, path: str) -> dict[str, str]:
    """The cookies the browser sends to ``path`` (a cookie limited to a path only there)."""
    return {
        name: morsel.value
        for name, morsel in client.cookies.items()
        if morsel.value and path.startswith(morsel["path"] or "/")
    }


def _environ(path: str, cookies: dict[str, str]) -> dict[str, Any]:
    """A GET of ``path`` as a WSGI server hands it to the application."""
    path_info, _mark, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "HTTP_USER_AGENT": "bench/portal.py",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookies:
        environ["HTTP_COOKIE"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return environ


def serve(handler: Any, environ: dict[str, Any]) -> tuple[int, bytes]:
    """Call the WSGI application as a server does: its status and the body it sent."""
    sent: list[str] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
        sent.append(status)
        return lambda data: None

    result = handler(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return int(sent[0].split(" ", 1)[0]), body


def capture(client: Any, path: str, *, render: bool = True) -> tuple[Any, str, dict[str, Any]]:
    """The browser's GET of ``path``, with the template and the context its view rendered
    (``render`` calls ``loader.render_to_string``: wrapped for this one request).  With
    ``render=False`` the template is not rendered (the response is empty): the context is as the
    view handed it over, its forms' lazily computed parts (errors, bound fields, widgets) not yet
    computed by a render."""
    from django.template import loader

    rendered: list[tuple[str, dict[str, Any]]] = []
    original = loader.render_to_string

    def recording(template_name: Any, context: Any = None, *args: Any, **kwargs: Any) -> str:
        rendered.append((str(template_name), dict(context or {})))
        if not render:
            return ""
        return original(template_name, context, *args, **kwargs)

    loader.render_to_string = recording  # type: ignore[assignment]
    try:
        response = client.get(path)
    finally:
        loader.render_to_string = original
    if not rendered:
        raise SystemExit(f"GET {path}: no template rendered")
    template, context = rendered[0]
    return response, template, settled(context)


def settled(context: dict[str, Any]) -> dict[str, Any]:
    """``context`` with its deferred reads made now, once: each queryset's rows read into its
    cache, each ``functools.partial`` (a read the template calls) replaced by its value."""
    from django.db.models import QuerySet

    done: dict[str, Any] = {}
    for key, value in context.items():
        if isinstance(value, QuerySet):
            len(value)  # fills the result cache the template iterates
        elif isinstance(value, functools.partial):
            value = value()
        done[key] = value
    return done


def _unsalted(html: bytes) -> bytes:
    """The page without what changes on every request (the CSP nonce, the CSRF token)."""
    html = re.sub(rb'nonce="[^"]*"', b'nonce=""', html)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken"', html)


def _check_language(page: str, html: str, language: str) -> None:
    if language == WELSH:
        if 'lang="cy"' not in html or WELSH_WORDS not in html:
            raise SystemExit(f"{page}: not rendered in Welsh")
    elif 'lang="en"' not in html or WELSH_WORDS in html:
        raise SystemExit(f"{page}: not rendered in English")


@dataclass
class Bench:
    handler: Any
    requests: int
    profile: str | None
    warm: int = 5
    sizes: dict[str, int] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)

    def measure(self, client: Any, visit: Visit, language: str) -> None:
        from django.db import connection
        from django.http import HttpResponse
        from django.shortcuts import render
        from django.test import RequestFactory
        from django.test.utils import CaptureQueriesContext
        from django.utils import translation

        page = visit.page if language == ENGLISH else f"{visit.page}:cy"
        response, template, context = capture(client, visit.path)
        if visit.built is not None:
            template, context = visit.built
        if response.status_code != visit.status:
            raise SystemExit(f"{page}: GET {visit.path} answered {response.status_code}")
        html = response.content.decode()
        if visit.page not in ENGLISH_ONLY:
            _check_language(page, html, language)
        cookies = _cookies_for(client, visit.path)
        factory = RequestFactory()
        statuses: set[int] = set()

        # Each render gets a context of its own, as the view hands it over (a form whose
        # errors, bound fields and widgets a render computes and keeps: reusing one context
        # would measure later renders without that work); a built context holds no form.
        rounds = self.warm + 1 + self.requests
        if visit.built is None:
            contexts = [capture(client, visit.path, render=False)[2] for _round in range(rounds)]
        else:
            contexts = [context] * rounds

        def baseline() -> HttpResponse:
            own = contexts.pop()  # this render's own context
            request = factory.get(visit.path)
            request.COOKIES = dict(cookies)
            request.user = _anonymous()
            request.csp_nonce = "bench"  # type: ignore[attr-defined]
            request.LANGUAGE_CODE = language
            with translation.override(language):
                return render(request, template, own, status=visit.status)

        def ours(environ: dict[str, Any]) -> None:
            statuses.add(serve(self.handler, environ)[0])

        for _warm in range(self.warm):
            ours(_environ(visit.path, cookies))
            baseline()
        with CaptureQueriesContext(connection) as reads:
            rendered = baseline()
        if reads.captured_queries:
            sql = "; ".join(query["sql"][:200] for query in reads.captured_queries)
            raise SystemExit(f"{page}: the baseline reads the database ({sql})")
        if len(_unsalted(rendered.content)) != len(_unsalted(response.content)):
            raise SystemExit(f"{page}: the baseline is not the page the browser got")
        ours_ms: list[float] = []
        baseline_ms: list[float] = []
        cpu = {"ours": 0.0, "baseline": 0.0}
        # Each request's environ made beforehand (a server has it before calling the handler).
        environs = [_environ(visit.path, cookies) for _round in range(self.requests)]
        for environ in environs:  # interleaved, so load on the machine hits both alike
            began = time.thread_time()
            ours_ms.append(timed(functools.partial(ours, environ)))
            cpu["ours"] += time.thread_time() - began
            began = time.thread_time()
            baseline_ms.append(timed(baseline))
            cpu["baseline"] += time.thread_time() - began
        if statuses != {visit.status}:
            raise SystemExit(f"{page}: the measured GETs answered {sorted(statuses)}")
        split = parts(self.handler, visit.path, cookies, max(1, self.requests // 4))
        result = Result(
            page=page,
            ours_ms=p95(ours_ms),
            baseline_ms=p95(baseline_ms),
            kilobytes=(len(response.content) + _static_bytes(html, self.sizes)) / 1024,
            ours_cpu_ms=cpu["ours"] * 1000 / self.requests,
            baseline_cpu_ms=cpu["baseline"] * 1000 / self.requests,
            parts=split,
            baseline_mean_ms=sum(baseline_ms) / len(baseline_ms),
        )
        self.results.append(result)
        print(
            f"portal_page[{page}]: ours {result.ours_ms:.2f} ms, baseline "
            f"{result.baseline_ms:.2f} ms, ratio {result.ratio:.2f}",
            flush=True,
        )
        print(  # not a target: the same comparison by CPU, for when the machine is loaded
            f"portal_cpu[{page}]: ours {result.ours_cpu_ms:.2f} ms, baseline "
            f"{result.baseline_cpu_ms:.2f} ms, ratio "
            f"{result.ours_cpu_ms / max(result.baseline_cpu_ms, 1e-6):.2f} (mean CPU)",
            flush=True,
        )
        print(  # not a target: where the requests' time goes, beside the baseline's mean
            f"portal_parts[{page}]: mean {split.total_ms:.2f} ms: render {split.render_ms:.2f} "
            f"ms (the baseline's {result.baseline_mean_ms:.2f}), {split.reads:.0f} reads "
            f"{split.reads_ms:.2f} ms, the rest {split.rest_ms:.2f} ms",
            flush=True,
        )
        print(
            f"portal_bytes[{page}]: ours {result.kilobytes:.1f} KB, baseline {BUDGET_KB:.1f} KB, "
            f"ratio {result.kilobytes / BUDGET_KB:.2f}",
            flush=True,
        )
        if self.profile == page:
            _profile(self.handler, page, visit.path, cookies, self.requests)


def _static_bytes(html: str, cache: dict[str, int]) -> int:
    """Gzip-compressed bytes of the static files the page names, and the non-font files its
    stylesheets name, each counted once per page (a first visit, nothing cached)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    prefix = settings.STATIC_URL
    named = re.findall(rf'(?:href|src)="{re.escape(prefix)}([^"?#]+)"', html)
    seen: set[str] = set()
    total = 0
    queue = list(named)
    while queue:
        relative = queue.pop()
        if relative in seen or relative.lower().endswith(FONTS):
            continue
        seen.add(relative)
        found = finders.find(relative)
        if not found:
            continue
        path = Path(str(found))
        if relative not in cache:
            cache[relative] = len(gzip.compress(path.read_bytes(), compresslevel=9))
        total += cache[relative]
        if relative.endswith(".css"):
            base = relative.rsplit("/", 1)[0]
            for url in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", path.read_text("utf-8")):
                if url.startswith(("data:", "http:", "https:", "#")):
                    continue
                queue.append(os.path.normpath(f"{base}/{url.split('?')[0].split('#')[0]}"))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--database-name",
        default=os.environ.get("ONESTOP_BENCH_PORTAL_DB", "onestop_bench_portal"),
    )
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="after measuring PAGE (root, start, tracked:cy, ...), profile its requests with "
        "cProfile: the functions taking most of their time, by cumulative and by own time",
    )
    options = parser.parse_args()
    if options.profile is not None and options.profile not in page_names():
        raise SystemExit(
            f"--profile: no page {options.profile!r} (one of {', '.join(page_names())})"
        )
    services_count, offices, standards_count, requests = SCALES[options.scale]
    _configure(options.database, options.database_name)
    # Each GET of the 404 page would log a warning: not written here (the output stays readable).
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    council = _build(services_count, offices, standards_count, rebuild=options.rebuild)
    bench = Bench(handler=WSGIHandler(), requests=requests, profile=options.profile)
    for language in (ENGLISH, WELSH):
        client = Client()  # a browser of its own for each language
        for visit in walk(council, client, language):
            bench.measure(client, visit, language)
    measured = [result.page for result in bench.results]
    if measured != page_names():
        raise SystemExit(f"measured {measured}, not every page ({page_names()})")
    lines = missed(bench.results)
    for line in lines:
        print(line)
    if lines:
        sys.exit(1)


def _profile(handler: Any, page: str, path: str, cookies: dict[str, str], requests: int) -> None:
    """Where the server's GETs of ``path`` spend their time (cProfile's clock, so the figures
    are inflated by the profiler and only their proportions count)."""
    import cProfile
    import pstats

    environs = [_environ(path, cookies) for _round in range(requests)]
    profiler = cProfile.Profile()
    profiler.enable()
    for environ in environs:
        serve(handler, environ)
    profiler.disable()
    for order, words in (("cumulative", "cumulative time"), ("tottime", "own time")):
        print(f"--- {page} ({path}), {requests} requests, by {words}")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(30)


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


if __name__ == "__main__":
    main()
