"""``bench/portal.py`` (issue 18, "Fast and light"): its resident's walk reaches every public
page in English and in Welsh, each answered as expected and in its language, served through
the WSGI handler, with a baseline that renders the page the browser got from its template and
context without reading the database; and its exit lines name each page and target missed.
(The speed targets themselves are the bench's, never a test's.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client

from bench import portal


class Handler:
    """The WSGI handler, without the request signals' connection check for each request (as the
    test ``Client`` does): inside a test's transaction it would close the connection the test
    runs in.  The body is read and the response closed before the check is back."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]


@pytest.mark.django_db
def test_the_walk_measures_every_public_page_in_english_and_in_welsh() -> None:
    council = portal.populate(2, 1, 1, marker="test")
    bench = portal.Bench(handler=Handler(), requests=2, profile=None, warm=1)

    for language in (portal.ENGLISH, portal.WELSH):
        client = Client()
        for visit in portal.walk(council, client, language):
            # Refuses (SystemExit) a page answered otherwise than expected, in another
            # language, or whose baseline reads the database or renders another page.
            bench.measure(client, visit, language)

    assert [result.page for result in bench.results] == portal.page_names()
    assert all(result.ours_cpu_ms > 0 for result in bench.results)
    assert all(result.baseline_cpu_ms > 0 for result in bench.results)
    # Where each page's time goes: its render, its reads and the rest, all measured.
    split = {result.page: result.parts for result in bench.results}
    assert all(
        part is not None and part.render_ms > 0 and part.reads_ms >= 0 and part.rest_ms > 0
        for part in split.values()
    )
    tracked = split["tracked"]
    assert tracked is not None
    assert tracked.reads >= 2  # the session and the case, at least
    assert len(portal.page_names()) == 2 * len(portal.PAGES) - len(portal.ENGLISH_ONLY)
    assert "tracked:cy" in portal.page_names()


def test_a_page_not_in_its_language_is_refused() -> None:
    english = '<html lang="en" class="govuk-template"><h2>Support links</h2></html>'
    welsh = '<html lang="cy" class="govuk-template"><h2>Dolenni cymorth</h2></html>'

    portal._check_language("start", english, portal.ENGLISH)
    portal._check_language("start:cy", welsh, portal.WELSH)
    with pytest.raises(SystemExit, match="start:cy: not rendered in Welsh"):
        portal._check_language("start:cy", english, portal.WELSH)
    with pytest.raises(SystemExit, match="start: not rendered in English"):
        portal._check_language("start", welsh, portal.ENGLISH)


def test_each_target_missed_is_one_line_and_none_when_all_are_met() -> None:
    met = portal.Result(page="start", ours_ms=40.0, baseline_ms=30.0, kilobytes=110.0)
    slow = portal.Result(page="tracked:cy", ours_ms=151.0, baseline_ms=100.0, kilobytes=90.0)
    heavy = portal.Result(page="report-form", ours_ms=31.0, baseline_ms=10.0, kilobytes=201.0)

    assert portal.missed([met]) == []
    assert portal.missed([met, slow, heavy]) == [
        "missed: portal_page[tracked:cy] p95 151.00 ms, over 150 ms",
        "missed: portal_page[tracked:cy] ratio 1.51, over 1.5x the baseline",
        "missed: portal_page[report-form] ratio 3.10, over 1.5x the baseline",
        "missed: portal_bytes[report-form] 201.0 KB, over 200 KB",
    ]


@pytest.mark.django_db
def test_the_parts_count_every_read_a_request_sends() -> None:
    council = portal.populate(2, 1, 1, marker="test")
    handler = Handler()
    client = Client()
    path = next(
        visit.path
        for visit in portal.walk(council, client, portal.ENGLISH)
        if visit.page == "tracked"
    )
    cookies = portal._cookies_for(client, path)
    sent: list[str] = []  # each statement of one GET (the request signals reset queries)

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql)
        return execute(sql, params, many, context)

    # A first GET, so that this one and the parts' GETs find the same rows kept for a while.
    portal.serve(handler, portal._environ(path, cookies))
    with connection.execute_wrapper(counting):
        assert portal.serve(handler, portal._environ(path, cookies))[0] == 200
    split = portal.parts(handler, path, cookies, 3)

    assert sent
    assert split.reads == len(sent)
    assert split.total_ms > split.render_ms > 0
