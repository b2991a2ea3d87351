"""Every write of the portal: publishing case types online, and a resident's report.

``submit_report`` is the web-form channel of issue 6 (C5): one transaction creates the
resident's customer record (only when they gave a name), logs the contact on the web-form
channel and raises the case through ``cases.services.raise_case`` with ``by=None`` (the public)
and ``source=web``, so the reference, routing, deadlines, acknowledgement and audit are exactly
the desk's.  A rejected report raises ``ServiceError`` naming the input and saves nothing.

A report never attaches itself to an existing customer: the public cannot prove who they are,
so a new record is made each time and the desk's possible-duplicates and merge join records
that are the same person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop.cases import services as case_services
from onestop.cases.models import Case, CaseKind, CaseType, Source
from onestop.contacts import services as contact_services
from onestop.contacts.models import Channel, Direction, Outcome
from onestop.core import audit
from onestop.core import services as core_services
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, Organisation, User
from onestop.core.questions import AttributeKind
from onestop.core.text import has_control_characters, visible
from onestop.customers import services as customer_services
from onestop.customers.models import Customer, Language, PreferredChannel
from onestop.documents import services as document_services
from onestop.documents.models import DocumentSource
from onestop.portal.errors import PortalError
from onestop.portal.models import GUIDANCE_LIMIT, HINT_LIMIT, KEYWORDS_LIMIT, Layout, WebForm
from onestop.portal.models import NAME_LIMIT as FORM_NAME_LIMIT

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 5_000
LOCATION_LIMIT = 200
NAME_LIMIT = 100
POSITION_LIMIT = 999
# Case types residents cannot raise themselves: a councillor enquiry is raised by or for a
# Member, never from the public form.
NOT_OFFERED_ONLINE = frozenset({CaseKind.COUNCILLOR_ENQUIRY})


@dataclass(frozen=True)
class Report:
    """What a resident typed into the web form (answers keyed by question code)."""

    title: str
    postcode: str = ""
    description: str = ""
    location: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    # The language the resident used (``customers.models.Language``): recorded on their
    # customer record, so the messages about the report follow it.
    language: str = Language.ENGLISH
    # Where the problem is on the map (only where the case type asks for a location).
    point: case_services.Point | None = None


@dataclass(frozen=True)
class WebFormWords:
    """What residents read about a form besides its name and guidance: a hint under its name,
    and the Welsh hint, guidance and questions (``WebForm.questions_cy``'s shape).  The Welsh
    name is the case type's (``CaseType.name_cy``, edited on the case type's page)."""

    hint: str = ""
    hint_cy: str = ""
    guidance_cy: str = ""
    questions_cy: dict[str, Any] = field(default_factory=dict)
    # Search keywords (``WebForm.keywords``): words or short phrases separated by commas.
    keywords: str = ""
    keywords_cy: str = ""


def _refuse(code: PortalError, message: str, field_name: str | None = None) -> ServiceError:
    return ServiceError(code, message, field=field_name)


def _plain(value: str, *, label: str, field_name: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise _refuse(
            PortalError.TOO_LONG,
            _("%(label)s must be %(limit)s characters or fewer") % {"label": label, "limit": limit},
            field_name,
        )
    if has_control_characters(value):
        raise _refuse(
            PortalError.CONTROL_CHARACTERS,
            _("Remove the special characters from “%(label)s”: only ordinary text is allowed")
            % {"label": label},
            field_name,
        )
    return value


def name_problem(given_name: str, family_name: str, *, reply_to: bool) -> ServiceError | None:
    """What is wrong with the resident's name, if anything (the form and ``submit_report`` ask
    the same question, so they never disagree).

    A name is optional, but a name given makes a customer record, and a person's record needs
    both names (``customers.services.clean_details``): one name alone is refused with a message
    that says how to go on, rather than saved under an invented other name.  An email address or
    phone number needs a name, so the council knows whom it is answering."""
    if reply_to and not (given_name or family_name):
        return _refuse(
            PortalError.NAME_REQUIRED,
            _("Enter your name so that we know who to reply to"),
            "given_name",
        )
    if given_name and not family_name:
        message = (
            _("Enter your last name")
            if reply_to
            else _("Enter your last name, or remove your first name to report anonymously")
        )
        return _refuse(PortalError.NAME_REQUIRED, message, "family_name")
    if family_name and not given_name:
        message = (
            _("Enter your first name")
            if reply_to
            else _("Enter your first name, or remove your last name to report anonymously")
        )
        return _refuse(PortalError.NAME_REQUIRED, message, "given_name")
    return None


# --- staff: which case types residents can report online ----------------------------------------
def save_web_form(
    case_type: CaseType,
    *,
    by: User | None,
    is_published: bool,
    guidance: str,
    position: int,
    words: WebFormWords | None = None,
    layout: str | None = None,
) -> WebForm:
    """Publish or unpublish ``case_type`` online and set its guidance and place in the list,
    and, when ``words`` is given, its hint and Welsh words (else they stay as they are)."""
    guidance = _plain(guidance, label=_("Guidance"), field_name="guidance", limit=GUIDANCE_LIMIT)
    if not 1 <= position <= POSITION_LIMIT:
        raise _refuse(
            PortalError.INVALID_POSITION,
            _("Enter a position from 1 to %(limit)s") % {"limit": POSITION_LIMIT},
            "position",
        )
    if is_published and case_type.kind in NOT_OFFERED_ONLINE:
        raise _refuse(
            PortalError.NOT_OFFERED_ONLINE,
            _("%(type)s cannot be reported online: councillors raise these enquiries")
            % {"type": case_type.name},
            "is_published",
        )
    after: dict[str, Any] = {
        "is_published": is_published,
        "guidance": guidance,
        "position": position,
    }
    if words is not None:
        after.update(_clean_words(case_type, words))
    if layout is not None:
        if layout not in Layout.values:
            raise _refuse(
                PortalError.INVALID_LAYOUT, _("Choose how the form is laid out"), "layout"
            )
        after["layout"] = layout
    with transaction.atomic():
        created: WebForm | None = None
        web_form = _locked_web_form(case_type)  # two administrators saving at once: one row
        if web_form is None:
            created = _insert_web_form(case_type, after)
            # None: another administrator's first save came in between, so change their row.
            web_form = created or _locked_web_form(case_type)
        if web_form is None:  # pragma: no cover - web forms are never deleted
            raise IntegrityError("web form neither inserted nor found")
        if created is not None:
            action, changes = AuditAction.CREATED, after
        else:
            before = {name: getattr(web_form, name) for name in after}
            for name, value in after.items():
                setattr(web_form, name, value)
            web_form.save(update_fields=[*after, "updated_at"])
            action, changes = AuditAction.CHANGED, audit.changed_fields(before, after)
        audit.record(
            organisation=case_type.organisation_id,
            by=by,
            action=action,
            obj=web_form,
            summary=(f"{case_type.code} {'published' if is_published else 'not published'} online"),
            changes=changes,
        )
        core_services.public_content_changed(case_type.organisation_id)
    return web_form


def _clean_words(case_type: CaseType, words: WebFormWords) -> dict[str, Any]:
    """``words`` checked like the guidance, and the Welsh questions kept only for the case
    type's questions (a Welsh choice list must match the English one in length)."""
    questions: dict[str, Any] = {}
    for question in case_type.attributes:
        code = question["code"]
        given = words.questions_cy.get(code)
        if not isinstance(given, dict):
            continue
        label = _plain(
            str(given.get("label", "")),
            label=_("Welsh question"),
            field_name=f"label_cy_{code}",
            limit=FORM_NAME_LIMIT,
        )
        choices = [
            _plain(
                str(choice),
                label=_("Welsh answers"),
                field_name=f"choices_cy_{code}",
                limit=FORM_NAME_LIMIT,
            )
            for choice in given.get("choices", []) or []
        ]
        english = question.get("choices", []) or []
        if choices and len(choices) != len(english):
            raise _refuse(
                PortalError.CHOICES_MISMATCH,
                _("Give %(count)s Welsh answers, one for each English answer, in the same order")
                % {"count": len(english)},
                f"choices_cy_{code}",
            )
        if label or choices:
            questions[code] = {"label": label, "choices": choices}
    return {
        "keywords": clean_keywords(
            words.keywords, label=_("Search keywords"), field_name="keywords"
        ),
        "keywords_cy": clean_keywords(
            words.keywords_cy, label=_("Search keywords in Welsh"), field_name="keywords_cy"
        ),
        "hint": _plain(words.hint, label=_("Hint"), field_name="hint", limit=HINT_LIMIT),
        "hint_cy": _plain(
            words.hint_cy, label=_("Hint in Welsh"), field_name="hint_cy", limit=HINT_LIMIT
        ),
        "guidance_cy": _plain(
            words.guidance_cy,
            label=_("Guidance in Welsh"),
            field_name="guidance_cy",
            limit=GUIDANCE_LIMIT,
        ),
        "questions_cy": questions,
    }


