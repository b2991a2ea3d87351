"""Sign-in (password, then a second factor), sign-out, lockout and the audit trail.

Thin: parse the form, call one service or query, render.  ``sign_in``, ``verify``, ``enrol`` and
``sign_out`` are public to the staff door (a half-signed-in user must reach them); every other
view here needs a verified member of staff.
"""

from __future__ import annotations

import csv
import datetime as dt
from base64 import b32encode
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from onestop.core import audit_labels, pages, permissions
from onestop.core.access import require
from onestop.core.decorators import public
from onestop.core.errors import ServiceError
from onestop.core.http import StaffRequest, client_address, staff_user
from onestop.core.middleware import SIGNED_IN_AT
from onestop.core.models import AuditRecord, User
from onestop.core.pagination import page_links
from onestop.trust import queries, services
from onestop.trust.errors import TrustError
from onestop.trust.forms import AuditFilterForm, CodeForm, PasswordChangeForm, SignInForm

RECOVERY_CODES_SESSION_KEY = "trust_recovery_codes"
AUDIT_PAGE_SIZE = 50
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- helpers --------------------------------------------------------------------------------
def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it is a path on this site, else the staff home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    if next_url == reverse("core:home"):
        return url
    return f"{url}?{urlencode({'next': next_url})}"


def _signed_in_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _verified_session(request: HttpRequest, device: Any) -> None:
    """Mark the session two-factor verified and give it a new key (the privilege changed)."""
    django_otp.login(request, device)
    request.session.cycle_key()


def _qr_code_svg(data: str) -> SafeString:
    """An inline SVG QR code: no style attributes, so the content security policy allows it."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    root = image.get_image()
    root.set("role", "img")
    root.set("aria-label", _("QR code for your authenticator app"))
    root.set("focusable", "false")
    root.set("class", "onestop-qr-code")
    markup: str = image.to_string(encoding="unicode")
    # The markup is made by qrcode from our own data (the otpauth URL), never from input.
    return mark_safe(markup)  # noqa: S308  # nosec B308 B703


def _grouped(secret: str) -> str:
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


# --- sign-in --------------------------------------------------------------------------------
@public
@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if _signed_in_user(request) is not None and _is_verified(request):
        return HttpResponseRedirect(next_url)
    form = SignInForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: _sign_in(request, data["username"], data["password"]),
        done=lambda user: (
            "",
            _with_next(
                "trust:verify" if queries.has_authenticator(user) else "trust:enrol", next_url
            ),
        ),
    )
    if getattr(request, "axes_locked_out", False):
        return locked_out(request)
    if saved is not None:
        return saved
    return render(request, "trust/sign_in.html", {"form": form, "next": next_url})


def _sign_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the password (django-axes counts the failures) and start the half-signed-in
    session; the second factor comes next."""
    user = authenticate(request=request, username=username, password=password)
    if not isinstance(user, User) or getattr(request, "axes_locked_out", False):
        raise ServiceError(TrustError.WRONG_CREDENTIALS, _("Enter a correct username and password"))
    login(request, user)
    request.session[SIGNED_IN_AT] = timezone.now().timestamp()
    return user


@public
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = _signed_in_user(request)
    if user is None:
        return HttpResponseRedirect(_with_next("trust:sign-in", next_url))
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    if not queries.has_authenticator(user):
        return HttpResponseRedirect(_with_next("trust:enrol", next_url))
    form = CodeForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: _verified_session(
            request,
            services.verify_second_factor(
                user,
                by=user,
                code=data["code"],
                recovery=form.is_recovery_code,
                ip_address=client_address(request),
            ),
        ),
        done=("", next_url),
    )
    if saved is not None:
        return saved
    return render(request, "trust/verify.html", {"form": form, "next": next_url})


@public
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    user = _signed_in_user(request)
    if user is None:
        return HttpResponseRedirect(_with_next("trust:sign-in", next_url))
    if queries.has_authenticator(user):
        # Adding an authenticator needs the one already set up: no second factor by the side door.
        return HttpResponseRedirect(_with_next("trust:verify", next_url))
    device = services.start_enrolment(user, by=user)
    form = CodeForm(pages.posted(request), allow_recovery_code=False)
    saved = pages.save_form(
        request,
        form,
        lambda data: _enrolled(
            request,
            *services.confirm_enrolment(
                device, by=user, code=data["code"], ip_address=client_address(request)
            ),
        ),
        done=("", _with_next("trust:recovery-codes", next_url)),
    )
    if saved is not None:
        return saved
    secret = _secret_of(device)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_code_svg(device.config_url),
        "secret": _grouped(secret),
    }
    return render(request, "trust/enrol.html", context)


