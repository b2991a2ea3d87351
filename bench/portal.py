"""Benchmark: the residents' public pages, server time and bytes transferred.

Builds a throwaway database (``var/bench-portal.sqlite3``, or the PostgreSQL database
``onestop_bench_portal`` on the local socket, created if missing; ``--database-name`` or
``ONESTOP_BENCH_PORTAL_DB`` names another) holding one council with S services, A offices
(each with a week of opening hours, a closure this week and an out-of-hours arrangement),
an access point a partner shares with it and P published standards, kept between runs
(``--rebuild`` builds again).  Then, for every public page of the residents' site:

* ``portal_page[<page>]``: the page as a browser gets it (an anonymous GET through every
  middleware, the view, its reads and its template), p95 in milliseconds (ours), against
  rendering the same template with the same context directly (baseline: ``render`` with the
  context the view built, read once beforehand, so the ratio is the price of the reads and the
  middleware).  Targets: under 150 ms, and within 1.5x of the baseline.
* ``portal_bytes[<page>]``: what a first visit transfers without fonts (ours): the HTML as
  sent, plus every stylesheet, script and icon the page names and every non-font file those
  stylesheets name, each gzip-compressed as whitenoise serves it; the baseline is the budget,
  200 KB, so a ratio under 1 is within it.

Scales: ``small`` 20 services, 5 offices, 20 standards, 200 requests a page (under a minute);
``full`` 200 services, 40 offices, 100 standards, 1,000 requests a page.
Run: ``.venv/bin/python bench/portal.py --scale small --database postgresql``; ``--profile
privacy`` (any page's name) then shows where that page's requests spend their time.
Figures measured before and after the residents' pages' cache: docs/portal.md, "Performance".
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import configure  # noqa: E402  (the project on the path first)

SCALES = {"small": (20, 5, 20, 200), "full": (200, 40, 100, 1_000)}
SLUG = "bench-portal"
PARTNER = "bench-portal-partner"
BUDGET_KB = 200.0
FONTS = (".woff", ".woff2", ".ttf", ".otf", ".eot")


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


def _build(services_count: int, offices: int, standards_count: int, *, rebuild: bool) -> Any:
    """The council's directory and charter, made through the services as an administrator
    would; kept between runs (the organisation's branding text records the scale)."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from onestop.core.models import Organisation
    from onestop.directory import services as directory
    from onestop.directory.models import AccessPointKind
    from onestop.standards import services as standards

    call_command("migrate", verbosity=0)
    marker = f"scale {services_count}/{offices}/{standards_count}"
    found = Organisation.objects.filter(slug=SLUG).first()
    if found is not None and found.branding_text == marker and not rebuild:
        return found
    if found is not None:
        raise SystemExit(
            f"The bench database holds another scale ({found.branding_text}): delete it "
            "(var/bench-portal.sqlite3, or drop the PostgreSQL database) and run again."
        )
    hours = datetime.time
    from django.utils import timezone

    today = timezone.localdate()
    with transaction.atomic():
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
    return council


def _contexts(council: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """page -> (path, template, the context its view builds), for the baseline."""
    from onestop.portal import queries

    slug = council.slug
    start = queries.start_page(council)
    contact = queries.contact_page(council)
    cookies = queries.essential_cookies()
    pages: dict[str, tuple[str, str, dict[str, Any]]] = {
        "root": ("/", "portal/sites.html", {"sites": queries.public_sites()}),
        "start": (f"/o/{slug}/", "portal/start.html", {"organisation": council, "page": start}),
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
            {"organisation": council, "listed": queries.form_list(council, language="en-gb")},
        ),
    }
    pages["feedback"] = (
        f"/feedback/o/{slug}/",
        "feedback/public/start.html",
        {"organisation": council, "start_url": f"/feedback/o/{slug}/kind/", "resume_url": ""},
    )
    return pages


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
        help="after measuring, profile PAGE (root, start, privacy, ...) with cProfile: the "
        "functions taking most of its requests' time, by cumulative and by own time",
    )
    options = parser.parse_args()
    services_count, offices, standards_count, requests = SCALES[options.scale]
    _configure(options.database, options.database_name)

    from django.shortcuts import render
    from django.test import Client, RequestFactory

    council = _build(services_count, offices, standards_count, rebuild=options.rebuild)
    client = Client()
    factory = RequestFactory()
    sizes: dict[str, int] = {}
    pages = _contexts(council)
    if options.profile is not None and options.profile not in pages:
        raise SystemExit(f"--profile: no page {options.profile!r} (one of {', '.join(pages)})")
    for page, (path, template, context) in pages.items():
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        html = response.content.decode()

        def baseline(
            path: str = path, template: str = template, context: dict[str, Any] = context
        ) -> object:
            request = factory.get(path)
            request.user = _anonymous()
            request.csp_nonce = "bench"  # type: ignore[attr-defined]
            return render(request, template, context)

        def ours(path: str = path) -> object:
            return client.get(path)

        for _warm in range(5):
            client.get(path)
            baseline()
        ours_ms: list[float] = []
        baseline_ms: list[float] = []
        for _round in range(requests):  # interleaved, so load on the machine hits both alike
            ours_ms.append(timed(ours))
            baseline_ms.append(timed(baseline))
        ours_p95, base_p95 = p95(ours_ms), p95(baseline_ms)
        print(
            f"portal_page[{page}]: ours {ours_p95:.2f} ms, baseline {base_p95:.2f} ms, "
            f"ratio {ours_p95 / base_p95:.2f}"
        )
        transferred = (len(response.content) + _static_bytes(html, sizes)) / 1024
        print(
            f"portal_bytes[{page}]: ours {transferred:.1f} KB, baseline {BUDGET_KB:.1f} KB, "
            f"ratio {transferred / BUDGET_KB:.2f}"
        )
    if options.profile is not None:
        _profile(client, pages[options.profile][0], requests)


def _profile(client: Any, path: str, requests: int) -> None:
    """Where an anonymous GET of ``path`` spends its time (cProfile's clock, so the figures
    are inflated by the profiler and only their proportions count)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _round in range(requests):
        client.get(path)
    profiler.disable()
    for order, words in (("cumulative", "cumulative time"), ("tottime", "own time")):
        print(f"--- {path}, {requests} requests, by {words}")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(30)


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


if __name__ == "__main__":
    main()