#: One keyword: words of letters and digits (any alphabet: ŵ, ŷ), joined by single spaces,
#: hyphens or apostrophes ("wheelie bin", "fly-tipping", "dog's mess").
_KEYWORD = re.compile(r"[^\W_]+(?:[ '’-][^\W_]+)*")
#: Keywords are typed separated by commas (or one a line).
_KEYWORD_SEPARATORS = re.compile(r"[,\n;]")


def clean_keywords(value: str, *, label: str, field_name: str) -> str:
    """Search keywords as stored: each keyword checked, in the order typed, each once,
    separated by ", ".  Refused: longer than ``KEYWORDS_LIMIT`` characters, special characters,
    or anything but words (a keyword is searched for, never shown to residents, but staff read
    it, and ``<script>`` is nobody's word for a missed bin)."""
    value = _plain(value, label=label, field_name=field_name, limit=KEYWORDS_LIMIT)
    found: dict[str, str] = {}
    for typed in _KEYWORD_SEPARATORS.split(value):
        keyword = " ".join(typed.split())
        if not keyword:
            continue
        if not _KEYWORD.fullmatch(keyword):
            raise _refuse(
                PortalError.INVALID_KEYWORDS,
                _(
                    "%(label)s must only include letters, numbers, spaces, hyphens and "
                    "apostrophes, with a comma between each keyword"
                )
                % {"label": label},
                field_name,
            )
        found.setdefault(keyword.casefold(), keyword)
    return ", ".join(found.values())


