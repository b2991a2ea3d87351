"""API shapes of cases (public contract: keep field names stable)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class CaseIn(Schema):
    case_type: str = Field(max_length=60)
    title: str = Field(max_length=200)
    description: str = Field("", max_length=10_000)
    attributes: dict[str, Any] = Field(default_factory=dict)
    customer_id: int | None = None
    contact_id: int | None = None
    postcode: str = Field("", max_length=10)
    ward: str = Field("", max_length=100)
    constituent_name: str = Field("", max_length=200)


class CaseUpdateIn(Schema):
    version: int = Field(ge=1)
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    attributes: dict[str, Any] | None = None
    ward: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=30)


class AssignIn(Schema):
    assignee_id: int | None = None
    team_id: int | None = None
    reason: str = Field("", max_length=500)
    version: int | None = Field(None, ge=1)


class NoteIn(Schema):
    kind: str = Field("internal", max_length=30)
    text: str = Field(max_length=10_000)


class CloseIn(Schema):
    outcome: str = Field(max_length=30)
    resolution: str = Field(max_length=10_000)
    version: int | None = Field(None, ge=1)
    # Send the resolution, as written, to the customer (or the enquiry's councillor): only when
    # asked, refused ("no_recipient") when nobody can be sent it.
    tell_customer: bool = False


class BulkReassignIn(Schema):
    references: list[str] = Field(max_length=500)
    team_id: int
    assignee_id: int | None = None
    reason: str = Field(max_length=500)


class ClockOut(Schema):
    standard_code: str
    due_at: datetime.datetime
    calendar_version: int | None
    paused: bool
    met: bool | None


class CaseOut(Schema):
    reference: str
    case_type: str
    kind: str
    title: str
    description: str
    status: str
    attributes: dict[str, Any]
    team_id: int
    service_id: int
    assignee_id: int | None
    customer_id: int | None
    received_at: datetime.datetime
    due_at: datetime.datetime | None
    outcome: str
    resolution: str
    version: int
    clocks: list[ClockOut]


class NoteOut(Schema):
    id: int
    kind: str
    text: str
    written_at: datetime.datetime


class BulkReassignOut(Schema):
    reassigned: int
