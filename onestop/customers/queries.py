"""Every read of customers: the desk search, duplicates, the customer page, markers, equality.

Access by id goes through ``get_customer_for`` (404 outside the organisation, 403 without the
permission).  Functions named ``open_*`` also audit the read of personal data they make.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, batch, permissions
from onestop.core.access import get_or_404
from onestop.core.models import Role, User
from onestop.customers import normalise
from onestop.customers.models import (
    EQUALITY_FIELDS,
    Address,
    Customer,
    CustomerMerge,
    CustomerName,
    Email,
    EqualityMonitoring,
    Marker,
    Phone,
    PhoneKind,
)
from onestop.customers.services import ContactPoints, contact_points_key, record_marker_views

SEARCH_LIMIT = 20
CANDIDATE_LIMIT = 300
NAME_THRESHOLD = 0.6
SMALL_NUMBER = 5


# --- access ---------------------------------------------------------------------------------------
def customers_for(user: User) -> QuerySet[Customer]:
    customers = Customer.objects.for_user(user)
    if not permissions.can(user, permissions.CUSTOMER_VIEW):
        return customers.none()
    return customers


def get_customer_for(
    user: User, customer_id: int, action: str = permissions.CUSTOMER_VIEW
) -> Customer:
    found: Customer = get_or_404(user, Customer.objects.for_user(user), action, pk=customer_id)
    return found


def get_marker_for(user: User, marker_id: int, action: str = permissions.CUSTOMER_VIEW) -> Marker:
    found: Marker = get_or_404(
        user, Marker.objects.for_user(user).select_related("customer"), action, pk=marker_id
    )
    return found


def get_merge_for(
    user: User, merge_id: int, action: str = permissions.CUSTOMER_MERGE
) -> CustomerMerge:
    found: CustomerMerge = get_or_404(
        user,
        CustomerMerge.objects.for_user(user).select_related("kept", "merged"),
        action,
        pk=merge_id,
    )
    return found


# --- the desk search ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchResult:
    customer_id: int
    reference: str
    display_name: str
    date_of_birth: datetime.date | None
    postcode: str
    phone: str
    matched: str
    score: float
    has_markers: bool


# The search is hand-written SQL: the desk runs it on every keystroke, and building the same
# statements through the ORM cost several times what the database took to answer them.  The
# scoped managers cannot guard raw SQL, so every table below is pinned to the user's
# organisation by construction (``organisation_id = %s`` on each one, ``_Search.organisation``
# from the signed-in user); the tests search as a partner organisation's advisor to prove it.
# Table names come from the models; every value is a parameter.
_CUSTOMER = Customer._meta.db_table
_NAME = CustomerName._meta.db_table
_ADDRESS = Address._meta.db_table
_PHONE = Phone._meta.db_table
_EMAIL = Email._meta.db_table
_MARKER = Marker._meta.db_table

Sql = tuple[str, list[Any]]


def _prefix(column: str, prefix: str) -> Sql:
    """``column`` starts with ``prefix``, in the form each database answers from its B-tree index:
    ``LIKE`` with ``varchar_pattern_ops`` on PostgreSQL, a range on SQLite (whose ``LIKE`` is
    case-insensitive and never uses the index)."""
    if connection.vendor == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE %s", [escaped + "%"]
    return f"({column} >= %s AND {column} < %s)", [prefix, prefix + "\U0010ffff"]


def _any_of(column: str, values: Sequence[Any]) -> Sql:
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _name_filter(words: Sequence[str], alias: str, *, stage: int = 1) -> Sql:
    """Candidates for a (possibly mistyped) name, matched by sound (Soundex) or by what has been
    typed so far, in widening stages used only while too few good matches are found:

    1. every word sounds right (a one-word query: either name sounds right);
    2. the last name sounds like one of the words (the first name may be mistyped);
    3. the first name sounds like one of the words and the last name starts with the letter
       one of the words starts with (the last name may be mistyped after its first letter).

    ``alias`` is the table (customers or their previous names) the condition is on.
    """
    codes = sorted({code for code in (normalise.soundex(word) for word in words) if code})
    typed_so_far = _prefix(f"{alias}.name_key", " ".join(words))
    if not codes:
        return typed_so_far
    family = _any_of(f"{alias}.family_soundex", codes)
    given = _any_of(f"{alias}.given_soundex", codes)
    if len(words) == 1:
        return _join(" OR ", [family, given, typed_so_far])
    if stage == 1:
        return _join(" OR ", [_join(" AND ", [family, given]), typed_so_far])
    if stage == 2:
        return family
    initials = [
        _prefix(f"{alias}.family_soundex", initial)
        for initial in sorted({word[0].upper() for word in words})
    ]
    return _join(" AND ", [given, _join(" OR ", initials)])


def _join(connector: str, parts: Sequence[Sql]) -> Sql:
    parameters: list[Any] = []
    for _sql, values in parts:
        parameters += values
    return "(" + connector.join(sql for sql, _values in parts) + ")", parameters


NAME_STAGES = (1, 2, 3)


def _trigram_similarity(alias: str, name: str) -> Sql:
    """pg_trgm's ``similarity(name_key, name)`` (PostgreSQL with the extension only)."""
    return f"similarity({alias}.name_key, %s)", [name]


