"""Room on the interpreter's frame stack for each request (``StackRoomMiddleware``, the first
middleware).

CPython 3.11 keeps Python frames in chunks of 16 KB.  When a call does not fit in the current
chunk it maps a new one, and when that call returns it unmaps it again; so a loop that calls
at a chunk's edge maps and unmaps a chunk, and touches fresh pages, on every call (CPython
gh-142183, "Calls across stack chunks perform badly": fixed in later 3.13 and 3.14 releases by
keeping one spare chunk; 3.11 takes security fixes only).  A template's loops call deep in
the stack, and where the edge falls depends only on how deep the request is: measured on a
residents' page, its template rendered inside a request took 1.2x to 1.8x as long as the same
render outside one, with 10 to 140 page faults a render, varying with the depth the request
was served from.

Here each request is served from one frame made big on purpose (its code's stack size, which
the interpreter reserves and never fills), so it opens a chunk of 128 KB for itself and every
frame of the request above it has about 70 KB of room in that chunk: the edge is reached only
by a request over about 350 frames deep.  The chunk is mapped once a request and the pages
nobody uses are never touched.  With it the same render took 1.06x to 1.17x whatever the
depth, with 2 page faults, for about 0.03 ms of CPU a request (docs/portal.md, "The frame
stack").  A stack size is an upper bound the interpreter reserves, so a larger one changes
nothing the function does; on a version with the spare chunk this is merely not needed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Slots (8 bytes each) the frame reserves: over 16 KB, so it never fits in a chunk already
# open, and with CPython's overhead for a new chunk (1,000 slots) just over 64 KB, so the chunk
# is 128 KB and leaves about 70 KB above the frame.
ROOM_SLOTS = 7_300


def _served(
    get_response: Callable[[HttpRequest], HttpResponse], request: HttpRequest
) -> HttpResponse:
    return get_response(request)


_served.__code__ = _served.__code__.replace(co_stacksize=ROOM_SLOTS)


class StackRoomMiddleware:
    """Serves the rest of the request from ``_served``'s big frame (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return _served(self.get_response, request)
