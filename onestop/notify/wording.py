"""The words of every message: the shipped default templates and the placeholders they may use.

Placeholders are written as GOV.UK Notify writes them, ``((name))``.  Each event has a fixed list
(``PLACEHOLDERS``): a template of an organisation's own is refused when it names any other
(``unknown_placeholders``), and ``render`` fills in every one it names.  Each event ships with a
default for every channel in English and Welsh (``default``), so a new organisation works at once;
an e-mail and a letter share their words, a text message is shorter.  A paragraph naming
``((track_link))`` is left out when the case has no track page (``render``).  The Welsh wording
is ours and wants a translator's review before a Welsh council relies on it.

Dates in a message are written as people write them ("1 December 2026", "1 Rhagfyr 2026"):
``long_date``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from onestop.notify.models import Channel, Event, Language

PLACEHOLDER = re.compile(r"\(\(([^()]*)\)\)")

_CASE = (
    "reference",
    "customer_name",
    "case_type",
    "case_title",
    "deadline",
    "service",
    # The residents' track page, a whole address (``cases.queries.track_link``).
    "track_link",
)
_ORG = ("organisation",)
_FEEDBACK = ("reference", "customer_name", "service")

#: What each event's template may name (documented in docs/notifications.md).
PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    Event.ACKNOWLEDGEMENT: (*_CASE, *_ORG),
    Event.UPDATE: (*_CASE, "update_text", *_ORG),
    Event.DEADLINE_MOVED: (*_CASE, *_ORG),
    Event.EXTENSION: (*_CASE, "reason", *_ORG),
    Event.RESPONSE: (*_CASE, "response_text", *_ORG),
    Event.CLOSURE: (*_CASE, "response_text", *_ORG),
    Event.REOPENING: (*_CASE, "reason", *_ORG),
    Event.CALLBACK_REMINDER: ("customer_name", "callback_time", *_ORG),
    Event.ESCALATION: (
        "reference",
        "case_title",
        "deadline",
        "deadline_time",
        "percent",
        "staff_name",
        *_ORG,
    ),
    Event.BULK: ("customer_name", "text", *_ORG),
    Event.TEST: _ORG,
    Event.SIGN_IN_LINK: ("sign_in_link", "expires_time", *_ORG),
    Event.COMPLAINT_ACKNOWLEDGEMENT: (*_FEEDBACK, "stage", "deadline", *_ORG),
    Event.COMPLAINT_EXTENSION: (*_FEEDBACK, "stage", "deadline", "reason", "ombudsman", *_ORG),
    Event.COMPLAINT_RESPONSE: (*_FEEDBACK, "stage", "response_text", "appeal_route", *_ORG),
    Event.FEEDBACK_ACKNOWLEDGEMENT: (*_FEEDBACK, "kind", *_ORG),
    Event.FEEDBACK_PASSED_ON: ("reference", "kind", "service", "summary", "staff_name", *_ORG),
    Event.COMPLAINT_SURVEY: (*_FEEDBACK, "survey_link", "survey_closes", *_ORG),
    Event.OMBUDSMAN_REMEDY_DUE: (
        "reference",
        "ombudsman",
        "remedy",
        "deadline",
        "staff_name",
        *_ORG,
    ),
    Event.RESTRICTION_NOTICE: ("customer_name", "restrictions", "reason", "review_date", *_ORG),
    Event.RESTRICTION_ENDED: ("customer_name", "end_reason", *_ORG),
    Event.RESTRICTION_REVIEW: ("staff_name", "customer_reference", "review_date", *_ORG),
    Event.CONTRIBUTION_REQUEST: (
        "staff_name",
        "reference",
        "service",
        "lead_service",
        "question",
        "due_date",
        *_ORG,
    ),
}

_WELSH_MONTHS = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip
_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def long_date(moment: datetime.datetime | datetime.date | None, language: str = "en") -> str:
    """``moment`` (local time) as "1 December 2026", or in Welsh "1 Rhagfyr 2026"."""
    if moment is None:
        return ""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime.datetime) else moment
    months = _WELSH_MONTHS if language == Language.WELSH else _ENGLISH_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def long_date_time(moment: datetime.datetime | None, language: str = "en") -> str:
    """ "1 December 2026, 17:00" (local time).

    Not ``core.dates.govuk_datetime`` ("1 December 2026 at 5pm"): a message is worded in the
    recipient's language, not the active one, and its pinned wording (the escalation notice,
    organisations' own templates using ``((deadline_time))``) writes the 24-hour time."""
    if moment is None:
        return ""
    return f"{long_date(moment, language)}, {timezone.localtime(moment):%H:%M}"


