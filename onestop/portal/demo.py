"""The demo council's portal data (called by ``onestop demo``; idempotent).

Publishes a few of the demo case types online with guidance and search keywords.  A case type
that already has a web form is left as it is, so running the demo again neither duplicates nor
undoes what an administrator changed.  The partner housing association offers its pages in
Welsh too, with its repair and tenancy forms translated (``load_welsh_demo``); its repair form
is asked one thing per page.
"""

from __future__ import annotations

from onestop.cases.models import CaseType
from onestop.core.models import Organisation
from onestop.directory import services as directory_services
from onestop.portal import services
from onestop.portal.models import Layout, WebForm

# code, position, guidance, search keywords in English and in Welsh (other words residents
# type for the form: the residents' list finds it by them).
PUBLISHED: tuple[tuple[str, int, str, str, str], ...] = (
    (
        "missed-bin",
        10,
        "Report a missed collection by the end of the day after your collection day. "
        "Leave the bin out where it is until we collect it.",
        "rubbish, refuse, waste, recycling, wheelie bin, bin collection, dustbin, garden waste, "
        "bin men",
        "sbwriel, gwastraff, ailgylchu, bin olwynion, casglu biniau, gwastraff gardd",
    ),
    (
        "fly-tipping",
        20,
        "Do not touch the waste: it may be dangerous. Tell us where it is and what it looks like.",
        "dumping, dumped rubbish, rubbish, waste, litter, mattress, fly tipping",
        "tipio anghyfreithlon, sbwriel, gwastraff, taflu sbwriel",
    ),
    (
        "pothole",
        30,
        "Tell us the road and the nearest house number or landmark.",
        "road, hole, street, pavement, tarmac, road surface",
        "twll yn y ffordd, ffordd, heol, palmant, tarmac",
    ),
    (
        "noise",
        40,
        "For noise happening now that puts anyone at risk, call 999. "
        "Otherwise tell us where the noise comes from and when it happens.",
        "loud music, neighbours, party, barking dog, alarm, building work",
        "sŵn, cerddoriaeth uchel, cymdogion, ci yn cyfarth, larwm",
    ),
)


def load_demo(council: Organisation) -> None:
    """Publish the demo's everyday case types online (once)."""
    existing = set(
        WebForm.objects.for_organisation(council).values_list("case_type__code", flat=True)
    )
    types = {
        case_type.code: case_type
        for case_type in CaseType.objects.for_organisation(council).filter(
            code__in=[row[0] for row in PUBLISHED]
        )
    }
    for code, position, guidance, keywords, keywords_cy in PUBLISHED:
        case_type = types.get(code)
        if case_type is None or code in existing:
            continue
        services.save_web_form(
            case_type,
            by=None,
            is_published=True,
            guidance=guidance,
            position=position,
            words=services.WebFormWords(keywords=keywords, keywords_cy=keywords_cy),
        )


# The housing association's forms in English and Welsh: code, position, layout, guidance, and
# the Welsh words (hint, guidance, questions; the Welsh names are the case types', set by
# ``cases.demo.HOUSING_WELSH_NAMES``).  Our Welsh: a council relying on it should
# have a translator review it, as for every shipped Welsh text.
WELSH_PUBLISHED: tuple[tuple[str, int, str, str, services.WebFormWords], ...] = (
    (
        "repair",
        10,
        Layout.QUESTION_PAGES,
        "If water, gas or electricity is putting anyone at risk, phone us now instead: "
        "this form is not for emergencies.",
        services.WebFormWords(
            hint="Something in your home that is broken or not working",
            hint_cy="Rhywbeth yn eich cartref sydd wedi torri neu ddim yn gweithio",
            guidance_cy="Os yw dŵr, nwy neu drydan yn peryglu unrhyw un, ffoniwch ni nawr yn "
            "lle hynny: nid yw'r ffurflen hon ar gyfer argyfyngau.",
            keywords="broken, leak, boiler, heating, hot water, damp, mould, window, door",
            keywords_cy="wedi torri, dŵr yn gollwng, boeler, gwres, dŵr poeth, lleithder, "
            "llwydni, ffenestr, drws",
            questions_cy={
                "where": {"label": "Pa ystafell", "choices": []},
                "what": {
                    "label": "Beth sydd angen ei atgyweirio",
                    "choices": [
                        "Gwres neu ddŵr poeth",
                        "Dŵr yn gollwng",
                        "Trydan",
                        "Drysau neu ffenestri",
                        "Arall",
                    ],
                },
            },
        ),
    ),
    (
        "tenancy-enquiry",
        20,
        Layout.AUTOMATIC,
        "Tell us what you would like to know and we will reply.",
        services.WebFormWords(
            hint="Questions about your tenancy, your rent or moving home",
            hint_cy="Cwestiynau am eich tenantiaeth, eich rhent neu symud cartref",
            guidance_cy="Dywedwch wrthym beth hoffech chi ei wybod a byddwn yn ateb.",
            keywords="rent, moving home, tenancy agreement, transfer, lodger",
            keywords_cy="rhent, symud cartref, cytundeb tenantiaeth, trosglwyddo",
        ),
    ),
)


def load_welsh_demo(housing: Organisation) -> None:
    """The housing association offers Welsh and publishes its translated forms (once)."""
    if not housing.offers_welsh:
        directory_services.update_organisation(
            housing,
            by=None,
            name=housing.name,
            type=housing.type,
            nation=housing.nation,
            branding_text=housing.branding_text,
            offers_welsh=True,
        )
    existing = set(
        WebForm.objects.for_organisation(housing).values_list("case_type__code", flat=True)
    )
    types = {
        case_type.code: case_type
        for case_type in CaseType.objects.for_organisation(housing).filter(
            code__in=[row[0] for row in WELSH_PUBLISHED]
        )
    }
    for code, position, layout, guidance, words in WELSH_PUBLISHED:
        case_type = types.get(code)
        if case_type is None or code in existing:
            continue
        services.save_web_form(
            case_type,
            by=None,
            is_published=True,
            guidance=guidance,
            position=position,
            words=words,
            layout=layout,
        )
