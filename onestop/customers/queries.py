"""Every read of customers: the desk search, duplicates, the customer page, markers, equality.

Access by id goes through ``get_customer_for`` (404 outside the organisation, 403 without the
permission).  Functions named ``open_*`` also audit the read of personal data they make.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop.core import audit, permissions
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
)
from onestop.customers.services import record_marker_views

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


def _name_filter(words: Sequence[str], *, stage: int = 1) -> Q:
    """Candidates for a (possibly mistyped) name, matched by sound (Soundex) or by what has been
    typed so far, in widening stages used only while too few good matches are found:

    1. every word sounds right (a one-word query: either name sounds right);
    2. the last name sounds like one of the words (the first name may be mistyped);
    3. the first name sounds like one of the words and the last name starts with the letter
       one of the words starts with (the last name may be mistyped after its first letter).
    """
    codes = sorted({normalise.soundex(word) for word in words if normalise.soundex(word)})
    typed_so_far = Q(name_key__startswith=" ".join(words))
    if not codes:
        return typed_so_far
    if len(words) == 1:
        return Q(family_soundex__in=codes) | Q(given_soundex__in=codes) | typed_so_far
    if stage == 1:
        return Q(family_soundex__in=codes, given_soundex__in=codes) | typed_so_far
    if stage == 2:
        return Q(family_soundex__in=codes)
    initials = Q()
    for initial in sorted({word[0].upper() for word in words}):
        initials |= Q(family_soundex__startswith=initial)
    return Q(given_soundex__in=codes) & initials


NAME_STAGES = (1, 2, 3)


def _trigram_similarity(name: str) -> Func:
    """pg_trgm's ``similarity(name_key, name)`` (PostgreSQL with the extension only)."""
    return Func(F("name_key"), Value(name), function="similarity", output_field=FloatField())


def _trigram_match(name: str) -> Func:
    """pg_trgm's ``name_key % name``: similar enough, through the GIN trigram index."""
    return Func(
        F("name_key"),
        Value(name),
        template="%(expressions)s",
        arg_joiner=" %% ",
        output_field=BooleanField(),
    )


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


def _candidates(
    user: User, base: QuerySet[Customer], name: str, condition: Q | Func, *, ranked: bool
) -> list[tuple[int, str]]:
    """(customer id, name key) of live candidates matching ``condition`` by current or previous
    name, in one statement: at most ``2 * CANDIDATE_LIMIT``, the most similar first where the
    database can rank (pg_trgm)."""
    current = base.filter(condition).order_by()
    previous = (
        CustomerName.objects.for_user(user)
        .filter(condition, customer_id__in=base.order_by().values("pk"))
        .order_by()
    )
    if ranked:
        similar = (
            current.annotate(rank=_trigram_similarity(name))
            .values_list("pk", "name_key", "rank")
            .union(
                previous.annotate(rank=_trigram_similarity(name)).values_list(
                    "customer_id", "name_key", "rank"
                ),
                all=True,
            )
            .order_by("-rank")
        )
        return [(pk, key) for pk, key, _rank in similar[: CANDIDATE_LIMIT * 2]]
    rows = current.values_list("pk", "name_key").union(
        previous.values_list("customer_id", "name_key"), all=True
    )
    return list(rows[: CANDIDATE_LIMIT * 2])


def _score(name: str, rows: Iterable[tuple[int, str]]) -> dict[int, float]:
    """Each candidate's best score over its names (Python: trigrams and edit distance, word by
    word); those under ``NAME_THRESHOLD`` dropped."""
    best: dict[int, float] = {}
    for customer_id, key in rows:
        score = normalise.word_similarity(name, key)
        if score > best.get(customer_id, -1.0):
            best[customer_id] = score
    return {customer_id: score for customer_id, score in best.items() if score >= NAME_THRESHOLD}