def placeholders_in(text: str) -> list[str]:
    """The names ``text`` uses, each once, in the order they first appear."""
    return list(dict.fromkeys(match.strip() for match in PLACEHOLDER.findall(text)))


def unknown_placeholders(event: str, text: str) -> list[str]:
    allowed = set(PLACEHOLDERS.get(event, ()))
    return [name for name in placeholders_in(text) if name not in allowed]


#: Placeholders whose paragraph is left out when they have no value: a message offers no link
#: to a page its reader cannot use (a councillor's enquiry has no track page).
DROPPED_WHEN_EMPTY = frozenset({"track_link"})
# Between two paragraphs: a blank line (or several), as typed in a form (CR LF) or not.
_PARAGRAPH_BREAK = re.compile(r"(\r?\n(?:[ \t]*\r?\n)+)")


def _without_empty_links(text: str, values: Mapping[str, str]) -> str:
    """``text`` without each paragraph that names a ``DROPPED_WHEN_EMPTY`` placeholder with no
    value (a text of one paragraph, such as a subject, is kept whole)."""
    parts = _PARAGRAPH_BREAK.split(text)
    paragraphs, breaks = parts[0::2], parts[1::2]
    if len(paragraphs) < 2:
        return text
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        names = placeholders_in(paragraph)
        if any(name in DROPPED_WHEN_EMPTY and not values.get(name) for name in names):
            continue
        if kept:
            kept.append(breaks[index - 1])
        kept.append(paragraph)
    return "".join(kept) if kept else text


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``((name))`` replaced by its value (a missing value: empty), less
    any paragraph naming an empty ``DROPPED_WHEN_EMPTY`` placeholder.  A value is put in as it
    is: a value that looks like a placeholder, or holds blank lines, changes nothing else."""
    text = _without_empty_links(text, values)
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1).strip(), "")), text)


@dataclass(frozen=True)
class Wording:
    """A template's words: ``subject`` (e-mail subject, letter heading; empty for SMS) and body."""

    subject: str
    body: str
    version: int = 0  # 0: the shipped default
    # The organisation's own GOV.UK Notify template for these words ("" for none).
    notify_template_id: str = ""


@dataclass(frozen=True)
class _Default:
    subject: str
    body: str
    sms: str


_SIGN = "\n\n((organisation))"
# How a resident follows a case, where the case has a track page (else the paragraph is left
# out): the page asks for the reference and the detail given with the request.
_TRACK = (
    "\n\nTo see how your request is going, go to ((track_link)) and enter your reference and "
    "the email address, phone number or postcode you gave us."
)
_TRACK_CY = (
    "\n\nI weld sut mae eich cais yn dod yn ei flaen, ewch i ((track_link)) a rhowch eich "
    "cyfeirnod a'r cyfeiriad e-bost, y rhif ffôn neu'r cod post a roesoch i ni."
)

