"""The outbox page (retry, cancel), the templates page (edit, preview, reset), tasks for staff
and the failure banner: permission matrices, effects and hostile input."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from onestop.cases.models import Case, Source
from onestop.core.models import AuditRecord, Organisation, RoleCode, User
from onestop.customers.models import Customer
from onestop.customers.models import Language as CustomerLanguage
from onestop.notify.models import Event, Message, MessageStatus, MessageTemplate, StaffTask
from tests import factories as core_factories
from tests.cases import factories as case_factories
from tests.cases.conftest import World, world  # noqa: F401
from tests.customers import factories as customer_factories
from tests.matrix import covers

OUTBOX = "/outbox/"
TEMPLATES = "/message-templates/"
UPDATE_EMAIL = "/message-templates/update/email/en/"


def _unreachable_case(world: World) -> Case:  # noqa: F811
    customer = customer_factories.customer(world.organisation, "Sam", "Resident")
    return case_factories.raise_case(world.organisation, customer=customer)


def _emailed_case(world: World) -> Case:  # noqa: F811
    customer = customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.org"
    )
    return case_factories.raise_case(world.organisation, customer=customer)


def _message(case: Case) -> Message:
    found: Message = Message.objects.for_organisation(case.organisation_id).get(case=case)
    return found


def _client(user: User) -> Client:
    client = Client()
    core_factories.sign_in_verified(client, user)
    return client


@pytest.fixture
def manager(council: Organisation) -> User:
    return core_factories.staff(council, RoleCode.MANAGER, username="manager")


# --- the failure banner and tasks on the case and customer pages ---------------------------------
def test_the_case_and_customer_pages_name_the_failed_message_and_the_task(
    world: World,  # noqa: F811
) -> None:
    case = _unreachable_case(world)
    for url in (f"/cases/{case.reference}/", f"/customers/{case.customer_id}/"):
        html = _client(world.officer).get(url).content.decode()
        assert 'data-testid="failed-messages"' in html
        assert "Acknowledgement to Sam Resident" in html
        assert "Not sent: Sam Resident has no e-mail address" in html
        assert 'data-testid="staff-tasks"' in html
        assert "No way to reach the customer" in html


def test_the_case_page_lists_its_messages_with_channel_and_status(
    world: World,  # noqa: F811
) -> None:
    case = _emailed_case(world)
    html = _client(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert 'data-testid="messages"' in html
    assert "sam@example.org" in html
    assert "Waiting to be sent" in html
    assert 'data-testid="failed-messages"' not in html


@covers("notify:task-done")
def test_marking_a_task_done(
    world: World,  # noqa: F811
    advisor: User,
    partner_advisor: User,
) -> None:
    case = _unreachable_case(world)
    task = StaffTask.objects.for_organisation(world.organisation).get(case=case)
    url = f"/staff-tasks/{task.pk}/done/"
    assert Client().post(url).status_code == 302  # to sign in
    assert _client(partner_advisor).post(url).status_code == 404
    assert _client(advisor).post(url).status_code == 403  # advisors do not work cases
    assert _client(world.officer).get(url).status_code == 405
    task.refresh_from_db()
    assert task.status == "open"
    response = _client(world.officer).post(url)
    assert response["Location"] == f"/cases/{case.reference}/"
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", world.officer)
    assert AuditRecord.objects.filter(
        organisation=world.organisation, object_type="notify.stafftask", action="changed"
    ).exists()
    again = _client(world.officer).post(url, follow=True)
    assert "This task was already marked as done" in again.content.decode()
    html = _client(world.officer).get(f"/cases/{case.reference}/").content.decode()
    assert 'data-testid="staff-tasks"' not in html


# --- the outbox -----------------------------------------------------------------------------------
@covers("notify:outbox", "notify:outbox-message")
def test_the_outbox_is_for_staff_who_manage_messages(
    world: World,  # noqa: F811
    advisor: User,
    auditor: User,
    partner_administrator: User,
    manager: User,
) -> None:
    case = _emailed_case(world)
    message = _message(case)
    detail = f"/outbox/{message.pk}/"
    assert Client().get(OUTBOX).status_code == 302
    for who in (advisor, auditor, world.officer):
        assert _client(who).get(OUTBOX).status_code == 403
        assert _client(who).get(detail).status_code == 403
    partner = _client(partner_administrator)
    assert partner.get(detail).status_code == 404
    assert "sam@example.org" not in partner.get(OUTBOX).content.decode()
    page = _client(manager).get(OUTBOX)
    assert page.status_code == 200
    assert "Sam Resident" in page.content.decode()
    shown = _client(manager).get(detail).content.decode()
    assert "sam@example.org" in shown
    assert case.reference in shown
    assert AuditRecord.objects.filter(
        organisation=world.organisation, object_type="notify.message", action="listed"
    ).exists()


def test_the_outbox_filters_failed_stuck_channel_and_status(
    world: World,  # noqa: F811
    manager: User,
) -> None:
    failed = _message(_unreachable_case(world))
    pending = _message(_emailed_case(world))
    stuck = _message(_emailed_case(world))
    old = timezone.now() - datetime.timedelta(minutes=20)
    Message.objects.for_organisation(world.organisation).filter(pk=stuck.pk).update(
        status=MessageStatus.SENDING, updated_at=old
    )
    client = _client(manager)

    def shown(query: str) -> set[int]:
        return {row["message"].pk for row in client.get(OUTBOX + query).context["rows"]}

    assert shown("") == {failed.pk, pending.pk, stuck.pk}
    assert shown("?problem=failed") == {failed.pk}
    assert shown("?problem=stuck") == {stuck.pk}
    assert shown("?channel=email") == {pending.pk, stuck.pk}
    assert shown("?channel=none") == {failed.pk}
    assert shown("?status=pending") == {pending.pk}
    # A value not on the list filters nothing and says so.
    response = client.get(OUTBOX + "?status=%00drop")
    assert response.status_code == 200
    assert shown("?status=nonsense&channel=" + "x" * 5000) == {failed.pk, pending.pk, stuck.pk}


@covers("notify:outbox-retry", "notify:outbox-cancel")
def test_retry_and_cancel(
    world: World,  # noqa: F811
    advisor: User,
    partner_administrator: User,
    manager: User,
) -> None:
    message = _message(_emailed_case(world))
    Message.objects.for_organisation(world.organisation).filter(pk=message.pk).update(
        status=MessageStatus.TECHNICAL_FAILURE, last_error="Notify said 500"
    )
    retry, cancel = f"/outbox/{message.pk}/retry/", f"/outbox/{message.pk}/cancel/"
    for url in (retry, cancel):
        assert Client().post(url).status_code == 302
        assert _client(partner_administrator).post(url).status_code == 404
        assert _client(advisor).post(url).status_code == 403
        assert _client(manager).get(url).status_code == 405
    message.refresh_from_db()
    assert message.status == MessageStatus.TECHNICAL_FAILURE
    before = timezone.now()
    assert _client(manager).post(retry).status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= before
    assert _client(manager).post(cancel).status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    refused = _client(manager).post(retry, follow=True).content.decode()
    assert "cannot be sent again" in refused
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    changes = AuditRecord.objects.filter(
        organisation=world.organisation,
        object_type="notify.message",
        object_id=str(message.pk),
        action="changed",
    )
    assert changes.count() == 2


def test_a_message_with_no_address_cannot_be_retried_and_a_sending_one_not_yet_stuck_neither(
    world: World,  # noqa: F811
    manager: User,
) -> None:
    failed = _message(_unreachable_case(world))
    refused = _client(manager).post(f"/outbox/{failed.pk}/retry/", follow=True)
    assert "has no channel or address" in refused.content.decode()
    sending = _message(_emailed_case(world))
    Message.objects.for_organisation(world.organisation).filter(pk=sending.pk).update(
        status=MessageStatus.SENDING, updated_at=timezone.now()
    )
    _client(manager).post(f"/outbox/{sending.pk}/retry/")
    sending.refresh_from_db()
    assert sending.status == MessageStatus.SENDING


# --- templates ------------------------------------------------------------------------------------
@covers("notify:templates", "notify:template", "notify:template-reset")
def test_only_administrators_change_templates(
    world: World,  # noqa: F811
    administrator: User,
    partner_administrator: User,
    manager: User,
) -> None:
    form = {"subject": "News on ((reference))", "body": "Hello ((customer_name))"}
    reset = UPDATE_EMAIL + "reset/"
    assert Client().get(TEMPLATES).status_code == 302
    for url in (TEMPLATES, UPDATE_EMAIL):
        assert _client(manager).get(url).status_code == 403
    assert _client(manager).post(UPDATE_EMAIL, form).status_code == 403
    assert _client(manager).post(reset).status_code == 403
    assert not MessageTemplate.objects.for_organisation(world.organisation).exists()
    page = _client(administrator).get(TEMPLATES)
    assert page.status_code == 200
    assert len(page.context["rows"]) == len(Event) * 3 * 2  # every event, channel and language
    saved = _client(administrator).post(UPDATE_EMAIL, form)
    assert saved.status_code == 302
    template = MessageTemplate.objects.for_organisation(world.organisation).get()
    assert (template.subject, template.version, template.updated_by) == (
        "News on ((reference))",
        1,
        administrator,
    )
    assert _client(administrator).post(UPDATE_EMAIL, {**form, "body": "Hi"}).status_code == 302
    template.refresh_from_db()
    assert (template.body, template.version) == ("Hi", 2)
    assert "Your version 2" in _client(administrator).get(TEMPLATES).content.decode()
    # The partner's administrator edits only the partner's own templates.
    assert _client(partner_administrator).post(reset).status_code == 302
    template.refresh_from_db()
    assert _client(administrator).post(reset).status_code == 302
    assert not MessageTemplate.objects.for_organisation(world.organisation).exists()
    actions = list(
        AuditRecord.objects.filter(
            organisation=world.organisation, object_type="notify.messagetemplate"
        )
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "changed", "deleted"]


@pytest.mark.parametrize(
    ("form", "field", "error"),
    [
        ({"subject": "Hi", "body": "((refrence))"}, "body", "((refrence)) is not a placeholder"),
        ({"subject": "((nope))", "body": "Hi"}, "subject", "((nope)) is not a placeholder"),
        ({"subject": "Hi", "body": ""}, "body", "Enter the message"),
        ({"subject": "", "body": "Hi"}, "subject", "Enter the subject"),
        ({"subject": "Hi", "body": "x" * 10_001}, "body", "10000 characters or fewer"),
        ({"subject": "Hi\u202e", "body": "Hi"}, "subject", "Remove the special characters"),
        ({"subject": "Hi", "body": "Hi\x00there"}, "body", "Remove the special characters"),
    ],
)
def test_a_bad_template_is_refused_naming_the_problem_and_nothing_changes(
    world: World,  # noqa: F811
    administrator: User,
    form: dict[str, str],
    field: str,
    error: str,
) -> None:
    response = _client(administrator).post(UPDATE_EMAIL, form)
    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors[field])
    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert title.startswith("Error: ")
    assert "Error: Error:" not in title
    assert not MessageTemplate.objects.for_organisation(world.organisation).exists()


def test_an_sms_template_has_no_subject_and_a_length_limit(
    world: World,  # noqa: F811
    administrator: User,
) -> None:
    url = "/message-templates/update/sms/cy/"
    page = _client(administrator).get(url)
    assert "subject" not in page.context["form"].fields
    long = _client(administrator).post(url, {"body": "x" * 919})
    assert long.status_code == 400
    assert _client(administrator).post(url, {"body": "((update_text))"}).status_code == 302


def test_an_unknown_template_is_not_found(administrator: User) -> None:
    for url in (
        "/message-templates/nonsense/email/en/",
        "/message-templates/update/fax/en/",
        "/message-templates/update/email/fr/",
    ):
        assert _client(administrator).get(url).status_code == 404


def test_the_preview_fills_in_a_cases_details_and_404s_where_the_case_cannot_be_seen(
    world: World,  # noqa: F811
    administrator: User,
    partner_administrator: User,
) -> None:
    case = _emailed_case(world)
    editor = core_factories.staff(
        world.organisation, RoleCode.ADMINISTRATOR, RoleCode.TEAM_LEADER, username="editor"
    )
    client = _client(editor)
    sample = client.get(UPDATE_EMAIL).context
    assert sample["preview_subject"] == "An update on your request SR-26-00011"
    shown = client.get(UPDATE_EMAIL + "?reference=" + case.reference.lower())
    assert shown.status_code == 200
    assert shown.context["preview_subject"] == f"An update on your request {case.reference}"
    assert "Dear Sam Resident" in shown.context["preview_body"]
    assert client.get(UPDATE_EMAIL + "?reference=SR-26-99999").status_code == 404
    assert (
        _client(partner_administrator)
        .get(UPDATE_EMAIL + "?reference=" + case.reference)
        .status_code
        == 404
    )
    # An administrator who may not see cases cannot read one through the preview.
    assert (
        _client(administrator).get(UPDATE_EMAIL + "?reference=" + case.reference).status_code == 404
    )
    too_long = client.get(UPDATE_EMAIL + "?reference=" + "A" * 500)
    assert too_long.status_code == 200
    assert too_long.context["preview_form"].errors["reference"]
    assert too_long.context["preview_subject"] == "An update on your request SR-26-00011"


def test_the_preview_names_the_case_in_the_templates_language_whatever_the_customers(
    world: World,  # noqa: F811
) -> None:
    world.missed_bin.name_cy = "Bin heb ei gasglu"
    world.missed_bin.save(update_fields=["name_cy"])
    customer = customer_factories.customer(
        world.organisation, "Sam", "Resident", email="sam@example.org"
    )
    Customer.objects.for_organisation(world.organisation).filter(pk=customer.pk).update(
        language=CustomerLanguage.WELSH
    )
    case = case_factories.raise_case(world.organisation, customer=customer, source=Source.WEB)
    editor = core_factories.staff(
        world.organisation, RoleCode.ADMINISTRATOR, RoleCode.TEAM_LEADER, username="editor"
    )
    client = _client(editor)
    english = client.get(f"/message-templates/acknowledgement/email/en/?reference={case.reference}")
    welsh = client.get(f"/message-templates/acknowledgement/email/cy/?reference={case.reference}")

    # Sent, the customer's acknowledgement is Welsh; each preview reads in its own language.
    assert "We have received your request: Missed bin." in english.context["preview_body"]
    assert "Rydym wedi cael eich cais: Bin heb ei gasglu." in welsh.context["preview_body"]
