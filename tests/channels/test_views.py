"""The mailbox pages at /mailboxes/: who may see and change them, the form refusing bad input
with nothing saved, and recent mail (refused and ignored too) listed with its outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from onestop.cases.models import CaseKind, CaseType
from onestop.channels import services
from onestop.channels.errors import MailRefused
from onestop.channels.models import InboundMessage, MailAddress, Mailbox, MessageOutcome
from onestop.core.errors import ServiceError
from onestop.core.models import AuditRecord, Organisation, User
from onestop.directory import services as directory_services
from onestop.directory.models import DomainClaim, MailDomain
from tests.cases import factories as case_factories
from tests.channels.conftest import MailWorld, message
from tests.matrix import covers

ClientFor = Callable[[User], Client]
LIST = "/mailboxes/"
NEW = "/mailboxes/new/"


def _edit(mailbox: Mailbox) -> str:
    return f"/mailboxes/{mailbox.pk}/"


def _form(mail_world: MailWorld, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "address": "Waste@Test-Council.example",
        "name": "Waste",
        "case_type": str(mail_world.enquiry.pk),
        "is_active": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _addresses(organisation: Organisation) -> list[str]:
    return sorted(Mailbox.objects.for_organisation(organisation).values_list("address", flat=True))


def _error_summary(page: str) -> str:
    """The text of the page's GOV.UK error summary."""
    start = page.index("govuk-error-summary__list")
    return page[start : page.index("</ul>", start)]


# --- permissions ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["advisor", "team_leader", "auditor", "partner_advisor"])
@pytest.mark.parametrize("path", [LIST, NEW, "edit"])
@covers("channels:mailboxes", "channels:mailbox-create", "channels:mailbox-edit")
def test_roles_without_the_permission_get_403(
    mail_world: MailWorld,
    client_for: ClientFor,
    request: pytest.FixtureRequest,
    who: str,
    path: str,
) -> None:
    client = client_for(request.getfixturevalue(who))
    url = _edit(mail_world.enquiries) if path == "edit" else path
    expected = 404 if who == "partner_advisor" and path == "edit" else 403
    assert client.get(url).status_code == expected
    before = _addresses(mail_world.world.organisation)
    assert client.post(url, _form(mail_world)).status_code in (403, 404, 405)
    assert _addresses(mail_world.world.organisation) == before


def test_signed_out_visitors_are_sent_to_sign_in(mail_world: MailWorld) -> None:
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert "mailboxes" in response["Location"]


def test_another_organisations_mailbox_is_not_found(
    mail_world: MailWorld, partner_administrator: User, client_for: ClientFor
) -> None:
    client = client_for(partner_administrator)
    assert client.get(_edit(mail_world.enquiries)).status_code == 404
    response = client.post(_edit(mail_world.enquiries), _form(mail_world, name="Taken"))
    assert response.status_code == 404
    mail_world.enquiries.refresh_from_db()
    assert mail_world.enquiries.name == "Enquiries"
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert b"enquiries@test-council.example" not in listed.content


def test_a_missing_mailbox_is_not_found(administrator: User, client_for: ClientFor) -> None:
    assert client_for(administrator).get("/mailboxes/999999/").status_code == 404