_DEFAULTS: dict[str, dict[str, _Default]] = {
    Event.ACKNOWLEDGEMENT: {
        "en": _Default(
            "We have received your request: ((reference))",
            "Dear ((customer_name)),\n\nWe have received your request: ((case_title)).\n\n"
            "Your reference is ((reference)). We will reply by ((deadline))." + _TRACK + _SIGN,
            "((organisation)): we have received your request: ((case_title)). Your reference "
            "is ((reference)). We will reply by ((deadline)).\n\nTrack it at ((track_link)) "
            "with your reference and this phone number.",
        ),
        "cy": _Default(
            "Rydym wedi cael eich cais: ((reference))",
            "Annwyl ((customer_name)),\n\nRydym wedi cael eich cais: ((case_title)).\n\n"
            "Eich cyfeirnod yw ((reference)). Byddwn yn ymateb erbyn ((deadline))."
            + _TRACK_CY
            + _SIGN,
            "((organisation)): rydym wedi cael eich cais: ((case_title)). Eich cyfeirnod yw "
            "((reference)). Byddwn yn ymateb erbyn ((deadline)).\n\nDilynwch ef ar "
            "((track_link)) gyda'ch cyfeirnod a'r rhif ffôn hwn.",
        ),
    },
    Event.UPDATE: {
        "en": _Default(
            "An update on your request ((reference))",
            "Dear ((customer_name)),\n\n((update_text))\n\nYour reference is ((reference))."
            + _SIGN,
            "((organisation)), ((reference)): ((update_text))",
        ),
        "cy": _Default(
            "Diweddariad ar eich cais ((reference))",
            "Annwyl ((customer_name)),\n\n((update_text))\n\nEich cyfeirnod yw ((reference))."
            + _SIGN,
            "((organisation)), ((reference)): ((update_text))",
        ),
    },
    Event.DEADLINE_MOVED: {
        "en": _Default(
            "The date we will reply by has changed: ((reference))",
            "Dear ((customer_name)),\n\nWe will now reply to your request by ((deadline)), "
            "because the council is closed on a day before the date we gave you.\n\nYour "
            "request: ((case_title)). Your reference is ((reference))." + _TRACK + _SIGN,
            "((organisation)): we will now reply to your request ((reference)) by "
            "((deadline)), because we are closed on a day before it.",
        ),
        "cy": _Default(
            "Mae'r dyddiad y byddwn yn ymateb erbyn wedi newid: ((reference))",
            "Annwyl ((customer_name)),\n\nByddwn nawr yn ymateb i'ch cais erbyn ((deadline)), "
            "oherwydd bod y cyngor ar gau ar ddiwrnod cyn y dyddiad a roesom i chi.\n\nEich "
            "cais: ((case_title)). Eich cyfeirnod yw ((reference))." + _TRACK_CY + _SIGN,
            "((organisation)): byddwn nawr yn ymateb i'ch cais ((reference)) erbyn "
            "((deadline)), oherwydd ein bod ar gau ar ddiwrnod cyn hynny.",
        ),
    },
    Event.EXTENSION: {
        "en": _Default(
            "We need more time for your request ((reference))",
            "Dear ((customer_name)),\n\nWe need more time to answer your request: "
            "((case_title)). We will now reply by ((deadline)).\n\nThe reason: ((reason))\n\n"
            "Your reference is ((reference))." + _TRACK + _SIGN,
            "((organisation)): we need more time for your request ((reference)). We will now "
            "reply by ((deadline)).",
        ),
        "cy": _Default(
            "Mae angen mwy o amser arnom ar gyfer eich cais ((reference))",
            "Annwyl ((customer_name)),\n\nMae angen mwy o amser arnom i ateb eich cais: "
            "((case_title)). Byddwn nawr yn ymateb erbyn ((deadline)).\n\nY rheswm: "
            "((reason))\n\nEich cyfeirnod yw ((reference))." + _TRACK_CY + _SIGN,
            "((organisation)): mae angen mwy o amser arnom ar gyfer eich cais ((reference)). "
            "Byddwn nawr yn ymateb erbyn ((deadline)).",
        ),
    },
    Event.RESPONSE: {
        "en": _Default(
            "Our answer to your request ((reference))",
            "Dear ((customer_name)),\n\n((response_text))\n\nYour reference is ((reference))."
            + _SIGN,
            "((organisation)), ((reference)): ((response_text))",
        ),
        "cy": _Default(
            "Ein hateb i'ch cais ((reference))",
            "Annwyl ((customer_name)),\n\n((response_text))\n\nEich cyfeirnod yw "
            "((reference))." + _SIGN,
            "((organisation)), ((reference)): ((response_text))",
        ),
    },
    Event.CLOSURE: {
        "en": _Default(
            "Your request ((reference)) is closed",
            "Dear ((customer_name)),\n\nWe have closed your request: ((case_title)).\n\n"
            "((response_text))\n\nIf you need to tell us more, reply quoting your reference "
            "((reference))." + _SIGN,
            "((organisation)): we have closed your request ((reference)). ((response_text)) "
            "Reply quoting it if you need to tell us more.",
        ),
        "cy": _Default(
            "Mae eich cais ((reference)) wedi'i gau",
            "Annwyl ((customer_name)),\n\nRydym wedi cau eich cais: ((case_title)).\n\n"
            "((response_text))\n\nOs oes angen i chi ddweud mwy wrthym, atebwch gan ddyfynnu "
            "eich cyfeirnod ((reference))." + _SIGN,
            "((organisation)): rydym wedi cau eich cais ((reference)). ((response_text)) "
            "Atebwch gan ei ddyfynnu os oes angen i chi ddweud mwy wrthym.",
        ),
    },
    Event.REOPENING: {
        "en": _Default(
            "We have reopened your request ((reference))",
            "Dear ((customer_name)),\n\nWe have reopened your request: ((case_title)).\n\n"
            "The reason: ((reason))\n\nWe will reply by ((deadline))." + _TRACK + _SIGN,
            "((organisation)): we have reopened your request ((reference)). We will reply by "
            "((deadline)).",
        ),
        "cy": _Default(
            "Rydym wedi ailagor eich cais ((reference))",
            "Annwyl ((customer_name)),\n\nRydym wedi ailagor eich cais: ((case_title)).\n\n"
            "Y rheswm: ((reason))\n\nByddwn yn ymateb erbyn ((deadline))." + _TRACK_CY + _SIGN,
            "((organisation)): rydym wedi ailagor eich cais ((reference)). Byddwn yn ymateb "
            "erbyn ((deadline)).",
        ),
    },
    Event.CALLBACK_REMINDER: {
        "en": _Default(
            "We will call you back",
            "Dear ((customer_name)),\n\nThis is a reminder that we will call you back on "
            "((callback_time))." + _SIGN,
            "((organisation)): we will call you back on ((callback_time)).",
        ),
        "cy": _Default(
            "Byddwn yn eich ffonio yn ôl",
            "Annwyl ((customer_name)),\n\nDyma nodyn i'ch atgoffa y byddwn yn eich ffonio yn "
            "ôl ar ((callback_time))." + _SIGN,
            "((organisation)): byddwn yn eich ffonio yn ôl ar ((callback_time)).",
        ),
    },
    Event.ESCALATION: {
        "en": _Default(
            "Case ((reference)) needs attention",
            "Case ((reference)) (((case_title))) has used ((percent))% of its time: it is due "
            "((deadline_time)).",
            "Case ((reference)) has used ((percent))% of its time: due ((deadline_time)).",
        ),
        "cy": _Default(
            "Mae angen sylw ar achos ((reference))",
            "Mae achos ((reference)) (((case_title))) wedi defnyddio ((percent))% o'i amser: "
            "mae'n ddyledus ((deadline_time)).",
            "Mae achos ((reference)) wedi defnyddio ((percent))% o'i amser: dyledus "
            "((deadline_time)).",
        ),
    },
    Event.BULK: {
        "en": _Default(
            "A message from ((organisation))",
            "Dear ((customer_name)),\n\n((text))" + _SIGN,
            "((organisation)): ((text))",
        ),
        "cy": _Default(
            "Neges gan ((organisation))",
            "Annwyl ((customer_name)),\n\n((text))" + _SIGN,
            "((organisation)): ((text))",
        ),
    },
    Event.SIGN_IN_LINK: {
        "en": _Default(
            "Your sign-in link for ((organisation))",
            "Use this link to see your requests to ((organisation)):\n\n((sign_in_link))\n\n"
            "The link works once, until ((expires_time)). If you did not ask for it, you can "
            "ignore this email: nobody can use it without access to your email." + _SIGN,
            "((organisation)): your sign-in link, valid once until ((expires_time)): "
            "((sign_in_link))",
        ),
        "cy": _Default(
            "Eich dolen fewngofnodi ar gyfer ((organisation))",
            "Defnyddiwch y ddolen hon i weld eich ceisiadau i ((organisation)):\n\n"
            "((sign_in_link))\n\nMae'r ddolen yn gweithio unwaith, tan ((expires_time)). Os na "
            "wnaethoch ofyn amdani, gallwch anwybyddu'r e-bost hwn: ni all neb ei defnyddio heb "
            "fynediad i'ch e-bost." + _SIGN,
            "((organisation)): eich dolen fewngofnodi, yn ddilys unwaith tan ((expires_time)): "
            "((sign_in_link))",
        ),
    },
    Event.TEST: {
        "en": _Default(
            "A test message from ((organisation))",
            "This is a test message from OneStop for ((organisation)). It needs no reply.",
            "A test message from OneStop for ((organisation)). It needs no reply.",
        ),
        "cy": _Default(
            "Neges brawf gan ((organisation))",
            "Neges brawf yw hon gan OneStop ar gyfer ((organisation)). Nid oes angen ateb.",
            "Neges brawf gan OneStop ar gyfer ((organisation)). Nid oes angen ateb.",
        ),
    },
    Event.COMPLAINT_ACKNOWLEDGEMENT: {
        "en": _Default(
            "We have received your complaint: ((reference))",
            "Dear ((customer_name)),\n\nWe have received your complaint about ((service)) and "
            "are dealing with it at ((stage)). Your reference is ((reference)).\n\nWe will "
            "send you our answer by ((deadline))." + _SIGN,
            "((organisation)): we have received your complaint ((reference)). We will answer "
            "by ((deadline)).",
        ),
        "cy": _Default(
            "Rydym wedi cael eich cwyn: ((reference))",
            "Annwyl ((customer_name)),\n\nRydym wedi cael eich cwyn am ((service)) ac rydym "
            "yn ymdrin â hi yn ((stage)). Eich cyfeirnod yw ((reference)).\n\nByddwn yn "
            "anfon ein hateb atoch erbyn ((deadline))." + _SIGN,
            "((organisation)): rydym wedi cael eich cwyn ((reference)). Byddwn yn ateb erbyn "
            "((deadline)).",
        ),
    },
    Event.COMPLAINT_EXTENSION: {
        "en": _Default(
            "We need more time to answer your complaint ((reference))",
            "Dear ((customer_name)),\n\nWe need more time to answer your complaint "
            "(((stage))). We will now send you our answer by ((deadline)).\n\nThe reason: "
            "((reason))\n\n((ombudsman))\n\nYour reference is ((reference))." + _SIGN,
            "((organisation)): we need more time for your complaint ((reference)). We will "
            "answer by ((deadline)).",
        ),
        "cy": _Default(
            "Mae angen mwy o amser arnom i ateb eich cwyn ((reference))",
            "Annwyl ((customer_name)),\n\nMae angen mwy o amser arnom i ateb eich cwyn "
            "(((stage))). Byddwn nawr yn anfon ein hateb atoch erbyn ((deadline)).\n\nY "
            "rheswm: ((reason))\n\n((ombudsman))\n\nEich cyfeirnod yw ((reference))." + _SIGN,
            "((organisation)): mae angen mwy o amser arnom ar gyfer eich cwyn ((reference)). "
            "Byddwn yn ateb erbyn ((deadline)).",
        ),
    },
    Event.COMPLAINT_RESPONSE: {
        "en": _Default(
            "Our answer to your complaint ((reference))",
            "Dear ((customer_name)),\n\nThis is our answer to your complaint at ((stage)).\n\n"
            "((response_text))\n\nIf you are not satisfied: ((appeal_route))\n\nYour "
            "reference is ((reference))." + _SIGN,
            "((organisation)): we have sent our answer to your complaint ((reference)).",
        ),
        "cy": _Default(
            "Ein hateb i'ch cwyn ((reference))",
            "Annwyl ((customer_name)),\n\nDyma ein hateb i'ch cwyn yn ((stage)).\n\n"
            "((response_text))\n\nOs nad ydych yn fodlon: ((appeal_route))\n\nEich "
            "cyfeirnod yw ((reference))." + _SIGN,
            "((organisation)): rydym wedi anfon ein hateb i'ch cwyn ((reference)).",
        ),
    },
    Event.FEEDBACK_ACKNOWLEDGEMENT: {
        "en": _Default(
            "Thank you for your ((kind)): ((reference))",
            "Dear ((customer_name)),\n\nThank you for your ((kind)) about ((service)). We "
            "have passed it to the people it is about. Your reference is ((reference))." + _SIGN,
            "((organisation)): thank you for your ((kind)). Your reference is ((reference)).",
        ),
        "cy": _Default(
            "Diolch am eich ((kind)): ((reference))",
            "Annwyl ((customer_name)),\n\nDiolch am eich ((kind)) am ((service)). Rydym "
            "wedi'i throsglwyddo i'r bobl y mae'n ymwneud â nhw. Eich cyfeirnod yw "
            "((reference))." + _SIGN,
            "((organisation)): diolch am eich ((kind)). Eich cyfeirnod yw ((reference)).",
        ),
    },
    Event.FEEDBACK_PASSED_ON: {
        "en": _Default(
            "A ((kind)) for you: ((reference))",
            "Dear ((staff_name)),\n\nA customer sent a ((kind)) about ((service)):\n\n"
            "((summary))\n\nIts reference is ((reference)).",
            "A ((kind)) about ((service)) for you: ((reference)).",
        ),
        "cy": _Default(
            "((kind)) i chi: ((reference))",
            "Annwyl ((staff_name)),\n\nAnfonodd cwsmer ((kind)) am ((service)):\n\n"
            "((summary))\n\nEi gyfeirnod yw ((reference)).",
            "((kind)) am ((service)) i chi: ((reference)).",
        ),
    },
    Event.COMPLAINT_SURVEY: {
        "en": _Default(
            "How did we handle your complaint ((reference))?",
            "Dear ((customer_name)),\n\nWe have closed your complaint about ((service)). "
            "Please tell us how we handled it: four short questions, no sign-in needed.\n\n"
            "((survey_link))\n\nThe link works once, until ((survey_closes)). Your answers do "
            "not change the outcome of your complaint." + _SIGN,
            "((organisation)): how did we handle your complaint ((reference))? Tell us: "
            "((survey_link))",
        ),
        "cy": _Default(
            "Sut wnaethom ymdrin â'ch cwyn ((reference))?",
            "Annwyl ((customer_name)),\n\nRydym wedi cau eich cwyn am ((service)). Dywedwch "
            "wrthym sut wnaethom ymdrin â hi: pedwar cwestiwn byr, heb fod angen mewngofnodi."
            "\n\n((survey_link))\n\nMae'r ddolen yn gweithio unwaith, tan ((survey_closes)). "
            "Nid yw eich atebion yn newid canlyniad eich cwyn." + _SIGN,
            "((organisation)): sut wnaethom ymdrin â'ch cwyn ((reference))? Dywedwch wrthym: "
            "((survey_link))",
        ),
    },
    Event.OMBUDSMAN_REMEDY_DUE: {
        "en": _Default(
            "Ombudsman's remedy due by ((deadline)): ((reference))",
            "Dear ((staff_name)),\n\n((ombudsman)) asked the council to carry out this "
            "remedy on complaint ((reference)) by ((deadline)):\n\n((remedy))\n\nRecord "
            "when it is done on the complaint's page.",
            "Ombudsman's remedy on ((reference)) due by ((deadline)).",
        ),
        "cy": _Default(
            "Rhwymedi'r ombwdsmon i'w gwblhau erbyn ((deadline)): ((reference))",
            "Annwyl ((staff_name)),\n\nGofynnodd ((ombudsman)) i'r cyngor gwblhau'r "
            "rhwymedi hwn ar gŵyn ((reference)) erbyn ((deadline)):\n\n((remedy))\n\n"
            "Cofnodwch pryd y caiff ei wneud ar dudalen y gŵyn.",
            "Rhwymedi'r ombwdsmon ar ((reference)) i'w gwblhau erbyn ((deadline)).",
        ),
    },
    Event.RESTRICTION_NOTICE: {
        "en": _Default(
            "How you can contact us from now on",
            "Dear ((customer_name)),\n\nWe have decided to limit how you contact us, because: "
            "((reason))\n\nFrom now on:\n((restrictions))\n\nWe will review this decision by "
            "((review_date)). You can still make a complaint, and you can ask the ombudsman to "
            "look at this decision." + _SIGN,
            "((organisation)): we have limited how you contact us until we review it by "
            "((review_date)). We have written to you with the details.",
        ),
        "cy": _Default(
            "Sut y gallwch gysylltu \u00e2 ni o hyn ymlaen",
            "Annwyl ((customer_name)),\n\nRydym wedi penderfynu cyfyngu ar sut rydych yn "
            "cysylltu \u00e2 ni, oherwydd: ((reason))\n\nO hyn ymlaen:\n((restrictions))\n\n"
            "Byddwn yn adolygu'r penderfyniad hwn erbyn ((review_date)). Gallwch wneud cwyn o "
            "hyd, a gallwch ofyn i'r ombwdsmon edrych ar y penderfyniad hwn." + _SIGN,
            "((organisation)): rydym wedi cyfyngu ar sut rydych yn cysylltu \u00e2 ni nes i ni "
            "ei adolygu erbyn ((review_date)). Rydym wedi ysgrifennu atoch gyda'r manylion.",
        ),
    },
    Event.RESTRICTION_ENDED: {
        "en": _Default(
            "You can contact us as before",
            "Dear ((customer_name)),\n\nThe limits on how you contact us have ended: "
            "((end_reason))\n\nYou can contact us in any of the usual ways." + _SIGN,
            "((organisation)): the limits on how you contact us have ended.",
        ),
        "cy": _Default(
            "Gallwch gysylltu \u00e2 ni fel o'r blaen",
            "Annwyl ((customer_name)),\n\nMae'r cyfyngiadau ar sut rydych yn cysylltu \u00e2 "
            "ni wedi dod i ben: ((end_reason))\n\nGallwch gysylltu \u00e2 ni yn unrhyw un "
            "o'r ffyrdd arferol." + _SIGN,
            "((organisation)): mae'r cyfyngiadau ar sut rydych yn cysylltu \u00e2 ni wedi dod "
            "i ben.",
        ),
    },
    Event.RESTRICTION_REVIEW: {
        "en": _Default(
            "Review the contact restriction on ((customer_reference))",
            "Dear ((staff_name)),\n\nThe restriction on how customer ((customer_reference)) "
            "contacts us is to be reviewed by ((review_date)). Lift it, or it ends on that date.",
            "Review the contact restriction on ((customer_reference)) by ((review_date)).",
        ),
        "cy": _Default(
            "Adolygu'r cyfyngiad cyswllt ar ((customer_reference))",
            "Annwyl ((staff_name)),\n\nMae'r cyfyngiad ar sut mae cwsmer "
            "((customer_reference)) yn cysylltu \u00e2 ni i'w adolygu erbyn ((review_date)). "
            "Codwch ef, neu bydd yn dod i ben ar y dyddiad hwnnw.",
            "Adolygwch y cyfyngiad cyswllt ar ((customer_reference)) erbyn ((review_date)).",
        ),
    },
    Event.CONTRIBUTION_REQUEST: {
        "en": _Default(
            "Your service's contribution to complaint ((reference))",
            "Dear ((staff_name)),\n\n((lead_service)) is answering complaint ((reference)), "
            "which is also about ((service)). Please send your service's contribution by "
            "((due_date)):\n\n((question))",
            "Contribution to complaint ((reference)) wanted from ((service)) by ((due_date)).",
        ),
        "cy": _Default(
            "Cyfraniad eich gwasanaeth at gwyn ((reference))",
            "Annwyl ((staff_name)),\n\nMae ((lead_service)) yn ateb cwyn ((reference)), sydd "
            "hefyd yn ymwneud \u00e2 ((service)). Anfonwch gyfraniad eich gwasanaeth erbyn "
            "((due_date)):\n\n((question))",
            "Mae angen cyfraniad at gwyn ((reference)) gan ((service)) erbyn ((due_date)).",
        ),
    },
}


def default(event: str, channel: str, language: str) -> Wording:
    """The shipped words for ``event`` by ``channel`` in ``language`` (version 0)."""
    shipped = _DEFAULTS[event][language if language == Language.WELSH else Language.ENGLISH]
    if channel == Channel.SMS:
        return Wording("", shipped.sms)
    return Wording(shipped.subject, shipped.body)