def _trigram_match(alias: str, name: str) -> Sql:
    """pg_trgm's ``name_key % name``: similar enough, through the GIN trigram index."""
    return f"{alias}.name_key %% %s", [name]


def _has_trigrams() -> bool:
    """Whether this database has ``pg_trgm`` (installed by migration ``0003`` when allowed)."""
    alias = connection.alias
    found = _TRIGRAMS.get(alias)
    if found is None:
        found = False
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
                found = cursor.fetchone() is not None
        _TRIGRAMS[alias] = found
    return found


_TRIGRAMS: dict[str, bool] = {}


@dataclass(frozen=True)
class _Search:
    """One search's fixed parts: whose customers, and the conditions every candidate meets
    (live, and the exact parts of the query) on the customers table ``c``."""

    organisation: int
    base: Sql


def _rows(sql: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return list(cursor.fetchall())


def _candidates(
    search: _Search,
    condition: Callable[[str], Sql] | None,
    *,
    ranked_by: str = "",
    previous_names: bool = True,
    limit: int = CANDIDATE_LIMIT * 2,
) -> list[tuple[int, str]]:
    """(customer id, name key) of live candidates whose current or previous name meets
    ``condition`` (given the table's alias; ``None``: every name), in one statement: at most
    ``limit``, the most similar to ``ranked_by`` first where the database can rank (pg_trgm)."""
    base_sql, base_parameters = search.base
    parts: list[str] = []
    parameters: list[Any] = []
    tables = [("c", f"{_CUSTOMER} c", "")]
    if previous_names:
        tables.append(
            (
                "n",
                f"{_NAME} n JOIN {_CUSTOMER} c ON c.id = n.customer_id",
                "n.organisation_id = %s AND ",
            )
        )
    for alias, source, pinned in tables:
        rank_sql, rank_parameters = _trigram_similarity(alias, ranked_by) if ranked_by else ("", [])
        condition_sql, condition_parameters = condition(alias) if condition else ("", [])
        parts.append(
            # S608: table names from the models, every value a parameter
            f"SELECT c.id, {alias}.name_key{', ' + rank_sql + ' AS rank' if ranked_by else ''} "  # noqa: S608
            f"FROM {source} WHERE {pinned}{base_sql}{' AND ' + condition_sql if condition else ''}"
        )
        parameters += rank_parameters
        parameters += [search.organisation] if pinned else []
        parameters += base_parameters + condition_parameters
    sql = " UNION ALL ".join(parts) + (" ORDER BY rank DESC" if ranked_by else "") + " LIMIT %s"
    rows = _rows(sql, [*parameters, limit])
    return [(row[0], row[1]) for row in rows]


def _score(name: str, rows: Iterable[tuple[int, str]]) -> dict[int, float]:
    """Each candidate's best score over its names (Python: trigrams and edit distance, word by
    word, each distinct name scored once); those under ``NAME_THRESHOLD`` dropped."""
    words = name.split()
    by_key: dict[str, float] = {}
    best: dict[int, float] = {}
    for customer_id, key in rows:
        score = by_key.get(key)
        if score is None:
            score = by_key[key] = normalise.words_similarity(words, key.split())
        if score > best.get(customer_id, -1.0):
            best[customer_id] = score
    return {customer_id: score for customer_id, score in best.items() if score >= NAME_THRESHOLD}


def _exact_filter(organisation: int, parsed: normalise.ParsedQuery) -> tuple[Sql, str] | None:
    """A condition on customers ``c`` for the exact parts of the query (phone, e-mail,
    postcode, reference), through the indexed, normalised columns; ``None`` when it has none."""
    if parsed.email:
        condition, parameters = _prefix("address_key", parsed.email)
        return _customer_in(_EMAIL, organisation, condition, parameters), _("e-mail")
    if parsed.reference:
        return ("c.reference = %s", [parsed.reference]), _("reference")
    if parsed.phone_e164:
        return _customer_in(_PHONE, organisation, "number = %s", [parsed.phone_e164]), _("phone")
    if parsed.phone_digits:
        digits = parsed.phone_digits
        ends_with = _prefix("reversed_digits", digits[::-1])
        if digits.startswith("0"):  # the start of a number, or its last digits
            condition, parameters = _join(" OR ", [_prefix("digits", digits), ends_with])
        else:
            condition, parameters = ends_with
        return _customer_in(_PHONE, organisation, condition, parameters), _("phone")
    if parsed.postcode:
        key = normalise.postcode_key(parsed.postcode)
        return _customer_in(_ADDRESS, organisation, "postcode_key = %s", [key], 4), _("postcode")
    if parsed.outward_code:  # the whole outward code: HP1 is not the start of HP19
        condition, parameters = _prefix("postcode_key", parsed.outward_code)
        condition += " AND length(postcode_key) = %s"
        parameters.append(len(parsed.outward_code) + 3)
        return _customer_in(_ADDRESS, organisation, condition, parameters, 4), _("postcode")
    return None


def _customer_in(
    table: str, organisation: int, condition: str, parameters: list[Any], share: int = 1
) -> Sql:
    """``c`` is the customer of at most ``share * CANDIDATE_LIMIT`` rows of ``table`` that meet
    ``condition``."""
    return (
        # S608: table names from the models, every value a parameter
        f"c.id IN (SELECT customer_id FROM {table} WHERE organisation_id = %s AND {condition} "  # noqa: S608
        "LIMIT %s)",
        [organisation, *parameters, CANDIDATE_LIMIT * share],
    )


def search_customers(
    user: User, text: str, *, limit: int = SEARCH_LIMIT, today: datetime.date | None = None
) -> list[SearchResult]:
    """The desk search: by name (typo-tolerant), phone in any format, e-mail, postcode,
    reference or date of birth, and combinations (``smith 12/03/1980``, ``jones HP19``).

    Exact parts narrow the candidates through indexed, normalised columns (as subqueries of one
    statement); a name is matched by sound (Soundex) and by what has been typed so far, in
    widening stages of one statement each (current and previous names together), then by
    ``pg_trgm`` similarity on PostgreSQL; at most ``2 * CANDIDATE_LIMIT`` candidates per stage
    are ranked in Python by trigram similarity and edit distance.  The results are read in one
    more statement (a search without a name is one statement).  See ``docs/desk.md``.
    """
    if not permissions.can(user, permissions.CUSTOMER_VIEW) or user.organisation_id is None:
        return []
    parsed = normalise.parse_query(text, today=today or timezone.localdate())
    if parsed.is_empty:
        return []
    organisation = user.organisation_id
    base: list[Sql] = [("c.organisation_id = %s AND c.merged_into_id IS NULL", [organisation])]
    reasons: list[str] = []
    exact = _exact_filter(organisation, parsed)
    if exact is not None:
        base.append(exact[0])
        reasons.append(exact[1])
    if parsed.date_of_birth is not None:
        date = connection.ops.adapt_datefield_value(parsed.date_of_birth)
        base.append(("c.date_of_birth = %s", [date]))
        reasons.append(_("date of birth"))
    search = _Search(organisation, _join(" AND ", base))
    if not parsed.name:
        return _results(search, None, {}, ", ".join(reasons), limit)
    words = parsed.name.split()
    ranked_by = parsed.name if _has_trigrams() else ""
    scores: dict[int, float] = {}
    narrow = (exact is not None and not parsed.outward_code) or parsed.date_of_birth is not None
    if narrow:  # a handful of people share a phone, postcode or birthday: score them all
        scores.update(_score(parsed.name, _candidates(search, None, ranked_by=ranked_by)))
    for stage in NAME_STAGES[: 0 if narrow else 1 if len(words) == 1 else None]:
        rows = _candidates(search, partial(_stage_filter, words, stage), ranked_by=ranked_by)
        scores.update(_score(parsed.name, rows))
        if len(scores) >= limit:  # enough close matches: no need to widen
            break
    if ranked_by and not narrow and len(scores) < limit:  # what sounds wrong but looks alike
        rows = _candidates(search, partial(_trigram_match, name=parsed.name), ranked_by=ranked_by)
        for customer_id, score in _score(parsed.name, rows).items():
            scores.setdefault(customer_id, score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    reasons.insert(0, _("name"))
    return _results(search, [pk for pk, _score in ranked], dict(ranked), ", ".join(reasons), limit)


def _stage_filter(words: Sequence[str], stage: int, alias: str) -> Sql:
    """Stage ``stage`` of the name, leaving out what the stages before it offered."""
    condition = _name_filter(words, alias, stage=stage)
    earlier = [_name_filter(words, alias, stage=before) for before in NAME_STAGES[: stage - 1]]
    if not earlier:
        return condition
    excluded = _join(" OR ", earlier)
    return _join(" AND NOT ", [condition, excluded])


def _results(
    search: _Search,
    ids: list[int] | None,
    scores: dict[int, float],
    matched: str,
    limit: int,
) -> list[SearchResult]:
    """The results in one statement: each customer's current postcode, first phone number and
    whether a warning is live, as subqueries; best score first (then oldest record).  ``ids``:
    the customers chosen by name; ``None``: the first ``limit`` meeting ``search.base``."""
    if ids is not None and not ids:
        return []
    organisation = search.organisation
    if ids is None:
        where, parameters = search.base
        tail = " ORDER BY c.id LIMIT %s"
        parameters = [*parameters, limit]
    else:
        where, parameters = _any_of("c.id", ids)
        where = "c.organisation_id = %s AND " + where
        parameters = [organisation, *parameters]
        tail = ""
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    sql = (
        # S608: table names from the models, every value a parameter
        "SELECT c.id, c.reference, c.display_name, c.date_of_birth, "  # noqa: S608
        f"(SELECT a.postcode FROM {_ADDRESS} a WHERE a.organisation_id = %s "
        "AND a.customer_id = c.id AND a.is_current ORDER BY a.created_at DESC, a.id DESC LIMIT 1), "
        f"(SELECT p.number FROM {_PHONE} p WHERE p.organisation_id = %s AND p.customer_id = c.id "
        "ORDER BY p.created_at, p.id LIMIT 1), "
        f"EXISTS (SELECT 1 FROM {_MARKER} m WHERE m.organisation_id = %s AND m.customer_id = c.id "
        "AND (m.ended_on IS NULL OR m.ended_on > %s)) "
        f"FROM {_CUSTOMER} c WHERE {where}{tail}"
    )
    rows = _rows(sql, [organisation, organisation, organisation, today, *parameters])
    results = [
        SearchResult(
            customer_id=pk,
            reference=reference,
            display_name=display_name,
            date_of_birth=_date(date_of_birth),
            postcode=postcode or "",
            phone=normalise.format_phone(number) if number else "",
            matched=matched,
            score=round(scores.get(pk, 1.0), 3),
            has_markers=bool(has_markers),
        )
        for pk, reference, display_name, date_of_birth, postcode, number, has_markers in rows
    ]
    results.sort(key=lambda result: (-scores.get(result.customer_id, 1.0), result.customer_id))
    return results


def _date(value: datetime.date | str | None) -> datetime.date | None:
    """A date column as read by a raw cursor (SQLite gives its ISO text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


# --- duplicates -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PossibleDuplicate:
    customer: Customer
    reasons: list[str]
    score: float


def possible_duplicates(
    user: User,
    *,
    name: str,
    date_of_birth: datetime.date | None = None,
    postcodes: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[PossibleDuplicate]:
    """Existing records that may be the same customer, best match first (shown before save)."""
    key = normalise.normalise_name(name)
    words = key.split()
    reasons: dict[int, list[str]] = {}
    scores: dict[int, float] = {}

    def note(customer_id: int, reason: str, weight: float) -> None:
        reasons.setdefault(customer_id, [])
        if reason not in reasons[customer_id]:
            reasons[customer_id].append(reason)
            scores[customer_id] = scores.get(customer_id, 0.0) + weight

    live = Customer.objects.for_user(user).filter(merged_into__isnull=True)
    if words and user.organisation_id is not None:
        search = _Search(
            user.organisation_id,
            ("c.organisation_id = %s AND c.merged_into_id IS NULL", [user.organisation_id]),
        )
        for customer_id, candidate in _candidates(
            search, partial(_name_filter, words), previous_names=False, limit=CANDIDATE_LIMIT
        ):
            similarity = normalise.similarity(key, candidate)
            if similarity >= NAME_THRESHOLD or normalise.word_similarity(key, candidate) >= 0.8:
                note(customer_id, _("similar name"), max(similarity, 0.5))
    if date_of_birth is not None:
        for customer_id in live.filter(date_of_birth=date_of_birth).values_list("pk", flat=True)[
            :CANDIDATE_LIMIT
        ]:
            note(customer_id, _("same date of birth"), 0.5)
    keys = [normalise.postcode_key(postcode) for postcode in postcodes if postcode]
    if keys:
        for customer_id in (
            Address.objects.for_user(user)
            .filter(postcode_key__in=keys)
            .values_list("customer_id", flat=True)[:CANDIDATE_LIMIT]
        ):
            note(customer_id, _("same postcode"), 0.4)
    numbers = [number for number in phones if number]
    if numbers:
        for customer_id in (
            Phone.objects.for_user(user)
            .filter(number__in=numbers)
            .values_list("customer_id", flat=True)
        ):
            note(customer_id, _("same phone number"), 1.0)
    addresses = [normalise.normalise_email(address) for address in emails if address]
    if addresses:
        for customer_id in (
            Email.objects.for_user(user)
            .filter(address_key__in=addresses)
            .values_list("customer_id", flat=True)
        ):
            note(customer_id, _("same e-mail address"), 1.0)
    strong = {
        customer_id
        for customer_id, found in reasons.items()
        if scores[customer_id] >= 0.9
        and customer_id != exclude_id
        and (len(found) > 1 or found[0] in (_("same phone number"), _("same e-mail address")))
    }
    ranked = sorted(strong, key=lambda customer_id: (-scores[customer_id], customer_id))[:limit]
    customers: dict[int, Customer] = live.in_bulk(ranked)
    return [
        PossibleDuplicate(customers[customer_id], reasons[customer_id], scores[customer_id])
        for customer_id in ranked
        if customer_id in customers
    ]


# --- markers --------------------------------------------------------------------------------------
def role_codes_of(user: User) -> frozenset[str]:
    cached: frozenset[str] | None = getattr(user, "_onestop_role_codes", None)
    if cached is None:
        cached = frozenset(
            Role.objects.filter(organisation_id=user.organisation_id or 0, users=user).values_list(
                "code", flat=True
            )
        )
        user._onestop_role_codes = cached  # type: ignore[attr-defined]
    return cached


def may_see_marker_detail(user: User, marker: Marker) -> bool:
    """Detail needs ``marker.view-detail`` and, when the marker names roles, one of them."""
    if not permissions.can(user, permissions.MARKER_VIEW_DETAIL, marker):
        return False
    allowed = set(marker.visible_to_roles or [])
    return not allowed or bool(allowed & role_codes_of(user))


@dataclass(frozen=True)
class MarkerView:
    marker: Marker
    show_detail: bool
    due_for_review: bool


def live_markers(customer: Customer, today: datetime.date | None = None) -> list[Marker]:
    today = today or timezone.localdate()
    return list(
        Marker.objects.for_organisation(customer.organisation_id)
        .filter(customer=customer)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .order_by("kind", "pk")
    )


def open_markers(user: User, customer: Customer) -> list[MarkerView]:
    """The customer's live markers as ``user`` may see them; every display is audited."""
    today = timezone.localdate()
    views = [
        MarkerView(marker, may_see_marker_detail(user, marker), marker.review_on <= today)
        for marker in live_markers(customer, today)
    ]
    detail = [view.marker for view in views if view.show_detail]
    banner = [view.marker for view in views if not view.show_detail]
    if detail:
        record_marker_views(detail, by=user, detail=True)
    if banner:
        record_marker_views(banner, by=user, detail=False)
    return views


def open_markers_of(user: User, customer_ids: list[int]) -> dict[int, list[MarkerView]]:
    """``open_markers`` for many customers at once (a list of visitors, cases, call-backs):
    customer id -> their live markers as ``user`` may see them; every display is audited."""
    if not customer_ids:
        return {}
    today = timezone.localdate()
    markers = list(
        Marker.objects.for_user(user)
        .filter(customer_id__in=sorted(set(customer_ids)))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .order_by("customer_id", "kind", "pk")
    )
    found: dict[int, list[MarkerView]] = {}
    for marker in markers:
        view = MarkerView(marker, may_see_marker_detail(user, marker), marker.review_on <= today)
        found.setdefault(marker.customer_id, []).append(view)
    detail = [view.marker for views in found.values() for view in views if view.show_detail]
    banner = [view.marker for views in found.values() for view in views if not view.show_detail]
    if detail:
        record_marker_views(detail, by=user, detail=True)
    if banner:
        record_marker_views(banner, by=user, detail=False)
    return found


def markers_due_for_review(user: User) -> QuerySet[Marker]:
    """Live markers whose review date has come: flagged for review."""
    if not permissions.can(user, permissions.MARKER_MANAGE):
        return Marker.objects.for_user(user).none()
    today = timezone.localdate()
    return (
        Marker.objects.for_user(user)
        .filter(review_on__lte=today, ended_on__isnull=True)
        .select_related("customer")
        .order_by("review_on", "pk")
    )


# --- the customer record --------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerRecord:
    customer: Customer
    names: list[CustomerName]
    addresses: list[Address]
    phones: list[Phone]
    emails: list[Email]
    merges: list[CustomerMerge] = field(default_factory=list)

    @property
    def current_address(self) -> Address | None:
        return next((address for address in self.addresses if address.is_current), None)

    @property
    def formatted_phones(self) -> list[tuple[Phone, str, str]]:
        """Each phone with its number as shown (national format for a UK number) and what it
        is: the line type ``phonenumbers`` finds, and "home" or "work" where staff said so."""
        return [
            (phone, normalise.format_phone(phone.number), phone_description(phone))
            for phone in self.phones
        ]


def phone_description(phone: Phone) -> str:
    """ "Landline", "Mobile, work": the number's own line type and, for a home or work number,
    what staff recorded it as (a phone's stored kind defaults to mobile, so it says nothing
    about the line itself)."""
    line = normalise.LineType(normalise.line_type(phone.number)).label
    if phone.kind in {PhoneKind.HOME, PhoneKind.WORK}:
        return _("%(line)s, %(use)s") % {"line": line, "use": phone.get_kind_display().lower()}
    return str(line)


def shown_phone(number: str) -> str:
    """A phone number as people read it, staff and residents alike: ``07700 900001`` for a UK
    number (national format), ``+33 1 23 45 67 89`` for others (international), as
    ``phonenumbers`` formats them.  A stored number is E.164; one as a resident typed it
    (``07700900001``, ``+44 7700 900001``) is read as ``services.clean_phone`` reads it first.
    Anything that is not a phone number is shown as it is."""
    text = (number or "").strip()
    if not text:
        return ""
    if not (text.startswith("+") and text[1:].isdigit()):
        try:
            text = normalise.parse_phone(text)
        except normalise.InvalidPhoneNumber:
            return number
    return normalise.format_phone(text)


def mobile_number(customer: Customer) -> str | None:
    """The customer's first number that ``phonenumbers`` knows as a mobile (for texts)."""
    phones = Phone.objects.for_organisation(customer.organisation_id).filter(customer=customer)
    return next(
        (
            phone.number
            for phone in phones.order_by("created_at", "id")
            if normalise.line_type(phone.number) == normalise.LineType.MOBILE
        ),
        None,
    )


def mobile_numbers(organisation_id: int, customer_ids: Sequence[int]) -> list[tuple[int, str]]:
    """``mobile_number`` of each of the customers that has one, as ``(customer_id, number)``,
    in one read (a message to many customers)."""
    phones = (
        Phone.objects.for_organisation(organisation_id)
        .filter(customer_id__in=list(customer_ids))
        .order_by("customer_id", "created_at", "id")
        .values_list("customer_id", "number")
    )
    found: dict[int, str] = {}
    for customer_id, number in phones:
        if customer_id not in found and normalise.line_type(number) == normalise.LineType.MOBILE:
            found[customer_id] = number
    return list(found.items())


def contact_points_many(
    organisation_id: int, customer_ids: Sequence[int]
) -> dict[int, ContactPoints]:
    """How each of the customers can be reached (``ContactPoints``), in three reads whatever
    their number; inside a ``core.batch``, those it remembers are not read again."""
    points: dict[int, ContactPoints] = {}
    wanted: list[int] = []
    for customer_id in dict.fromkeys(customer_ids):
        found, value = batch.recall(contact_points_key(organisation_id, customer_id))
        if found:
            points[customer_id] = value
        else:
            wanted.append(customer_id)
    if not wanted:
        return points
    emails: dict[int, str] = {}
    for customer_id, address in (
        Email.objects.for_organisation(organisation_id)
        .filter(customer_id__in=wanted)
        .order_by("customer_id", "created_at", "id")
        .values_list("customer_id", "address")
    ):
        emails.setdefault(customer_id, address)
    mobiles = dict(mobile_numbers(organisation_id, wanted))
    postal: dict[int, tuple[str, str, str, str]] = {}
    for customer_id, *lines in (
        Address.objects.for_organisation(organisation_id)
        .filter(customer_id__in=wanted, is_current=True)
        .order_by("customer_id", "-created_at", "-id")
        .values_list("customer_id", "line_1", "line_2", "town", "postcode")
    ):
        postal.setdefault(customer_id, (lines[0], lines[1], lines[2], lines[3]))
    for customer_id in wanted:
        points[customer_id] = ContactPoints(
            email=emails.get(customer_id),
            mobile=mobiles.get(customer_id),
            postal=postal.get(customer_id),
        )
    return points


def remembered_contact_points(
    organisation_id: int, customer_ids: Sequence[int]
) -> dict[int, ContactPoints]:
    """Those of the customers whose ``ContactPoints`` the ``core.batch`` remembers (no read)."""
    points: dict[int, ContactPoints] = {}
    for customer_id in customer_ids:
        found, value = batch.recall(contact_points_key(organisation_id, customer_id))
        if found:
            points[customer_id] = value
    return points


def remember_contact_points(organisation_id: int, customer_ids: Sequence[int]) -> None:
    """Inside a ``core.batch``: read the customers' ``ContactPoints`` once for the batch (its
    acknowledgements then ask nothing)."""
    for customer_id, value in contact_points_many(organisation_id, customer_ids).items():
        batch.remember(contact_points_key(organisation_id, customer_id), value)


def open_customer(user: User, customer_id: int, *, ip_address: str | None = None) -> CustomerRecord:
    """A customer's record for a page or the API; the view is audited."""
    customer = get_customer_for(user, customer_id)
    record = record_of(customer)
    audit.viewed(customer, by=user, ip_address=ip_address, summary="Customer record viewed")
    return record


def record_of(customer: Customer) -> CustomerRecord:
    organisation_id = customer.organisation_id
    return CustomerRecord(
        customer=customer,
        names=list(
            CustomerName.objects.for_organisation(organisation_id).filter(customer=customer)
        ),
        addresses=list(Address.objects.for_organisation(organisation_id).filter(customer=customer)),
        phones=list(Phone.objects.for_organisation(organisation_id).filter(customer=customer)),
        emails=list(Email.objects.for_organisation(organisation_id).filter(customer=customer)),
        merges=list(
            CustomerMerge.objects.for_organisation(organisation_id)
            .filter(Q(kept=customer) | Q(merged=customer))
            .select_related("kept", "merged")
        ),
    )


# --- equality monitoring --------------------------------------------------------------------------
def open_equality_monitoring(user: User, customer: Customer) -> EqualityMonitoring | None:
    """The customer's answers, for roles allowed to see them (audited); 403 otherwise."""
    get_customer_for(user, customer.pk, permissions.CUSTOMER_EQUALITY_VIEW)
    found = EqualityMonitoring.objects.for_user(user).filter(customer_id=customer.pk).first()
    if found is not None:
        audit.viewed(found, by=user, summary="Equality monitoring answers viewed")
    return found


def equality_answers(found: EqualityMonitoring | None) -> list[tuple[str, str]]:
    """(question, answer) for each question answered, in the form's order, for reading only."""
    if found is None:
        return []
    answers = []
    for name, enum in EQUALITY_FIELDS.items():
        value = getattr(found, name)
        if value:
            question = str(getattr(EqualityMonitoring._meta.get_field(name), "verbose_name", name))
            answers.append((question, str(enum(value).label)))
    return answers


@dataclass(frozen=True)
class EqualityRow:
    question: str
    answer: str
    count: int | None  # None: fewer than five people, suppressed


def equality_report(user: User) -> list[EqualityRow]:
    """Counts of each answer to each question, with small numbers (under 5) suppressed."""
    rows: list[EqualityRow] = []
    records = EqualityMonitoring.objects.for_user(user).filter(customer__merged_into__isnull=True)
    for name, enum in EQUALITY_FIELDS.items():
        counts = dict(
            records.exclude(**{name: ""}).values_list(name).annotate(n=Count("pk")).order_by()
        )
        question = str(getattr(EqualityMonitoring._meta.get_field(name), "verbose_name", name))
        for value, label in enum.choices:
            count = counts.get(value, 0)
            rows.append(
                EqualityRow(
                    question, str(label), count if count >= SMALL_NUMBER or count == 0 else None
                )
            )
    return rows


def merge_candidates(user: User, customer: Customer) -> list[PossibleDuplicate]:
    """Records that look like ``customer`` (to offer on the merge page)."""
    record = record_of(customer)
    return possible_duplicates(
        user,
        name=customer.display_name,
        date_of_birth=customer.date_of_birth,
        postcodes=[address.postcode for address in record.addresses],
        phones=[phone.number for phone in record.phones],
        emails=[email.address for email in record.emails],
        exclude_id=customer.pk,
    )


def email_key(address: str) -> str:
    """What ``Email.address_key`` holds for ``address``: how an e-mail finds its customer."""
    return normalise.normalise_email(address)


def email_owners(organisation_id: int, keys: Iterable[str]) -> dict[str, list[int]]:
    """For each address key of ``keys``: the customers (not merged away) who have it, at most
    two, in id order; one statement for them all (the IMAP poller's batch asks once for its
    senders), and one more when any has an owner.  A key nobody has is left out.

    The addresses' owners are read by their ids, not joined to the customers: on tables the
    planner has no statistics for yet (a first import, a burst of new senders before the
    database has analysed them) the join was planned as a scan of every live customer for
    each address, a batch's cost growing with the number of customers."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = list(
        Email.objects.for_organisation(organisation_id)
        .filter(address_key__in=wanted)
        .order_by("address_key", "customer_id")
        .values_list("address_key", "customer_id")
        .distinct()
    )
    if not rows:
        return {}
    merged = {
        customer_id
        for customer_id, merged_into_id in Customer.objects.for_organisation(organisation_id)
        .filter(pk__in={customer_id for _key, customer_id in rows})
        .order_by()
        .values_list("pk", "merged_into_id")
        if merged_into_id is not None
    }
    owners: dict[str, list[int]] = {}
    for key, customer_id in rows:
        if customer_id in merged:
            continue
        found = owners.setdefault(key, [])
        if len(found) < 2:
            found.append(customer_id)
    return owners


def customers_by_id(organisation_id: int, ids: Iterable[int]) -> dict[int, Customer]:
    """The organisation's customers of ``ids``, by id (one statement)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        customer.pk: customer
        for customer in Customer.objects.for_organisation(organisation_id).filter(pk__in=wanted)
    }
