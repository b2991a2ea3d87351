"""The shape every staff form page shares: parse a form, call one service, show the result.

``save_form`` is the one way a view handles a form POST: on a valid form it calls the one
service; a refused request (``ServiceError``) becomes an error on the form, next to the input it
names, and nothing has changed; success is a message and a redirect (to a fixed address, or one
made from what the service returned, such as the page of the record it created).  Apps wrap
``form_page`` with their own template (``functools.partial``); its buttons are
``core/includes/form_buttons.html`` and its error summary ``core/includes/error_summary.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render

from onestop.core.errors import ServiceError, ServiceErrors

Saved = TypeVar("Saved")


def attach_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form (every
    one of ``ServiceErrors``, each on its own field)."""
    for each in error.errors if isinstance(error, ServiceErrors) else (error,):
        field = each.field if each.field in form.fields else None
        form.add_error(field, each.message)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    template: str,
    title: str,
    back: str,
    submit: str,
    **extra: Any,
) -> HttpResponse:
    """Render a form page; 400 when the submitted form has errors (nothing was saved)."""
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "title": title, "back": back, "submit": submit, **extra}
    return render(request, template, context, status=status)


def posted(request: HttpRequest) -> QueryDict | None:
    """The data to bind a form to: the POST (even an empty one, so a refused empty POST gets its
    error summary rather than a blank form), or ``None`` for a GET."""
    return request.POST if request.method == "POST" else None


def done(request: HttpRequest, message: str, url: str) -> HttpResponseRedirect:
    """A success: the message (none when empty) and the redirect."""
    return _succeeded(request, message, url)


def _succeeded(request: HttpRequest, message: str, url: str) -> HttpResponseRedirect:
    if message:
        messages.success(request, message)
    return HttpResponseRedirect(url)


def save_form(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Saved],
    *,
    done: tuple[str, str] | Callable[[Saved], tuple[str, str]],
) -> HttpResponseRedirect | None:
    """On a valid POST call the one service; ``None`` means: show the form (again), at its own
    address (the caller renders it there; a refused POST is never redirected elsewhere).

    ``done`` is the success message and the address to go to, or a function of what ``save``
    returned that gives them (``lambda service: (_("Service added"), url_of(service))``); an
    empty message shows none (signing in).  ``save`` may refuse with a ``ServiceError`` naming a
    field, which is shown on that field.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save(form.cleaned_data)
    except ServiceError as error:
        attach_error(form, error)
        return None
    message, url = done(saved) if callable(done) else done
    return _succeeded(request, message, url)
