"""API shapes of customers (public contract: keep field names stable)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema


class AddressIn(Schema):
    line_1: str = Field(max_length=200)
    line_2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    postcode: str = Field(max_length=10)
    uprn: int | None = None


class CustomerIn(Schema):
    kind: str = Field("person", max_length=20)
    title: str = Field("", max_length=40)
    given_name: str = Field("", max_length=150)
    family_name: str = Field("", max_length=150)
    business_name: str = Field("", max_length=300)
    date_of_birth: datetime.date | None = None
    preferred_channel: str = Field("", max_length=20)
    language: str = Field("en", max_length=10)
    format: str = Field("", max_length=20)
    needs_interpreter: bool = False
    interpreter_language: str = Field("", max_length=150)
    consents_to_email_updates: bool = False
    consents_to_sms_updates: bool = False


class CustomerCreateIn(CustomerIn):
    address: AddressIn | None = None
    phones: list[str] = Field(default_factory=list, max_length=5)
    emails: list[str] = Field(default_factory=list, max_length=5)
    allow_duplicate: bool = Field(
        False, description="Create even when possible duplicates exist (otherwise 409)."
    )


class CustomerUpdateIn(CustomerIn):
    version: int = Field(description="The version you read; a stale version is refused (409).")


class SearchResultOut(Schema):
    id: int
    reference: str
    display_name: str
    date_of_birth: datetime.date | None
    postcode: str
    phone: str
    matched: str
    score: float
    has_warnings: bool


class AddressOut(Schema):
    line_1: str
    line_2: str
    town: str
    postcode: str
    uprn: int | None
    is_current: bool


class MarkerOut(Schema):
    id: int
    kind: str
    guidance: str
    review_on: datetime.date
    reason: str | None = Field(description="Only for roles entitled to see the detail.")
    source: str | None


class CustomerOut(Schema):
    id: int
    reference: str
    kind: str
    display_name: str
    title: str
    given_name: str
    family_name: str
    previous_names: list[str]
    date_of_birth: datetime.date | None
    addresses: list[AddressOut]
    phones: list[str]
    emails: list[str]
    preferred_channel: str
    language: str
    format: str
    needs_interpreter: bool
    interpreter_language: str
    consents_to_email_updates: bool
    consents_to_sms_updates: bool
    merged_into: int | None
    version: int
    warnings: list[MarkerOut]


class DuplicateOut(Schema):
    id: int
    reference: str
    display_name: str
    reasons: list[str]
