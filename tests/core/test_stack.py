"""Each request's frames have a chunk of the interpreter's frame stack of their own
(``core.stack``): calls in a loop deep in a request never map and unmap a chunk.

A call that opens a new chunk of CPython 3.11's frame stack maps it and, on return, unmaps it;
a loop calling at that depth does so on every call, and each new chunk's first page is a fresh
page fault.  So the page faults a loop of calls makes (this thread's, ``ru_minflt``) say
whether its calls crossed a chunk's edge: about one a call when they did, none when not.
"""

from __future__ import annotations

import resource
import sys

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from onestop.core.stack import StackRoomMiddleware

CALLS = 500
# Deeper than a 16 KB chunk holds of ``_faults_at``'s frames, so some depth reaches an edge.
DEPTHS = range(400)


def _leaf() -> None:
    """A call: its frame is pushed on the stack and popped."""


# Its frame made bigger than ``_faults_at``'s (a stack size reserves room): climbing the
# recursion one frame at a time, some depth always has less room left in its chunk than this
# call needs, wherever the chunk's edge falls.
_leaf.__code__ = _leaf.__code__.replace(co_stacksize=64)


def _faults() -> int:
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt


def _faults_at(depth: int) -> int:
    """The page faults ``CALLS`` calls make, made ``depth`` frames above this one."""
    if depth:
        return _faults_at(depth - 1)
    before = _faults()
    for _call in range(CALLS):
        _leaf()
    return _faults() - before


def _most_faults() -> int:
    """The most page faults the loop of calls makes at any of the depths."""
    return max(_faults_at(depth) for depth in DEPTHS)


def test_calls_deep_in_a_request_never_open_a_chunk_of_the_stack() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(_most_faults()))

    response = StackRoomMiddleware(view)(RequestFactory().get("/"))
    # A few faults at most (the loops' own first touches), never one a call.
    assert int(response.content) < CALLS // 10


@pytest.mark.skipif(
    sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11),
    reason="the defect is CPython 3.11's (gh-142183); later versions keep a spare chunk",
)
def test_without_it_some_depth_opens_a_chunk_on_every_call() -> None:
    """What the middleware prevents, on the interpreter OneStop runs on: the test above would
    fail without it."""
    assert _most_faults() >= CALLS


def test_it_is_the_first_middleware_so_every_request_has_the_room() -> None:
    assert settings.MIDDLEWARE[0] == "onestop.core.stack.StackRoomMiddleware"


@pytest.mark.django_db
def test_a_page_served_through_it_is_the_page() -> None:
    response = Client().get("/o/no-such-organisation/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
