"""Writes to customers: validation (nothing saved), optimistic locking, merge and unmerge."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from onestop.contacts import services as contact_services
from onestop.contacts.models import Contact
from onestop.core.errors import ServiceError
from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.customers import services
from onestop.customers.errors import CustomerError
from onestop.customers.models import (
    Customer,
    CustomerName,
    EqualityMonitoring,
    Marker,
    Phone,
)
from tests.customers import factories
from tests.customers.conftest import People, snapshot

pytestmark = pytest.mark.django_db


def test_a_new_customer_gets_a_checkable_reference_and_normalised_details(
    council: Organisation,
) -> None:
    customer = factories.customer(
        council,
        "Siân",
        "O'Brien",
        postcode="hp19 8ff",
        phone="+44 7700 900456",
        email="Sian@Example.com",
    )
    phone = Phone.objects.for_organisation(council).get(customer=customer)
    assert customer.reference.startswith("CU-")
    assert (customer.display_name, customer.name_key) == ("Siân O'Brien", "sian obrien")
    assert (phone.number, phone.digits, phone.reversed_digits) == (
        "+447700900456",
        "07700900456",
        "65400900770",
    )
    assert customer.addresses.get().postcode == "HP19 8FF"
    assert customer.emails.get().address_key == "sian@example.com"


@pytest.mark.parametrize(
    ("details", "extra", "code", "field"),
    [
        ({"given_name": "Jane", "family_name": ""}, {}, CustomerError.NAME_REQUIRED, "family_name"),
        (
            {"date_of_birth": datetime.date(2999, 1, 1)},
            {},
            CustomerError.INVALID_DATE_OF_BIRTH,
            "date_of_birth",
        ),
        (
            {"date_of_birth": datetime.date(1800, 1, 1)},
            {},
            CustomerError.INVALID_DATE_OF_BIRTH,
            "date_of_birth",
        ),
        ({"language": "klingon"}, {}, CustomerError.INVALID_CHOICE, "language"),
        ({"given_name": "x" * 151}, {}, CustomerError.TOO_LONG, "given_name"),
        ({}, {"phones": ["12345"]}, CustomerError.INVALID_PHONE, "phone"),
        ({}, {"emails": ["not-an-email"]}, CustomerError.INVALID_EMAIL, "email"),
        (
            {},
            {"address": services.AddressDetails(line_1="1 High St", postcode="NOT A CODE")},
            CustomerError.INVALID_POSTCODE,
            "postcode",
        ),
        (
            {},
            {"address": services.AddressDetails(line_1="1 High St", postcode="HP19 8FF", uprn=-4)},
            CustomerError.INVALID_UPRN,
            "uprn",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_to_fix_and_nothing_is_saved(
    council: Organisation,
    details: dict[str, object],
    extra: dict[str, object],
    code: CustomerError,
    field: str,
) -> None:
    before = snapshot()
    values = {"given_name": "Jane", "family_name": "Smith", **details}
    with pytest.raises(ServiceError) as refused:
        services.create_customer(
            council,
            by=None,
            details=services.CustomerDetails(**values),  # type: ignore[arg-type]
            contact_details=services.ContactDetails(**extra),  # type: ignore[arg-type]
        )
    assert (refused.value.code, refused.value.field) == (code, field)
    assert snapshot() == before


def test_a_stale_version_is_refused_clearly_and_nothing_changes(people: People) -> None:
    jane = people.jane
    services.update_customer(
        jane,
        by=None,
        version=1,
        details=services.CustomerDetails(given_name="Jane", family_name="Brown"),
    )
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.update_customer(
            jane,
            by=None,
            version=1,
            details=services.CustomerDetails(given_name="Janet", family_name="Smith"),
        )
    assert refused.value.code == CustomerError.STALE_VERSION
    assert "Someone else changed" in refused.value.message
    assert snapshot() == before


def test_a_new_name_keeps_the_old_one_as_a_previous_name(people: People) -> None:
    updated = services.update_customer(
        people.jane,
        by=None,
        version=1,
        details=services.CustomerDetails(given_name="Jane", family_name="Brown"),
    )
    previous = CustomerName.objects.for_organisation(updated.organisation_id).get()
    assert (updated.display_name, updated.version, previous.full_name) == (
        "Jane Brown",
        2,
        "Jane Smith",
    )


def test_equality_answers_are_stored_apart_and_the_audit_names_only_questions(
    people: People, team_leader: User
) -> None:
    record = services.save_equality_monitoring(
        people.jane, by=team_leader, answers={"sex": "female", "religion": "prefer-not-to-say"}
    )
    entry = AuditRecord.objects.for_organisation(record.organisation_id).order_by("sequence").last()
    assert entry is not None
    assert entry.changes == {"questions_changed": ["religion", "sex"]}
    with pytest.raises(ServiceError):
        services.save_equality_monitoring(people.jane, by=team_leader, answers={"sex": "robot"})


def test_a_marker_review_date_must_be_in_the_future(people: People) -> None:
    with pytest.raises(ServiceError) as refused:
        services.add_marker(
            people.jane,
            by=None,
            kind="safeguarding",
            guidance="Call the duty officer",
            reason="Known to children's services",
            source="Social care",
            review_on=timezone.localdate(),
            visible_to_roles=[],
        )
    assert refused.value.code == CustomerError.INVALID_REVIEW_DATE


def _contact(customer: Customer) -> Contact:
    return contact_services.log_contact(
        customer.organisation,
        by=None,
        customer=customer,
        values=contact_services.ContactInput(outcome="resolved", notes="Bin missed"),
    )


def test_a_merge_moves_every_relation_and_an_unmerge_puts_each_back(
    council: Organisation, people: People, manager: User
) -> None:
    kept, merged = people.jane, factories.customer(council, "Jane", "Smyth", phone="07700 900999")
    contact = _contact(merged)
    marker = factories.marker(merged)
    services.save_equality_monitoring(kept, by=None, answers={"sex": "female"})
    duplicate_answers = services.save_equality_monitoring(
        merged, by=None, answers={"sex": "female"}
    )
    merge = services.merge_customers(kept, merged, by=manager)
    contact.refresh_from_db()
    marker.refresh_from_db()
    merged.refresh_from_db()
    assert (contact.customer_id, marker.customer_id, merged.merged_into_id) == (
        kept.pk,
        kept.pk,
        kept.pk,
    )
    assert set(merge.moved) == {
        "contacts.contact.customer",
        "customers.marker.customer",
        "customers.phone.customer",
    }
    # The second equality record would break "one per customer": it stays with the merged record.
    assert (
        EqualityMonitoring.objects.for_organisation(council)
        .get(pk=duplicate_answers.pk)
        .customer_id
        == merged.pk
    )
    services.unmerge_customers(merge, by=manager)
    contact.refresh_from_db()
    marker.refresh_from_db()
    merged.refresh_from_db()
    assert (contact.customer_id, marker.customer_id, merged.merged_into_id) == (
        merged.pk,
        merged.pk,
        None,
    )
    assert (
        Phone.objects.for_organisation(council).get(number="+447700900999").customer_id == merged.pk
    )
    with pytest.raises(ServiceError) as again:
        services.unmerge_customers(merge, by=manager)
    assert again.value.code == CustomerError.ALREADY_UNMERGED


def test_records_of_different_organisations_are_never_merged(people: People) -> None:
    before = snapshot()
    with pytest.raises(ServiceError) as refused:
        services.merge_customers(people.jane, people.outsider, by=None)
    assert refused.value.code == CustomerError.WRONG_ORGANISATION
    assert snapshot() == before


def test_a_record_is_not_merged_twice_or_into_itself(people: People) -> None:
    with pytest.raises(ServiceError) as itself:
        services.merge_customers(people.jane, people.jane, by=None)
    services.merge_customers(people.jane, people.john, by=None)
    with pytest.raises(ServiceError) as twice:
        services.merge_customers(people.ahmed, people.john, by=None)
    assert (itself.value.code, twice.value.code) == (
        CustomerError.SAME_CUSTOMER,
        CustomerError.ALREADY_MERGED,
    )


def test_an_unmerge_after_the_merge_record_retention_is_refused(people: People) -> None:
    merge = services.merge_customers(people.jane, people.john, by=None)
    later = merge.retained_until + datetime.timedelta(seconds=1)
    with time_machine.travel(later), pytest.raises(ServiceError) as refused:
        services.unmerge_customers(merge, by=None)
    assert refused.value.code == CustomerError.MERGE_EXPIRED
    assert (
        Marker.objects.for_organisation(people.jane.organisation_id).get().customer_id
        == people.jane.pk
    )


def test_a_merge_is_audited_on_both_records(people: People, manager: User) -> None:
    services.merge_customers(people.jane, people.john, by=manager)
    summaries = list(
        AuditRecord.objects.for_organisation(people.jane.organisation_id)
        .filter(action=AuditAction.CHANGED, actor=manager)
        .values_list("object_id", "summary")
    )
    assert summaries == [
        (str(people.jane.pk), f"{people.john.reference} merged into {people.jane.reference}"),
        (str(people.john.pk), f"Merged into {people.jane.reference}"),
    ]
