"""API shapes of contacts (public contract: keep field names stable)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema


class ContactIn(Schema):
    customer_id: int | None = Field(None, description="Leave out for an anonymous contact.")
    channel: str = Field("telephone", max_length=30)
    direction: str = Field("in", max_length=3)
    reason_id: int | None = None
    service_id: int | None = None
    access_point_id: int | None = None
    received_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    outcome: str = Field("", max_length=30)
    notes: str = Field("", max_length=5000)
    repeat_of_id: int | None = None
    about_reference: str = Field("", max_length=20)
    avoidable: str = Field(
        "",
        max_length=20,
        description=(
            "Whether the contact was avoidable: progress-chasing, repeat, failure-to-act, "
            "unclear, wrong-channel or not-avoidable; empty for not assessed (a contact with "
            "repeat_of_id or about_reference is then recorded as progress-chasing)."
        ),
    )
    callback_phone: str = Field("", max_length=40)
    callback_note: str = Field("", max_length=500)


class ContactUpdateIn(Schema):
    version: int
    ended_at: datetime.datetime | None = None
    outcome: str = Field("", max_length=30)
    notes: str = Field("", max_length=5000)
    avoidable: str | None = Field(
        None, max_length=20, description="Leave out to keep it; empty for not assessed."
    )


class CallbackOut(Schema):
    id: int
    due_at: datetime.datetime
    standard: str | None
    phone: str
    completed_at: datetime.datetime | None


class ContactOut(Schema):
    id: int
    customer_id: int | None
    channel: str
    direction: str
    reason: str | None
    service_id: int | None
    access_point_id: int | None
    staff: str | None
    received_at: datetime.datetime
    answered_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    outcome: str
    notes: str
    repeat_of_id: int | None
    about_reference: str
    is_repeat: bool
    avoidable: str
    version: int
    callbacks: list[CallbackOut]