def _locked_web_form(case_type: CaseType) -> WebForm | None:
    locked: WebForm | None = (
        WebForm.objects.for_organisation(case_type.organisation_id)
        .select_for_update(of=("self",))
        .filter(case_type=case_type)
        .first()
    )
    return locked


def _insert_web_form(case_type: CaseType, values: dict[str, Any]) -> WebForm | None:
    """The new web form of ``case_type``, or ``None`` when one already exists (an administrator
    saving the same case type's first form at the same moment won the unique constraint).  The
    insert runs in a savepoint, so the refusal leaves the caller's transaction usable."""
    web_form = WebForm(organisation_id=case_type.organisation_id, case_type=case_type, **values)
    try:
        with transaction.atomic():
            web_form.save(force_insert=True)
    except IntegrityError:
        return None
    return web_form


# --- the public: a resident's report -------------------------------------------------------------
def _check_offered(web_form: WebForm) -> CaseType:
    case_type = web_form.case_type
    if not web_form.is_published or not case_type.is_active or case_type.kind in NOT_OFFERED_ONLINE:
        raise _refuse(
            PortalError.NOT_OFFERED_ONLINE,
            _("%(type)s cannot be reported online at the moment") % {"type": case_type.name},
        )
    return case_type


def _clean_report(report: Report, organisation: Organisation) -> Report:
    """Every field checked before anything is written (the services check again inside)."""
    title = _plain(
        report.title, label=_("What is the problem"), field_name="title", limit=TITLE_LIMIT
    )
    description = _plain(
        report.description, label=_("Details"), field_name="description", limit=DESCRIPTION_LIMIT
    )
    location = _plain(
        report.location, label=_("Where exactly"), field_name="location", limit=LOCATION_LIMIT
    )
    given_name = visible(
        _plain(report.given_name, label=_("First name"), field_name="given_name", limit=NAME_LIMIT)
    )
    family_name = visible(
        _plain(report.family_name, label=_("Last name"), field_name="family_name", limit=NAME_LIMIT)
    )
    postcode = _plain(report.postcode, label=_("Postcode"), field_name="postcode", limit=20)
    if postcode:
        postcode = customer_services.clean_postcode(postcode)
    email = _plain(report.email, label=_("Email address"), field_name="email", limit=254)
    if email:
        email = customer_services.clean_email(email)
    phone = _plain(report.phone, label=_("Phone number"), field_name="phone", limit=30)
    if phone:
        phone = customer_services.clean_phone(phone)
    for code, answer in report.answers.items():
        if isinstance(answer, str) and has_control_characters(answer):
            raise _refuse(
                PortalError.CONTROL_CHARACTERS,
                _("Remove the special characters from your answer: only ordinary text is allowed"),
                f"attribute_{code}",
            )
    refused = name_problem(given_name, family_name, reply_to=bool(email or phone))
    if refused is not None:
        raise refused
    return Report(
        title=title,
        postcode=postcode,
        description=description,
        location=location,
        answers=report.answers,
        given_name=given_name,
        family_name=family_name,
        email=email,
        phone=phone,
        language=report.language,
        point=(
            case_services.clean_point(
                report.point.latitude, report.point.longitude, organisation=organisation
            )
            if report.point is not None
            else None
        ),
    )