def _enrolled(request: HttpRequest, device: TOTPDevice, codes: list[str]) -> None:
    """The session is verified by the new authenticator; its recovery codes are shown next."""
    _verified_session(request, device)
    request.session[RECOVERY_CODES_SESSION_KEY] = codes


def _secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


@never_cache
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes made at enrolment, shown once and then forgotten."""
    next_url = _safe_next(request, request.GET.get("next"))
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        return HttpResponseRedirect(next_url)
    return render(request, "trust/recovery_codes.html", {"codes": codes, "next": next_url})


@never_cache
@sensitive_post_parameters("old_password", "new_password", "confirm_password")
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """A signed-in member of staff changes their own password; the session stays signed in."""
    user = staff_user(request)
    temporary = user.must_change_password
    next_url = _safe_next(request, request.GET.get("next"))
    form = PasswordChangeForm(pages.posted(request))
    saved = pages.save_form(
        request,
        form,
        lambda data: _password_changed(request, user, data["old_password"], data["new_password"]),
        done=(_("Your password has been changed"), next_url),
    )
    if saved is not None:
        return saved
    status = 400 if form.errors else 200
    context = {"form": form, "temporary": temporary}
    return render(request, "trust/password_change.html", context, status=status)


def _password_changed(request: HttpRequest, user: User, old: str, new: str) -> None:
    services.change_password(user, by=user, old_password=old, new_password=new)
    update_session_auth_hash(request, user)  # this session stays signed in


@public
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST signs out; GET (a bookmark, a typed address) asks with a button."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("trust:sign-in"))
        return render(request, "trust/sign_out.html")
    logout(request)
    return HttpResponseRedirect(reverse("trust:sign-in"))


@public
def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): 429 and when to try again."""
    cool_off = get_cool_off(request) or dt.timedelta(minutes=30)
    context = {
        "minutes": max(1, round(cool_off.total_seconds() / 60)),
        "try_again_at": timezone.localtime(timezone.now() + cool_off),
    }
    return render(request, "trust/locked_out.html", context, status=429)


# --- the audit trail ------------------------------------------------------------------------
def _audit_filters(request: StaffRequest) -> tuple[AuditFilterForm, queries.AuditFilters | None]:
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, queries.AuditFilters()
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, queries.AuditFilters(
        actor=data["actor"],
        action=data["action"],
        object_type=data["object_type"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )


def _audit_href(query: QueryDict) -> Callable[[int], str]:
    """Pages of the audit trail, keeping the filters in ``query``."""

    def href(number: int) -> str:
        params = query.copy()
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    return href


@require_GET
def audit_trail(request: StaffRequest) -> HttpResponse:
    require(request.user, permissions.AUDIT_VIEW)
    form, filters = _audit_filters(request)
    context: dict[str, Any] = {"form": form, "page": None}
    if filters is not None:
        records = queries.audit_records_for(request.user, filters)
        page = Paginator(records, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = audit_labels.label_records(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=page,
            pagination=page_links(page, _audit_href(query), on_each_side=2),
            export_href=f"{reverse('trust:audit-export')}?{query.urlencode()}",
        )
    return render(request, "trust/audit.html", context)


def _csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(records: Iterator[AuditRecord]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("Sequence"),
            _("Time"),
            _("Who"),
            _("Action"),
            _("Type of record"),
            _("Record"),
            _("Summary"),
            _("Address"),
            _("Hash"),
            _("Type code"),
        ]
    )
    for record in records:
        yield writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    record.sequence,
                    timezone.localtime(record.at).isoformat(),
                    record.actor_label,
                    record.action,
                    audit_labels.kind_label(record.object_type),
                    record.object_id,
                    record.summary,
                    record.ip_address or "",
                    record.hash,
                    record.object_type,
                )
            ]
        )


@require_GET
def audit_export(request: StaffRequest) -> HttpResponse | StreamingHttpResponse:
    require(request.user, permissions.AUDIT_VIEW)
    form, filters = _audit_filters(request)
    if filters is None:
        return render(request, "trust/audit.html", {"form": form, "page": None}, status=400)
    export = services.record_audit_export(
        by=request.user, filters=filters, ip_address=client_address(request)
    )
    # The rows as they stood when the export was recorded (not the export's own record).
    records = queries.audit_records_for(request.user, filters).filter(sequence__lt=export.sequence)
    organisation = request.user.organisation
    slug = organisation.slug if organisation is not None else "none"
    filename = f"audit-trail-{slug}-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(
        _csv_rows(records.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