def _exact_filter(user: User, parsed: normalise.ParsedQuery) -> tuple[Q, str] | None:
    """A condition on customers for the exact parts of the query (phone, e-mail, postcode,
    reference), as subqueries on the indexed, normalised columns; ``None`` when it has none."""
    if parsed.email:
        emails = Email.objects.for_user(user).filter(address_key__startswith=parsed.email)
        return Q(pk__in=emails.order_by().values("customer_id")[:CANDIDATE_LIMIT]), _("e-mail")
    if parsed.reference:
        return Q(reference=parsed.reference), _("reference")
    if parsed.phone_e164:
        phones = Phone.objects.for_user(user).filter(number=parsed.phone_e164)
        return Q(pk__in=phones.order_by().values("customer_id")[:CANDIDATE_LIMIT]), _("phone")
    if parsed.phone_digits:
        digits = parsed.phone_digits
        phones = Phone.objects.for_user(user)
        ends_with = Q(reversed_digits__startswith=digits[::-1])
        if digits.startswith("0"):  # the start of a number, or its last digits
            phones = phones.filter(Q(digits__startswith=digits) | ends_with)
        else:
            phones = phones.filter(ends_with)
        return Q(pk__in=phones.order_by().values("customer_id")[:CANDIDATE_LIMIT]), _("phone")
    if parsed.postcode or parsed.outward_code:
        addresses = Address.objects.for_user(user)
        if parsed.postcode:
            addresses = addresses.filter(postcode_key=normalise.postcode_key(parsed.postcode))
        else:  # the whole outward code: HP1 is not the start of HP19
            addresses = (
                addresses.filter(postcode_key__startswith=parsed.outward_code)
                .alias(key_length=Length("postcode_key"))
                .filter(key_length=len(parsed.outward_code) + 3)
            )
        return Q(pk__in=addresses.order_by().values("customer_id")[: CANDIDATE_LIMIT * 4]), _(
            "postcode"
        )
    return None


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
    more statement.  See ``docs/desk.md``.
    """
    if not permissions.can(user, permissions.CUSTOMER_VIEW):
        return []
    parsed = normalise.parse_query(text, today=today or timezone.localdate())
    if parsed.is_empty:
        return []
    base = Customer.objects.for_user(user).filter(merged_into__isnull=True)
    reasons: list[str] = []
    exact = _exact_filter(user, parsed)
    if exact is not None:
        condition, reason = exact
        base = base.filter(condition)
        reasons.append(reason)
    if parsed.date_of_birth is not None:
        base = base.filter(date_of_birth=parsed.date_of_birth)
        reasons.append(_("date of birth"))
    if not parsed.name:
        return _results(user, base.order_by("pk")[:limit], {}, ", ".join(reasons))
    words = parsed.name.split()
    trigrams = _has_trigrams()
    scores: dict[int, float] = {}
    narrow = (exact is not None and not parsed.outward_code) or parsed.date_of_birth is not None
    if narrow:  # a handful of people share a phone, postcode or birthday: score them all
        rows = _candidates(user, base, parsed.name, Q(), ranked=trigrams)
        scores.update(_score(parsed.name, rows))
    earlier: Q | None = None
    for stage in NAME_STAGES[: 0 if narrow else 1 if len(words) == 1 else None]:
        condition = _name_filter(words, stage=stage)
        if earlier is not None:  # each stage only what the stages before it did not offer
            condition, earlier = condition & ~earlier, earlier | condition
        else:
            earlier = condition
        rows = _candidates(user, base, parsed.name, condition, ranked=trigrams)
        scores.update(_score(parsed.name, rows))
        if len(scores) >= limit:  # enough close matches: no need to widen
            break
    if trigrams and not narrow and len(scores) < limit:  # what sounds wrong but looks alike
        rows = _candidates(user, base, parsed.name, _trigram_match(parsed.name), ranked=True)
        for customer_id, score in _score(parsed.name, rows).items():
            scores.setdefault(customer_id, score)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    reasons.insert(0, _("name"))
    found = Customer.objects.for_user(user).filter(pk__in=[pk for pk, _score in ranked]).order_by()
    return _results(user, found, dict(ranked), ", ".join(reasons))


def _results(
    user: User, customers: QuerySet[Customer], scores: dict[int, float], matched: str
) -> list[SearchResult]:
    """The results in one statement: each customer's current postcode, first phone number and
    whether a warning is live, as subqueries; best score first (then oldest record)."""
    today = timezone.localdate()
    postcode = (
        Address.objects.for_user(user)
        .filter(customer=OuterRef("pk"), is_current=True)
        .order_by("-created_at", "-pk")
        .values("postcode")[:1]
    )
    phone = (
        Phone.objects.for_user(user)
        .filter(customer=OuterRef("pk"))
        .order_by("created_at", "pk")
        .values("number")[:1]
    )
    live = (
        Marker.objects.for_user(user)
        .filter(customer=OuterRef("pk"))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    )
    rows = customers.annotate(
        current_postcode=Subquery(postcode), first_phone=Subquery(phone), live_markers=Exists(live)
    ).values_list(
        "pk",
        "reference",
        "display_name",
        "date_of_birth",
        "current_postcode",
        "first_phone",
        "live_markers",
    )
    results = [
        SearchResult(
            customer_id=pk,
            reference=reference,
            display_name=display_name,
            date_of_birth=date_of_birth,
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
    if words:
        for customer_id, candidate in live.filter(_name_filter(words)).values_list(
            "pk", "name_key"
        )[:CANDIDATE_LIMIT]:
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
    def formatted_phones(self) -> list[tuple[Phone, str]]:
        return [(phone, normalise.format_phone(phone.number)) for phone in self.phones]


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