def _new_customer(web_form: WebForm, report: Report) -> Customer | None:
    if not (report.given_name or report.family_name):
        return None
    preferred = (
        PreferredChannel.EMAIL
        if report.email
        else PreferredChannel.TELEPHONE
        if report.phone
        else PreferredChannel.NO_PREFERENCE
    )
    return customer_services.create_customer(
        web_form.organisation_id,
        by=None,
        details=customer_services.CustomerDetails(
            given_name=report.given_name,
            family_name=report.family_name,
            preferred_channel=preferred,
            language=Language.WELSH if report.language == Language.WELSH else Language.ENGLISH,
        ),
        contact_details=customer_services.ContactDetails(
            phones=(report.phone,) if report.phone else (),
            emails=(report.email,) if report.email else (),
        ),
    )


def submit_report(
    web_form: WebForm,
    *,
    report: Report,
    ip_address: str | None = None,
    photo: document_services.CheckedFile | None = None,
) -> Case:
    """Raise the resident's case from the web form: customer (if named), contact, case, audit,
    and the photo, if one was sent and passed ``documents``' checks, attached to the case.

    The actor is the public (``by=None`` in every record); ``ip_address`` goes on the portal's
    own audit record so abuse can be traced.  The photo is the transaction's last write, so a
    refused photo (too many is the only refusal left by then) leaves no case behind either.
    """
    case_type = _check_offered(web_form)
    report = _clean_report(report, case_type.organisation)
    case_services.clean_attributes(case_type, report.answers)  # refused before any write
    if report.point is not None and not any(
        question.get("kind") == AttributeKind.LOCATION for question in case_type.attributes
    ):
        raise _refuse(
            PortalError.POINT_NOT_ASKED,
            _("%(type)s does not ask where the problem is on a map") % {"type": case_type.name},
            "latitude",
        )
    description = report.description
    if report.location:
        where = _("Where: %(location)s") % {"location": report.location}
        description = f"{description}\n\n{where}" if description else where
    organisation = case_type.organisation
    with transaction.atomic():
        customer = _new_customer(web_form, report)
        contact = contact_services.log_contact(
            organisation,
            by=None,
            customer=customer,
            values=contact_services.ContactInput(
                channel=Channel.WEB_FORM,
                direction=Direction.INBOUND,
                service=case_type.service,
                outcome=Outcome.REQUEST_RAISED,
                notes=_("Reported online: %(type)s") % {"type": case_type.name},
            ),
        )
        case = case_services.raise_case(
            organisation,
            by=None,
            case_type_code=case_type.code,
            title=report.title,
            description=description,
            attributes=report.answers,
            customer=customer,
            contact=contact,
            postcode=report.postcode,
            source=Source.WEB,
            point=report.point,
        )
        audit.record(
            organisation=organisation,
            by=None,
            action=AuditAction.CREATED,
            obj=case,
            summary=f"Case {case.reference} reported on the web form",
            changes={
                "web_form": web_form.pk,
                "customer": customer.pk if customer else None,
                "contact": contact.pk,
            },
            ip_address=ip_address,
        )
        if photo is not None:
            document_services.attach_document(
                case, photo, by=None, source=DocumentSource.WEB, ip_address=ip_address
            )
    return case
