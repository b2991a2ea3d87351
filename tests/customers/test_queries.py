"""Reads of customers: the desk search, duplicates, warnings as each role sees them, equality."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction

from onestop.core.models import AuditAction, AuditRecord, Organisation, User
from onestop.customers import queries, services
from onestop.customers.models import Customer, Marker
from tests.customers import factories
from tests.customers.conftest import People

pytestmark = pytest.mark.django_db


def _names(user: User, text: str) -> list[str]:
    return [result.display_name for result in queries.search_customers(user, text)]


@pytest.mark.parametrize(
    "typed",
    [
        "Jane Smith",
        "Jnae Smiht",
        "smith jane",
        "Jane Smth",
        "Kane Smith",
        "jan",
        "07700 900123",
        "+447700900123",
        "07700900123",
        "900123",
        "0770090",
        "jane.smith@example.com",
        "JANE.SMITH@",
        "hp19 8ff",
        "HP198FF",
        "12/3/1980",
        "12 March 1980",
        "smith 12/03/1980",
        "smith HP19",
    ],
)
def test_the_desk_finds_a_customer_however_the_advisor_types(
    people: People, advisor: User, typed: str
) -> None:
    assert _names(advisor, typed) == ["Jane Smith"]


def test_the_desk_finds_a_customer_by_reference_and_by_previous_name(
    people: People, advisor: User
) -> None:
    services.update_customer(
        people.jane,
        by=None,
        version=1,
        details=services.CustomerDetails(given_name="Jane", family_name="Brown"),
    )
    assert _names(advisor, people.jane.reference) == ["Jane Brown"]
    assert _names(advisor, "jane smiht") == ["Jane Brown"]


def test_the_search_never_shows_another_organisations_customers(
    people: People, partner_advisor: User
) -> None:
    assert [
        result.customer_id for result in queries.search_customers(partner_advisor, "jane smith")
    ] == [people.outsider.pk]


def test_staff_without_customer_view_find_nothing(people: People, administrator: User) -> None:
    assert queries.search_customers(administrator, "Jane Smith") == []


def test_merged_records_are_not_offered(people: People, advisor: User) -> None:
    services.merge_customers(people.john, people.jane, by=None)
    assert _names(advisor, "Jane Smith") == []


@pytest.mark.parametrize(
    "typed", ["", "   ", "<script>alert(1)</script>", "%", "_", "'; DROP TABLE x;--", "x" * 5000]
)
def test_hostile_or_empty_searches_find_nothing_and_do_not_fail(
    people: People, advisor: User, typed: str
) -> None:
    assert _names(advisor, typed) == []


def test_a_result_says_when_the_customer_has_a_warning(people: People, advisor: User) -> None:
    [result] = queries.search_customers(advisor, "John Jones")
    assert (result.has_markers, result.postcode, result.phone) == (True, "HP20 1AB", "01296 585858")


@pytest.mark.parametrize(
    "typed",
    [
        "Jnae Smiht",
        "jane smi",
        "07700 900123",
        "+447700900123",
        "900123",
        "0770090",
        "hp19 8ff",
        "smith HP19",
        "12/3/1980",
        "smith 12/03/1980",
    ],
)
def test_every_kind_of_search_stays_inside_the_organisation(
    people: People, advisor: User, partner_advisor: User, typed: str
) -> None:
    """The search is hand-written SQL, so the scoped managers cannot guard it: the same person
    at the partner agency is found only by the partner's advisor, and only there."""
    council_ids = [result.customer_id for result in queries.search_customers(advisor, typed)]
    partner_ids = [
        result.customer_id for result in queries.search_customers(partner_advisor, typed)
    ]
    assert (council_ids, partner_ids) == ([people.jane.pk], [people.outsider.pk])


def test_a_reference_finds_only_the_searching_organisations_customer(
    people: People, advisor: User, partner_advisor: User
) -> None:
    for reference in {people.jane.reference, people.outsider.reference}:
        council_ids = {
            result.customer_id for result in queries.search_customers(advisor, reference)
        }
        partner_ids = {
            result.customer_id for result in queries.search_customers(partner_advisor, reference)
        }
        assert council_ids <= {people.jane.pk, people.john.pk, people.ahmed.pk}
        assert partner_ids <= {people.outsider.pk}
    assert _names(advisor, people.jane.reference) == ["Jane Smith"]


