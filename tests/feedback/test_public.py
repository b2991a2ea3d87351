"""The public form ("On the Record", /feedback/o/<organisation>/) as GOV.UK question pages,
without signing in: one question a page, answers kept in the session, "Check your answers"
before sending, each answer changeable from there; a complaint lands in the same record as the
desk's, with a web-form contact.  Every page refuses hostile and oversized input with a GOV.UK
error, keeps what was typed and every earlier answer, and saves nothing; the honeypot and the
per-address limit hold; equality questions stay optional and apart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from onestop.contacts.models import Contact
from onestop.core.models import AuditRecord, Organisation
from onestop.customers.models import Customer
from onestop.directory import services as directory_services
from onestop.feedback.models import Feedback, Kind
from tests.feedback.conftest import World

# Each page's answers for a named complaint about a service, in the order they are asked.
PAGES = [
    ("kind", {"kind": "complaint"}),
    ("about", {"about": "service"}),
    ("service", {"service": ""}),
    ("what-happened", {"what_happened": "The bin lorry blocked my drive for an hour."}),
    ("wanted", {"wanted": "Tell the crew to park elsewhere."}),
    ("reply", {"email": "robin@example.org", "phone": ""}),
    ("name", {"given_name": "Robin", "family_name": "Walker"}),
]


@pytest.fixture(autouse=True)
def fresh_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _base(world: World) -> str:
    return f"/feedback/o/{world.organisation.slug}/"


def _answer_all(world: World, client: Client, **changes: dict[str, str]) -> None:
    """Answer every page (``changes`` replaces a page's answers by its slug; a ``staff`` change
    answers the staff question, asked after the service when it is about a member of staff)."""
    pages = list(PAGES)
    if "staff" in changes:
        pages.insert(3, ("staff", changes["staff"]))
    for slug, answers in pages:
        response = client.post(f"{_base(world)}{slug}/", changes.get(slug, answers))
        assert response.status_code == 302, (slug, response.content.decode()[:2000])


def _answers_shown(client: Client, world: World) -> str:
    """The check page's summary list (the page around it carries a fresh nonce each time)."""
    page = client.get(f"{_base(world)}check/").content.decode()
    start = page.index('data-testid="answers"')
    return page[start : page.index("</dl>", start)]


def _feedback(world: World) -> Feedback:
    found: Feedback = Feedback.objects.for_organisation(world.organisation).get()
    return found


def test_a_resident_answers_one_question_a_page_checks_and_sends(world: World) -> None:
    client = Client()
    start = client.get(_base(world))
    assert start.status_code == 200
    assert f'href="{_base(world)}kind/"' in start.content.decode()
    # Each accepted page goes to the next question, and the last to the check page.
    expected = [f"{_base(world)}{slug}/" for slug, _ in PAGES[1:]] + [f"{_base(world)}check/"]
    waste = {"service": str(world.waste.pk)}
    for (slug, answers), following in zip(PAGES, expected, strict=True):
        page = client.get(f"{_base(world)}{slug}/")
        assert page.status_code == 200
        assert page.content.decode().count("<h1") == 1
        response = client.post(f"{_base(world)}{slug}/", waste if slug == "service" else answers)
        assert (response.status_code, response["Location"]) == (302, following)
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    check = client.get(f"{_base(world)}check/").content.decode()
    for text in ("Waste and Recycling", "The bin lorry blocked my drive", "robin@example.org",
                 "Robin", "Walker", "Tell the crew to park elsewhere."):  # fmt: skip
        assert text in check
    assert check.count("Change<span") == 7  # the staff page is not asked about a service
    response = client.post(f"{_base(world)}check/", follow=True)
    feedback = _feedback(world)
    assert response.redirect_chain == [(f"{_base(world)}sent/{feedback.reference}/", 302)]
    body = response.content.decode()
    assert feedback.reference in body
    assert "we will acknowledge your complaint by" in body
    assert (feedback.kind, feedback.channel, feedback.recorded_by, feedback.service) == (
        Kind.COMPLAINT,
        "web-form",
        None,
        world.waste,
    )
    assert feedback.wanted == "Tell the crew to park elsewhere."
    customer = Customer.objects.for_organisation(world.organisation).get(pk=feedback.customer_id)
    assert (customer.given_name, customer.family_name) == ("Robin", "Walker")
    contact = Contact.objects.for_organisation(world.organisation).get(pk=feedback.contact_id)
    assert contact.channel == "web-form"
    audit = AuditRecord.objects.get(
        organisation=world.organisation, object_type="feedback.feedback", action="created"
    )
    assert (audit.actor, audit.ip_address) == (None, "127.0.0.1")
    # The answers are gone once sent: a second send finds nothing to send.
    assert client.get(f"{_base(world)}check/")["Location"] == f"{_base(world)}kind/"
    assert Feedback.objects.for_organisation(world.organisation).count() == 1
    # Another browser cannot open the confirmation page.
    assert Client().get(f"{_base(world)}sent/{feedback.reference}/").status_code == 404


