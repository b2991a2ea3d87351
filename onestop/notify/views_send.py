"""GOV.UK Notify's callbacks: delivery receipts and received text messages.

Notify authenticates each callback with the bearer token set in its service's callback
settings (``ONESTOP_NOTIFY_CALLBACK_TOKEN`` here), compared in constant time.  A wrong or
missing token gets 401, a body over 64 KiB 413, anything but a JSON object 400; none of them,
nor a receipt for a message OneStop does not know, changes anything.  These two views are the
only CSRF-exempt POSTs: they are called by Notify's servers, not by a browser session.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onestop.core.decorators import public
from onestop.notify.services import callbacks

MAX_BODY = 64 * 1024


def _authorised(request: HttpRequest) -> bool:
    expected = settings.ONESTOP_NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _space, token = given.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _callback(request: HttpRequest, record: Callable[[object], str]) -> JsonResponse:
    if not _authorised(request):
        response = JsonResponse({"error": "unauthorised"}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return JsonResponse({"error": "bad Content-Length"}, status=400)
    if declared > MAX_BODY:
        return JsonResponse({"error": "too large"}, status=413)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "too large"}, status=413)
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return JsonResponse({"error": "not JSON"}, status=400)
    outcome = record(payload)
    if outcome == callbacks.INVALID:
        return JsonResponse({"error": "not a callback Notify sends"}, status=400)
    return JsonResponse({"outcome": outcome})


@public
@csrf_exempt
@require_POST
def delivery(request: HttpRequest) -> JsonResponse:
    return _callback(request, callbacks.record_receipt)


@public
@csrf_exempt
@require_POST
def received_text(request: HttpRequest) -> JsonResponse:
    return _callback(request, callbacks.record_received_text)