# --- the list -------------------------------------------------------------------------------------
def test_the_list_shows_mailboxes_and_recent_mail_with_outcomes_and_audits_the_view(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    raised = services.receive_message(message(), recipient="enquiries@test-council.example")
    services.receive_message(
        message(
            "away", message_id="<ooo@x>", headers=("Auto-Submitted: auto-replied",), subject="OOO"
        ),
        recipient="enquiries@test-council.example",
    )
    response = client_for(administrator).get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "enquiries@test-council.example" in page
    assert "foi@test-council.example" in page
    assert raised.case is not None
    assert f'href="/cases/{raised.case.reference}/"' in page or raised.case.reference in page
    assert "New case raised" in page
    assert "Ignored: automatic reply or bounce" in page
    assert "sam@example.org" in page
    assert AuditRecord.objects.filter(
        organisation=mail_world.world.organisation,
        actor=administrator,
        action="listed",
        object_type="channels.inboundmessage",
    ).exists()


def test_hostile_subjects_are_shown_escaped(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    services.receive_message(
        message(subject="<script>alert(1)</script>"), recipient="enquiries@test-council.example"
    )
    page = client_for(administrator).get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- adding and changing --------------------------------------------------------------------------
def test_an_administrator_adds_a_mailbox_stored_in_lower_case_and_audited(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form(mail_world))
    assert response.status_code == 302
    created = Mailbox.objects.for_organisation(mail_world.world.organisation).get(
        address="waste@test-council.example"
    )
    assert (created.name, created.case_type_id, created.is_active) == (
        "Waste",
        mail_world.enquiry.pk,
        True,
    )
    assert AuditRecord.objects.filter(
        organisation=mail_world.world.organisation,
        actor=administrator,
        object_type="channels.mailbox",
        object_id=str(created.pk),
    ).exists()


def test_an_administrator_changes_a_mailbox(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    assert client.get(_edit(mail_world.enquiries)).status_code == 200
    response = client.post(
        _edit(mail_world.enquiries),
        _form(mail_world, address="enquiries@test-council.example", name="Front", is_active=None),
    )
    assert response.status_code == 302
    mail_world.enquiries.refresh_from_db()
    assert (mail_world.enquiries.name, mail_world.enquiries.is_active) == ("Front", False)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"address": ""}, "Enter the mailbox&#x27;s address"),
        ({"address": "not an address"}, "Enter an email address in the correct format"),
        ({"address": "waste\x00@test-council.example"}, "Remove the special characters from"),
        ({"address": "' OR 1=1 --"}, "Enter an email address in the correct format"),
        ({"address": "a" * 250 + "@x.example"}, "Address must be 254 characters or fewer"),
        ({"address": "waste+bins@test-council.example"}, "must not contain"),
        ({"address": "foi@test-council.example"}, "already used by another mailbox"),
        ({"name": ""}, "Enter a name for the mailbox"),
        ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ({"name": "Waste\x07bell"}, "Remove the special characters from"),
        ({"case_type": ""}, "Select what new mail raises"),
        ({"case_type": "999999"}, "Select one of your organisation"),
        ({"case_type": "<script>"}, "Select one of your organisation"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_saved(
    mail_world: MailWorld,
    administrator: User,
    client_for: ClientFor,
    overrides: dict[str, Any],
    error: str,
) -> None:
    before = _addresses(mail_world.world.organisation)
    response = client_for(administrator).post(NEW, _form(mail_world, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    assert _addresses(mail_world.world.organisation) == before


def test_a_case_type_with_required_questions_cannot_be_chosen(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    page = client.get(NEW).content.decode()
    assert mail_world.world.missed_bin.name not in page
    response = client.post(NEW, _form(mail_world, case_type=str(mail_world.world.missed_bin.pk)))
    assert response.status_code == 400
    assert "waste@test-council.example" not in _addresses(mail_world.world.organisation)
    # The service refuses it too, whoever calls it.
    with pytest.raises(ServiceError, match="required questions"):
        services.save_mailbox(
            mail_world.world.organisation,
            by=None,
            values=services.MailboxInput(
                address="w@test-council.example", name="W", case_type=mail_world.world.missed_bin
            ),
        )


def test_another_organisations_case_type_is_refused(
    mail_world: MailWorld,
    partner: Organisation,
    administrator: User,
    client_for: ClientFor,
) -> None:
    case_factories.standards(partner)
    service = case_factories.service(partner, "Housing")
    theirs = case_factories.case_type(
        partner,
        "general-enquiry",
        kind=CaseKind.GENERAL_ENQUIRY,
        service=service,
        team=case_factories.team(service, "Repairs"),
    )
    response = client_for(administrator).post(NEW, _form(mail_world, case_type=str(theirs.pk)))
    assert response.status_code == 400
    with pytest.raises(ServiceError, match="your organisation"):
        services.save_mailbox(
            mail_world.world.organisation,
            by=None,
            values=services.MailboxInput(address="w@t.example", name="W", case_type=theirs),
        )
    assert "waste@test-council.example" not in _addresses(mail_world.world.organisation)


def _partner_enquiry_type(partner: Organisation) -> CaseType:
    case_factories.standards(partner)
    service = case_factories.service(partner, "Housing")
    return case_factories.case_type(
        partner,
        "general-enquiry",
        kind=CaseKind.GENERAL_ENQUIRY,
        service=service,
        team=case_factories.team(service, "Repairs"),
    )


def test_a_partner_cannot_claim_an_address_on_the_councils_domain(
    mail_world: MailWorld,
    partner: Organisation,
    partner_administrator: User,
    client_for: ClientFor,
) -> None:
    """The attack: a partner's administrator added nobody@<the council's domain>, and the
    council's mail to it became the partner's cases.  Whether the address is used or free, the
    answer is the same and says nothing about the council's mailboxes."""
    theirs = _partner_enquiry_type(partner)
    client = client_for(partner_administrator)
    claims_before = MailAddress.objects.count()
    pages = [
        client.post(
            NEW,
            {
                "address": address,
                "name": "Ours now",
                "case_type": str(theirs.pk),
                "is_active": "on",
            },
        )
        for address in ("nobody@test-council.example", "ENQUIRIES@test-council.example")
    ]
    assert [page.status_code for page in pages] == [400, 400]
    errors = [_error_summary(page.content.decode()) for page in pages]
    assert errors[0] == errors[1]
    assert "no verified mail domain" in errors[0]
    assert "already used" not in errors[0]
    assert _addresses(partner) == []
    assert MailAddress.objects.count() == claims_before
    # Mail to the council's address still reaches the council.
    kept = services.receive_message(message(), recipient="enquiries@test-council.example")
    assert kept.organisation_id == mail_world.world.organisation.pk


def test_a_partner_mailbox_is_on_the_partners_own_verified_domain(
    mail_world: MailWorld,
    partner: Organisation,
    partner_administrator: User,
    client_for: ClientFor,
) -> None:
    theirs = _partner_enquiry_type(partner)
    directory_services.verify_mail_domain(partner, by=None, domain="test-housing.example")
    client = client_for(partner_administrator)
    form = {"name": "Repairs", "case_type": str(theirs.pk), "is_active": "on"}
    council_domain = client.post(NEW, {**form, "address": "repairs@test-council.example"})
    own_domain = client.post(NEW, {**form, "address": "repairs@test-housing.example"})
    assert council_domain.status_code == 400
    assert "verified mail domains: test-housing.example" in council_domain.content.decode()
    assert own_domain.status_code == 302
    assert _addresses(partner) == ["repairs@test-housing.example"]


def test_changing_an_address_frees_the_old_one_and_keeps_one_claim_each(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    client = client_for(administrator)
    response = client.post(
        _edit(mail_world.enquiries),
        _form(mail_world, address="contact@test-council.example", name="Contact"),
    )
    assert response.status_code == 302
    assert sorted(MailAddress.objects.values_list("address", flat=True)) == [
        "contact@test-council.example",
        "foi@test-council.example",
    ]
    again = client.post(NEW, _form(mail_world, address="enquiries@test-council.example"))
    assert again.status_code == 302
    assert MailAddress.objects.count() == 3


def test_changing_to_a_taken_address_changes_nothing(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    response = client_for(administrator).post(
        _edit(mail_world.enquiries),
        _form(mail_world, address="FOI@test-council.example", name="Renamed"),
    )
    assert response.status_code == 400
    assert "Change enquiries@test-council.example" in response.content.decode()
    mail_world.enquiries.refresh_from_db()
    assert (mail_world.enquiries.address, mail_world.enquiries.name) == (
        "enquiries@test-council.example",
        "Enquiries",
    )
    assert mail_world.enquiries.claim.address == "enquiries@test-council.example"


def test_the_database_itself_refuses_a_second_claim_on_an_address(mail_world: MailWorld) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MailAddress.objects.create(address="foi@test-council.example")


def test_the_audit_of_listed_mail_names_every_message_whole(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    organisation = mail_world.world.organisation
    ids = [9_000_000_000_000 + n * 7_919 for n in range(50)]
    for pk in ids:
        InboundMessage.objects.create(
            pk=pk,
            organisation=organisation,
            mailbox=mail_world.enquiries,
            message_id=f"<{pk}@example.org>",
            received_at=timezone.now(),
            size=1,
            sha256=f"{pk:064x}",
            raw=b"x",
            outcome=MessageOutcome.RAISED,
        )
    assert client_for(administrator).get(LIST).status_code == 200
    record = AuditRecord.objects.filter(
        organisation=organisation, action="listed", object_type="channels.inboundmessage"
    ).get()
    newest_first = [str(pk) for pk in reversed(ids)]
    assert record.changes == {"query": {}, "count": 50, "ids": newest_first}
    assert record.object_id in ("", None)
    assert record.summary == "50 listed"


def test_a_mailbox_made_before_domains_were_verified_stops_when_the_owner_verifies(
    mail_world: MailWorld, partner: Organisation
) -> None:
    """An upgrade leaves a partner's mailbox on a domain nobody has verified taking mail, until
    the domain's owner verifies it: then that address is refused, not filed as partner cases."""
    theirs = _partner_enquiry_type(partner)
    directory_services.verify_mail_domain(partner, by=None, domain="borough.example")
    services.save_mailbox(
        partner,
        by=None,
        values=services.MailboxInput(address="nobody@borough.example", name="X", case_type=theirs),
    )
    # As before mail domains existed: the partner never proved the domain.
    MailDomain.objects.for_organisation(partner).update(claim=None, verified_at=None)
    DomainClaim.objects.filter(domain="borough.example").delete()
    before = services.receive_message(message(), recipient="nobody@borough.example")
    directory_services.verify_mail_domain(
        mail_world.world.organisation, by=None, domain="borough.example"
    )
    with pytest.raises(MailRefused) as refused:
        services.receive_message(message(message_id="<m2@x>"), recipient="nobody@borough.example")
    assert before.organisation_id == partner.pk
    assert refused.value.code == "unknown_mailbox"
    assert services.mailbox_for("nobody@borough.example") is None


def test_a_messages_outcome_and_its_reason_do_not_run_together(
    mail_world: MailWorld, administrator: User, client_for: ClientFor
) -> None:
    services.receive_message(
        message("away", message_id="<ooo2@x>", headers=("Auto-Submitted: auto-replied",)),
        recipient="enquiries@test-council.example",
    )
    page = client_for(administrator).get(LIST).content.decode()
    assert (
        'bounce</strong> <span class="govuk-hint govuk-!-display-block govuk-!-margin-bottom-0">'
        in page
    )