@pytest.mark.parametrize("typed", ["jane_smith@", "%@example.com", "_ane.smith@", "hp19 8f%"])
def test_wildcards_typed_into_the_search_are_only_characters(
    people: People, advisor: User, typed: str
) -> None:
    assert _names(advisor, typed) == []


@pytest.mark.parametrize("typed", ["smith HP1", "smith HP2", "jones HP19"])
def test_an_outward_code_matches_whole_outward_codes_only(
    people: People, advisor: User, typed: str
) -> None:
    assert _names(advisor, typed) == []


@pytest.mark.parametrize(
    "typed",
    ["1" * 5000, "@" * 300, "07700 900123 " * 100, "CU-26-" + "9" * 14, "jane " * 1000],
)
def test_oversized_searches_answer_without_failing(
    people: People, advisor: User, typed: str
) -> None:
    found = {result.customer_id for result in queries.search_customers(advisor, typed)}
    assert found <= {people.jane.pk, people.john.pk, people.ahmed.pk}


def test_a_result_reads_its_date_and_a_marker_that_has_ended_is_not_a_warning(
    people: People, advisor: User
) -> None:
    Marker.objects.for_organisation(people.john.organisation_id).filter(pk=people.marker.pk).update(
        ended_on=datetime.date(2020, 1, 1)
    )
    [john] = queries.search_customers(advisor, "John Jones")
    [jane] = queries.search_customers(advisor, "HP19 8FF")
    assert (john.has_markers, john.date_of_birth, john.matched) == (
        False,
        datetime.date(1975, 7, 1),
        "name",
    )
    assert (jane.date_of_birth, jane.phone, jane.matched, jane.score) == (
        datetime.date(1980, 3, 12),
        "07700 900123",
        "postcode",
        1.0,
    )


def test_a_search_is_one_statement_without_a_name_and_two_with_one_narrowed(
    people: People, advisor: User, django_assert_num_queries: Any
) -> None:
    queries.search_customers(advisor, "warm the permission cache")
    with django_assert_num_queries(1):
        assert _names(advisor, "07700 900123") == ["Jane Smith"]
    with django_assert_num_queries(2):
        assert _names(advisor, "smith 12/03/1980") == ["Jane Smith"]


def test_a_near_match_is_offered_as_a_possible_duplicate(people: People, advisor: User) -> None:
    found = queries.possible_duplicates(
        advisor, name="Jayne Smith", date_of_birth=datetime.date(1980, 3, 12)
    )
    assert [(match.customer.pk, match.reasons) for match in found] == [
        (people.jane.pk, ["similar name", "same date of birth"])
    ]


def test_a_shared_phone_number_alone_is_a_possible_duplicate(people: People, advisor: User) -> None:
    found = queries.possible_duplicates(advisor, name="Somebody Else", phones=["+441296585858"])
    assert [match.customer.pk for match in found] == [people.john.pk]


def test_a_common_name_alone_is_not_a_duplicate(people: People, advisor: User) -> None:
    assert queries.possible_duplicates(advisor, name="Jane Smith") == []


def test_advisors_see_the_banner_and_entitled_roles_the_detail_each_view_audited(
    people: People, advisor: User, team_leader: User
) -> None:
    [for_advisor] = queries.open_markers(advisor, people.john)
    [for_leader] = queries.open_markers(team_leader, people.john)
    summaries = list(
        AuditRecord.objects.for_organisation(people.john.organisation_id)
        .filter(action=AuditAction.VIEWED, object_type="customers.marker")
        .values_list("actor__username", "summary")
    )
    assert (for_advisor.show_detail, for_leader.show_detail) == (False, True)
    assert summaries == [
        ("advisor", "Warning marker banner shown"),
        ("team.leader", "Warning marker detail shown"),
    ]


