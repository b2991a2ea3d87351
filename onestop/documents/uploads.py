"""The file names as senders sent them, for the checks.

Django's multipart parser quietly cuts a sent file name down to its last path component and
drops characters that are not printable (``../../etc/passwd.pdf`` arrives as ``passwd.pdf``).
That is safe, but it would let a hostile name through as a harmless one; the checks refuse such
names instead.  ``keep_sent_names`` wraps a view so that its request is parsed by a parser that
remembers, for each cleaned name, the name that was sent (``sent_name``).  The CSRF check still
runs, after the body is parsed this way (``csrf_exempt`` outside, ``csrf_protect`` inside: the
pattern Django's documentation gives for changing how a view's uploads are handled).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser
from django.views.decorators.csrf import csrf_exempt, csrf_protect

SENT_NAMES = "_onestop_sent_file_names"


class _NameKeepingParser(MultiPartParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent_names: dict[str, str] = {}

    def sanitize_file_name(self, file_name: str) -> str | None:
        cleaned: str | None = super().sanitize_file_name(file_name)
        if cleaned is not None and cleaned != file_name:
            self.sent_names[cleaned] = file_name
        return cleaned


def keep_sent_names(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        def parse(meta: Any, post_data: Any) -> Any:
            parser = _NameKeepingParser(meta, post_data, request.upload_handlers, request.encoding)
            parsed = parser.parse()
            setattr(request, SENT_NAMES, parser.sent_names)
            return parsed

        request.parse_file_upload = parse  # type: ignore[method-assign,assignment]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def sent_name(request: HttpRequest | None, upload: UploadedFile[Any]) -> str:
    """The name the sender gave ``upload`` (before Django cleaned it)."""
    name = str(upload.name or "")
    names: dict[str, str] = getattr(request, SENT_NAMES, {}) if request is not None else {}
    return names.get(name, name)
