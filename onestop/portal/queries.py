"""Every read of the portal: the published forms residents see, and the staff list."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from onestop.cases.models import Case, CaseType
from onestop.core import permissions
from onestop.core.access import get_or_404
from onestop.core.models import Organisation, User
from onestop.portal.models import WebForm
from onestop.portal.services import NOT_OFFERED_ONLINE

CODE_LIMIT = 60
REFERENCE_LIMIT = 20


# --- the public ---------------------------------------------------------------------------------
def published_forms(organisation: Organisation) -> list[WebForm]:
    """The forms residents of ``organisation`` can use, in the administrators' order."""
    return list(
        WebForm.objects.for_organisation(organisation)
        .filter(is_published=True, case_type__is_active=True)
        .exclude(case_type__kind__in=sorted(NOT_OFFERED_ONLINE))
        .select_related("case_type", "case_type__service")
        .order_by("position", "case_type__name")
    )


SEARCH_LIMIT = 100


@dataclass(frozen=True)
class PublicForm:
    """A published form as residents see it in the list, in the page's language."""

    code: str
    name: str
    hint: str
    category: str


@dataclass(frozen=True)
class FormList:
    """The list page: every form by category, or the forms a search found."""

    search: str
    found: list[PublicForm]
    categories: list[tuple[str, list[PublicForm]]]
    total: int


def _words(text: str) -> list[str]:
    return [word for word in text.casefold().split() if word]


def form_list(organisation: Organisation, *, language: str, search: str = "") -> FormList:
    """The published forms in ``language``, grouped by the service that deals with them (the
    categories, in the order of each one's first form); with ``search``, the forms whose name,
    hint or service (in either language) contain every word searched for."""
    search = " ".join(str(search)[:SEARCH_LIMIT].split())
    shown = []
    for web_form in published_forms(organisation):
        public = PublicForm(
            code=web_form.case_type.code,
            name=web_form.name_in(language),
            hint=web_form.hint_in(language),
            category=web_form.case_type.service.name,
        )
        text = " ".join(
            [
                public.name,
                public.hint,
                public.category,
                web_form.case_type.name,
                web_form.name_cy,
                web_form.hint,
                web_form.hint_cy,
            ]
        ).casefold()
        shown.append((public, text))
    wanted = _words(search)
    found = [public for public, text in shown if all(word in text for word in wanted)]
    categories: dict[str, list[PublicForm]] = {}
    for public, _text in shown:
        categories.setdefault(public.category, []).append(public)
    return FormList(
        search=search,
        found=found if wanted else [],
        categories=list(categories.items()),
        total=len(shown),
    )


def published_form(organisation: Organisation, code: str) -> WebForm:
    """The published form for the case type ``code``; 404 for anything else (unknown,
    unpublished, not in use, or another organisation's code)."""
    found: WebForm | None = (
        WebForm.objects.for_organisation(organisation)
        .filter(
            is_published=True, case_type__is_active=True, case_type__code=str(code)[:CODE_LIMIT]
        )
        .exclude(case_type__kind__in=sorted(NOT_OFFERED_ONLINE))
        .select_related("case_type", "case_type__service", "case_type__organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found


def reported_case(organisation: Organisation, reference: str) -> Case:
    """A case the resident's own session reported (the view checks the session first)."""
    case: Case | None = (
        Case.objects.for_organisation(organisation)
        .filter(reference=str(reference)[:REFERENCE_LIMIT])
        .select_related("case_type")
        .only("reference", "due_at", "title", "case_type__name", "received_at")
        .first()
    )
    if case is None:
        raise Http404
    return case


# --- staff --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WebFormRow:
    case_type: CaseType
    web_form: WebForm | None

    @property
    def is_published(self) -> bool:
        return self.web_form is not None and self.web_form.is_published

    @property
    def can_publish(self) -> bool:
        return self.case_type.kind not in NOT_OFFERED_ONLINE


def web_form_rows(user: User) -> list[WebFormRow]:
    """Every case type of the user's organisation with its web form, if it has one."""
    forms = {web_form.case_type_id: web_form for web_form in WebForm.objects.for_user(user)}
    types = CaseType.objects.for_user(user).select_related("service").order_by("name")
    rows = [WebFormRow(case_type, forms.get(case_type.pk)) for case_type in types]
    return sorted(
        rows,
        key=lambda row: (
            not row.is_published,
            row.web_form.position if row.web_form else 1000,
            row.case_type.name.lower(),
        ),
    )


def get_case_type_for(user: User, case_type_id: int) -> CaseType:
    """The user's organisation's case type, for changing its web form (404 outside it)."""
    case_type: CaseType = get_or_404(
        user,
        CaseType.objects.for_user(user).select_related("service"),
        permissions.CASE_TYPE_MANAGE,
        pk=case_type_id,
    )
    return case_type


def web_form_of(case_type: CaseType) -> WebForm | None:
    found: WebForm | None = (
        WebForm.objects.for_organisation(case_type.organisation_id)
        .filter(case_type=case_type)
        .first()
    )
    return found