def test_a_marker_restricted_to_other_roles_hides_its_detail(
    people: People, team_leader: User, auditor: User
) -> None:
    restricted = factories.marker(people.ahmed, kind="safeguarding", roles=("auditor",))
    assert queries.may_see_marker_detail(team_leader, restricted) is False
    assert queries.may_see_marker_detail(auditor, restricted) is True


def test_a_marker_past_its_review_date_is_flagged_for_review(
    people: People, council: Organisation, manager: User
) -> None:
    Marker.objects.for_organisation(council).filter(pk=people.marker.pk).update(
        review_on=datetime.date(2020, 1, 1)
    )
    assert list(queries.markers_due_for_review(manager)) == [people.marker]
    [view] = queries.open_markers(manager, people.john)
    assert view.due_for_review is True


def test_equality_report_suppresses_numbers_under_five(
    council: Organisation, auditor: User
) -> None:
    for index in range(6):
        person = factories.customer(council, "Person", f"Number{index}")
        services.save_equality_monitoring(
            person, by=None, answers={"sex": "female" if index < 5 else "male"}
        )
    rows = {(row.question, row.answer): row.count for row in queries.equality_report(auditor)}
    assert (rows[("Sex", "Female")], rows[("Sex", "Male")], rows[("Sex", "Prefer not to say")]) == (
        5,
        None,
        0,
    )


def test_equality_answers_are_refused_without_the_permission(people: People, advisor: User) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        queries.open_equality_monitoring(advisor, people.jane)


# --- The owners of senders' addresses (the IMAP poller's batch) ------------------------------
def _customer_rows_read() -> int:
    """Rows of the customers table read by this transaction so far, through any scan of the
    table or of its indexes (PostgreSQL's own counts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_stat_get_xact_tuples_returned(oid)) FROM pg_class"
            " WHERE oid = 'customers_customer'::regclass"
            " OR oid IN (SELECT indexrelid FROM pg_index"
            " WHERE indrelid = 'customers_customer'::regclass)"
        )
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


@pytest.fixture
def senders(council: Organisation, partner: Organisation) -> list[Customer]:
    made = [
        factories.customer(council, f"Resident{n}", "Sender", email=f"resident{n}@example.org")
        for n in range(40)
    ]
    made += [
        factories.customer(council, f"Sharer{n}", email="shared@example.org") for n in range(3)
    ]
    factories.customer(partner, "Elsewhere", email="resident1@example.org")
    return made


def test_email_owners_are_the_live_customers_of_each_address_at_most_two(
    council: Organisation, senders: list[Customer]
) -> None:
    owners = queries.email_owners(
        council.pk, ["resident1@example.org", "shared@example.org", "nobody@example.org"]
    )

    assert owners == {
        "resident1@example.org": [senders[1].pk],
        "shared@example.org": [senders[40].pk, senders[41].pk],
    }


def test_email_owners_leaves_out_a_customer_merged_away(
    council: Organisation, senders: list[Customer]
) -> None:
    kept, merged = senders[2], senders[3]
    Customer.objects.for_organisation(council).filter(pk=merged.pk).update(merged_into=kept)

    owners = queries.email_owners(council.pk, ["resident2@example.org", "resident3@example.org"])

    assert owners == {"resident2@example.org": [kept.pk]}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's counts of the rows a statement reads"
)
@pytest.mark.usefixtures("senders")
def test_email_owners_reads_each_customer_a_few_times_at_most_whatever_the_planner_knows(
    council: Organisation,
) -> None:
    """Without statistics (tables never analysed) a join of the addresses to their customers
    was planned as a scan of every live customer for each address (40 addresses of 43
    customers: 860 rows read)."""
    keys = [f"resident{n}@example.org" for n in range(40)]
    with transaction.atomic():
        before = _customer_rows_read()
        owners = queries.email_owners(council.pk, keys)
        read = _customer_rows_read() - before

    assert len(owners) == 40
    # A few reads of each customer in the table (an entry of each of two indexes the planner may
    # combine, the organisation's and the ids', and the row: 3 x 44 = 132 at most), not one per
    # customer and address (860).  The bound counted the council's 43 only, and a run whose
    # planner combined both indexes read 130.
    assert read <= 3 * Customer.objects.unscoped("every row a scan may read").count()
