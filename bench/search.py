"""Benchmark: the advisor desk's customer search, and the customer page with a long history.

Data: synthetic customers (names with typos to find, UK mobile and landline numbers, postcodes,
dates of birth) and contacts, generated straight into a dedicated benchmark database
(``var/bench_search_<scale>.sqlite3``, one per scale so the baseline's full-text index holds
only that scale's names, or ``postgresql:///onestop_bench``, ``$ONESTOP_BENCH_SEARCH_DB`` if set)
and kept between runs.

Queries: 1,000 realistic desk queries: mistyped names (two letters swapped or one dropped),
partial and differently formatted phone numbers, postcodes, surname with date of birth.

Ours: ``customers.queries.search_customers`` (portable: normalised, indexed columns, Soundex
candidates, trigram and edit-distance ranking in Python).  Baseline: the best hand-written SQL
for the same query on the same database: ``pg_trgm`` similarity with a GIN index on PostgreSQL,
an FTS5 trigram index ranked by bm25 on SQLite (exact parts use the same B-tree indexes, prefix
searches on SQLite as ranges, since its ``LIKE`` cannot use them).  Both return the same thing,
what the desk shows: the first 20 customers, each with reference, name, date of birth, current
postcode, first phone number and whether a warning is live (the baseline in the same statement
as its ranking; ours also formats the phone numbers for display).  Each query is timed for both
in turn, alternating which goes first, so both meet the same load.  Each prints median and p95
overall and the median per kind of query, and recall: the share of queries whose intended
customer is among the 20.  The customer page: a GET of ``/customers/<id>/`` for a customer with
2,000 contacts (ours) against the hand-written SQL for the same rows (baseline).  ``desk search
audited`` is ours with the audit record the desk writes for every search
(``core.audit.record_list_read``), timed in the same rounds: the search before and after its audit.

Run: ``.venv/bin/python bench/search.py --scale small --database sqlite``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit_sql import append_list_read_by_hand  # noqa: E402

SCALES = {
    "small": {"sqlite": (20_000, 100_000), "postgresql": (20_000, 100_000)},
    "full": {"sqlite": (100_000, 500_000), "postgresql": (1_000_000, 5_000_000)},
}
QUERIES = 1_000
HISTORY = 2_000
BATCH = 5_000

GIVEN = [
    "Jane",
    "John",
    "Amira",
    "Mohammed",
    "Sian",
    "Gareth",
    "Priya",
    "Tomasz",
    "Grace",
    "Oliver",
    "Fatima",
    "Liam",
    "Chloe",
    "Hamza",
    "Eilidh",
    "Kwame",
    "Margaret",
    "David",
    "Aisha",
    "Harry",
    "Zofia",
    "Ravi",
    "Bethan",
    "Samuel",
    "Ellie",
    "Connor",
    "Yusuf",
    "Ruth",
    "Daniel",
    "Megan",
    "Sophie",
    "James",
    "Emily",
    "Thomas",
    "Olivia",
    "Jack",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Amelia",
    "Leo",
    "Mia",
    "Arthur",
    "Freya",
    "Oscar",
    "Lily",
    "Charlie",
    "Ivy",
    "Theo",
    "Rosie",
    "Alfie",
    "Evie",
    "Henry",
    "Florence",
    "Archie",
    "Poppy",
    "Joshua",
    "Hannah",
    "Ethan",
    "Lucy",
    "Jacob",
    "Phoebe",
    "William",
    "Alice",
    "Adam",
    "Zara",
    "Ibrahim",
    "Maryam",
    "Kacper",
    "Julia",
    "Rhys",
    "Ffion",
    "Callum",
    "Niamh",
    "Declan",
    "Siobhan",
    "Babajide",
    "Chiamaka",
    "Raj",
    "Anjali",
    "Wei",
    "Mei",
    "Pawel",
    "Agnieszka",
]
PREFIXES = [
    "Ash",
    "Black",
    "Brad",
    "Brook",
    "Cart",
    "Clay",
    "Cook",
    "Dal",
    "Dun",
    "Elm",
    "Fair",
    "Fox",
    "Gold",
    "Green",
    "Hart",
    "Hay",
    "Hill",
    "Hol",
    "Kings",
    "Lang",
    "Lock",
    "Mar",
    "Mid",
    "Mill",
    "Moor",
    "New",
    "Nor",
    "Oak",
    "Pen",
    "Rad",
    "Red",
    "Ross",
    "Rush",
    "Shaw",
    "South",
    "Stan",
    "Stock",
    "Thorn",
    "Wal",
    "War",
    "West",
    "White",
    "Wood",
    "Wy",
]
SUFFIXES = [
    "ley",
    "ton",
    "worth",
    "wood",
    "field",
    "ford",
    "man",
    "son",
    "well",
    "more",
    "by",
    "ham",
    "stead",
    "wick",
    "burn",
    "brook",
    "er",
    "ing",
    "cott",
    "ridge",
]
COMMON = [
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Khan",
    "Patel",
    "Ahmed",
]
AREAS = ["HP19", "HP20", "HP21", "HP22", "LE1", "LE2", "LE3", "NN1", "NN2", "BB4", "CM7", "CM77"]


def _setup(database: str, scale: str = "small") -> None:
    if database == "postgresql":
        name = os.environ.get("ONESTOP_BENCH_SEARCH_DB", "onestop_bench")
        os.environ["DATABASE_URL"] = f"postgresql:///{name}"
        _ensure_postgresql_database(name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / f'bench_search_{scale}.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")
    os.environ.setdefault("ONESTOP_DEV", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def _ensure_postgresql_database(name: str) -> None:
    import psycopg

    with psycopg.connect("dbname=postgres", autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if found is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _surname(generator: random.Random) -> str:
    if generator.random() < 0.15:
        return generator.choice(COMMON)
    return generator.choice(PREFIXES) + generator.choice(SUFFIXES)


def _postcode(generator: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{generator.choice(AREAS)} {generator.randint(1, 9)}"
        f"{generator.choice(letters)}{generator.choice(letters)}"
    )


def _batches(rows: Iterable[Any], size: int = BATCH) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Loader:
    """Multi-row loading of one table, bypassing the ORM per row: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite.  Columns not given take the model's defaults (timestamps: now)."""

    def __init__(self, model: Any, given: list[str], *, with_id: bool = False) -> None:
        from django.db import connection, models

        self.connection = connection
        self.table = model._meta.db_table
        template = model()
        fields = [
            field for field in model._meta.concrete_fields if with_id or not field.primary_key
        ]
        self.columns = [field.column for field in fields]
        defaults = []
        for field in fields:
            value = None if field.primary_key else field.pre_save(template, add=True)
            defaults.append(field.get_db_prep_save(value, connection))
        self.defaults = defaults
        self.positions = [self.columns.index(name) for name in given]
        by_column = {field.column: field for field in fields}
        self.prepare = [  # dates and times as the backend stores them
            (index, by_column[name])
            for index, name in enumerate(given)
            if isinstance(by_column[name], models.DateField)
        ]

    def rows(self, values: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        for row in values:
            full = list(self.defaults)
            for position, value in zip(self.positions, row, strict=True):
                full[position] = value
            for index, field in self.prepare:
                position = self.positions[index]
                full[position] = field.get_db_prep_save(full[position], self.connection)
            yield tuple(full)

    def load(self, values: Iterable[tuple[Any, ...]]) -> None:
        columns = ", ".join(self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows(values):
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names
                for batch in _batches(self.rows(values)):
                    cursor.executemany(sql, batch)


def _reserve_ids(table: str, count: int) -> int:
    """The first of ``count`` consecutive ids nobody else will be given."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = int(cursor.fetchone()[0])
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model name
        return int(cursor.fetchone()[0]) + 1


def _generate(organisation: Any, customers: int, contacts: int) -> float:
    """Bulk-load the synthetic data (services are bypassed: this is load, not behaviour)."""
    from django.db import transaction

    from onestop.contacts.models import Contact
    from onestop.customers import normalise
    from onestop.customers.models import Address, Customer, Phone

    began = time.perf_counter()
    generator = random.Random(5)
    org_id = organisation.pk
    first_id = _reserve_ids(Customer._meta.db_table, customers)
    people = _Loader(
        Customer,
        [
            "id",
            "organisation_id",
            "display_name",
            "given_name",
            "family_name",
            "reference",
            "date_of_birth",
            "name_key",
            "given_soundex",
            "family_soundex",
        ],
        with_id=True,
    )
    addresses = _Loader(
        Address, ["organisation_id", "customer_id", "line_1", "postcode", "postcode_key"]
    )
    phones = _Loader(
        Phone, ["organisation_id", "customer_id", "number", "digits", "reversed_digits"]
    )
    details: list[tuple[str, str]] = []

    def people_rows() -> Iterable[tuple[Any, ...]]:
        for index in range(customers):
            given, family = generator.choice(GIVEN), _surname(generator)
            name = f"{given} {family}"
            postcode = _postcode(generator)
            e164 = (
                f"+447{generator.randint(100_000_000, 999_999_999)}"
                if generator.random() < 0.7
                else f"+441296{generator.randint(100_000, 999_999)}"
            )
            details.append((postcode, e164))
            yield (
                first_id + index,
                org_id,
                name,
                given,
                family,
                f"CU-26-B{index:07d}",
                date(1930, 1, 1) + timedelta(days=generator.randint(0, 30_000)),
                normalise.normalise_name(name),
                normalise.soundex(given),
                normalise.soundex(family),
            )

    start = datetime(2024, 1, 1, tzinfo=UTC)

    def history() -> Iterable[tuple[Any, ...]]:
        for index in range(contacts):
            customer_id = first_id if index < HISTORY else first_id + generator.randrange(customers)
            yield (
                org_id,
                customer_id,
                start + timedelta(minutes=index * 7),
                "telephone",
                "resolved",
                "Synthetic contact for the benchmark",
            )

    with transaction.atomic():
        people.load(people_rows())
        addresses.load(
            (org_id, first_id + index, "1 High Street", postcode, normalise.postcode_key(postcode))
            for index, (postcode, _e164) in enumerate(details)
        )
        phones.load(
            (
                org_id,
                first_id + index,
                e164,
                normalise.national_digits(e164),
                normalise.reversed_digits(e164),
            )
            for index, (_postcode_, e164) in enumerate(details)
        )
        _Loader(
            Contact,
            ["organisation_id", "customer_id", "received_at", "channel", "outcome", "notes"],
        ).load(history())
    return time.perf_counter() - began


def _typo(word: str, generator: random.Random) -> str:
    if len(word) < 4:
        return word
    position = generator.randrange(1, len(word) - 2)
    if generator.random() < 0.5:
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    return word[:position] + word[position + 1 :]


def _queries(organisation: Any) -> list[tuple[str, int]]:
    """(query text, the customer it should find)."""
    from onestop.customers.models import Address, Customer, Phone

    generator = random.Random(7)
    ids = list(Customer.objects.for_organisation(organisation).values_list("pk", flat=True))
    sample = generator.sample(ids, QUERIES)
    by_id = Customer.objects.for_organisation(organisation).in_bulk(sample)
    phones = dict(
        Phone.objects.for_organisation(organisation)
        .filter(customer_id__in=sample)
        .values_list("customer_id", "number")
    )
    postcodes = dict(
        Address.objects.for_organisation(organisation)
        .filter(customer_id__in=sample)
        .values_list("customer_id", "postcode")
    )
    queries = []
    for index, customer_id in enumerate(sample):
        customer = by_id[customer_id]
        kind = index % 5
        if kind in (0, 1):
            text = f"{customer.given_name} {_typo(customer.family_name, generator)}"
        elif kind == 2:
            number = phones[customer_id]
            national = "0" + number[3:]
            text = [number, f"{national[:5]} {national[5:]}", national[-6:]][index % 3]
        elif kind == 3:
            text = f"{customer.family_name} {postcodes[customer_id]}"
        else:
            assert customer.date_of_birth is not None  # noqa: S101 - generated with one
            text = f"{customer.family_name} {customer.date_of_birth:%d/%m/%Y}"
        queries.append((text, customer_id))
    return queries


# --- the baseline: hand-written SQL --------------------------------------------------------------
def _prepare_baseline(vendor: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS bench_customer_trgm ON customers_customer "
                "USING gin (name_key gin_trgm_ops)"
            )
            # As autovacuum leaves a loaded table (visibility map set, so index-only scans
            # need not visit it); freshly loaded, the first runs would measure the load.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS bench_customer_fts USING "
                "fts5(name_key, tokenize='trigram')"
            )
            cursor.execute(  # each scale's customers, as they are loaded
                "INSERT INTO bench_customer_fts(rowid, name_key) "
                "SELECT id, name_key FROM customers_customer "
                "WHERE id > (SELECT coalesce(max(rowid), 0) FROM bench_customer_fts)"
            )
            cursor.execute("ANALYZE")


# What the desk shows for each of the 20 (as ours reads it): reference, name, date of birth,
# current postcode, first phone number and whether a warning is live, in the same statement.
DISPLAY_ROWS = (
    "SELECT c.id, c.reference, c.display_name, c.date_of_birth, "
    "(SELECT a.postcode FROM customers_address a WHERE a.organisation_id = %s "
    "AND a.customer_id = c.id AND a.is_current ORDER BY a.created_at DESC, a.id DESC LIMIT 1), "
    "(SELECT p.number FROM customers_phone p WHERE p.organisation_id = %s "
    "AND p.customer_id = c.id ORDER BY p.created_at, p.id LIMIT 1), "
    "EXISTS (SELECT 1 FROM customers_marker m WHERE m.organisation_id = %s "
    "AND m.customer_id = c.id AND (m.ended_on IS NULL OR m.ended_on > %s)) "
    "FROM ({chosen}) chosen JOIN customers_customer c ON c.id = chosen.id "
    "ORDER BY chosen.rank, c.id"
)


def _display_parameters(organisation_id: int) -> list[Any]:
    from django.db import connection

    today = connection.ops.adapt_datefield_value(date(2026, 11, 24))
    return [organisation_id, organisation_id, organisation_id, today]


def _baseline(vendor: str, organisation_id: int) -> Callable[[str], list[int]]:
    from django.db import connection

    from onestop.customers import normalise

    def run(text: str) -> list[int]:
        parsed = normalise.parse_query(text, today=date(2026, 11, 24))
        where = ["c.organisation_id = %s", "c.merged_into_id IS NULL"]
        parameters: list[Any] = [organisation_id]
        joins = ""
        if parsed.phone_e164:
            joins = "JOIN customers_phone p ON p.customer_id = c.id"
            where.append("p.organisation_id = %s AND p.number = %s")
            parameters += [organisation_id, parsed.phone_e164]
        elif parsed.phone_digits and vendor == "postgresql":
            joins = "JOIN customers_phone p ON p.customer_id = c.id"
            where.append("p.organisation_id = %s AND p.reversed_digits LIKE %s")
            parameters += [organisation_id, parsed.phone_digits[::-1] + "%"]
        elif parsed.phone_digits:  # SQLite's LIKE cannot use the index: a range can
            joins = "JOIN customers_phone p ON p.customer_id = c.id"
            where.append(
                "p.organisation_id = %s AND p.reversed_digits >= %s AND p.reversed_digits < %s"
            )
            reversed_ = parsed.phone_digits[::-1]
            parameters += [organisation_id, reversed_, reversed_ + "\U0010ffff"]
        if parsed.postcode:
            joins += " JOIN customers_address a ON a.customer_id = c.id"
            where.append("a.organisation_id = %s AND a.postcode_key = %s")
            parameters += [organisation_id, normalise.postcode_key(parsed.postcode)]
        if parsed.date_of_birth:
            where.append("c.date_of_birth = %s")
            parameters.append(parsed.date_of_birth)
        rank, rank_parameters = "0", []  # the order, best first: smaller ranks
        if parsed.name and vendor == "postgresql":
            where.append("c.name_key %% %s")
            parameters.append(parsed.name)
            rank, rank_parameters = "-similarity(c.name_key, %s)", [parsed.name]
        elif parsed.name:
            grams = sorted(
                {gram.strip() for gram in normalise.trigrams(parsed.name) if len(gram.strip()) == 3}
            )
            joins += " JOIN bench_customer_fts f ON f.rowid = c.id"
            where.append("bench_customer_fts MATCH %s")
            parameters.append(" OR ".join(f'"{gram}"' for gram in grams) or '""')
            rank = "bm25(bench_customer_fts)"
        chosen = (
            f"SELECT c.id, {rank} AS rank FROM customers_customer c {joins} "  # noqa: S608 - fixed fragments
            f"WHERE {' AND '.join(where)} ORDER BY rank, c.id LIMIT 20"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                DISPLAY_ROWS.format(chosen=chosen),
                [*_display_parameters(organisation_id), *rank_parameters, *parameters],
            )
            return [row[0] for row in cursor.fetchall()]

    return run


KINDS = ("mistyped name", "mistyped name", "phone", "surname and postcode", "surname and birth")


def _time(
    runs: dict[str, Callable[[str], list[int]]], queries: list[tuple[str, int]]
) -> dict[str, tuple[list[float], list[bool]]]:
    """Each query run by each contender in turn (alternating who goes first), so both meet the
    same load on a shared machine: times in ms and whether the intended customer was found."""
    timed: dict[str, tuple[list[float], list[bool]]] = {name: ([], []) for name in runs}
    order = list(runs.items())
    for index, (text, expected) in enumerate(queries):
        for name, run in order if index % 2 == 0 else order[::-1]:
            began = time.perf_counter()
            ids = run(text)
            timed[name][0].append((time.perf_counter() - began) * 1000)
            timed[name][1].append(expected in ids)
    return timed


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _line(name: str, ours: float, baseline: float, unit: str = "ms") -> None:
    ratio = ours / baseline
    print(f"{name}: ours {ours:.2f} {unit}, baseline {baseline:.2f} {unit}, ratio {ratio:.2f}")


def _customer_page(organisation: Any, user: Any) -> tuple[float, float]:
    from django.db import connection
    from django.test import Client

    from onestop.customers.models import Customer
    from tests.factories import sign_in_verified

    customer_id = (
        Customer.objects.for_organisation(organisation)
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    client = Client()
    sign_in_verified(client, user)
    client.get(f"/customers/{customer_id}/")  # warm up

    def page() -> None:
        response = client.get(f"/customers/{customer_id}/")
        assert response.status_code == 200  # noqa: S101 - a benchmark of a failing page is void

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM customers_customer WHERE organisation_id = %s AND id = %s",
                [organisation.pk, customer_id],
            )
            cursor.fetchall()
            for table in (
                "customers_address",
                "customers_phone",
                "customers_email",
                "customers_customername",
                "customers_marker",
            ):
                cursor.execute(
                    f"SELECT * FROM {table} WHERE organisation_id = %s AND customer_id = %s",  # noqa: S608 - fixed names
                    [organisation.pk, customer_id],
                )
                cursor.fetchall()
            cursor.execute(
                "SELECT count(*) FROM contacts_contact "
                "WHERE organisation_id = %s AND customer_id = %s",
                [organisation.pk, customer_id],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT * FROM contacts_contact WHERE organisation_id = %s AND customer_id = %s "
                "ORDER BY received_at DESC, id DESC LIMIT 25",
                [organisation.pk, customer_id],
            )
            cursor.fetchall()

    def median_of(run: Callable[[], None], repeats: int = 30) -> float:
        samples = []
        for _ in range(repeats):
            began = time.perf_counter()
            run()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    return median_of(page), median_of(raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--generate-only", action="store_true", help="load the data and stop (for long loads)"
    )
    options = parser.parse_args()
    customers, contacts = SCALES[options.scale][options.database]
    _setup(options.database, options.scale)

    from onestop.core import audit
    from onestop.core import services as core_services
    from onestop.core.models import AuditAction, Organisation, RoleCode, User
    from onestop.customers.models import Customer
    from onestop.customers.queries import search_customers

    slug = f"bench-{options.scale}"
    organisation, _created = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": f"Benchmark council ({options.scale})",
            "type": "district-council",
            "nation": "england",
        },
    )
    core_services.ensure_default_roles(organisation)
    user, _made = User.objects.get_or_create(
        username=f"{slug}-advisor", defaults={"organisation": organisation}
    )
    core_services.set_user_roles(user, by=None, role_codes=[RoleCode.ADVISOR])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    if Customer.objects.for_organisation(organisation).count() < customers:
        seconds = _generate(organisation, customers, contacts)
        print(
            f"generated {customers:,} customers and {contacts:,} contacts in {seconds:.1f} s",
            file=sys.stderr,
        )
    _prepare_baseline(options.database)
    if options.generate_only:
        return
    queries = _queries(organisation)
    user = User.objects.get(pk=user.pk)

    def ours(text: str) -> list[int]:
        return [result.customer_id for result in search_customers(user, text)]

    def audited(text: str) -> list[int]:
        """What the desk does since issue 11: the search, then one list-read audit record."""
        found = ours(text)
        audit.record_list_read(
            user,
            what="customers.customer",
            action=AuditAction.SEARCHED,
            query={"q": text},
            ids=found,
        )
        return found

    baseline = _baseline(options.database, organisation.pk)

    def audited_baseline(text: str) -> list[int]:
        """The same job by hand: the baseline's search, then the chained record in SQL."""
        found = baseline(text)
        append_list_read_by_hand(
            organisation.pk,
            user,
            what="customers.customer",
            action="searched",
            query={"q": text},
            ids=[str(customer_id) for customer_id in found],
        )
        return found

    runs = {
        "ours": ours,
        "audited": audited,
        "baseline": baseline,
        "audited baseline": audited_baseline,
    }
    _time(runs, queries[:50])  # warm caches
    print(f"load average before: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    timed = _time(runs, queries)
    (ours_times, ours_found), (base_times, base_found) = timed["ours"], timed["baseline"]
    audited_times, audited_base_times = timed["audited"][0], timed["audited baseline"][0]
    _line("desk search p50", statistics.median(ours_times), statistics.median(base_times))
    _line("desk search p95", _p95(ours_times), _p95(base_times))
    # Audited: against the same search and the same record written by hand (bench/audit_sql.py).
    _line(
        "desk search audited p50",
        statistics.median(audited_times),
        statistics.median(audited_base_times),
    )
    _line("desk search audited p95", _p95(audited_times), _p95(audited_base_times))
    recall = sum(ours_found) / len(queries) * 100, sum(base_found) / len(queries) * 100
    _line("desk search recall@20", *recall, unit="%")
    for kind in dict.fromkeys(KINDS):
        picked = [index for index in range(len(queries)) if KINDS[index % len(KINDS)] == kind]
        _line(
            f"  {kind} p50",
            statistics.median(ours_times[index] for index in picked),
            statistics.median(base_times[index] for index in picked),
        )
    page, raw = _customer_page(organisation, user)
    _line(f"customer page ({HISTORY:,} contacts) p50", page, raw)
    print(f"load average after: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
