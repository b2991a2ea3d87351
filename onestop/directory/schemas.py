"""API shapes of the directory (public contract: keep field names stable)."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import PlainSerializer, WithJsonSchema

# A time of day on the council's clock (Europe/London), as opening hours are: "09:00:00" means
# nine in the morning in winter and in summer alike, so it has no UTC offset.  JSON Schema's
# ``format: time`` (RFC 3339 full-time) requires one, so the document says what is sent instead.
LocalTime = Annotated[
    datetime.time,
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$",
            "example": "09:00:00",
            "description": "Local time of day (Europe/London), HH:MM:SS, without a UTC offset.",
        }
    ),
]


class LgslOut(Schema):
    code: int
    name: str


class ServiceOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    lgsl: LgslOut | None


class SessionOut(Schema):
    opens: LocalTime
    closes: LocalTime


class DayOut(Schema):
    weekday: int
    day: str
    sessions: list[SessionOut]


class ExceptionOut(Schema):
    date: datetime.date
    reason: str
    sessions: list[SessionOut]


class OutOfHoursOut(Schema):
    title: str
    contact: str
    phone: str
    details: str
    starts_weekday: int
    starts_at: LocalTime
    ends_weekday: int
    ends_at: LocalTime


class AccessPointOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    phone: str
    organisation: str
    shared: bool


class AccessPointDetailOut(AccessPointOut):
    hours: list[DayOut]
    exceptions: list[ExceptionOut]
    out_of_hours: list[OutOfHoursOut]