def test_an_answer_changed_from_the_check_page_returns_to_it(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    change = f"{_base(world)}what-happened/?from=check"
    assert f'href="{change}"' in client.get(f"{_base(world)}check/").content.decode()
    page = client.get(change).content.decode()
    assert "The bin lorry blocked my drive for an hour." in page  # the answer given
    assert f'href="{_base(world)}check/"' in page  # back to the check page
    response = client.post(change, {"what_happened": "The lorry blocked my drive twice."})
    assert response["Location"] == f"{_base(world)}check/"
    assert "twice" in client.get(f"{_base(world)}check/").content.decode()
    client.post(f"{_base(world)}check/")
    assert _feedback(world).what_happened == "The lorry blocked my drive twice."


def test_a_change_that_asks_a_new_question_asks_it_before_the_check_page(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    response = client.post(f"{_base(world)}about/?from=check", {"about": "staff"})
    assert response["Location"] == f"{_base(world)}staff/?from=check"
    assert client.get(f"{_base(world)}check/")["Location"] == f"{_base(world)}staff/"
    response = client.post(f"{_base(world)}staff/?from=check", {"staff_named": "Sam"})
    assert response["Location"] == f"{_base(world)}check/"
    # Back to a service: the staff name no longer applies and is not sent.
    client.post(f"{_base(world)}about/?from=check", {"about": "service"})
    assert "Sam" not in client.get(f"{_base(world)}check/").content.decode()
    client.post(f"{_base(world)}check/")
    assert (_feedback(world).about_staff, _feedback(world).staff_named) == (False, "")


def test_an_email_address_given_after_a_blank_name_asks_for_the_name(world: World) -> None:
    client = Client()
    _answer_all(
        world,
        client,
        reply={"email": "", "phone": ""},
        name={"given_name": "", "family_name": ""},
    )
    response = client.post(
        f"{_base(world)}reply/?from=check", {"email": "robin@example.org", "phone": ""}
    )
    assert response["Location"] == f"{_base(world)}name/?from=check"
    refused = client.post(f"{_base(world)}name/?from=check", {"given_name": "", "family_name": ""})
    assert refused.status_code == 400
    assert "Enter your name so that we know who to reply to" in refused.content.decode()
    refused = client.post(f"{_base(world)}check/")
    assert refused.status_code == 400
    assert f'href="{_base(world)}name/?from=check"' in refused.content.decode()
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_an_anonymous_compliment_needs_no_details(world: World) -> None:
    client = Client()
    _answer_all(
        world,
        client,
        kind={"kind": "compliment"},
        about={"about": "staff"},
        reply={"email": "", "phone": ""},
        name={"given_name": "", "family_name": ""},
        staff={"staff_named": "Sam on the bins"},
        **{"what-happened": {"what_happened": "Sam was very kind."}},
    )
    assert client.post(f"{_base(world)}check/").status_code == 302
    feedback = _feedback(world)
    assert (feedback.customer_id, feedback.about_staff, feedback.staff_named, feedback.kind) == (
        None,
        True,
        "Sam on the bins",
        Kind.COMPLIMENT,
    )


def test_questions_are_asked_in_order(world: World) -> None:
    client = Client()
    assert client.get(f"{_base(world)}name/")["Location"] == f"{_base(world)}kind/"
    assert client.post(f"{_base(world)}check/")["Location"] == f"{_base(world)}kind/"
    client.post(f"{_base(world)}kind/", {"kind": "comment"})
    assert client.get(f"{_base(world)}wanted/")["Location"] == f"{_base(world)}about/"
    client.post(f"{_base(world)}about/", {"about": "service"})
    # The staff question is not asked about a service.
    assert client.get(f"{_base(world)}staff/")["Location"] == f"{_base(world)}service/"
    assert client.get(f"{_base(world)}no-such-question/").status_code == 404
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_an_unknown_organisation_is_not_found(world: World) -> None:
    for path in ("", "kind/", "check/", "sent/"):
        assert Client().get(f"/feedback/o/no-such-council/{path}").status_code == 404
    assert (
        Client().post("/feedback/o/no-such-council/kind/", {"kind": "comment"}).status_code == 404
    )
    assert Client().get("/feedback/no-such-council/").status_code == 404


@pytest.mark.parametrize(
    ("slug", "posted", "message"),
    [
        ("kind", {"kind": ""}, "Select what you want to tell us"),
        (
            "kind",
            {"kind": "'; DROP TABLE feedback_feedback; --"},
            "Select what you want to tell us",
        ),
        ("about", {"about": "<script>alert(1)</script>"}, "Select what it is about"),
        ("service", {"service": "-1"}, "Select which service"),
        ("service", {"service": "9" * 30}, "Select which service"),
        ("what-happened", {"what_happened": ""}, "Enter what happened"),
        ("what-happened", {"what_happened": "x" * 10_001}, "must be 10000 characters or fewer"),
        ("what-happened", {"what_happened": "Look\u202ehere"}, "What happened"),
        ("wanted", {"wanted": "\x00\x01"}, "What would you like us to do"),
        ("reply", {"email": "not an email", "phone": ""}, "mail"),
        ("reply", {"email": "a@" + "b" * 260 + ".org", "phone": ""}, "254 characters or fewer"),
        ("reply", {"email": "", "phone": "0" * 31}, "30 characters or fewer"),
        ("name", {"given_name": "Robin", "family_name": ""}, "Enter your last name"),
        ("name", {"given_name": "", "family_name": "y" * 101}, "100 characters or fewer"),
        ("name", {"given_name": "Ro\u200bbin", "family_name": "Walker"}, "First name"),
    ],
)
def test_each_page_refuses_hostile_and_oversized_input_keeping_every_answer(
    world: World, slug: str, posted: dict[str, str], message: str
) -> None:
    client = Client()
    _answer_all(world, client)
    before = _answers_shown(client, world)
    response = client.post(f"{_base(world)}{slug}/", posted)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    # Nothing saved, and every earlier answer kept as it was.
    assert not Feedback.objects.for_organisation(world.organisation).exists()
    assert (
        not Customer.objects.for_organisation(world.organisation)
        .filter(given_name="Robin")
        .exists()
    )
    assert _answers_shown(client, world) == before


def test_a_refused_page_shows_what_was_typed(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    text = "It happened\u202e again on Tuesday <b>morning</b>"
    body = client.post(f"{_base(world)}what-happened/", {"what_happened": text}).content.decode()
    assert "again on Tuesday &lt;b&gt;morning&lt;/b&gt;" in body
    body = client.post(
        f"{_base(world)}reply/", {"email": "robin at example", "phone": "01234 567890"}
    ).content.decode()
    assert 'value="robin at example"' in body
    assert 'value="01234 567890"' in body
    body = client.post(
        f"{_base(world)}name/", {"given_name": "Robin", "family_name": ""}
    ).content.decode()
    assert 'value="Robin"' in body


def test_html_is_kept_as_text_and_never_rendered(world: World) -> None:
    client = Client()
    text = "<img src=x onerror=alert(1)> it happened"
    _answer_all(world, client, **{"what-happened": {"what_happened": text}})
    check = client.get(f"{_base(world)}check/").content.decode()
    assert "<img src=x" not in check
    assert "&lt;img src=x onerror=alert(1)&gt; it happened" in check
    client.post(f"{_base(world)}check/")
    assert _feedback(world).what_happened == text


def test_a_body_that_is_not_utf8_is_refused_as_empty(world: World) -> None:
    client = Client()
    response = client.generic(
        "POST",
        f"{_base(world)}kind/",
        b"kind=complaint&x=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Select what you want to tell us" in response.content.decode()


def test_a_tampered_session_is_read_as_no_answers(world: World) -> None:
    client = Client()
    client.post(f"{_base(world)}kind/", {"kind": "complaint"})
    session = client.session
    session["onestop_feedback_answers"] = {
        str(world.organisation.pk): {"kind": ["complaint"], "about": {"x": 1}, "evil": "1"}
    }
    session.save()
    assert client.get(f"{_base(world)}check/")["Location"] == f"{_base(world)}kind/"
    session["onestop_feedback_answers"] = "not a dict"
    session.save()
    assert client.get(f"{_base(world)}about/")["Location"] == f"{_base(world)}kind/"


def test_a_tampered_answer_is_refused_on_sending(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    session = client.session
    answers = session["onestop_feedback_answers"][str(world.organisation.pk)]
    session["onestop_feedback_answers"] = {
        str(world.organisation.pk): {**answers, "what_happened": "y" * 20_000}
    }
    session.save()
    refused = client.post(f"{_base(world)}check/")
    assert refused.status_code == 400
    assert f'href="{_base(world)}what-happened/?from=check"' in refused.content.decode()
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_answers_for_one_organisation_stay_with_it(world: World) -> None:
    from tests import factories as core_factories

    other = core_factories.organisation(slug="other-council", name="Other Council")
    client = Client()
    _answer_all(world, client)
    assert client.get("/feedback/o/other-council/check/")["Location"] == (
        "/feedback/o/other-council/kind/"
    )
    # Another organisation's service id is not a choice here.
    client.post("/feedback/o/other-council/kind/", {"kind": "comment"})
    client.post("/feedback/o/other-council/about/", {"about": "service"})
    refused = client.post("/feedback/o/other-council/service/", {"service": str(world.waste.pk)})
    assert refused.status_code == 400
    assert not Feedback.objects.for_organisation(other).exists()


@pytest.mark.parametrize("slug", ["kind", "what-happened", "name"])
def test_the_honeypot_on_any_page_is_answered_like_a_form_sent(world: World, slug: str) -> None:
    client = Client()
    _answer_all(world, client)
    response = client.post(
        f"{_base(world)}{slug}/", {**dict(PAGES)[slug], "leave_blank": "http://spam.example"}
    )
    assert (response.status_code, response["Location"]) == (302, f"{_base(world)}sent/")
    assert client.get(f"{_base(world)}check/")["Location"] == f"{_base(world)}kind/"
    assert not Feedback.objects.for_organisation(world.organisation).exists()


def test_the_honeypot_on_the_check_page_saves_nothing(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    response = client.post(f"{_base(world)}check/", {"leave_blank": "spam"})
    assert (response.status_code, response["Location"]) == (302, f"{_base(world)}sent/")
    assert not Feedback.objects.for_organisation(world.organisation).exists()


@override_settings(ONESTOP_FEEDBACK_PER_HOUR=2)
def test_an_address_may_send_only_so_many_and_mistakes_do_not_count(world: World) -> None:
    client = Client()
    for _ in range(3):
        assert client.post(f"{_base(world)}kind/", {"kind": ""}).status_code == 400
    _answer_all(world, client)
    assert client.post(f"{_base(world)}check/").status_code == 302
    _answer_all(world, client)
    assert client.post(f"{_base(world)}check/").status_code == 302
    _answer_all(world, client)
    refused = client.post(f"{_base(world)}check/")
    assert refused.status_code == 429
    assert "You have sent too many forms" in refused.content.decode()
    assert Feedback.objects.for_organisation(world.organisation).count() == 2
    # The answers are still there for when the hour is up.
    assert client.get(f"{_base(world)}check/").status_code == 200


def test_equality_answers_are_optional_and_kept_apart_with_the_customer(world: World) -> None:
    from onestop.customers.models import AgeBand, EqualityMonitoring

    client = Client()
    _answer_all(world, client)
    client.post(f"{_base(world)}check/")
    feedback = _feedback(world)
    done = f"{_base(world)}sent/{feedback.reference}/"
    equality = f"{done}equality/"
    assert f'href="{equality}"' in client.get(done).content.decode()
    assert Client().get(equality).status_code == 404  # another browser
    refused = client.post(equality, {"age_band": "<script>"})
    assert refused.status_code == 400
    assert "Select an answer from the list" in refused.content.decode()
    assert not EqualityMonitoring.objects.for_organisation(world.organisation).exists()
    answer = AgeBand.values[2]
    response = client.post(equality, {"age_band": answer, "sex": ""})
    assert (response.status_code, response["Location"]) == (302, done)
    kept = EqualityMonitoring.objects.for_organisation(world.organisation).get()
    assert (kept.customer_id, kept.age_band, kept.sex) == (feedback.customer_id, answer, "")
    assert "age_band" not in str(Feedback.objects.for_organisation(world.organisation).values())


def test_the_confirmation_says_how_to_track_it_and_its_link_finds_it(world: World) -> None:
    client = Client()
    _answer_all(world, client)
    client.post(f"{_base(world)}check/")
    feedback = _feedback(world)

    html = client.get(f"{_base(world)}sent/{feedback.reference}/").content.decode()
    link = re.search(r'data-testid="track">.*?href="([^"]+)">track what you sent us</a>', html)
    assert link is not None
    track = f"/o/{world.organisation.slug}/track/"
    assert link[1] == track
    tracked = client.post(track, {"reference": feedback.reference, "detail": "robin@example.org"})
    assert (tracked.status_code, tracked["Location"]) == (302, f"{track}{feedback.reference}/")


def test_anonymous_feedback_is_not_asked_equality_questions(world: World) -> None:
    client = Client()
    _answer_all(
        world, client, reply={"email": "", "phone": ""}, name={"given_name": "", "family_name": ""}
    )
    client.post(f"{_base(world)}check/")
    feedback = _feedback(world)
    done = f"{_base(world)}sent/{feedback.reference}/"
    html = client.get(done).content.decode()
    assert "equality-link" not in html
    # Nothing given to prove it was theirs with: so no link to track it either.
    assert 'data-testid="track"' not in html
    assert client.get(f"{done}equality/").status_code == 404


def test_the_service_question_reads_no_services_and_shows_a_change_at_once(
    world: World, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.post(f"{_base(world)}kind/", {"kind": "complaint"})
    client.post(f"{_base(world)}about/", {"about": "service"})
    assert world.waste.name in client.get(f"{_base(world)}service/").content.decode()

    # Kept under the organisation's public version: the page reads its session and nothing more
    # (the organisation's row is kept too, for a resident's GET).
    with django_assert_num_queries(1):
        assert client.get(f"{_base(world)}service/").status_code == 200

    directory_services.update_service(
        world.waste, by=None, name="Waste and Recycling", description="", lgsl_code=None
    )
    page = client.get(f"{_base(world)}service/").content.decode()
    assert "Waste and Recycling" in page
    answered = client.post(f"{_base(world)}service/", {"service": str(world.waste.pk)})
    assert answered.status_code == 302


def test_the_services_are_named_in_the_residents_language_with_a_plain_not_sure(
    world: World,
) -> None:
    Organisation.objects.filter(pk=world.organisation.pk).update(offers_welsh=True)
    directory_services.update_service(
        world.waste,
        by=None,
        name=world.waste.name,
        description="",
        lgsl_code=None,
        name_cy="Gwastraff ac Ailgylchu",
    )
    client = Client()
    client.get(f"{_base(world)}?lang=cy")
    client.post(f"{_base(world)}kind/", {"kind": "complaint"})
    client.post(f"{_base(world)}about/", {"about": "service"})

    welsh = client.get(f"{_base(world)}service/").content.decode()

    waste = f'<option value="{world.waste.pk}">'
    assert f"{waste}Gwastraff ac Ailgylchu</option>" in welsh
    assert f"{waste}{world.waste.name}</option>" not in welsh
    assert '<option value="" selected>Dw i ddim yn siŵr</option>' in welsh
    # In the order of the names shown: the Welsh name's G before the English-only Housing.
    housing = f'<option value="{world.housing.pk}">Housing</option>'
    assert welsh.index(f"{waste}Gwastraff") < welsh.index(housing)
    assert ">Dim</option>" not in welsh
    client.post(f"{_base(world)}service/", {"service": str(world.waste.pk)})
    for slug, answers in PAGES[3:]:
        client.post(f"{_base(world)}{slug}/", answers)
    assert "Gwastraff ac Ailgylchu" in _answers_shown(client, world)
    english = Client()
    english.post(f"{_base(world)}kind/", {"kind": "complaint"})
    english.post(f"{_base(world)}about/", {"about": "service"})
    page = english.get(f"{_base(world)}service/").content.decode()
    assert f"{waste}{world.waste.name}</option>" in page
    assert page.index(housing) < page.index(f"{waste}{world.waste.name}")
    assert '<option value="" selected>I am not sure</option>' in page
    assert ">None</option>" not in page
